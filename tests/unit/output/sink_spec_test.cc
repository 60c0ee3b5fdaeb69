// The `outputs:` config model: the documented YAML parses, mistakes are
// reported naming the key, and make_sink builds working sinks.

#include <boost/test/unit_test.hpp>

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "sensor/output/sink_spec.h"
#include "tests/unit/output/output_test_util.h"

using namespace ww;
using namespace ww::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string parse_error(const std::string& yaml) {
  try {
    parse_outputs(YAML::Load(yaml));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sink_spec)

BOOST_AUTO_TEST_CASE(documented_example_parses) {
  auto specs = parse_outputs(YAML::Load(R"(
- type: eve-file
  path: eve.json
  types: [all]
- type: syslog-tcp
  address: 127.0.0.1:6514
  format: cef
  types: [alert]
  facility: local3
  spool: {memory_bytes: 64MiB, disk_path: /var/spool/wormwatch/siem.spool, disk_bytes: 1GiB}
  backoff: {initial: 100ms, max: 1m}
  resend_window: 512KiB
  shutdown_timeout: 10s
- type: kafka
  brokers: 127.0.0.1:9092
  topic: wormwatch
  properties: {compression.codec: lz4}
- type: syslog-udp
  address: "[::1]:514"
- type: syslog-udp
  address: 10.0.0.1:514
  types: alerts
)"),
                             "/var/log/wormwatch");
  BOOST_REQUIRE_EQUAL(specs.size(), 5u);
  BOOST_TEST(specs[0].path == "/var/log/wormwatch/eve.json");
  BOOST_TEST(specs[0].name == "eve-file");
  BOOST_TEST((specs[1].type == SinkType::syslog_tcp));
  BOOST_TEST((specs[1].format == RecordFormat::cef));
  BOOST_TEST(specs[1].facility == 19);
  BOOST_TEST(specs[1].spool.memory_bytes == 64ull << 20);
  BOOST_TEST(specs[1].spool.disk_bytes == 1ull << 30);
  BOOST_TEST(specs[1].backoff.initial.count() == 100);
  BOOST_TEST(specs[1].backoff.max.count() == 60000);
  BOOST_TEST(specs[1].resend_window_bytes == 512u << 10);
  BOOST_TEST(specs[1].shutdown_timeout.count() == 10000);
  BOOST_TEST(specs[2].properties.size() == 1u);
  BOOST_TEST(specs[2].properties[0].first == "compression.codec");
  BOOST_TEST(specs[3].name == "syslog-udp");
  BOOST_TEST(specs[4].name == "syslog-udp-2");
  BOOST_TEST(specs[4].types == std::vector<std::string>{"alerts"});
  BOOST_TEST(parse_outputs(YAML::Node()).empty());
}

BOOST_AUTO_TEST_CASE(mistakes_name_the_key) {
  struct Case {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"- {type: syslog-tcp, adress: 1.2.3.4:514}", "key 'adress'"},
      {"- {type: syslog-tcp}", "key 'address': missing"},
      {"- {type: syslog-tcp, address: nowhere}", "key 'address'"},
      {"- {type: syslog-tcp, address: '1.2.3.4:70000'}", "key 'address'"},
      {"- {type: syslogtcp}", "key 'type'"},
      {"- {path: x}", "key 'type': missing"},
      {"- {type: eve-file, format: xml}", "key 'format'"},
      {"- {type: eve-file, spool: {memory_bytes: 1MiB}}", "key 'spool'"},  // not for files
      {"- {type: syslog-udp, address: 'a:1', spool: {memory_bytes: lots}}", "spool.memory_bytes"},
      {"- {type: syslog-udp, address: 'a:1', spool: {disk: x}}", "spool.disk"},
      {"- {type: syslog-udp, address: 'a:1', backoff: {initial: 5}}", "backoff.initial"},
      {"- {type: syslog-udp, address: 'a:1', backoff: {initial: 5s, max: 1s}}", "backoff.max"},
      {"- {type: syslog-udp, address: 'a:1', facility: local9}", "key 'facility'"},
      {"- {type: syslog-udp, address: 'a:1', types: [Alert]}", "key 'types'"},
      {"- {type: syslog-udp, address: 'a:1', resend_window: 1MiB}", "key 'resend_window'"},
      {"- {type: kafka, brokers: b:9092}", "key 'topic': missing"},
      {"- {type: kafka, brokers: b:9092, topic: t, properties: [a]}", "key 'properties'"},
      {"- {type: unix-stream}", "key 'path': missing"},
      {"- {type: stdout, name: a}\n- {type: eve-file, name: a}", "key 'name'"},
      {"- {type: syslog-udp, address: 'a:1', spool: {disk_path: /x}}\n"
       "- {type: syslog-tcp, address: 'a:1', spool: {disk_path: /x}}",
       "spool.disk_path"},
      {"type: stdout", "'outputs'"},
  };
  for (const auto& c : cases) {
    std::string e = parse_error(c.yaml);
    BOOST_TEST(e.find(c.expect) != std::string::npos, c.yaml << " -> '" << e << "'");
  }
  // The error says which sink.
  BOOST_TEST(parse_error("- {type: stdout}\n- {type: syslog-tcp, adress: x}").find("outputs[1] (syslog-tcp)") == 0u);
}

BOOST_AUTO_TEST_CASE(sizes_and_durations) {
  uint64_t v = 0;
  BOOST_TEST((parse_byte_size("4096", v) && v == 4096u));
  BOOST_TEST((parse_byte_size("64MiB", v) && v == 64ull << 20));
  BOOST_TEST((parse_byte_size("2 GiB", v) && v == 2ull << 30));
  BOOST_TEST((parse_byte_size("100MB", v) && v == 100000000u));
  BOOST_TEST(!parse_byte_size("MiB", v));
  BOOST_TEST(!parse_byte_size("12XB", v));
  BOOST_TEST(!parse_byte_size("99999999999999999999", v));
  std::chrono::milliseconds d{};
  BOOST_TEST((parse_duration("250ms", d) && d.count() == 250));
  BOOST_TEST((parse_duration("5s", d) && d.count() == 5000));
  BOOST_TEST((parse_duration("2m", d) && d.count() == 120000));
  BOOST_TEST(!parse_duration("5", d));
  BOOST_TEST(!parse_duration("s", d));
}

BOOST_AUTO_TEST_CASE(make_sink_builds_filtered_cef_file) {
  TempDir dir;
  auto specs = parse_outputs(YAML::Load("- {type: eve-file, path: alerts.cef, format: cef, types: [alerts]}"),
                             dir.path.string());
  auto sink = make_sink(specs[0]);
  sink->write("flow", plain_record(1));
  sink->write("alert", hostile_record(2));
  sink->close(Clock::now());
  auto lines = read_lines(dir.str("alerts.cef"));
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0].rfind("CEF:0|wormwatch|wormwatch|0.1.0|1000001|", 0) == 0u);
  BOOST_TEST(sink->name() == "eve-file");
  BOOST_TEST(sink->counters().written == 1u);
}

BOOST_AUTO_TEST_CASE(make_sink_reports_unopenable_paths) {
  auto specs = parse_outputs(YAML::Load(
      "- {type: syslog-tcp, address: '127.0.0.1:9', spool: {disk_path: /nonexistent-dir/s.spool}}"));
  try {
    make_sink(specs[0]);
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/s.spool") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
