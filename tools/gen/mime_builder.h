#pragma once
// Builds RFC 5322 / MIME messages part by part while keeping exact knowledge
// of what each attachment decodes to, so a scenario can write the decoded
// bytes' hashes into the ground truth. Covers what mail of 2004 (and mail
// crafted to evade parsers) looks like on the wire:
//
//   * multipart (nested to any depth), message/rfc822, preamble/epilogue;
//   * base64 (76 columns or one long line), quoted-printable (text or
//     binary-safe), 7bit/8bit/binary bodies as is, uuencode inside a text body;
//   * RFC 2047 encoded words (subjects, names), RFC 2231 parameter
//     continuations with percent-encoding, folded header lines;
//   * CRLF or bare-LF line ends (chosen per render).
//
// Encoders are free functions; Part is a plain tree rendered by render(). The
// builder never normalises what it is given: a malformed header or body put
// in a Part goes out byte for byte (the evasion scenario relies on that).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ww::gen::mime {

using Bytes = std::vector<uint8_t>;

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string to_string(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

enum class Encoding : uint8_t {
  k7bit,
  k8bit,
  kBinary,
  kBase64,         // 76-column lines
  kBase64OneLine,  // the whole body on one line
  kQuotedPrintable,
};
// The Content-Transfer-Encoding token ("7bit", "base64", ...).
const char* encoding_token(Encoding e);

// Base64 in lines of `line_len` characters (a multiple of 4; 0 = one line)
// joined by `eol`, no trailing eol.
std::string base64(std::span<const uint8_t> data, size_t line_len, std::string_view eol);
// Quoted-printable, lines of at most 76 characters with soft breaks. With
// `binary`, CR and LF are encoded too (=0D=0A), so decoding gives back the
// exact bytes; otherwise CRLF/LF in the input become hard line breaks (`eol`).
// No trailing eol.
std::string quoted_printable(std::span<const uint8_t> data, std::string_view eol, bool binary);
// "begin 644 NAME" ... "`" "end", every line ended by `eol`.
std::string uuencode(std::string_view name, std::span<const uint8_t> data, std::string_view eol);
// The body of a leaf part in encoding `e` (7bit/8bit/binary: the bytes as is;
// quoted-printable is binary-safe and ends with a soft break).
std::string encode_body(std::span<const uint8_t> data, Encoding e, std::string_view eol);

// RFC 2047 encoded words ("=?UTF-8?B?...?=", at most 75 characters each,
// separated by a space) for a UTF-8 string. `q` selects the Q encoding.
std::string rfc2047(std::string_view utf8, bool q = false);
// RFC 2231 parameter with continuations: `name*0*=UTF-8''%E2%82...; name*1*=...`,
// each segment holding at most `segment` encoded characters (>= 3).
std::string rfc2231(std::string_view param, std::string_view utf8, size_t segment = 40);
// A quoted-string ("..." with \ and " escaped).
std::string quote(std::string_view v);
// "Name: value" + eol, folded at spaces so no line exceeds `width` where
// possible (unfolding gives back the value exactly). width 0: never fold.
std::string header_line(std::string_view name, std::string_view value, std::string_view eol,
                        size_t width = 76);
// Bare LF and CRLF in `text` become `eol`.
std::string with_eol(std::string_view text, std::string_view eol);

struct Part {
  std::vector<std::pair<std::string, std::string>> headers;  // name, value as sent
  std::string body;            // leaf: the encoded body as it goes on the wire
  std::vector<Part> children;  // multipart: the parts
  std::string boundary;        // non-empty: a multipart body is rendered from children
  std::string preamble;
  std::string epilogue;
  size_t fold_width = 76;  // 0: header lines are never folded

  Part& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};
// Headers, empty line, then the body (leaf) or preamble, "--boundary" +
// part, ..., "--boundary--", epilogue. The line end before a delimiter
// belongs to the delimiter, so a leaf's decoded bytes are exactly its body.
std::string render(const Part& p, std::string_view eol);

// An attachment as the ground truth records it.
struct Attachment {
  std::string name;          // decoded UTF-8 file name ("" when the part has none)
  Bytes data;                // decoded bytes
  std::string content_type;  // declared type, lower case, no parameters
  bool infected = false;
  bool required = true;              // false: only an alternate reading yields it
  std::vector<std::string> members;  // zip entry names (nested: "inner.zip/x.exe")
  nlohmann::ordered_json to_json() const;
};

enum class NameStyle : uint8_t {
  kPlain,    // name="x.pdf" / filename="x.pdf"
  kRfc2047,  // name="=?UTF-8?B?...?="
  kRfc2231,  // name*0*=UTF-8''...; name*1*=...
  kNone,     // no name parameters
};

struct AttachmentSpec {
  std::string name;
  std::string content_type = "application/octet-stream";
  Bytes data;
  Encoding encoding = Encoding::kBase64;
  NameStyle style = NameStyle::kPlain;
  bool inline_disposition = false;
  bool infected = false;
  std::vector<std::string> members;
};
// A leaf part with Content-Type (+ name), Content-Transfer-Encoding and
// Content-Disposition (+ filename); `truth` receives the Attachment.
Part attachment_part(const AttachmentSpec& spec, std::string_view eol,
                     std::vector<Attachment>* truth);
// A text/plain (or `subtype`) body part.
Part text_part(std::string_view text, std::string_view eol, Encoding e = Encoding::k7bit,
               std::string_view charset = "us-ascii", std::string_view subtype = "plain");
// multipart/<subtype> with the given boundary and parts.
Part multipart(std::string_view subtype, std::string boundary, std::vector<Part> parts);
// message/rfc822 part enclosing `inner` (rendered with `eol`).
Part message_part(const Part& inner, std::string_view eol, std::string_view filename = "");

// Top-level headers of a message, in the usual order.
struct Envelope {
  std::string from;  // full header values (e.g. "Alice <alice@example.com>")
  std::vector<std::string> to;
  std::string subject;  // already encoded (use rfc2047 for non-ASCII)
  std::string date;
  std::string message_id;  // without angle brackets
  std::string mailer;      // X-Mailer, optional
};
// Prepends From, To, Subject, Date, Message-ID, X-Mailer, MIME-Version to the
// part's own headers.
Part message(const Envelope& env, Part body);

}  // namespace ww::gen::mime
