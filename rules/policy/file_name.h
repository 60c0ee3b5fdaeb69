#pragma once
// Attachment file names as Windows would read them, and as a SIEM can show them.
// Names come off the wire (RFC 2047/2231 decoded to UTF-8 by the MIME layer):
// any bytes, any length.

#include <cstddef>
#include <string>
#include <string_view>

namespace ww {

struct FileNameParts {
  // The name examined: the part after the last '/' or '\', cut at a NUL (the OS
  // stops there), at most max_bytes from the end, trailing dots and spaces
  // removed (Windows drops them: "x.exe. . " opens as "x.exe").
  std::string name;
  std::string extension;        // after the last '.', ASCII lower-cased; "" if none
  std::string inner_extension;  // the component before it, spaces trimmed, lower-cased
  size_t padding = 0;           // spaces right before the last '.'
  bool bidi_control = false;    // U+202A..202E, U+2066..2069, U+200E/F (RTLO trick)
  bool cut = false;             // longer than max_bytes: only the tail was examined
};

FileNameParts split_file_name(std::string_view raw, size_t max_bytes);

// The name for a hit's detail: valid UTF-8 kept, control and bidi characters
// shown as <U+XXXX>, invalid bytes as <xNN>; longer than max_bytes: "..." and
// the tail (cut on a character boundary). The result is valid UTF-8.
std::string printable_name(std::string_view raw, size_t max_bytes);

// ASCII lower case; other bytes unchanged.
std::string ascii_lower(std::string_view s);

}  // namespace ww
