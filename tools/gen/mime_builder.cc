#include "tools/gen/mime_builder.h"

#include <algorithm>

#include "tools/gen/md5.h"
#include "tools/gen/sha256.h"

namespace ww::gen::mime {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789ABCDEF";

std::string b64_raw(std::span<const uint8_t> d) {
  std::string out;
  out.reserve((d.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= d.size(); i += 3) {
    const uint32_t v = uint32_t{d[i]} << 16 | uint32_t{d[i + 1]} << 8 | d[i + 2];
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (d.size() - i == 1) {
    const uint32_t v = uint32_t{d[i]} << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (d.size() - i == 2) {
    const uint32_t v = uint32_t{d[i]} << 16 | uint32_t{d[i + 1]} << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Length of the UTF-8 sequence starting with `c` (1 for stray bytes).
size_t utf8_len(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

bool attr_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

const char* encoding_token(Encoding e) {
  switch (e) {
    case Encoding::k7bit:
      return "7bit";
    case Encoding::k8bit:
      return "8bit";
    case Encoding::kBinary:
      return "binary";
    case Encoding::kBase64:
    case Encoding::kBase64OneLine:
      return "base64";
    case Encoding::kQuotedPrintable:
      return "quoted-printable";
  }
  return "7bit";
}

std::string base64(std::span<const uint8_t> data, size_t line_len, std::string_view eol) {
  const std::string raw = b64_raw(data);
  if (line_len == 0 || raw.size() <= line_len) return raw;
  std::string out;
  out.reserve(raw.size() + raw.size() / line_len * eol.size());
  for (size_t i = 0; i < raw.size(); i += line_len) {
    if (i) out += eol;
    out.append(raw, i, line_len);
  }
  return out;
}

std::string quoted_printable(std::span<const uint8_t> data, std::string_view eol, bool binary) {
  std::string out;
  out.reserve(data.size() * 3 / 2);
  size_t col = 0;
  auto emit = [&](std::string_view tok) {
    if (col + tok.size() > 75) {  // leave room for the soft-break "="
      out += '=';
      out += eol;
      col = 0;
    }
    out += tok;
    col += tok.size();
  };
  for (size_t i = 0; i < data.size(); ++i) {
    const uint8_t c = data[i];
    if (!binary && (c == '\n' || (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n'))) {
      if (c == '\r') ++i;
      out += eol;
      col = 0;
      continue;
    }
    const bool at_line_end =
        i + 1 == data.size() ||
        (!binary && (data[i + 1] == '\n' || data[i + 1] == '\r'));
    const bool literal = (c >= 33 && c <= 126 && c != '=') ||
                         ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      const char ch = static_cast<char>(c);
      // A space or tab must not end a line: break before it if it would.
      if ((c == ' ' || c == '\t') && col + 1 > 74) {
        out += '=';
        out += eol;
        col = 0;
      }
      emit(std::string_view(&ch, 1));
    } else {
      const char tok[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(tok, 3));
    }
  }
  return out;
}

std::string uuencode(std::string_view name, std::span<const uint8_t> data, std::string_view eol) {
  auto enc = [](uint32_t v) { return static_cast<char>(v == 0 ? '`' : v + 32); };
  std::string out = "begin 644 " + std::string(name) + std::string(eol);
  for (size_t i = 0; i < data.size(); i += 45) {
    const size_t n = std::min<size_t>(45, data.size() - i);
    out += enc(static_cast<uint32_t>(n));
    for (size_t j = 0; j < n; j += 3) {
      const uint32_t b0 = data[i + j];
      const uint32_t b1 = j + 1 < n ? data[i + j + 1] : 0;
      const uint32_t b2 = j + 2 < n ? data[i + j + 2] : 0;
      const uint32_t v = b0 << 16 | b1 << 8 | b2;
      out += enc(v >> 18);
      out += enc((v >> 12) & 63);
      out += enc((v >> 6) & 63);
      out += enc(v & 63);
    }
    out += eol;
  }
  out += "`";
  out += eol;
  out += "end";
  out += eol;
  return out;
}

std::string encode_body(std::span<const uint8_t> data, Encoding e, std::string_view eol) {
  switch (e) {
    case Encoding::kBase64:
      return base64(data, 76, eol);
    case Encoding::kBase64OneLine:
      return base64(data, 0, eol);
    case Encoding::kQuotedPrintable:
      // A final soft break: decoders that keep the line end before the
      // delimiter (Python's) then add nothing to the bytes.
      return quoted_printable(data, eol, true) + "=";
    default:
      return to_string(data);
  }
}

std::string rfc2047(std::string_view utf8, bool q) {
  // Split on character boundaries so every word decodes on its own.
  const size_t max_raw = q ? 20 : 45;
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t j = i;
    while (j < utf8.size()) {
      const size_t n = utf8_len(static_cast<unsigned char>(utf8[j]));
      if (j + n - i > max_raw) break;
      j += n;
    }
    if (j == i) j = std::min(utf8.size(), i + utf8_len(static_cast<unsigned char>(utf8[i])));
    const std::string_view chunk = utf8.substr(i, j - i);
    if (!out.empty()) out += ' ';
    if (q) {
      out += "=?UTF-8?Q?";
      for (unsigned char c : chunk) {
        if (c == ' ') {
          out += '_';
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '-') {
          out += static_cast<char>(c);
        } else {
          out += '=';
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
      }
      out += "?=";
    } else {
      out += "=?UTF-8?B?" +
             b64_raw(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(chunk.data()),
                                              chunk.size())) +
             "?=";
    }
    i = j;
  }
  return out;
}

std::string rfc2231(std::string_view param, std::string_view utf8, size_t segment) {
  segment = std::max<size_t>(segment, 3);
  std::vector<std::string> tokens;  // one per input byte, never split
  for (unsigned char c : utf8) {
    if (attr_char(c)) {
      tokens.emplace_back(1, static_cast<char>(c));
    } else {
      tokens.push_back({'%', kHex[c >> 4], kHex[c & 15]});
    }
  }
  std::string out;
  size_t n = 0;
  std::string cur;
  auto flush = [&] {
    if (!out.empty()) out += "; ";
    out += std::string(param) + "*" + std::to_string(n) + "*=" + (n == 0 ? "UTF-8''" : "") + cur;
    ++n;
    cur.clear();
  };
  for (const auto& t : tokens) {
    if (cur.size() + t.size() > segment && !cur.empty()) flush();
    cur += t;
  }
  if (!cur.empty() || n == 0) flush();
  return out;
}

std::string quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string header_line(std::string_view name, std::string_view value, std::string_view eol,
                        size_t width) {
  std::string line = std::string(name) + ": " + std::string(value);
  if (width == 0 || line.size() <= width) return line + std::string(eol);
  std::string out;
  size_t start = 0;  // start of the current output line within `line`
  while (line.size() - start > width) {
    // Last space at or before start + width that is not the line's first char.
    size_t cut = std::string::npos;
    for (size_t k = std::min(line.size() - 1, start + width); k > start + 1; --k) {
      if (line[k] == ' ' || line[k] == '\t') {
        cut = k;
        break;
      }
    }
    if (cut == std::string::npos) {  // no space in reach: the next one, wherever it is
      for (size_t k = start + width; k < line.size(); ++k) {
        if (line[k] == ' ' || line[k] == '\t') {
          cut = k;
          break;
        }
      }
      if (cut == std::string::npos) break;
    }
    out.append(line, start, cut - start);
    out += eol;
    start = cut;  // the whitespace starts the continuation line
  }
  out.append(line, start, std::string::npos);
  out += eol;
  return out;
}

std::string with_eol(std::string_view text, std::string_view eol) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      out += eol;
    } else {
      out += c;
    }
  }
  return out;
}

std::string render(const Part& p, std::string_view eol) {
  std::string out;
  for (const auto& [name, value] : p.headers) out += header_line(name, value, eol, p.fold_width);
  out += eol;
  if (p.boundary.empty()) {
    out += p.body;
    return out;
  }
  if (!p.preamble.empty()) {
    out += p.preamble;
    out += eol;
  }
  for (const auto& c : p.children) {
    out += "--" + p.boundary;
    out += eol;
    out += render(c, eol);
    out += eol;
  }
  out += "--" + p.boundary + "--";
  out += eol;
  out += p.epilogue;
  return out;
}

nlohmann::ordered_json Attachment::to_json() const {
  nlohmann::ordered_json j;
  j["name"] = name;
  j["size"] = data.size();
  j["md5"] = Md5::hex(data);
  j["sha256"] = Sha256::hex(data);
  j["content_type"] = content_type;
  j["infected"] = infected;
  j["required"] = required;
  if (!members.empty()) j["members"] = members;
  return j;
}

Part attachment_part(const AttachmentSpec& s, std::string_view eol,
                     std::vector<Attachment>* truth) {
  Part p;
  std::string type = s.content_type;
  std::string disp = s.inline_disposition ? "inline" : "attachment";
  switch (s.style) {
    case NameStyle::kPlain:
      type += "; name=" + quote(s.name);
      disp += "; filename=" + quote(s.name);
      break;
    case NameStyle::kRfc2047:
      type += "; name=" + quote(is_ascii(s.name) ? s.name : rfc2047(s.name));
      disp += "; filename=" + quote(is_ascii(s.name) ? s.name : rfc2047(s.name));
      break;
    case NameStyle::kRfc2231:
      type += "; " + rfc2231("name", s.name);
      disp += "; " + rfc2231("filename", s.name);
      break;
    case NameStyle::kNone:
      break;
  }
  p.header("Content-Type", type);
  p.header("Content-Transfer-Encoding", encoding_token(s.encoding));
  if (s.style != NameStyle::kNone || s.inline_disposition) p.header("Content-Disposition", disp);
  p.body = encode_body(s.data, s.encoding, eol);
  if (truth) {
    Attachment a;
    a.name = s.style == NameStyle::kNone ? "" : s.name;
    a.data = s.data;
    a.content_type = lower(s.content_type);
    a.infected = s.infected;
    a.members = s.members;
    truth->push_back(std::move(a));
  }
  return p;
}

Part text_part(std::string_view text, std::string_view eol, Encoding e, std::string_view charset,
               std::string_view subtype) {
  Part p;
  p.header("Content-Type", "text/" + std::string(subtype) + "; charset=" + std::string(charset));
  p.header("Content-Transfer-Encoding", encoding_token(e));
  const std::string t = with_eol(text, eol);
  if (e == Encoding::kQuotedPrintable) {
    p.body = quoted_printable(to_bytes(t), eol, false);
  } else {
    p.body = encode_body(to_bytes(t), e, eol);
  }
  return p;
}

Part multipart(std::string_view subtype, std::string boundary, std::vector<Part> parts) {
  Part p;
  p.header("Content-Type", "multipart/" + std::string(subtype) + "; boundary=" + quote(boundary));
  p.boundary = std::move(boundary);
  p.children = std::move(parts);
  return p;
}

Part message_part(const Part& inner, std::string_view eol, std::string_view filename) {
  Part p;
  p.header("Content-Type", "message/rfc822");
  if (!filename.empty()) p.header("Content-Disposition", "attachment; filename=" + quote(filename));
  p.body = render(inner, eol);
  // render() ends with the inner body; the delimiter's eol follows.
  return p;
}

Part message(const Envelope& env, Part body) {
  std::vector<std::pair<std::string, std::string>> top;
  top.emplace_back("From", env.from);
  std::string to;
  for (size_t i = 0; i < env.to.size(); ++i) to += (i ? ", " : "") + env.to[i];
  top.emplace_back("To", to);
  top.emplace_back("Subject", env.subject);
  top.emplace_back("Date", env.date);
  top.emplace_back("Message-ID", "<" + env.message_id + ">");
  if (!env.mailer.empty()) top.emplace_back("X-Mailer", env.mailer);
  top.emplace_back("MIME-Version", "1.0");
  body.headers.insert(body.headers.begin(), top.begin(), top.end());
  return body;
}

}  // namespace ww::gen::mime
