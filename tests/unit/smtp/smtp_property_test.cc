// Properties: (1) however each step of a conversation is split into feeds — one
// byte at a time, two chunks at every split point, random chunks — the events and
// counters are exactly those of one feed per step; (2) random input, garbage or
// SMTP-shaped, never breaks the event contract nor a memory bound.

#include <boost/test/unit_test.hpp>

#include <random>

#include "tests/unit/smtp/smtp_fuzz_entry.h"
#include "tests/unit/smtp/smtp_scripts.h"

namespace ww::smtp_test {
namespace {

// Counters that must not depend on how bytes were split. The high-water marks
// measure buffering, which does.
std::vector<std::pair<std::string, uint64_t>> stable_counters(const SmtpCounters& c) {
  std::vector<std::pair<std::string, uint64_t>> out;
  c.for_each([&](const char* name, uint64_t value, const char*) {
    if (std::string_view(name).find("high_water") == std::string_view::npos) {
      out.emplace_back(name, value);
    }
  });
  for (size_t i = 0; i < kSmtpAnomalyCount; ++i) out.emplace_back("anomaly", c.anomalies[i]);
  return out;
}

// Compares a run with the reference; reports the first differing event.
bool same(const Run& ref, const Run& got) {
  if (got.violation != "") {
    BOOST_ERROR("contract violation: " << got.violation);
    return false;
  }
  const size_t n = std::min(ref.log.size(), got.log.size());
  for (size_t i = 0; i < n; ++i) {
    if (ref.log[i] != got.log[i]) {
      BOOST_ERROR("event " << i << " differs:\n  whole: " << ref.log[i]
                           << "\n  split: " << got.log[i]);
      return false;
    }
  }
  if (ref.log.size() != got.log.size()) {
    BOOST_ERROR("event count " << got.log.size() << " != " << ref.log.size());
    return false;
  }
  const auto a = stable_counters(ref.counters);
  const auto b = stable_counters(got.counters);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      BOOST_ERROR("counter " << a[i].first << " " << b[i].second << " != " << a[i].second);
      return false;
    }
  }
  return true;
}

std::vector<NamedScript> scripts_and_tiny_variants() {
  std::vector<NamedScript> v = all_scripts();
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    NamedScript tiny = v[i];  // same conversation, every limit small: limits are split-proof too
    tiny.config = smtp_fuzz_config();
    v.push_back(tiny);
  }
  return v;
}

BOOST_AUTO_TEST_CASE(byte_at_a_time_equals_one_chunk) {
  for (const auto& ns : scripts_and_tiny_variants()) {
    BOOST_TEST_CONTEXT(ns.name) {
      const Run ref = run(ns.script, ns.config);
      BOOST_CHECK_EQUAL(ref.violation, "");
      BOOST_CHECK(same(ref, run(ns.script, ns.config, bytewise)));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_split_point_equals_one_chunk) {
  size_t runs = 0;
  for (const auto& ns : scripts_and_tiny_variants()) {
    const Run ref = run(ns.script, ns.config);
    for (size_t step = 0; step < ns.script.size(); ++step) {
      const size_t len = ns.script[step].bytes.size();
      for (size_t at = 1; at < len; ++at) {
        const Chunker split = [&](size_t i, size_t n) -> std::vector<size_t> {
          if (i != step) return {n};
          return {at, n - at};
        };
        ++runs;
        if (!same(ref, run(ns.script, ns.config, split))) {
          BOOST_ERROR(ns.name << ": step " << step << " split at " << at);
          break;
        }
      }
    }
  }
  BOOST_TEST_MESSAGE(runs << " split runs");
  BOOST_CHECK_GT(runs, 5000u);
}

BOOST_AUTO_TEST_CASE(random_chunks_equal_one_chunk) {
  std::mt19937_64 rng(0x5a17);
  for (const auto& ns : scripts_and_tiny_variants()) {
    const Run ref = run(ns.script, ns.config);
    for (int round = 0; round < 20; ++round) {
      const Chunker random = [&](size_t, size_t n) {
        std::vector<size_t> sizes;
        while (n > 0) {
          const size_t k = std::min<size_t>(n, 1 + rng() % 9);
          sizes.push_back(k);
          n -= k;
        }
        return sizes;
      };
      BOOST_TEST_CONTEXT(ns.name << " round " << round) {
        BOOST_CHECK(same(ref, run(ns.script, ns.config, random)));
      }
    }
  }
}

// ---- random conversations ----

const std::vector<std::string> kClientTokens = {"EHLO x\r\n",
                                                "HELO y\r\n",
                                                "MAIL FROM:<a@b>\r\n",
                                                "MAIL FROM:<averyveryverylong@b>\r\n",
                                                "RCPT TO:<c@d>\r\n",
                                                "DATA\r\n",
                                                "BDAT 5\r\n",
                                                "BDAT 3 LAST\r\n",
                                                "BDAT 0 LAST\r\n",
                                                "BDAT x\r\n",
                                                "RSET\r\n",
                                                "QUIT\r\n",
                                                "NOOP\r\n",
                                                "AUTH LOGIN\r\n",
                                                "AUTH PLAIN AGFsaWNl\r\n",
                                                "STARTTLS\r\n",
                                                "body line\r\n",
                                                ".\r\n",
                                                "..x\r\n",
                                                "\r\n",
                                                "abc",
                                                "\n",
                                                "\r",
                                                ".",
                                                std::string("\x16\x03\x01", 3),
                                                std::string(70, 'X'),
                                                "*\r\n"};
const std::vector<std::string> kServerTokens = {
    "220 mx\r\n",   "250 ok\r\n",    "250-PIPELINING\r\n", "250-CHUNKING\r\n", "354 go\r\n",
    "334 VXNl\r\n", "235 ok\r\n",    "535 no\r\n",         "221 bye\r\n",      "454 no tls\r\n",
    "550 no\r\n",   "451 later\r\n", "500 what\r\n",       "220 ready\r\n",    "garbage\r\n",
    "25",           "0 x\r\n",       std::string(70, 'Y')};

Script random_conversation(std::mt19937_64& rng) {
  Script s;
  const int steps = 1 + static_cast<int>(rng() % 24);
  for (int i = 0; i < steps; ++i) {
    const bool client = rng() % 2 == 0;
    const uint64_t roll = rng() % 20;
    if (roll == 0) {
      s.push_back(client ? CGap(1 + rng() % 40) : SGap(1 + rng() % 40));
      continue;
    }
    if (roll == 1 && rng() % 4 == 0) {
      s.push_back(client ? CEnd() : SEnd());
      continue;
    }
    std::string bytes;
    const int tokens = 1 + static_cast<int>(rng() % 4);
    const auto& pool = client ? kClientTokens : kServerTokens;
    for (int t = 0; t < tokens; ++t) bytes += pool[rng() % pool.size()];
    s.push_back(client ? C(bytes) : S(bytes));
  }
  return s;
}

std::string describe(const Script& s) {
  std::string out;
  for (const auto& st : s) {
    out += std::string(st.dir == Direction::to_server ? "C " : "S ") +
           (st.kind == Step::kData  ? visible(st.bytes)
            : st.kind == Step::kGap ? "<gap " + std::to_string(st.length) + ">"
                                    : "<end>") +
           "\n";
  }
  return out;
}

BOOST_AUTO_TEST_CASE(random_conversations_are_split_proof) {
  std::mt19937_64 rng(0xC0FFEE);
  const SmtpConfig tiny = smtp_fuzz_config();
  for (int i = 0; i < 400; ++i) {
    const Script s = random_conversation(rng);
    for (const SmtpConfig* c : {&tiny, static_cast<const SmtpConfig*>(nullptr)}) {
      const SmtpConfig config = c != nullptr ? *c : SmtpConfig{};
      const Run ref = run(s, config);
      BOOST_TEST_CONTEXT("conversation " << i) {
        BOOST_CHECK_EQUAL(ref.violation, "");
        if (!ref.violation.empty() || !same(ref, run(s, config, bytewise))) {
          BOOST_ERROR("script:\n" << describe(s) << "reference:\n" << ref.text());
          return;
        }
      }
    }
  }
}

// ---- fuzz entry ----

// Encodes a conversation in smtp_fuzz_one's input format.
std::vector<uint8_t> encode(const Script& s) {
  std::vector<uint8_t> out;
  for (const auto& st : s) {
    const uint8_t dir = st.dir == Direction::to_client ? 1 : 0;
    if (st.kind == Step::kGap) {
      out.push_back(static_cast<uint8_t>(dir | (2 << 1)));
      out.push_back(static_cast<uint8_t>((st.length - 1) & 0xff));
    } else if (st.kind == Step::kEnd) {
      out.push_back(static_cast<uint8_t>(dir | (3 << 1)));
    } else {
      for (size_t at = 0; at < st.bytes.size(); at += 32) {
        const size_t n = std::min<size_t>(32, st.bytes.size() - at);
        out.push_back(static_cast<uint8_t>(dir | ((n - 1) << 3)));
        out.insert(out.end(), st.bytes.begin() + static_cast<ptrdiff_t>(at),
                   st.bytes.begin() + static_cast<ptrdiff_t>(at + n));
      }
    }
  }
  return out;
}

BOOST_AUTO_TEST_CASE(fuzz_entry_on_random_garbage) {
  std::mt19937_64 rng(0xBADC0DE);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> input(rng() % 700);
    for (auto& b : input) b = static_cast<uint8_t>(rng());
    BOOST_REQUIRE_EQUAL(smtp_fuzz_one(input.data(), input.size()), 0);
  }
}

BOOST_AUTO_TEST_CASE(fuzz_entry_on_smtp_shaped_input) {
  std::mt19937_64 rng(0x5EED);
  for (int i = 0; i < 3000; ++i) {
    const std::vector<uint8_t> input = encode(random_conversation(rng));
    BOOST_TEST_CONTEXT("input " << i) {
      BOOST_REQUIRE_EQUAL(smtp_fuzz_run(input.data(), input.size()), "");
    }
    smtp_fuzz_one(input.data(), input.size());
  }
}

BOOST_AUTO_TEST_CASE(fuzz_entry_on_the_scripts) {
  for (const auto& ns : all_scripts()) {
    const std::vector<uint8_t> input = encode(ns.script);
    BOOST_TEST_CONTEXT(ns.name) {
      BOOST_CHECK_EQUAL(smtp_fuzz_run(input.data(), input.size()), "");
    }
  }
}

}  // namespace
}  // namespace ww::smtp_test
