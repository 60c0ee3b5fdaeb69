#pragma once
// Finds uuencode blocks ("begin 644 name" ... "end") in decoded text and decodes
// them. Outside a block only lines starting with 'b' are looked at (the rest is
// skipped with memchr); inside, each line (at most 61 characters in practice) is
// held in a fixed buffer. Lenient like the classic decoders: a data line shorter
// than its length character says (trailing blanks stripped in transit) is padded
// with zero bits; '`' and ' ' both mean 0.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace ww::mime {

class UuencodeScanner {
 public:
  class Events {
   public:
    virtual void uu_begin(std::string_view name) = 0;
    virtual void uu_data(std::span<const uint8_t> bytes) = 0;
    // complete: the end line was seen.
    virtual void uu_end(bool complete) = 0;
    virtual void uu_bad_line() = 0;

   protected:
    ~Events() = default;
  };

  static constexpr size_t kMaxLine = 512;

  void reset() { *this = UuencodeScanner{}; }
  bool in_block() const { return in_block_; }
  void feed(std::span<const uint8_t> text, Events& ev);
  // The text ended: an open block ends incomplete.
  void finish(Events& ev);
  // Text is missing here: the current line is dropped (a block stays open).
  void gap();

 private:
  void line(std::string_view l, Events& ev);
  void data_line(std::string_view l, Events& ev);

  std::array<char, kMaxLine> buf_{};
  size_t len_ = 0;
  bool at_line_start_ = true;
  bool buffering_ = false;  // the current line is being kept
  bool overflow_ = false;   // the current line outgrew the buffer
  bool in_block_ = false;
};

}  // namespace ww::mime
