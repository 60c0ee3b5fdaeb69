#include "reassembly/smtp/smtp_syntax.h"

#include <array>

namespace ww::smtp {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Verb::unknown)> kVerbs{
#define WW_X(name, verb) verb,
    WW_SMTP_VERBS(WW_X)
#undef WW_X
};

constexpr std::array<std::string_view, static_cast<size_t>(SmtpCapability::kCount)> kKeywords{
#define WW_X(name, keyword) keyword,
    WW_SMTP_CAPABILITIES(WW_X)
#undef WW_X
};

constexpr std::array<std::string_view, static_cast<size_t>(SmtpAuthMechanism::other)> kMechanisms{
#define WW_X(name, keyword) keyword,
    WW_SMTP_AUTH_MECHANISMS(WW_X)
#undef WW_X
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool args_ok(Verb v, std::string_view args) {
  std::string_view ignored;
  BdatArgs bdat;
  switch (v) {
    case Verb::helo:
    case Verb::ehlo:
    case Verb::vrfy:
    case Verb::expn:
    case Verb::etrn:
    case Verb::xclient:
    case Verb::xforward:
      return !args.empty();
    case Verb::mail:
      return parse_path(args, "FROM:", ignored);
    case Verb::rcpt:
      return parse_path(args, "TO:", ignored);
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
    case Verb::starttls:
    case Verb::turn:
      return args.empty();
    case Verb::bdat:
      return parse_bdat(args, bdat);
    case Verb::auth:
      return is_sasl_mechanism(first_token(args));
    case Verb::noop:
    case Verb::help:
    case Verb::atrn:
      return true;
    case Verb::unknown:
      return false;
  }
  return false;
}

}  // namespace

const char* verb_name(Verb v) {
  const auto i = static_cast<size_t>(v);
  return i < kVerbs.size() ? kVerbs[i].data() : "unknown";
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view first_token(std::string_view args) {
  args = trim_left(args);
  size_t n = 0;
  while (n < args.size() && !is_space(args[n])) ++n;
  return args.substr(0, n);
}

Command parse_command(std::string_view line) {
  Command cmd;
  line = trim_right(line);
  size_t n = 0;
  while (n < line.size() && !is_space(line[n])) ++n;
  const std::string_view verb = line.substr(0, n);
  for (size_t i = 0; i < kVerbs.size(); ++i) {
    if (iequals(verb, kVerbs[i])) {
      cmd.verb = static_cast<Verb>(i);
      break;
    }
  }
  if (cmd.verb == Verb::unknown) return cmd;
  cmd.args = trim_left(line.substr(n));
  cmd.syntax_ok = args_ok(cmd.verb, cmd.args);
  return cmd;
}

bool looks_like_command(std::string_view line) {
  const Command cmd = parse_command(line);
  return cmd.verb != Verb::unknown && cmd.syntax_ok;
}

bool parse_path(std::string_view args, std::string_view keyword, std::string_view& address) {
  address = {};
  if (!istarts_with(args, keyword)) return false;
  // RFC 5321 has no space after the colon; many clients send one.
  const std::string_view rest = trim_left(args.substr(keyword.size()));
  if (rest.empty() || rest.front() != '<') {
    address = first_token(rest);
    return false;
  }
  bool quoted = false;
  for (size_t i = 1; i < rest.size(); ++i) {
    const char c = rest[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      address = rest.substr(1, i - 1);
      return true;
    }
  }
  address = rest.substr(1);
  return false;
}

bool parse_bdat(std::string_view args, BdatArgs& out) {
  out = {};
  const std::string_view size = first_token(args);
  if (size.empty() || size.size() > 19) return false;
  for (char c : size) {
    if (!is_digit(c)) return false;
    out.size = out.size * 10 + static_cast<uint64_t>(c - '0');
  }
  const std::string_view rest = trim_left(trim_left(args).substr(size.size()));
  if (rest.empty()) return true;
  if (!iequals(rest, "LAST")) return false;
  out.last = true;
  return true;
}

bool is_sasl_mechanism(std::string_view token) {
  if (token.empty() || token.size() > 20) return false;
  for (char c : token) {
    const char l = lower(c);
    if (!((l >= 'a' && l <= 'z') || is_digit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

SmtpAuthMechanism auth_mechanism_of(std::string_view token) {
  for (size_t i = 0; i < kMechanisms.size(); ++i) {
    if (iequals(token, kMechanisms[i])) return static_cast<SmtpAuthMechanism>(i);
  }
  return SmtpAuthMechanism::other;
}

bool parse_reply_line(std::string_view line, ReplyLine& out) {
  out = {};
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
      !is_digit(line[2])) {
    return false;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return false;
  out.code = static_cast<uint16_t>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  out.more = line.size() > 3 && line[3] == '-';
  out.text = line.size() > 4 ? trim_right(line.substr(4)) : std::string_view{};
  return true;
}

void add_ehlo_keyword(std::string_view text, uint32_t& capabilities, uint64_t& size_limit,
                      uint32_t& auth_mechanisms) {
  text = trim_left(text);
  size_t n = 0;
  while (n < text.size() && !is_space(text[n]) && text[n] != '=') ++n;
  const std::string_view keyword = text.substr(0, n);
  std::string_view params = n < text.size() ? text.substr(n + 1) : std::string_view{};
  for (size_t i = 0; i < kKeywords.size(); ++i) {
    if (!iequals(keyword, kKeywords[i])) continue;
    const auto cap = static_cast<SmtpCapability>(i);
    capabilities |= smtp_bit(cap);
    if (cap == SmtpCapability::size) {
      const std::string_view digits = first_token(params);
      uint64_t v = 0;
      bool ok = !digits.empty() && digits.size() <= 19;
      for (char c : digits) {
        if (!is_digit(c)) ok = false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      if (ok) size_limit = v;
    } else if (cap == SmtpCapability::auth) {
      for (std::string_view tok = first_token(params); !tok.empty(); tok = first_token(params)) {
        auth_mechanisms |= smtp_bit(auth_mechanism_of(tok));
        params = trim_left(params).substr(tok.size());
      }
    }
    return;
  }
}

bool plausible_reply(Expect e, uint16_t code) {
  const int cls = code / 100;
  switch (e) {
    case Expect::data:
      return code == 354 || cls == 4 || cls == 5;
    case Expect::starttls:
      return code == 220 || cls == 4 || cls == 5;
    case Expect::auth:
      return code == 334 || cls == 2 || cls == 4 || cls == 5;
    case Expect::quit:
      return cls == 2 || cls == 4 || cls == 5;
    case Expect::any:
      return cls != 3;
  }
  return false;
}

}  // namespace ww::smtp
