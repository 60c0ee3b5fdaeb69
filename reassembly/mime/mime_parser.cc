// The line machine: frames the message into lines without buffering them, holds
// back only what may turn out to belong to a delimiter (the line end before it, a
// line that starts with "--" while it still matches a boundary of the stack), and
// routes everything else to the header block or the body of the top entity.

#include "reassembly/mime/mime_parser.h"

#include <cstring>

namespace ww {

namespace {

// How far a line has matched "--" boundary [ "--" ] blanks [ CR ] LF.
enum CandState : uint8_t {
  kMatch,     // inside the boundary
  kAfter,     // the boundary is complete
  kDash1,     // one '-' after it
  kClose,     // "--" after it
  kPad,       // blanks after the boundary
  kPadClose,  // blanks after "--"
  kCr,        // CR after the boundary (and blanks)
  kCrClose,   // CR after "--" (and blanks)
  kDead,
};

bool is_pad(uint8_t c) { return c == ' ' || c == '\t'; }

CandState advance(CandState s, uint8_t c, const std::string& boundary, size_t k) {
  switch (s) {
    case kMatch:
      if (k < boundary.size() && static_cast<uint8_t>(boundary[k]) == c) {
        return k + 1 == boundary.size() ? kAfter : kMatch;
      }
      return kDead;
    case kAfter:
      if (c == '-') return kDash1;
      if (is_pad(c)) return kPad;
      return c == '\r' ? kCr : kDead;
    case kDash1:
      return c == '-' ? kClose : kDead;
    case kClose:
    case kPadClose:
      if (is_pad(c)) return kPadClose;
      return c == '\r' ? kCrClose : kDead;
    case kPad:
      if (is_pad(c)) return kPad;
      return c == '\r' ? kCr : kDead;
    default:
      return kDead;
  }
}

bool is_open_end(uint8_t s) { return s == kAfter || s == kPad || s == kCr; }
bool is_close_end(uint8_t s) { return s == kClose || s == kPadClose || s == kCrClose; }

}  // namespace

MimeParser::MimeParser(const MimeConfig& config, MimeCounters& counters, MimeEventSink& sink)
    : config_(&config), counters_(&counters), sink_(&sink) {
  stack_.resize(static_cast<size_t>(config.max_depth) + 2);
  candidates_.reserve(static_cast<size_t>(config.max_depth + 1) * config.max_boundaries_per_part);
  cand_cap_ = 2 + config.max_boundary_bytes + 2 + config.max_delimiter_padding + 1;
  cand_.reserve(cand_cap_ + 1);
  field_.reserve(config.max_header_line_bytes);
  alt_names_.reserve(config.max_file_names);
  ended_ = true;  // so reset() does not end a message that never began
  reset();
}

void MimeParser::reset() {
  if (!ended_ && (bytes_ > 0 || gap_bytes_ > 0)) end();
  next_index_ = 0;
  parts_used_ = 0;
  bytes_ = 0;
  gap_bytes_ = 0;
  incomplete_ = false;
  ended_ = false;
  message_tag_ = PartTag{};
  depth_ = 0;
  active_multiparts_ = 0;
  stream_count_ = 0;
  uu_stream_ = nullptr;
  line_start_ = true;
  pending_cr_ = false;
  held_eol_ = 0;
  discard_line_ = false;
  line_len_ = 0;
  in_candidate_ = false;
  cand_.clear();
  push_entity(kMimeNoPart, true);
}

void MimeParser::feed(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  if (ended_) {
    report(message_tag_, MimeAnomaly::data_after_end);
    return;
  }
  bytes_ += bytes.size();
  counters_->bytes += bytes.size();
  process(bytes.data(), bytes.data() + bytes.size());
  flush_streams();
}

void MimeParser::gap(uint64_t length) {
  if (length == 0) return;
  if (ended_) {
    report(message_tag_, MimeAnomaly::data_after_end);
    return;
  }
  ++counters_->gaps;
  counters_->gap_bytes += length;
  gap_bytes_ += length;
  incomplete_ = true;
  flush_line_state();
  discard_line_ = false;
  // Where the gap ends is unknown: take it as a line start so a delimiter right
  // after it is still recognised; decoders resynchronise on their own.
  line_start_ = true;
  line_len_ = 0;
  Entity& e = top();
  e.had_gap = true;
  if (e.phase == Phase::headers) {
    field_.clear();
    field_active_ = false;
    field_cut_ = false;
    header_line_start_ = true;
    header_first_line_ = false;
    header_line_blank_ = true;
    header_line_len_ = 0;
  } else if (e.kind == Kind::leaf) {
    gap_streams(length);
  }
}

void MimeParser::end() {
  if (ended_) return;
  if (in_candidate_ && !candidate_delimiter(false, false)) candidate_as_text(false);
  flush_line_state();
  bool open_multipart = false;
  for (uint32_t i = 0; i < depth_; ++i) {
    if (stack_[i].kind == Kind::multipart && !stack_[i].closed) open_multipart = true;
  }
  while (depth_ > 0) close_top(open_multipart);
  flush_streams();
  MimeMessageEnd m;
  m.parts = next_index_;
  m.bytes = bytes_;
  m.gap_bytes = gap_bytes_;
  m.complete = !incomplete_;
  ended_ = true;
  ++counters_->messages;
  sink_->on_message_end(m);
}

void MimeParser::flush_line_state() {
  if (in_candidate_) candidate_as_text(false);
  if (pending_cr_) {
    pending_cr_ = false;
    static constexpr uint8_t kCrByte = '\r';
    line_content({&kCrByte, 1});
  }
  release_held_eol();
}

void MimeParser::process(const uint8_t* p, const uint8_t* end) {
  while (p < end) {
    if (discard_line_) {
      const auto* nl = static_cast<const uint8_t*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) return;
      p = nl + 1;
      discard_line_ = false;
      line_start_ = true;
      continue;
    }
    if (in_candidate_) {
      p = candidate_step(p, end);
      continue;
    }
    if (line_start_) {
      line_start_ = false;
      line_len_ = 0;
      if (*p == '-' && boundaries_active()) {
        start_candidate();
        continue;
      }
      release_held_eol();
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p == '\n') {
        ++p;
        line_end(2);
        continue;
      }
      static constexpr uint8_t kCrByte = '\r';
      line_content({&kCrByte, 1});
    }
    p = body_run(p, end);
    if (p == end) return;
    const auto* nl = static_cast<const uint8_t*>(std::memchr(p, '\n', end - p));
    const uint8_t* content_end = nl != nullptr ? nl : end;
    uint8_t eol = 1;
    if (content_end > p && content_end[-1] == '\r') {
      --content_end;
      if (nl != nullptr) {
        eol = 2;
      } else {
        pending_cr_ = true;
      }
    }
    if (content_end > p) line_content({p, static_cast<size_t>(content_end - p)});
    if (nl == nullptr) return;
    p = nl + 1;
    line_end(eol);
  }
}

// Fast path for leaf bodies: whole lines whose successor cannot start a delimiter
// (and that are not too long) go to the decoders in one piece, line ends
// included. The slow path would deliver exactly the same bytes, line by line.
const uint8_t* MimeParser::body_run(const uint8_t* p, const uint8_t* end) {
  const Entity& e = top();
  if (e.phase != Phase::body || e.kind != Kind::leaf) return p;
  const bool delimiters = boundaries_active();
  const uint64_t max = config_->max_line_bytes;
  const uint8_t* q = p;
  uint64_t len = line_len_;
  while (q < end) {
    const auto* nl = static_cast<const uint8_t*>(std::memchr(q, '\n', end - q));
    if (nl == nullptr || len + static_cast<uint64_t>(nl - q) > max) break;
    const uint8_t* next = nl + 1;
    if (next == end || (delimiters && *next == '-')) break;
    q = next;
    len = 0;
  }
  if (q == p) return p;
  line_len_ = len;
  body_bytes({p, static_cast<size_t>(q - p)});
  return q;
}

void MimeParser::start_candidate() {
  in_candidate_ = true;
  cand_.clear();
  candidates_.clear();
  cand_trailing_text_ = false;
  cand_blanks_ = 0;
  for (uint32_t pos = depth_; pos-- > 0;) {
    const Entity& e = stack_[pos];
    if (e.kind != Kind::multipart) continue;
    for (const std::string& b : e.fields.boundaries) candidates_.push_back({pos, &b, kMatch});
  }
}

const uint8_t* MimeParser::candidate_step(const uint8_t* p, const uint8_t* end) {
  while (p < end) {
    const uint8_t c = *p;
    if (cand_.size() < 2) {
      if (c != '-') {
        candidate_as_text(false);
        return p;
      }
      cand_.push_back('-');
      ++p;
      continue;
    }
    if (c == '\n') {
      const bool cr = cand_.back() == '\r';
      if (candidate_delimiter(true, false)) return p + 1;
      candidate_as_text(cr);
      return p;
    }
    if (is_pad(c) && cand_blanks_ >= config_->max_delimiter_padding && matched_boundary_padding()) {
      // Endless padding: take the line as the delimiter it began as.
      if (candidate_delimiter(false, true)) {
        discard_line_ = true;
        return p;
      }
      candidate_as_text(false);
      return p;
    }
    if (cand_.size() >= cand_cap_) {  // cannot happen: padding is capped above
      candidate_as_text(false);
      return p;
    }
    cand_blanks_ = is_pad(c) ? cand_blanks_ + 1 : 0;
    bool alive = false;
    const size_t k = cand_.size() - 2;
    for (Candidate& cd : candidates_) {
      if (cd.state == kDead) continue;
      const auto before = static_cast<CandState>(cd.state);
      cd.state = advance(before, c, *cd.boundary, k);
      if (cd.state != kDead) {
        alive = true;
      } else if (before != kMatch && !cand_trailing_text_) {
        cand_trailing_text_ = true;
        cand_trailing_entity_ = cd.entity;
      }
    }
    if (!alive) {
      candidate_as_text(false);
      return p;
    }
    cand_.push_back(static_cast<char>(c));
    ++p;
  }
  return p;
}

// Some boundary is complete and now only padding follows, and no longer boundary
// still matches (one with blanks inside it).
bool MimeParser::matched_boundary_padding() const {
  bool padded = false;
  for (const Candidate& cd : candidates_) {
    if (cd.state == kMatch) return false;
    if (cd.state == kAfter || cd.state == kClose || cd.state == kPad || cd.state == kPadClose) {
      padded = true;
    }
  }
  return padded;
}

bool MimeParser::candidate_delimiter(bool at_line_end, bool padding_overflow) {
  const Candidate* best = nullptr;
  for (const Candidate& cd : candidates_) {
    if (!is_open_end(cd.state) && !is_close_end(cd.state)) continue;
    if (best == nullptr || cd.entity > best->entity ||
        (cd.entity == best->entity && cd.boundary->size() > best->boundary->size())) {
      best = &cd;
    }
  }
  if (best == nullptr) return false;
  const uint32_t pos = best->entity;
  const bool close = is_close_end(best->state);
  Entity& m = stack_[pos];
  if (!close && m.overflow) return false;  // the opaque remainder takes it as text
  if (!close && parts_used_ >= config_->max_parts) {
    cand_trailing_text_ = false;
    enter_overflow(pos);
    return false;
  }
  if (padding_overflow) {
    ++counters_->delimiter_padding_too_long;
    report(m.tag, MimeAnomaly::delimiter_padding_too_long);
  }
  in_candidate_ = false;
  cand_.clear();
  held_eol_ = 0;  // the line end before a delimiter belongs to it
  on_delimiter(pos, close);
  line_start_ = at_line_end;
  return true;
}

void MimeParser::candidate_as_text(bool cr_before_lf) {
  in_candidate_ = false;
  if (cand_trailing_text_ && cand_trailing_entity_ < depth_) {
    report(stack_[cand_trailing_entity_].tag, MimeAnomaly::delimiter_with_trailing_text);
  }
  cand_trailing_text_ = false;
  release_held_eol();
  std::span<const uint8_t> text(reinterpret_cast<const uint8_t*>(cand_.data()), cand_.size());
  if (cr_before_lf) {
    text = text.first(text.size() - 1);
    pending_cr_ = true;
  }
  line_content(text);  // never touches cand_
  cand_.clear();
}

void MimeParser::line_content(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  Entity& e = top();
  if (e.phase == Phase::headers) {
    header_content(bytes);
    return;
  }
  if (e.kind != Kind::leaf) return;  // preamble, epilogue
  const uint64_t max = config_->max_line_bytes;
  if (line_len_ <= max && line_len_ + bytes.size() > max) {
    const size_t head = static_cast<size_t>(max - line_len_);
    body_bytes(bytes.first(head));
    line_len_ += head;
    bytes = bytes.subspan(head);
    ++counters_->long_lines;
    report(e.tag, MimeAnomaly::line_too_long);
  }
  line_len_ += bytes.size();
  body_bytes(bytes);
}

void MimeParser::line_end(uint8_t eol_len) {
  line_start_ = true;
  Entity& e = top();
  if (e.phase == Phase::headers) {
    header_line_end(eol_len);
    return;
  }
  if (boundaries_active()) {
    held_eol_ = eol_len;
    return;
  }
  if (e.kind == Kind::leaf) {
    static constexpr uint8_t kCrLf[2] = {'\r', '\n'};
    body_bytes(std::span<const uint8_t>(kCrLf).last(eol_len));
  }
}

void MimeParser::release_held_eol() {
  if (held_eol_ == 0) return;
  const uint8_t n = held_eol_;
  held_eol_ = 0;
  Entity& e = top();
  if (e.phase == Phase::headers || e.kind != Kind::leaf) return;
  static constexpr uint8_t kCrLf[2] = {'\r', '\n'};
  body_bytes(std::span<const uint8_t>(kCrLf).last(n));
}

void MimeParser::report(PartTag& tag, MimeAnomaly a) {
  ++counters_->anomalies[static_cast<size_t>(a)];
  if (tag.reported.test(static_cast<size_t>(a))) return;
  tag.reported.set(static_cast<size_t>(a));
  flush_streams();
  MimeAnomalyEvent ev;
  ev.kind = a;
  ev.part = tag.index;
  ev.part_id = tag.id;
  sink_->on_anomaly(ev);
}

void MimeParser::report_bits(PartTag& tag, const AnomalyBits& bits) {
  for (size_t i = 0; i < kMimeAnomalyCount; ++i) {
    if (bits.test(i)) report(tag, static_cast<MimeAnomaly>(i));
  }
}

}  // namespace ww
