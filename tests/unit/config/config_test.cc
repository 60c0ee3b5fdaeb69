#include <boost/test/unit_test.hpp>

#include <string>

#include "sensor/config/config.h"

using namespace ww;

namespace {
std::string error_of(const std::string& yaml) {
  Config c;
  try {
    apply_config_yaml(yaml, "test.yaml", c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(empty_document_keeps_defaults) {
  Config c;
  apply_config_yaml("", "x", c);
  BOOST_TEST(c.max_flows == 262144u);
  BOOST_TEST(c.timeout_tcp_established_s == 600);
  BOOST_TEST(c.ndpi_enabled);
}

BOOST_AUTO_TEST_CASE(nested_keys_are_applied) {
  Config c;
  apply_config_yaml(R"(
flow:
  max_flows: 1000
  timeouts:
    tcp_new: 7
    udp_established: 9
app_layer:
  ndpi:
    enabled: false
    max_packets: 4
outputs:
  eve:
    filename: out.json
    flow: no
stats:
  interval: 0
capture:
  bpf: "tcp port 25"
)",
                    "x", c);
  BOOST_TEST(c.max_flows == 1000u);
  BOOST_TEST(c.timeout_tcp_new_s == 7);
  BOOST_TEST(c.timeout_udp_established_s == 9);
  BOOST_TEST(!c.ndpi_enabled);
  BOOST_TEST(c.ndpi_max_packets == 4u);
  BOOST_TEST(c.eve_filename == "out.json");
  BOOST_TEST(!c.flow_records);
  BOOST_TEST(c.stats_interval_s == 0);
  BOOST_TEST(c.bpf == "tcp port 25");
}

BOOST_AUTO_TEST_CASE(unknown_key_names_the_key_and_the_known_ones) {
  auto e = error_of("flow:\n  max_flow: 3\n");
  BOOST_TEST(contains(e, "unknown config key 'flow.max_flow'"));
  BOOST_TEST(contains(e, "max_flows"));
  BOOST_TEST(contains(e, "timeouts"));
  BOOST_TEST(contains(e, "test.yaml"));
  auto top = error_of("flows: {}\n");
  BOOST_TEST(contains(top, "unknown config key 'flows'"));
}

BOOST_AUTO_TEST_CASE(bad_values_name_key_value_and_range) {
  auto e = error_of("flow:\n  max_flows: lots\n");
  BOOST_TEST(contains(e, "'flow.max_flows'"));
  BOOST_TEST(contains(e, "'lots'"));
  BOOST_TEST(contains(e, "whole number from 1 to"));
  BOOST_TEST(contains(error_of("flow:\n  max_flows: 0\n"), "from 1"));
  BOOST_TEST(contains(error_of("flow:\n  max_flows: -5\n"), "whole number"));
  BOOST_TEST(contains(error_of("flow:\n  max_flows: 99999999999999999999999\n"), "whole number"));
  BOOST_TEST(contains(error_of("app_layer:\n  ndpi:\n    enabled: maybe\n"), "true or false"));
  BOOST_TEST(contains(error_of("flow:\n  timeouts: 5\n"), "must be a mapping"));
  BOOST_TEST(contains(error_of("capture:\n  bpf: [a, b]\n"), "a string"));
  BOOST_TEST(contains(error_of("flow: [1, 2\n"), "not valid YAML"));
}

BOOST_AUTO_TEST_CASE(command_line_override) {
  Config c;
  apply_config_override("flow.max_flows=77", c);
  BOOST_TEST(c.max_flows == 77u);
  apply_config_override("capture.bpf=", c);
  BOOST_TEST(c.bpf.empty());
  BOOST_CHECK_THROW(apply_config_override("flow.nope=1", c), ConfigError);
  BOOST_CHECK_THROW(apply_config_override("novalue", c), ConfigError);
  BOOST_CHECK_THROW(apply_config_override("flow.max_flows=abc", c), ConfigError);
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_path) {
  Config c;
  try {
    load_config_file("/nonexistent/ww.yaml", c);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(contains(e.what(), "/nonexistent/ww.yaml"));
  }
}

BOOST_AUTO_TEST_CASE(cross_field_validation) {
  Config c;
  c.read_paths = {"a.pcap"};
  c.interface = "eth0";
  BOOST_CHECK_THROW(validate_config(c), ConfigError);
  Config d;
  d.eve_filename = "../../etc/passwd";
  BOOST_CHECK_THROW(validate_config(d), ConfigError);
}

BOOST_AUTO_TEST_CASE(every_key_is_documented) {
  // docs/configuration.md must list every key the parser accepts.
  std::FILE* f = std::fopen(WW_SOURCE_DIR "/docs/configuration.md", "r");
  BOOST_REQUIRE(f);
  std::string doc;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) doc.append(buf, n);
  std::fclose(f);
  for (const auto& k : config_keys()) {
    BOOST_TEST(contains(doc, "`" + k.key + "`"), "docs/configuration.md lacks " << k.key);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_reassembly)

BOOST_AUTO_TEST_CASE(port_lists_and_policies) {
  Config c;
  apply_config_yaml("reassembly:\n  ports: [25, 2525]\n  overlap_policy: linux\n"
                    "  depth_mib: 0\ndefrag:\n  policy: windows\n  timeout: 30\n",
                    "x", c);
  BOOST_TEST(c.reassembly_ports.size() == 2u);
  BOOST_TEST(c.reassembly_ports[1] == 2525);
  BOOST_TEST((c.tcp_reassembly.overlap_policy == TcpOverlapPolicy::kLinux));
  BOOST_TEST(c.tcp_reassembly.depth == 0u);
  BOOST_TEST((c.defrag.policy == FragPolicy::kWindows));
  BOOST_TEST(c.defrag.timeout_us == 30'000'000);
  apply_config_override("reassembly.ports=587,465", c);
  BOOST_TEST(c.reassembly_ports.size() == 2u);
  BOOST_TEST(c.reassembly_ports[0] == 587);
}

BOOST_AUTO_TEST_CASE(bad_port_and_policy_values_are_named) {
  auto e = error_of("reassembly:\n  ports: [25, 70000]\n");
  BOOST_TEST(contains(e, "'reassembly.ports'"));
  BOOST_TEST(contains(e, "'70000'"));
  auto p = error_of("reassembly:\n  overlap_policy: vms\n");
  BOOST_TEST(contains(p, "'vms'"));
  BOOST_TEST(contains(p, "one of first, last, bsd"));
  BOOST_TEST(contains(error_of("reassembly:\n  ports: {a: 1}\n"), "list of ports"));
}

BOOST_AUTO_TEST_SUITE_END()
