#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "sensor/output/community_id.h"
#include "sensor/output/eve.h"
#include "sensor/output/sink.h"

using namespace ww;

namespace {
IpAddress ip(const char* s) {
  IpAddress a;
  BOOST_REQUIRE(IpAddress::parse(s, a));
  return a;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(output)

// Vectors from the Community ID specification's reference baseline.
BOOST_AUTO_TEST_CASE(community_id_spec_vectors) {
  BOOST_TEST(community_id_v1(ip("128.232.110.120"), ip("66.35.250.204"), 34855, 80, 6) ==
             "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  // Reversed direction gives the same id.
  BOOST_TEST(community_id_v1(ip("66.35.250.204"), ip("128.232.110.120"), 80, 34855, 6) ==
             "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  // A different seed changes it.
  BOOST_TEST(community_id_v1(ip("128.232.110.120"), ip("66.35.250.204"), 34855, 80, 6, 1) !=
             "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
}

BOOST_AUTO_TEST_CASE(community_id_icmp_request_and_reply_match) {
  auto req = community_id_v1(ip("192.168.0.89"), ip("192.168.0.1"), 8, 0, 1);
  auto rep = community_id_v1(ip("192.168.0.1"), ip("192.168.0.89"), 0, 0, 1);
  BOOST_TEST(req == rep);
  auto req6 = community_id_v1(ip("fe80::1"), ip("fe80::2"), 128, 0, 58);
  auto rep6 = community_id_v1(ip("fe80::2"), ip("fe80::1"), 129, 0, 58);
  BOOST_TEST(req6 == rep6);
  // One-way types (destination unreachable) are not reordered.
  auto u1 = community_id_v1(ip("10.0.0.2"), ip("10.0.0.1"), 3, 1, 1);
  auto u2 = community_id_v1(ip("10.0.0.1"), ip("10.0.0.2"), 3, 1, 1);
  BOOST_TEST(u1 != u2);
}

BOOST_AUTO_TEST_CASE(timestamp_format) {
  BOOST_TEST(format_eve_timestamp(1075190400'123456) == "2004-01-27T08:00:00.123456+0000");
  BOOST_TEST(format_eve_timestamp(0) == "1970-01-01T00:00:00.000000+0000");
  BOOST_TEST(format_eve_timestamp(1'000'001) == "1970-01-01T00:00:01.000001+0000");
}

BOOST_AUTO_TEST_CASE(header_fields_follow_eve_conventions) {
  EveEndpoints ep;
  ep.src_ip = ip("10.0.0.1");
  ep.dest_ip = ip("10.0.0.2");
  ep.src_port = 1234;
  ep.dest_port = 25;
  ep.proto = 6;
  Json j = eve_header(1075190400'000000, 42, "flow", ep, "smtp");
  auto parsed = nlohmann::json::parse(eve_dump(j));
  BOOST_TEST(parsed["event_type"] == "flow");
  BOOST_TEST(parsed["flow_id"] == 42);
  BOOST_TEST(parsed["src_ip"] == "10.0.0.1");
  BOOST_TEST(parsed["dest_port"] == 25);
  BOOST_TEST(parsed["proto"] == "TCP");
  BOOST_TEST(parsed["app_proto"] == "smtp");
  BOOST_TEST(parsed["community_id"].get<std::string>().rfind("1:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(hostile_strings_stay_inside_one_json_line) {
  Json j;
  j["subject"] = std::string("a\nb\r\"c\\d\x01\xff\xfe</script>", 20);
  std::string line = eve_dump(j);
  BOOST_TEST(line.find('\n') == std::string::npos);
  BOOST_TEST(line.find('\r') == std::string::npos);
  auto back = nlohmann::json::parse(line);   // valid JSON, invalid UTF-8 replaced
  BOOST_TEST(back["subject"].get<std::string>().find("a\nb") == 0u);
}

BOOST_AUTO_TEST_CASE(hub_counts_and_fans_out) {
  OutputHub hub;
  auto a = std::make_unique<MemorySink>();
  auto b = std::make_unique<MemorySink>();
  MemorySink* pa = a.get();
  MemorySink* pb = b.get();
  hub.add(std::move(a));
  hub.add(std::move(b));
  hub.emit("flow", "{}");
  hub.emit("stats", "{}");
  hub.emit("flow", "{}");
  BOOST_TEST(pa->lines.size() == 3u);
  BOOST_TEST(pb->lines.size() == 3u);
  BOOST_TEST(hub.counts().at("flow") == 2u);
}

BOOST_AUTO_TEST_CASE(file_sink_errors_name_the_path) {
  try {
    FileSink s("/nonexistent-dir/eve.json");
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/eve.json") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
