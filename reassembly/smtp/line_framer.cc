#include "reassembly/smtp/line_framer.h"

#include <algorithm>
#include <cstring>

namespace ww {

LineFramer::LineFramer(uint32_t max_line)
    : max_(std::max<uint32_t>(max_line, 2)), next_max_(max_) {}

void LineFramer::set_max_line(uint32_t max_line) {
  next_max_ = std::max<uint32_t>(max_line, 2);
  if (buffered() == 0 && !in_line_) max_ = next_max_;
}

void LineFramer::start_plain(uint64_t n) { plain_left_ = n; }

void LineFramer::emit_buffer(FramedLine& out) {
  out.bytes = {buf_.data(), buf_.size()};
  release_ = true;
}

bool LineFramer::next(std::span<const uint8_t>& in, FramedLine& out) {
  if (release_) {
    buf_.clear();
    release_ = false;
  }
  if (in.empty()) return false;
  out = FramedLine{};

  if (plain_left_ > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(plain_left_, in.size()));
    out.bytes = in.first(n);
    out.plain = true;
    in = in.subspan(n);
    plain_left_ -= n;
    return true;
  }

  if (buf_.empty() && !in_line_) max_ = next_max_;
  // buf_ never holds max_ bytes at rest: a full buffer is emitted at once.
  const size_t room = max_ - buf_.size();
  const size_t scan = std::min(room, in.size());
  const auto* lf = static_cast<const uint8_t*>(std::memchr(in.data(), '\n', scan));
  if (lf == nullptr && in.size() < room) {
    buf_.insert(buf_.end(), in.begin(), in.end());
    in = {};
    return false;
  }

  const size_t take = lf != nullptr ? static_cast<size_t>(lf - in.data()) + 1 : room;
  if (buf_.empty()) {
    out.bytes = in.first(take);
  } else {
    buf_.insert(buf_.end(), in.begin(), in.begin() + static_cast<ptrdiff_t>(take));
    emit_buffer(out);
  }
  in = in.subspan(take);

  out.start = !in_line_;
  out.after_gap = after_gap_;
  after_gap_ = false;
  if (lf != nullptr) {
    const size_t n = out.bytes.size();
    const bool cr = n >= 2 ? out.bytes[n - 2] == '\r' : prev_cr_;
    out.end = true;
    out.bare_lf = !cr;
    out.ending = (n >= 2 && cr) ? 2 : 1;
    in_line_ = false;
    prev_cr_ = false;
  } else {
    out.too_long = true;
    in_line_ = true;
    prev_cr_ = out.bytes.back() == '\r';
  }
  return true;
}

uint64_t LineFramer::gap(uint64_t length) {
  const uint64_t in_plain = std::min(length, plain_left_);
  plain_left_ -= in_plain;
  if (length > in_plain) {
    buf_.clear();
    release_ = false;
    in_line_ = false;
    prev_cr_ = false;
    after_gap_ = true;
  }
  return in_plain;
}

FramedLine LineFramer::take_partial() {
  FramedLine out;
  if (release_) {
    buf_.clear();
    release_ = false;
  }
  out.start = !in_line_;
  out.after_gap = after_gap_;
  if (!buf_.empty()) {
    emit_buffer(out);
    after_gap_ = false;
  }
  in_line_ = false;
  prev_cr_ = false;
  return out;
}

}  // namespace ww
