#pragma once
// Test helpers for the MIME decoder: encoders for building messages (base64,
// quoted-printable, uuencode), deterministic random bytes, and runs of a MimeParser
// into the checking, recording sink of mime_fuzz_entry.h.

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/mime/mime_parser.h"
#include "tests/unit/mime/mime_fuzz_entry.h"

namespace ww {

// Printable enums for Boost.Test messages (found by ADL).
inline std::ostream& operator<<(std::ostream& os, MimePartState s) {
  return os << mime_part_state_name(s);
}
inline std::ostream& operator<<(std::ostream& os, MimeEncoding e) {
  return os << "encoding(" << mime_encoding_name(e) << ")";
}
inline std::ostream& operator<<(std::ostream& os, MimePartKind k) {
  return os << mime_part_kind_name(k);
}
inline std::ostream& operator<<(std::ostream& os, MimeAnomaly a) {
  return os << mime_anomaly_name(a);
}
inline std::ostream& operator<<(std::ostream& os, MimeHeaderField f) {
  return os << mime_header_field_name(f);
}

}  // namespace ww

namespace ww::mime_test {

using Sink = mime_fuzz::CheckingLogSink;

inline std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// "\n" -> "\r\n" (write messages readably, send them as SMTP would).
inline std::string crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (char c : s) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

inline std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// base64 with lines of `line` characters (0: one line) ended by `eol`.
inline std::string base64(std::string_view data, size_t line = 76, std::string_view eol = "\r\n") {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string flat;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    flat += kAlphabet[v >> 18];
    flat += kAlphabet[(v >> 12) & 63];
    flat += kAlphabet[(v >> 6) & 63];
    flat += kAlphabet[v & 63];
  }
  if (data.size() - i == 1) {
    const uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    flat += kAlphabet[v >> 18];
    flat += kAlphabet[(v >> 12) & 63];
    flat += "==";
  } else if (data.size() - i == 2) {
    const uint32_t v =
        (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8);
    flat += kAlphabet[v >> 18];
    flat += kAlphabet[(v >> 12) & 63];
    flat += kAlphabet[(v >> 6) & 63];
    flat += '=';
  }
  if (line == 0) return flat + std::string(eol);
  std::string out;
  for (size_t k = 0; k < flat.size(); k += line) {
    out += flat.substr(k, line);
    out += eol;
  }
  return out;
}

// quoted-printable, lines at most 76 characters, soft breaks "=\r\n".
inline std::string quoted_printable(std::string_view data) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t col = 0;
  for (char ch : data) {
    const auto c = static_cast<uint8_t>(ch);
    std::string piece;
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ') {
      piece = std::string(1, static_cast<char>(c));
    } else {
      piece = std::string("=") + kHex[c >> 4] + kHex[c & 15];
    }
    if (col + piece.size() > 75) {
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  }
  return out + "\r\n";
}

// A uuencode block: "begin 644 name", lines of 45 bytes, "`", "end".
inline std::string uuencode(std::string_view data, std::string_view name,
                            std::string_view eol = "\r\n") {
  const auto enc = [](uint8_t v) { return static_cast<char>(v == 0 ? '`' : v + 32); };
  std::string out = "begin 644 " + std::string(name) + std::string(eol);
  for (size_t i = 0; i < data.size(); i += 45) {
    const size_t n = std::min<size_t>(45, data.size() - i);
    out += enc(static_cast<uint8_t>(n));
    for (size_t k = 0; k < n; k += 3) {
      uint8_t b[3] = {0, 0, 0};
      for (size_t j = 0; j < 3 && k + j < n; ++j) b[j] = static_cast<uint8_t>(data[i + k + j]);
      out += enc(b[0] >> 2);
      out += enc(static_cast<uint8_t>(((b[0] & 3) << 4) | (b[1] >> 4)));
      out += enc(static_cast<uint8_t>(((b[1] & 15) << 2) | (b[2] >> 6)));
      out += enc(b[2] & 63);
    }
    out += eol;
  }
  return out + "`" + std::string(eol) + "end" + std::string(eol);
}

// One parse: the config, the counters and the sink live together.
struct Run {
  explicit Run(const MimeConfig& c = {}) : config(c), sink(config) {}
  MimeConfig config;
  MimeCounters counters;
  Sink sink;

  // The sink must not have seen a contract violation.
  void check_contract() const { BOOST_CHECK_MESSAGE(sink.error().empty(), sink.error()); }
};

// Feeds the message in pieces of the given sizes (empty: one feed), then end().
inline std::unique_ptr<Run> parse(std::string_view msg, const MimeConfig& config = {},
                                  std::vector<size_t> sizes = {}) {
  auto run = std::make_unique<Run>(config);
  BOOST_REQUIRE(validate(run->config).empty());
  MimeParser parser(run->config, run->counters, run->sink);
  mime_fuzz::feed_in_pieces(parser, bytes_of(msg), sizes);
  parser.end();
  run->check_contract();
  BOOST_CHECK(run->sink.message_ended());
  return run;
}

inline std::string data_of(const Run& r, std::string_view id) {
  const Sink::Part* p = r.sink.find(id);
  BOOST_REQUIRE_MESSAGE(p != nullptr, "no part " << id << "\n" << r.sink.log());
  return p->data;
}

inline const Sink::Part& part_of(const Run& r, std::string_view id) {
  const Sink::Part* p = r.sink.find(id);
  BOOST_REQUIRE_MESSAGE(p != nullptr, "no part " << id << "\n" << r.sink.log());
  return *p;
}

}  // namespace ww::mime_test
