// Properties: the event log does not depend on how the message is split into
// feeds (one byte at a time, every two-way split, random pieces), and random
// mutations of the test messages never break the sink contract or the limits.

#include <boost/test/unit_test.hpp>

#include <random>

#include "tests/unit/mime/mime_corpus.h"
#include "tests/unit/mime/mime_fuzz_entry.h"
#include "tests/unit/mime/mime_test_util.h"

namespace ww {
namespace {

using namespace mime_test;

std::string log_of(std::string_view msg, const MimeConfig& config, std::vector<size_t> sizes) {
  return parse(msg, config, std::move(sizes))->sink.full_log();
}

// Small limits so the limit paths are part of the property too.
MimeConfig tight_config() {
  MimeConfig c;
  c.max_depth = 3;
  c.max_parts = 6;
  c.max_part_bytes = 300;
  c.max_header_line_bytes = 100;
  c.max_header_block_bytes = 400;
  c.max_file_name_bytes = 20;
  c.max_delimiter_padding = 2;
  c.max_line_bytes = 80;
  return c;
}

BOOST_AUTO_TEST_SUITE(mime_property)

BOOST_AUTO_TEST_CASE(byte_at_a_time_equals_one_feed) {
  for (const MimeConfig& config : {MimeConfig{}, tight_config()}) {
    for (const NamedMessage& m : corpus()) {
      BOOST_TEST_CONTEXT(m.name) {
        const std::string one = log_of(m.text, config, {});
        BOOST_TEST(one == log_of(m.text, config, {1}));
        BOOST_TEST(one == log_of(m.text, config, {2, 1, 3}));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_two_way_split_equals_one_feed) {
  for (const MimeConfig& config : {MimeConfig{}, tight_config()}) {
    for (const NamedMessage& m : corpus()) {
      BOOST_TEST_CONTEXT(m.name) {
        const std::string one = log_of(m.text, config, {});
        size_t differing = 0;
        for (size_t cut = 1; cut < m.text.size(); ++cut) {
          auto run = std::make_unique<Run>(config);
          {
            MimeParser p(run->config, run->counters, run->sink);
            p.feed(bytes_of(m.text).first(cut));
            p.feed(bytes_of(m.text).subspan(cut));
            p.end();
          }
          if (run->sink.full_log() != one || !run->sink.error().empty()) {
            if (differing++ == 0) {
              BOOST_TEST(run->sink.full_log() == one, "first differing split at " << cut);
            }
          }
        }
        BOOST_TEST(differing == 0u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_pieces_equal_one_feed) {
  std::mt19937_64 rng(20040127);
  for (const NamedMessage& m : corpus()) {
    const std::string one = log_of(m.text, MimeConfig{}, {});
    for (int round = 0; round < 20; ++round) {
      std::vector<size_t> sizes;
      for (int i = 0; i < 32; ++i) sizes.push_back(1 + rng() % 200);
      BOOST_TEST(one == log_of(m.text, MimeConfig{}, sizes), m.name << " round " << round);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_mutations_keep_the_contract) {
  // Fixed seed: the same 3000 mutants every run. Each goes through the fuzz
  // entry: one feed vs input-chosen pieces (must match), plus a run with gaps,
  // all under small input-chosen limits, with the checking sink.
  std::mt19937_64 rng(0x30D00);
  const std::vector<NamedMessage> base = corpus();
  const std::vector<std::string> tokens = {"--",
                                           "\r\n",
                                           "\n",
                                           "--b1",
                                           "--b1--",
                                           "--m\r\n",
                                           "--inner--",
                                           "=",
                                           "=?utf-8?B?",
                                           "?=",
                                           "\"",
                                           ";",
                                           "Content-Type: multipart/mixed; boundary=b1\r\n",
                                           "Content-Transfer-Encoding: base64\r\n",
                                           "Content-Type: message/rfc822\r\n\r\n",
                                           "begin 644 x.exe\r\n",
                                           "end\r\n",
                                           "filename*0*=utf-8''%C3",
                                           "\r\n\r\n",
                                           "\t",
                                           " "};
  size_t failures = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = base[rng() % base.size()].text;
    const int ops = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < ops && !m.empty(); ++k) {
      const size_t at = rng() % m.size();
      switch (rng() % 5) {
        case 0:
          m[at] = static_cast<char>(rng() & 0xFF);
          break;
        case 1:
          m.insert(at, tokens[rng() % tokens.size()]);
          break;
        case 2:
          m.erase(at, 1 + rng() % 40);
          break;
        case 3:
          m.insert(at, m.substr(at, 1 + rng() % 200));
          break;
        case 4:
          m.insert(at, std::string(1 + rng() % 300, static_cast<char>("-= \nA"[rng() % 5])));
          break;
      }
    }
    std::string input;
    input.push_back(static_cast<char>(rng() & 0xFF));
    input.push_back(static_cast<char>(rng() & 0xFF));
    input += m;
    const std::string problem =
        mime_fuzz_check(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    if (!problem.empty() && failures++ < 3) {
      BOOST_TEST(problem.empty(), "mutant " << i << ": " << problem.substr(0, 3000));
    }
  }
  BOOST_TEST(failures == 0u);
}

BOOST_AUTO_TEST_CASE(fuzz_entry_accepts_corpus_and_junk) {
  for (const NamedMessage& m : corpus()) {
    for (uint8_t a : {0x00, 0x5A, 0xFF}) {
      std::string input = std::string(1, static_cast<char>(a)) + "\x41" + m.text;
      BOOST_TEST(
          mime_fuzz_check(reinterpret_cast<const uint8_t*>(input.data()), input.size()) == "",
          m.name);
    }
  }
  const std::string junk = random_bytes(5000, 77);
  BOOST_TEST(mime_fuzz_one(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()) == 0);
  BOOST_TEST(mime_fuzz_one(nullptr, 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ww
