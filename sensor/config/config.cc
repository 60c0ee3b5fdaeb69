#include "sensor/config/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sensor/output/sink_spec.h"

namespace ww {
namespace {

using Setter = std::function<void(const YAML::Node&, const std::string& key, Config&)>;

struct KeySpec {
  ConfigKeyInfo info;
  Setter set;
};

[[noreturn]] void bad_value(const std::string& key, const YAML::Node& n, const std::string& want) {
  std::string got = n.IsScalar() ? fmt::format("'{}'", n.Scalar())
                    : n.IsSequence() ? std::string("a list")
                    : n.IsMap()      ? std::string("a mapping")
                                     : std::string("nothing");
  throw ConfigError(fmt::format("config key '{}': got {}, expected {}", key, got, want));
}

bool parse_bool(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) bad_value(key, n, "true or false");
  const std::string& s = n.Scalar();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  bad_value(key, n, "true or false");
}

uint64_t parse_uint(const YAML::Node& n, const std::string& key, uint64_t lo, uint64_t hi) {
  std::string want = fmt::format("a whole number from {} to {}", lo, hi);
  if (!n.IsScalar() || n.Scalar().empty()) bad_value(key, n, want);
  const std::string& s = n.Scalar();
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') bad_value(key, n, want);
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) bad_value(key, n, want);
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < lo || v > hi) bad_value(key, n, want);
  return v;
}

std::string parse_string(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) bad_value(key, n, "a string");
  return n.Scalar();
}

KeySpec uint_key(std::string key, uint64_t lo, uint64_t hi, std::string def, std::string desc,
                 std::function<void(Config&, uint64_t)> f) {
  return {{key, fmt::format("integer {}..{}", lo, hi), std::move(def), std::move(desc)},
          [lo, hi, f](const YAML::Node& n, const std::string& k, Config& c) {
            f(c, parse_uint(n, k, lo, hi));
          }};
}
KeySpec bool_key(std::string key, std::string def, std::string desc,
                 std::function<void(Config&, bool)> f) {
  return {{key, "boolean", std::move(def), std::move(desc)},
          [f](const YAML::Node& n, const std::string& k, Config& c) { f(c, parse_bool(n, k)); }};
}
KeySpec string_key(std::string key, std::string def, std::string desc,
                   std::function<void(Config&, std::string)> f) {
  return {{key, "string", std::move(def), std::move(desc)},
          [f](const YAML::Node& n, const std::string& k, Config& c) {
            f(c, parse_string(n, k));
          }};
}

KeySpec port_list_key(std::string key, std::string def, std::string desc,
                      std::function<void(Config&, std::vector<uint16_t>)> f) {
  return {{key, "list of ports", std::move(def), std::move(desc)},
          [f](const YAML::Node& n, const std::string& k, Config& c) {
            std::vector<uint16_t> v;
            if (n.IsSequence()) {
              for (const auto& e : n) v.push_back(static_cast<uint16_t>(parse_uint(e, k, 1, 65535)));
            } else if (n.IsScalar()) {
              // "25,587" on the command line.
              std::string s = n.Scalar(), item;
              std::stringstream ss(s);
              while (std::getline(ss, item, ',')) {
                YAML::Node one(item);
                v.push_back(static_cast<uint16_t>(parse_uint(one, k, 1, 65535)));
              }
            } else {
              bad_value(k, n, "a list of ports from 1 to 65535");
            }
            f(c, std::move(v));
          }};
}

std::vector<std::string> parse_string_list(const YAML::Node& n, const std::string& key) {
  std::vector<std::string> v;
  if (n.IsSequence()) {
    for (const auto& e : n) v.push_back(parse_string(e, key));
  } else if (n.IsScalar()) {
    // "a,b" on the command line; "" is the empty list.
    std::stringstream ss(n.Scalar());
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) v.push_back(item);
  } else {
    bad_value(key, n, "a list of strings");
  }
  return v;
}

KeySpec string_list_key(std::string key, std::string def, std::string desc,
                        std::function<void(Config&, std::vector<std::string>)> f) {
  return {{key, "list of strings", std::move(def), std::move(desc)},
          [f](const YAML::Node& n, const std::string& k, Config& c) {
            f(c, parse_string_list(n, k));
          }};
}

// A list of CIDRs or addresses, parsed whole (one bad entry rejects the key).
KeySpec cidr_list_key(std::string key, std::string def, std::string desc,
                      CidrSet& (*field)(Config&)) {
  return string_list_key(key, std::move(def), std::move(desc),
                         [key, field](Config& c, std::vector<std::string> v) {
                           std::string err;
                           CidrSet set;
                           if (!CidrSet::parse(v, set, &err))
                             throw ConfigError("config key '" + key + "': " + err);
                           field(c) = std::move(set);
                         });
}

KeySpec choice_key(std::string key, std::vector<std::string> choices, std::string def,
                   std::string desc, std::function<bool(Config&, const std::string&)> f) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  return {{key, "one of: " + list, std::move(def), std::move(desc)},
          [f, list](const YAML::Node& n, const std::string& k, Config& c) {
            std::string v = parse_string(n, k);
            if (!f(c, v)) bad_value(k, n, "one of " + list);
          }};
}

constexpr uint64_t kDay = 86400;
constexpr uint64_t kMiB = 1024 * 1024;

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> kSpecs = {
      // capture
      string_key("capture.bpf", "\"\"", "BPF filter applied to live and file captures",
                 [](Config& c, std::string v) { c.bpf = std::move(v); }),
      uint_key("capture.snaplen", 64, 262144, "65535", "bytes captured per packet (live)",
               [](Config& c, uint64_t v) { c.snaplen = static_cast<uint32_t>(v); }),
      bool_key("capture.promiscuous", "true", "put the interface in promiscuous mode (live)",
               [](Config& c, bool v) { c.promiscuous = v; }),
      uint_key("capture.buffer_size_mib", 1, 4096, "64", "kernel capture buffer size in MiB (live)",
               [](Config& c, uint64_t v) { c.buffer_size_mib = static_cast<uint32_t>(v); }),
      string_key("capture.interface", "\"\"",
                 "interface to capture from live (libpcap), e.g. the span port; -i overrides it",
                 [](Config& c, std::string v) { c.interface = std::move(v); }),
      // engine
      uint_key("engine.workers", 0, 256, "0", "worker threads; 0 = one per core",
               [](Config& c, uint64_t v) { c.workers = static_cast<uint32_t>(v); }),
      uint_key("engine.batch_packets", 1, 4096, "256", "packets handed to a worker at a time",
               [](Config& c, uint64_t v) { c.batch_packets = static_cast<uint32_t>(v); }),
      // capture.dpdk (wormwatch --dpdk; docs/capture.md)
      bool_key("capture.dpdk.enabled", "false", "capture with DPDK (same as --dpdk)",
               [](Config& c, bool v) { c.dpdk = v; }),
      string_key("capture.dpdk.eal_args", "\"--no-huge --no-pci --no-shconf -l 0 -m 64\"",
                 "DPDK EAL arguments, space-separated; -l must list one lcore per RX queue",
                 [](Config& c, std::string v) { c.dpdk_eal_args = std::move(v); }),
      string_list_key("capture.dpdk.vdevs", "[]",
                      "virtual devices for EAL --vdev, e.g. net_pcap0,rx_pcap=a.pcap (--vdev adds one)",
                      [](Config& c, std::vector<std::string> v) { c.dpdk_vdevs = std::move(v); }),
      string_list_key("capture.dpdk.ports", "[]",
                      "DPDK ports to capture from, by name or number; empty = every probed port",
                      [](Config& c, std::vector<std::string> v) { c.dpdk_ports = std::move(v); }),
      uint_key("capture.dpdk.rx_queues", 0, 128, "0",
               "RX queues (= workers) per port; 0 = lcores / ports (net_pcap: one per file)",
               [](Config& c, uint64_t v) { c.dpdk_rx_queues = static_cast<uint32_t>(v); }),
      uint_key("capture.dpdk.mbufs", 1023, 1u << 22, "8191", "mbufs in each port's RX pool",
               [](Config& c, uint64_t v) { c.dpdk_mbufs = static_cast<uint32_t>(v); }),
      uint_key("capture.dpdk.mbuf_size", 256, 65000, "2048",
               "packet bytes per mbuf (data room without headroom); longer frames are chained",
               [](Config& c, uint64_t v) { c.dpdk_mbuf_size = static_cast<uint32_t>(v); }),
      uint_key("capture.dpdk.rx_descriptors", 64, 32768, "1024", "RX ring size of each queue",
               [](Config& c, uint64_t v) { c.dpdk_rx_descriptors = static_cast<uint32_t>(v); }),
      uint_key("capture.dpdk.burst", 1, 512, "32", "packets per rte_eth_rx_burst",
               [](Config& c, uint64_t v) { c.dpdk_burst = static_cast<uint32_t>(v); }),
      uint_key("capture.dpdk.idle_exit_ms", 0, 3600000, "0",
               "end the run when every queue was empty this long (replay of net_pcap files; "
               "0 = never, for live ports)",
               [](Config& c, uint64_t v) { c.dpdk_idle_exit_ms = static_cast<uint32_t>(v); }),
      // flow
      uint_key("flow.max_flows", 1, 1u << 26, "262144",
               "flows tracked per worker; at the cap the oldest idle flow is evicted",
               [](Config& c, uint64_t v) { c.max_flows = static_cast<uint32_t>(v); }),
      uint_key("flow.timeouts.tcp_new", 1, kDay, "60", "seconds idle before a TCP flow that never "
               "completed its handshake ends",
               [](Config& c, uint64_t v) { c.timeout_tcp_new_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.tcp_established", 1, kDay, "600",
               "seconds idle before an established TCP flow ends",
               [](Config& c, uint64_t v) { c.timeout_tcp_established_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.tcp_closed", 1, kDay, "10",
               "seconds a closed (RST or FIN/FIN/ACK) TCP flow lingers for late packets",
               [](Config& c, uint64_t v) { c.timeout_tcp_closed_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.udp_new", 1, kDay, "30",
               "seconds idle before a one-way UDP flow ends",
               [](Config& c, uint64_t v) { c.timeout_udp_new_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.udp_established", 1, kDay, "120",
               "seconds idle before a two-way UDP flow ends",
               [](Config& c, uint64_t v) { c.timeout_udp_established_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.icmp", 1, kDay, "30", "seconds idle before an ICMP flow ends",
               [](Config& c, uint64_t v) { c.timeout_icmp_s = static_cast<int64_t>(v); }),
      uint_key("flow.timeouts.other", 1, kDay, "60",
               "seconds idle before a flow of another IP protocol ends",
               [](Config& c, uint64_t v) { c.timeout_other_s = static_cast<int64_t>(v); }),
      // app layer
      bool_key("app_layer.ndpi.enabled", "true", "identify application protocols with nDPI",
               [](Config& c, bool v) { c.ndpi_enabled = v; }),
      uint_key("app_layer.ndpi.max_packets", 1, 255, "16",
               "payload packets per flow given to nDPI before it gives up",
               [](Config& c, uint64_t v) { c.ndpi_max_packets = static_cast<uint32_t>(v); }),
      // reassembly
      bool_key("reassembly.enabled", "true", "reassemble TCP streams of the flows that need "
               "their bytes (SMTP)",
               [](Config& c, bool v) { c.reassembly_enabled = v; }),
      port_list_key("reassembly.ports", "[25, 465, 587, 2525]",
                    "server ports whose TCP flows are always reassembled; other TCP flows are "
                    "reassembled while nDPI identifies them and kept if it says SMTP",
                    [](Config& c, std::vector<uint16_t> v) { c.reassembly_ports = std::move(v); }),
      bool_key("reassembly.all_tcp", "false", "reassemble every TCP flow (testing, debugging)",
               [](Config& c, bool v) { c.reassembly_all_tcp = v; }),
      bool_key("reassembly.stream_hashes", "false",
               "add the sha256 of each reassembled direction to the flow record (testing)",
               [](Config& c, bool v) { c.reassembly_stream_hashes = v; }),
      bool_key("reassembly.midstream", "true",
               "reassemble flows whose handshake was not seen, from the first segment seen",
               [](Config& c, bool v) { c.tcp_reassembly.midstream_pickup = v; }),
      uint_key("reassembly.depth_mib", 0, 4096, "64",
               "bytes reassembled per direction, in MiB; later bytes are counted and dropped; "
               "0 = unlimited",
               [](Config& c, uint64_t v) { c.tcp_reassembly.depth = v * kMiB; }),
      uint_key("reassembly.max_ooo_bytes", 1024, 1u << 30, "1048576",
               "out-of-order bytes buffered per flow; beyond, the oldest hole becomes a gap",
               [](Config& c, uint64_t v) { c.tcp_reassembly.ooo_max_bytes = static_cast<uint32_t>(v); }),
      uint_key("reassembly.max_ooo_segments", 1, 1u << 20, "2048",
               "out-of-order segments buffered per flow; beyond, the oldest hole becomes a gap",
               [](Config& c, uint64_t v) { c.tcp_reassembly.ooo_max_segments = static_cast<uint32_t>(v); }),
      uint_key("reassembly.memcap_mib", 1, 1u << 20, "512",
               "memory for buffered segments across all flows of one worker, in MiB",
               [](Config& c, uint64_t v) { c.tcp_reassembly.memcap = v * kMiB; }),
      uint_key("reassembly.gap_timeout", 1, kDay, "10",
               "seconds (packet time) a hole may stay open before it is declared a gap",
               [](Config& c, uint64_t v) { c.tcp_reassembly.gap_timeout_us = static_cast<int64_t>(v) * 1'000'000; }),
      choice_key("reassembly.overlap_policy",
                 {"first", "last", "bsd", "linux", "old-linux", "windows", "solaris"}, "first",
                 "which bytes win when segments overlap with different data",
                 [](Config& c, const std::string& v) {
                   return parse_tcp_overlap_policy(v, c.tcp_reassembly.overlap_policy);
                 }),
      uint_key("reassembly.history_bytes", 0, 1u << 20, "4096",
               "delivered bytes kept per direction to tell retransmissions from different-data "
               "overlaps",
               [](Config& c, uint64_t v) { c.tcp_reassembly.history_bytes = static_cast<uint32_t>(v); }),
      // defrag
      bool_key("defrag.enabled", "true", "reassemble IPv4 and IPv6 fragments",
               [](Config& c, bool v) { c.defrag_enabled = v; }),
      uint_key("defrag.memcap_mib", 1, 1u << 20, "32",
               "memory for incomplete datagrams per worker, in MiB; the oldest is evicted",
               [](Config& c, uint64_t v) { c.defrag.memcap = v * kMiB; }),
      uint_key("defrag.timeout", 1, kDay, "60",
               "seconds (packet time) an incomplete datagram is kept after its first fragment",
               [](Config& c, uint64_t v) { c.defrag.timeout_us = static_cast<int64_t>(v) * 1'000'000; }),
      uint_key("defrag.max_datagrams", 1, 1u << 24, "8192",
               "incomplete datagrams held at once per worker",
               [](Config& c, uint64_t v) { c.defrag.max_datagrams = static_cast<uint32_t>(v); }),
      uint_key("defrag.max_fragments", 1, 65535, "512", "pieces one datagram may have",
               [](Config& c, uint64_t v) { c.defrag.max_fragments = static_cast<uint32_t>(v); }),
      choice_key("defrag.policy", {"first", "last", "bsd", "linux", "windows", "solaris"}, "bsd",
                 "which bytes win when fragments overlap with different data",
                 [](Config& c, const std::string& v) { return parse_frag_policy(v, c.defrag.policy); }),
      // SMTP
      bool_key("app_layer.smtp.enabled", "true",
               "parse SMTP sessions, MIME messages and attachments",
               [](Config& c, bool v) { c.smtp_enabled = v; }),
      port_list_key("app_layer.smtp.ports", "[25, 587, 2525]",
                    "server ports parsed as SMTP from the first packet (they must also be in "
                    "reassembly.ports); nDPI finds SMTP on any other port",
                    [](Config& c, std::vector<uint16_t> v) { c.smtp_ports = std::move(v); }),
      uint_key("smtp.max_line_length", 64, 1u << 20, "4096",
               "longest SMTP command or reply line parsed whole; longer lines are cut (anomaly line_too_long)",
               [](Config& c, uint64_t v) { c.smtp.max_line_length = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_body_line_length", 64, 1u << 20, "1000",
               "body line length above which line_too_long is flagged (the line is still delivered)",
               [](Config& c, uint64_t v) { c.smtp.max_body_line_length = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_pending_commands", 1, 65536, "128",
               "pipelined commands awaiting a reply; more are not matched (anomaly pipelining_overflow)",
               [](Config& c, uint64_t v) { c.smtp.max_pending_commands = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_held_bytes", 512, 1u << 24, "16384",
               "client bytes held while waiting for the answer to DATA/STARTTLS/AUTH",
               [](Config& c, uint64_t v) { c.smtp.max_held_bytes = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_recipients", 1, 100000, "100",
               "recipients reported per transaction; more are counted (recipients_not_reported)",
               [](Config& c, uint64_t v) { c.smtp.max_recipients = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_transactions", 1, 1000000, "100",
               "transactions reported per session; later ones are parsed but not reported",
               [](Config& c, uint64_t v) { c.smtp.max_transactions = static_cast<uint32_t>(v); }),
      uint_key("smtp.max_address_length", 16, 65536, "256",
               "stored length of HELO names and MAIL/RCPT addresses; longer ones are cut and flagged",
               [](Config& c, uint64_t v) {
                 c.smtp.max_address_length = static_cast<uint32_t>(v);
                 c.smtp.max_helo_length = static_cast<uint32_t>(v);
               }),
      // MIME
      uint_key("mime.max_header_line_bytes", 256, 1u << 24, "16384",
               "one unfolded header field; longer ones are cut (anomaly header_too_long)",
               [](Config& c, uint64_t v) { c.mime.max_header_line_bytes = static_cast<uint32_t>(v); }),
      uint_key("mime.max_header_block_bytes", 1024, 1u << 26, "65536",
               "one header block; fields beyond are skipped (header_blocks_truncated)",
               [](Config& c, uint64_t v) { c.mime.max_header_block_bytes = static_cast<uint32_t>(v); }),
      uint_key("mime.max_depth", 1, 1000, "20",
               "nesting depth of parts; a deeper container is one opaque file (anomaly depth_exceeded)",
               [](Config& c, uint64_t v) { c.mime.max_depth = static_cast<uint32_t>(v); }),
      uint_key("mime.max_parts", 1, 1000000, "1000",
               "parts per message; the rest is one opaque file (anomaly parts_exceeded)",
               [](Config& c, uint64_t v) { c.mime.max_parts = static_cast<uint32_t>(v); }),
      uint_key("mime.max_boundary_bytes", 70, 65536, "254",
               "boundary length; a longer one makes its multipart one opaque file",
               [](Config& c, uint64_t v) { c.mime.max_boundary_bytes = static_cast<uint32_t>(v); }),
      uint_key("mime.max_file_name_bytes", 16, 65536, "255",
               "file name bytes kept (UTF-8, cut at a character boundary; filename_truncated)",
               [](Config& c, uint64_t v) { c.mime.max_file_name_bytes = static_cast<uint32_t>(v); }),
      uint_key("mime.max_part_mib", 0, 1u << 20, "64",
               "decoded MiB per part; the rest is dropped and the file is TRUNCATED (0 = no limit)",
               [](Config& c, uint64_t v) { c.mime.max_part_bytes = v * kMiB; }),
      bool_key("mime.extract_uuencode", "true", "extract uuencoded blocks in text bodies as files",
               [](Config& c, bool v) { c.mime.extract_uuencode = v; }),
      // files
      bool_key("files.md5", "true", "compute md5 of every file (sha256 is always computed)",
               [](Config& c, bool v) { c.files.md5 = v; }),
      bool_key("files.sha1", "true", "compute sha1 of every file",
               [](Config& c, bool v) { c.files.sha1 = v; }),
      uint_key("files.scan_keep_mib", 0, 4096, "32",
               "leading MiB of each file kept in memory for the scanner; a longer file is hashed "
               "whole but scanned only so far (files.scan_cut, fileinfo.scan_bytes)",
               [](Config& c, uint64_t v) { c.files.scan_keep_bytes = v * kMiB; }),
      uint_key("files.magic_bytes", 64, 1u << 20, "8192", "leading bytes libmagic sniffs",
               [](Config& c, uint64_t v) { c.files.magic_bytes = static_cast<uint32_t>(v); }),
      uint_key("files.max_files_per_message", 1, 100000, "256",
               "files reported per message; later parts are decoded but not reported",
               [](Config& c, uint64_t v) { c.files.max_files_per_message = static_cast<uint32_t>(v); }),
      choice_key("filestore.mode", {"none", "all", "alerted"}, "none",
                 "write files under their sha256: none, every file, or only files with an alert",
                 [](Config& c, const std::string& v) { return parse_filestore_mode(v, c.files.store_mode); }),
      string_key("filestore.dir", "\"\"", "filestore directory; empty = <log_dir>/filestore",
                 [](Config& c, std::string v) { c.files.store_dir = std::move(v); }),
      uint_key("filestore.max_file_mib", 1, 1u << 20, "64", "larger files are not stored",
               [](Config& c, uint64_t v) { c.files.store_max_file_bytes = v * kMiB; }),
      uint_key("filestore.quota_mib", 1, 1ull << 32, "1024",
               "bytes the store may hold (what it held at start included); past it nothing new is stored",
               [](Config& c, uint64_t v) { c.files.store_quota_bytes = v * kMiB; }),
      bool_key("filestore.eml", "false", "also store each complete message as <sha256>.eml",
               [](Config& c, bool v) { c.files.store_eml = v; }),
      // scanning
      bool_key("scan.enabled", "true", "scan every attachment with libclamav (or clamd)",
               [](Config& c, bool v) { c.scan.enabled = v; }),
      string_list_key("scan.signature_dirs", "[<source>/rules/signatures]",
                      "ClamAV database directories that must exist and hold databases",
                      [](Config& c, std::vector<std::string> v) { c.scan.signature_dirs = std::move(v); }),
      string_list_key("scan.optional_dirs", "[/var/lib/clamav]",
                      "database directories loaded when they hold databases (freshclam's)",
                      [](Config& c, std::vector<std::string> v) { c.scan.optional_dirs = std::move(v); }),
      uint_key("scan.threads", 1, 256, "1", "scanner threads sharing one compiled engine",
               [](Config& c, uint64_t v) { c.scan.threads = static_cast<unsigned>(v); }),
      uint_key("scan.queue_files", 1, 1u << 24, "1024", "attachments waiting for a scanner",
               [](Config& c, uint64_t v) { c.scan.queue_files = v; }),
      uint_key("scan.queue_mib", 1, 1u << 20, "256",
               "attachment MiB held by the scan service (waiting and being scanned)",
               [](Config& c, uint64_t v) { c.scan.queue_bytes = v * kMiB; }),
      choice_key("scan.on_full", {"skip", "wait"}, "skip",
                 "queue full: skip the file (counted, fileinfo.scan.status=skipped) or wait "
                 "(the worker blocks: for offline analysis only)",
                 [](Config& c, const std::string& v) {
                   c.scan.on_full = v == "wait" ? QueueFullPolicy::kWait : QueueFullPolicy::kSkip;
                   return true;
                 }),
      uint_key("scan.max_filesize_mib", 1, 4096, "100", "larger attachments are not scanned (clamd MaxFileSize)",
               [](Config& c, uint64_t v) { c.scan.max_filesize = v * kMiB; }),
      uint_key("scan.max_scansize_mib", 1, 65536, "400", "data scanned per attachment incl. archive members (MaxScanSize)",
               [](Config& c, uint64_t v) { c.scan.max_scansize = v * kMiB; }),
      uint_key("scan.max_recursion", 1, 100, "17", "archive nesting depth (MaxRecursion)",
               [](Config& c, uint64_t v) { c.scan.max_recursion = static_cast<uint32_t>(v); }),
      uint_key("scan.max_files", 1, 1000000, "10000", "archive members scanned (MaxFiles)",
               [](Config& c, uint64_t v) { c.scan.max_files = static_cast<uint32_t>(v); }),
      uint_key("scan.max_scantime_ms", 1, 3600000, "120000", "time per scan (MaxScanTime)",
               [](Config& c, uint64_t v) { c.scan.max_scantime_ms = static_cast<uint32_t>(v); }),
      bool_key("scan.alert_encrypted_archive", "true", "alert on password-protected archives (heuristic)",
               [](Config& c, bool v) { c.scan.alert_encrypted_archive = v; }),
      uint_key("scan.cache_entries", 0, 1u << 26, "65536", "verdicts cached by sha256 (0 = no cache)",
               [](Config& c, uint64_t v) { c.scan.cache_entries = v; }),
      uint_key("scan.cache_mib", 1, 65536, "16", "memory of the verdict cache",
               [](Config& c, uint64_t v) { c.scan.cache_bytes = v * kMiB; }),
      bool_key("scan.engine_cache", "true", "libclamav's own clean-file cache (off to measure scan speed)",
               [](Config& c, bool v) { c.scan.engine_cache = v; }),
      string_key("scan.temp_dir", "\"\"",
                 "where libclamav extracts archive members and PDF objects; empty = /dev/shm when writable, else $TMPDIR or /tmp",
                 [](Config& c, std::string v) { c.scan.temp_dir = std::move(v); }),
      bool_key("scan.watch_dirs", "true", "reload signatures when a database directory changes",
               [](Config& c, bool v) { c.scan.watch_dirs = v; }),
      choice_key("scan.backend", {"embedded", "clamd"}, "embedded",
                 "libclamav in the sensor, or a clamd server over INSTREAM",
                 [](Config& c, const std::string& v) {
                   c.scan.backend = v == "clamd" ? ScanBackendKind::kClamd : ScanBackendKind::kEmbedded;
                   return true;
                 }),
      string_key("scan.clamd_address", "/var/run/clamav/clamd.ctl",
                 "clamd unix socket path or host:port (scan.backend=clamd)",
                 [](Config& c, std::string v) { c.scan.clamd_address = std::move(v); }),
      // attachment policy
      bool_key("policy.enabled", "true", "attachment policy rules (alerts 1001001-1001004)",
               [](Config& c, bool v) { c.policy.enabled = v; }),
      bool_key("policy.executable_extension", "true", "alert on executable and script extensions",
               [](Config& c, bool v) { c.policy.executable_extension = v; }),
      bool_key("policy.double_extension", "true", "alert on double extensions (document.txt.exe, space padding)",
               [](Config& c, bool v) { c.policy.double_extension = v; }),
      bool_key("policy.executable_in_archive", "true", "alert on an executable inside a zip attachment",
               [](Config& c, bool v) { c.policy.executable_in_archive = v; }),
      bool_key("policy.type_mismatch", "true", "alert when the declared type or extension contradicts the content",
               [](Config& c, bool v) { c.policy.type_mismatch = v; }),
      string_list_key("policy.extra_executable_extensions", "[]",
                      "extensions (without the dot) treated as executable besides pif scr exe com bat cmd vbs js",
                      [](Config& c, std::vector<std::string> v) {
                        c.policy.extra_executable_extensions = std::move(v);
                      }),
      // host behaviour
      bool_key("hosts.enabled", "true",
               "host behaviour detectors: backdoor listeners, uploads, sweeps, mass mailing",
               [](Config& c, bool v) { c.hosts_enabled = v; }),
      cidr_list_key("hosts.home_net", "[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7]", "our networks (CIDR or addresses, IPv4 and IPv6)",
                    [](Config& c) -> CidrSet& { return c.hosts.home_net; }),
      cidr_list_key("hosts.mail_relays", "[]", "legitimate mail servers (never mass-mailing alerts)",
                    [](Config& c) -> CidrSet& { return c.hosts.mail_relays; }),
      cidr_list_key("hosts.listener_allow", "[]", "hosts allowed to listen on backdoor ports (a proxy on 3128, ...)",
                    [](Config& c) -> CidrSet& { return c.hosts.listener_allow; }),
      string_key("hosts.backdoor_ports", "3127-3198", "backdoor ports and ranges (\"3127-3198,1080\")",
                 [](Config& c, std::string v) {
                   std::string err;
                   PortSet set;
                   if (!PortSet::parse(v, set, &err))
                     throw ConfigError("config key 'hosts.backdoor_ports': " + err);
                   c.hosts.backdoor_ports = set;
                 }),
      port_list_key("hosts.smtp_ports", "[25, 465, 587]",
                    "server ports counted as SMTP sessions (nDPI's SMTP on other ports counts too)",
                    [](Config& c, std::vector<uint16_t> v) { c.smtp_count_ports = std::move(v); }),
      uint_key("hosts.suppression", 1, kDay * 30, "3600", "seconds between two alerts for the same host and port",
               [](Config& c, uint64_t v) { c.hosts.suppression_s = static_cast<int64_t>(v); }),
      uint_key("hosts.sweep.targets", 2, 4096, "10", "distinct hosts probed on backdoor ports that make a sweep",
               [](Config& c, uint64_t v) { c.hosts.sweep_targets = static_cast<uint32_t>(v); }),
      uint_key("hosts.sweep.window", 1, kDay, "300", "seconds of the sweep window",
               [](Config& c, uint64_t v) { c.hosts.sweep_window_s = static_cast<int64_t>(v); }),
      uint_key("hosts.burst.window", 1, kDay, "60", "seconds of the mass-mailing window (sliding, packet time)",
               [](Config& c, uint64_t v) { c.hosts.burst_window_s = static_cast<int64_t>(v); }),
      uint_key("hosts.burst.distinct_servers", 2, 4096, "10",
               "distinct external SMTP servers in the window that make a burst",
               [](Config& c, uint64_t v) { c.hosts.burst_distinct_servers = static_cast<uint32_t>(v); }),
      uint_key("hosts.burst.sessions", 2, 4096, "60", "SMTP sessions in the window that make a burst",
               [](Config& c, uint64_t v) { c.hosts.burst_sessions = static_cast<uint32_t>(v); }),
      uint_key("hosts.burst.messages_or_recipients", 2, 4096, "100",
               "recipients (a message counts at least 1) in the window that make a burst",
               [](Config& c, uint64_t v) { c.hosts.burst_messages_or_recipients = static_cast<uint32_t>(v); }),
      uint_key("hosts.max_hosts", 16, 1u << 24, "65536", "hosts tracked; the least recently active is evicted",
               [](Config& c, uint64_t v) { c.hosts.max_hosts = static_cast<uint32_t>(v); }),
      uint_key("hosts.inventory_interval", 0, kDay, "600",
               "seconds (packet time) between host inventory records; 0 = only at the end",
               [](Config& c, uint64_t v) { c.hosts.inventory_interval_s = static_cast<int64_t>(v); }),
      uint_key("hosts.queue_events", 64, 1u << 24, "16384",
               "events queued per worker for the host tracker; overflow is counted, never waits",
               [](Config& c, uint64_t v) { c.hosts.queue_capacity = static_cast<uint32_t>(v); }),
      // outputs
      string_key("outputs.log_dir", "\"\"", "directory for eve.json (-l); empty = stdout",
                 [](Config& c, std::string v) { c.log_dir = std::move(v); }),
      bool_key("outputs.eve.enabled", "true", "write EVE JSON records",
               [](Config& c, bool v) { c.eve_enabled = v; }),
      string_key("outputs.eve.filename", "eve.json", "file name of the EVE log inside log_dir",
                 [](Config& c, std::string v) { c.eve_filename = std::move(v); }),
      bool_key("outputs.eve.stdout", "false", "also write EVE records to standard output",
               [](Config& c, bool v) { c.eve_stdout = v; }),
      bool_key("outputs.eve.flow", "true", "write a flow record for every flow that ends",
               [](Config& c, bool v) { c.flow_records = v; }),
      KeySpec{{"outputs.sinks", "list of sinks", "[]",
               "more sinks, each with its own event filter and format: eve-file, stdout, "
               "unix-stream, unix-dgram, syslog-udp, syslog-tcp, kafka (docs/outputs.md)"},
              [](const YAML::Node& n, const std::string& k, Config& c) {
                if (!n.IsSequence() && !(n.IsScalar() && n.Scalar().empty()))
                  bad_value(k, n, "a list of sink mappings (docs/outputs.md)");
                try {
                  if (n.IsSequence()) parse_outputs(n);  // checked now, built at start-up
                } catch (const std::exception& e) {
                  throw ConfigError(fmt::format("config key '{}': {}", k, e.what()));
                }
                c.sinks_yaml = n.IsSequence() ? YAML::Dump(n) : std::string();
              }},
      // stats
      uint_key("stats.interval", 0, kDay, "60",
               "seconds of packet time between stats records; 0 = only the final one",
               [](Config& c, uint64_t v) { c.stats_interval_s = static_cast<int64_t>(v); }),
      uint_key("stats.mail_interval", 60, 7 * kDay, "3600",
               "seconds per bucket of the mail statistics (messages, infected share) in stats "
               "records; buckets are aligned to the epoch, days are UTC",
               [](Config& c, uint64_t v) { c.stats_mail_interval_s = static_cast<int64_t>(v); }),
  };
  return kSpecs;
}

const KeySpec* find_spec(const std::string& key) {
  for (const auto& s : specs())
    if (s.info.key == key) return &s;
  return nullptr;
}

// Child names that may appear under `prefix` ("" = top level).
std::set<std::string> children_of(const std::string& prefix) {
  std::set<std::string> out;
  for (const auto& s : specs()) {
    const std::string& k = s.info.key;
    if (!prefix.empty() && k.rfind(prefix + ".", 0) != 0) continue;
    std::string rest = prefix.empty() ? k : k.substr(prefix.size() + 1);
    out.insert(rest.substr(0, rest.find('.')));
  }
  return out;
}

std::string join(const std::set<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void walk(const YAML::Node& node, const std::string& prefix, const std::string& origin,
          Config& cfg) {
  if (!node.IsMap()) {
    throw ConfigError(fmt::format("{}: '{}' must be a mapping of keys", origin,
                                  prefix.empty() ? "top level" : prefix));
  }
  auto allowed = children_of(prefix);
  for (const auto& kv : node) {
    std::string name = kv.first.as<std::string>();
    std::string key = prefix.empty() ? name : prefix + "." + name;
    if (!allowed.count(name)) {
      throw ConfigError(fmt::format("{}: unknown config key '{}' (known keys{}: {})", origin, key,
                                    prefix.empty() ? "" : " under '" + prefix + "'",
                                    join(allowed)));
    }
    if (const KeySpec* s = find_spec(key)) {
      try {
        s->set(kv.second, key, cfg);
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {}", origin, e.what()));
      }
    } else {
      walk(kv.second, key, origin, cfg);
    }
  }
}

}  // namespace

const std::vector<ConfigKeyInfo>& config_keys() {
  static const std::vector<ConfigKeyInfo> kKeys = [] {
    std::vector<ConfigKeyInfo> v;
    for (const auto& s : specs()) v.push_back(s.info);
    return v;
  }();
  return kKeys;
}

void apply_config_yaml(const std::string& yaml_text, const std::string& origin, Config& cfg) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: not valid YAML: {}", origin, e.what()));
  }
  if (root.IsNull()) return;   // an empty file keeps every default
  walk(root, "", origin, cfg);
}

void load_config_file(const std::string& path, Config& cfg) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(fmt::format("cannot read config file {}: {} (check the path given to -c)",
                                  path, std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  apply_config_yaml(ss.str(), path, cfg);
}

void apply_config_override(const std::string& assignment, Config& cfg) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("--set '{}': expected KEY=VALUE, for example "
                                  "--set flow.max_flows=100000",
                                  assignment));
  }
  std::string key = assignment.substr(0, eq);
  const KeySpec* s = find_spec(key);
  if (!s) {
    std::string known;
    for (const auto& k : config_keys()) known += (known.empty() ? "" : ", ") + k.key;
    throw ConfigError(fmt::format("--set: unknown config key '{}' (known keys: {})", key, known));
  }
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("--set {}: bad value: {}", key, e.what()));
  }
  if (value.IsNull()) value = YAML::Node(std::string());
  s->set(value, key, cfg);
}

Config::Config() { scan.signature_dirs = {WW_DEFAULT_SIGNATURE_DIR}; }

void validate_config(const Config& cfg) {
  if (std::string e = validate(cfg.scan); !e.empty()) throw ConfigError("scan: " + e);
  if (std::string e = validate(cfg.policy); !e.empty()) throw ConfigError("policy: " + e);
  if (std::string e = cfg.hosts.validate(); !e.empty()) throw ConfigError("hosts: " + e);
  if (std::string e = validate(cfg.smtp); !e.empty()) throw ConfigError("smtp: " + e);
  if (std::string e = validate(cfg.mime); !e.empty()) throw ConfigError("mime: " + e);
  if (!cfg.read_paths.empty() && !cfg.interface.empty()) {
    throw ConfigError("choose one capture source: -r FILE or -i INTERFACE, not both");
  }
  if (cfg.eve_filename.find('/') != std::string::npos || cfg.eve_filename.empty()) {
    throw ConfigError(fmt::format("config key 'outputs.eve.filename': got '{}', expected a plain "
                                  "file name (the directory comes from outputs.log_dir or -l)",
                                  cfg.eve_filename));
  }
}

}  // namespace ww
