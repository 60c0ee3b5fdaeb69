#include "tools/gen/payload.h"

#include <algorithm>
#include <cstring>

#include "tools/gen/rng.h"

namespace ww::gen {

Payload& Payload::append(std::string_view s) {
  return append(std::vector<uint8_t>(s.begin(), s.end()));
}

Payload& Payload::append(std::vector<uint8_t> b) {
  if (b.empty()) return *this;
  Part p;
  p.size = b.size();
  p.literal = std::make_shared<const std::vector<uint8_t>>(std::move(b));
  size_ += p.size;
  parts_.push_back(std::move(p));
  return *this;
}

Payload& Payload::append_random(uint64_t size, uint64_t seed) {
  // The Rng lives in the lambda by value, so a copy of the Payload replays the
  // same bytes independently.
  return append_generated(
      size, [bytes = RandomBytes(seed)](std::span<uint8_t> out) mutable { bytes.fill(out); });
}

Payload& Payload::append_generated(uint64_t size, Generator gen) {
  if (size == 0) return *this;
  Part p;
  p.size = size;
  p.gen = std::move(gen);
  size_ += size;
  parts_.push_back(std::move(p));
  return *this;
}

size_t Payload::read(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size() && part_ < parts_.size()) {
    Part& p = parts_[part_];
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, p.size - part_pos_));
    if (p.literal) {
      std::memcpy(out.data() + done, p.literal->data() + part_pos_, n);
    } else {
      p.gen(out.subspan(done, n));
    }
    done += n;
    part_pos_ += n;
    if (part_pos_ == p.size) {
      ++part_;
      part_pos_ = 0;
    }
  }
  consumed_ += done;
  return done;
}

std::vector<uint8_t> Payload::read_all() {
  std::vector<uint8_t> out(static_cast<size_t>(remaining()));
  read(out);
  return out;
}

}  // namespace ww::gen
