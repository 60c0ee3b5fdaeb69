#pragma once
// Line framing for one direction of an SMTP session (Zeek's ContentLine, as a
// pull API): bytes go in, lines (or pieces of over-long lines) come out, one at a
// time, so the caller can change mode between two lines — e.g. switch to plain
// delivery for the n bytes of a BDAT chunk that follow the command line.
//
//   std::span<const uint8_t> in = bytes;
//   FramedLine line;
//   while (framer.next(in, line)) handle(line);   // `in` advances
//
// * A line ends at LF; CRLF is the norm, a bare LF is accepted and flagged.
// * A line longer than max_line (ending included) is delivered in pieces of
//   exactly max_line bytes (`too_long`), then the rest; never buffered beyond it.
// * Zero-copy where possible: a line wholly inside `in` is a view into `in`; only
//   a partial line at the end of `in` is copied (bounded by max_line).
// * The result does not depend on how the bytes were split across calls.
// * Never throws, never allocates beyond max_line bytes.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ww {

struct FramedLine {
  // The piece, its line ending included when `end` is set. Valid until the next
  // call on the framer (it may point into the framer's buffer or into `in`).
  std::span<const uint8_t> bytes;
  uint8_t ending = 0;      // trailing bytes of `bytes` that are the line ending (0-2)
  bool start = false;      // begins a line
  bool end = false;        // ends a line (LF seen)
  bool too_long = false;   // cut at max_line: the line goes on in the next piece
  bool bare_lf = false;    // ended by LF without CR
  bool after_gap = false;  // first piece after a gap: may begin mid-line
  bool plain = false;      // plain-delivery bytes (no line framing)

  std::span<const uint8_t> content() const { return bytes.first(bytes.size() - ending); }
  std::string_view text() const {
    const auto c = content();
    return {reinterpret_cast<const char*>(c.data()), c.size()};
  }
};

class LineFramer {
 public:
  explicit LineFramer(uint32_t max_line);

  // Takes bytes from the front of `in` until one piece is ready (true, `out`
  // filled) or `in` is used up (false; a partial line is kept).
  bool next(std::span<const uint8_t>& in, FramedLine& out);

  // Line length limit; applied from the next line start (never cuts a line that is
  // being buffered short of the old limit).
  void set_max_line(uint32_t max_line);
  uint32_t max_line() const { return max_; }

  // Plain delivery: the next n bytes come out as `plain` pieces as they arrive,
  // then line framing resumes. Call at a line boundary.
  void start_plain(uint64_t n);
  uint64_t plain_remaining() const { return plain_left_; }

  // `length` bytes are missing. Returns how many of them fell inside plain data.
  // Past plain data, the partial line is dropped and the next piece is flagged
  // after_gap.
  uint64_t gap(uint64_t length);

  // The buffered partial line as a piece (not `end`), and forgets it: for a body
  // cut by a gap or the end of the stream. Empty if nothing is buffered.
  FramedLine take_partial();

  size_t buffered() const { return release_ ? 0 : buf_.size(); }
  // Nothing buffered, no line begun, no plain data or gap mark pending: the next
  // bytes start a line that next() would frame with limit `line_limit()`. Lets a
  // caller take a run of whole lines straight from `in` (SMTP body lines).
  bool at_line_start() const {
    return buffered() == 0 && !in_line_ && plain_left_ == 0 && !after_gap_;
  }
  uint32_t line_limit() const { return next_max_; }
  size_t capacity() const { return buf_.capacity(); }

 private:
  void emit_buffer(FramedLine& out);

  std::vector<uint8_t> buf_;  // partial line, or the line last returned from it
  uint32_t max_;
  uint32_t next_max_;
  uint64_t plain_left_ = 0;
  bool release_ = false;  // buf_ holds the line returned last: clear it first
  bool in_line_ = false;  // a piece of the current line was already delivered
  bool prev_cr_ = false;  // that piece ended with CR (a leading LF makes CRLF)
  bool after_gap_ = false;
};

}  // namespace ww
