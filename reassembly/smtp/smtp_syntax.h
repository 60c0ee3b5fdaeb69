#pragma once
// Pure functions that read SMTP lines: command verbs and their arguments, reply
// codes, addresses, BDAT sizes, EHLO keywords. No state, no allocation; every
// result is a view into the line it was given. Case-insensitive where RFC 5321
// says so, through one comparison helper (no hand-unrolled byte compares).

#include <cstdint>
#include <string_view>

#include "reassembly/smtp/smtp_events.h"

namespace ww::smtp {

// X(name, verb)
#define WW_SMTP_VERBS(X)  \
  X(helo, "HELO")         \
  X(ehlo, "EHLO")         \
  X(mail, "MAIL")         \
  X(rcpt, "RCPT")         \
  X(data, "DATA")         \
  X(bdat, "BDAT")         \
  X(rset, "RSET")         \
  X(noop, "NOOP")         \
  X(quit, "QUIT")         \
  X(vrfy, "VRFY")         \
  X(expn, "EXPN")         \
  X(help, "HELP")         \
  X(auth, "AUTH")         \
  X(starttls, "STARTTLS") \
  X(etrn, "ETRN")         \
  X(turn, "TURN")         \
  X(atrn, "ATRN")         \
  X(xclient, "XCLIENT")   \
  X(xforward, "XFORWARD")

enum class Verb : uint8_t {
#define WW_X(name, verb) name,
  WW_SMTP_VERBS(WW_X)
#undef WW_X
      unknown
};

const char* verb_name(Verb v);

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

struct Command {
  Verb verb = Verb::unknown;
  std::string_view args;   // after the verb and its separating spaces, right-trimmed
  bool syntax_ok = false;  // the arguments have the shape the verb needs
};

// `line` without its line ending.
Command parse_command(std::string_view line);

// A known verb with well-formed arguments: what resynchronisation looks for.
bool looks_like_command(std::string_view line);

// "FROM:<a@b> SIZE=10" with keyword "FROM:" -> "a@b". Angle brackets and ESMTP
// parameters are stripped; quoted '>' inside the brackets is honoured. Returns
// false (with the best-effort address) when the path is not "<...>".
bool parse_path(std::string_view args, std::string_view keyword, std::string_view& address);

struct BdatArgs {
  uint64_t size = 0;
  bool last = false;
};
// "1000", "1000 LAST", "0 LAST". At most 19 digits.
bool parse_bdat(std::string_view args, BdatArgs& out);

// The first space-delimited token.
std::string_view first_token(std::string_view args);

// SASL mechanism name (RFC 4422 3.1): 1-20 of [A-Za-z0-9-_].
bool is_sasl_mechanism(std::string_view token);
SmtpAuthMechanism auth_mechanism_of(std::string_view token);

struct ReplyLine {
  uint16_t code = 0;
  bool more = false;      // "250-": a continuation follows
  std::string_view text;  // after the code and its separator
};
// 3 digits, first 2-5, then end, space or dash.
bool parse_reply_line(std::string_view line, ReplyLine& out);

// One EHLO reply line's text ("PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN",
// "AUTH=LOGIN"): adds its capability and SIZE / AUTH details.
void add_ehlo_keyword(std::string_view text, uint32_t& capabilities, uint64_t& size_limit,
                      uint32_t& auth_mechanisms);

// Is the code plausible as an answer to the verb (used to realign after gaps)?
enum class Expect : uint8_t { any, data, starttls, auth, quit };
bool plausible_reply(Expect e, uint16_t code);

}  // namespace ww::smtp
