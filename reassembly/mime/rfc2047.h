#pragma once
// RFC 2047 encoded words ("=?charset?B?...?=", "=?charset?Q?...?=") in header
// values and in quoted parameter values (file names: common in real mail although
// RFC 2047 forbids it there). Adjacent encoded words are joined: the blanks between
// them are dropped and, when they share a charset, their bytes are concatenated
// before conversion, so a character split across two words survives. Text outside
// encoded words is taken as UTF-8 (RFC 6532). Output is always valid UTF-8.

#include <string>
#include <string_view>

namespace ww::mime {

struct Rfc2047Result {
  bool bad_word = false;         // something looked like an encoded word but was not
  bool unknown_charset = false;  // a word's charset is not one we convert
  bool invalid_text = false;     // bytes invalid in their charset (replaced)
};

// Appends the decoded form of `raw` to `out`.
Rfc2047Result decode_rfc2047(std::string_view raw, std::string& out);

}  // namespace ww::mime
