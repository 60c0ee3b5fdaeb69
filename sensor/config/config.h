#pragma once
// Sensor configuration: parsed once (YAML file, then command-line overrides),
// validated, then immutable. Run-time state lives elsewhere.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "reassembly/files/file_config.h"
#include "reassembly/ip/defragmenter.h"
#include "reassembly/mime/mime_config.h"
#include "reassembly/smtp/smtp_config.h"
#include "reassembly/tcp/tcp_reassembly_config.h"
#include "rules/hosts/host_config.h"
#include "rules/policy/policy_config.h"
#include "rules/scan/scan_config.h"

namespace ww {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  // capture
  std::vector<std::string> read_paths;   // -r (files or directories, in order)
  std::string interface;                 // -i / capture.interface
  std::string bpf;                       // capture.bpf
  uint32_t snaplen = 65535;              // capture.snaplen
  bool promiscuous = true;               // capture.promiscuous
  uint32_t buffer_size_mib = 64;         // capture.buffer_size_mib (libpcap ring)

  // capture.dpdk (--dpdk): see docs/capture.md
  bool dpdk = false;                                             // --dpdk / capture.dpdk.enabled
  std::string dpdk_eal_args = "--no-huge --no-pci --no-shconf -l 0 -m 64";
  std::vector<std::string> dpdk_vdevs;                           // --vdev / capture.dpdk.vdevs
  std::vector<std::string> dpdk_ports;                           // empty = every probed port
  uint32_t dpdk_rx_queues = 0;                                   // per port; 0 = auto
  uint32_t dpdk_mbufs = 8191;                                    // per port's pool
  uint32_t dpdk_mbuf_size = 2048;                                // packet bytes per mbuf
  uint32_t dpdk_rx_descriptors = 1024;
  uint32_t dpdk_burst = 32;
  uint32_t dpdk_idle_exit_ms = 0;                                // > 0: replay ends when idle

  // engine
  uint32_t workers = 0;                  // 0 = one per core
  uint32_t batch_packets = 256;          // engine.batch_packets

  // flow table
  uint32_t max_flows = 262144;           // flow.max_flows (per worker)
  int64_t timeout_tcp_new_s = 60;
  int64_t timeout_tcp_established_s = 600;
  int64_t timeout_tcp_closed_s = 10;
  int64_t timeout_udp_new_s = 30;
  int64_t timeout_udp_established_s = 120;
  int64_t timeout_icmp_s = 30;
  int64_t timeout_other_s = 60;

  // protocol identification
  bool ndpi_enabled = true;              // app_layer.ndpi.enabled
  uint32_t ndpi_max_packets = 16;        // app_layer.ndpi.max_packets

  // TCP stream reassembly: which flows, and its limits
  bool reassembly_enabled = true;                          // reassembly.enabled
  std::vector<uint16_t> reassembly_ports{25, 465, 587, 2525};  // reassembly.ports (server port)
  bool reassembly_all_tcp = false;                         // reassembly.all_tcp
  bool reassembly_stream_hashes = false;                   // reassembly.stream_hashes
  TcpReassemblyConfig tcp_reassembly;

  // IP defragmentation
  bool defrag_enabled = true;                              // defrag.enabled
  DefragConfig defrag;

  // SMTP, MIME and files
  bool smtp_enabled = true;                                // app_layer.smtp.enabled
  std::vector<uint16_t> smtp_ports{25, 587, 2525};         // app_layer.smtp.ports
  SmtpConfig smtp;
  MimeConfig mime;
  FileConfig files;

  // attachment scanning and policy
  ScanConfig scan;      // signature_dirs defaults to the shipped rules/signatures
  PolicyConfig policy;

  // host behaviour (rules/hosts)
  bool hosts_enabled = true;             // hosts.enabled
  std::vector<uint16_t> smtp_count_ports{25, 465, 587};  // hosts.smtp_ports
  HostConfig hosts;
  Config();

  // outputs
  std::string log_dir;                   // -l / outputs.log_dir ("" = stdout only)
  bool eve_enabled = true;               // outputs.eve.enabled
  std::string eve_filename = "eve.json"; // outputs.eve.filename
  bool eve_stdout = false;               // outputs.eve.stdout (also when no log_dir)
  bool flow_records = true;              // outputs.eve.flow
  int64_t stats_interval_s = 60;         // stats.interval (packet time; 0 = only at the end)
  int64_t stats_mail_interval_s = 3600;  // stats.mail_interval (mail statistics buckets)
  // outputs.sinks: further sinks (syslog, CEF, sockets, Kafka), as YAML text; parsed
  // by sensor/output/sink_spec (checked when the config is read).
  std::string sinks_yaml;
};

// Applies one YAML document (a file's text) to `cfg`. Throws ConfigError with a
// message naming the key and what it accepts.
void apply_config_yaml(const std::string& yaml_text, const std::string& origin, Config& cfg);
void load_config_file(const std::string& path, Config& cfg);
// Applies "dotted.key=value" (command line --set).
void apply_config_override(const std::string& assignment, Config& cfg);
// Cross-field checks after everything is applied.
void validate_config(const Config& cfg);

// Every key with its type, default and description, for --dump-config-keys and docs.
struct ConfigKeyInfo {
  std::string key;
  std::string type;
  std::string default_value;
  std::string description;
};
const std::vector<ConfigKeyInfo>& config_keys();

}  // namespace ww
