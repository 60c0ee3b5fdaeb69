#include "sensor/output/sink_spec.h"

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sensor/output/kafka_sink.h"

namespace ww {
namespace {

struct TypeInfo {
  SinkType type;
  const char* name;
  std::vector<std::string> keys;  // besides the common ones
};

const std::vector<std::string> kCommonKeys = {"type", "name", "types", "format"};
const std::vector<std::string> kAsyncKeys = {"spool", "backoff", "shutdown_timeout"};

const std::vector<TypeInfo>& type_table() {
  static const std::vector<TypeInfo> t = {
      {SinkType::eve_file, "eve-file", {"path"}},
      {SinkType::stdout_, "stdout", {}},
      {SinkType::unix_stream, "unix-stream", {"path", "resend_window"}},
      {SinkType::unix_dgram, "unix-dgram", {"path"}},
      {SinkType::syslog_udp, "syslog-udp", {"address", "facility", "hostname"}},
      {SinkType::syslog_tcp, "syslog-tcp", {"address", "facility", "hostname", "resend_window"}},
      {SinkType::kafka, "kafka", {"brokers", "topic", "properties"}},
  };
  return t;
}

bool is_async(SinkType t) { return t != SinkType::eve_file && t != SinkType::stdout_; }

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

class Ctx {
 public:
  explicit Ctx(std::string where) : where_(std::move(where)) {}
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw std::runtime_error(key.empty() ? fmt::format("{}: {}", where_, what)
                                         : fmt::format("{}: key '{}': {}", where_, key, what));
  }
  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(key, "expected a non-empty string");
    return n.Scalar();
  }
  uint64_t bytes(const YAML::Node& n, const std::string& key) const {
    uint64_t v = 0;
    if (!n.IsScalar() || !parse_byte_size(n.Scalar(), v))
      fail(key, "expected a size such as 4096, 512KiB, 64MiB, 1GiB");
    return v;
  }
  std::chrono::milliseconds duration(const YAML::Node& n, const std::string& key) const {
    std::chrono::milliseconds v{};
    if (!n.IsScalar() || !parse_duration(n.Scalar(), v))
      fail(key, "expected a duration with a unit: 250ms, 5s, 2m");
    return v;
  }
  void only_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                 const std::string& prefix) const {
    for (const auto& kv : map) {
      std::string k = kv.first.as<std::string>();
      bool ok = false;
      for (const auto& a : allowed) ok = ok || a == k;
      if (!ok) fail(prefix + k, fmt::format("not a known key here (known: {})", join(allowed)));
    }
  }

 private:
  std::string where_;
};

std::string default_name(SinkType t, std::map<std::string, int>& seen) {
  std::string base = sink_type_name(t);
  int n = ++seen[base];
  return n == 1 ? base : fmt::format("{}-{}", base, n);
}

SinkSpec parse_one(const YAML::Node& node, size_t index, const std::string& base_dir) {
  Ctx pre(fmt::format("outputs[{}]", index));
  if (!node.IsMap()) pre.fail("", "expected a mapping with at least 'type'");
  if (!node["type"]) pre.fail("type", "missing (one of eve-file, stdout, unix-stream, unix-dgram, "
                                      "syslog-udp, syslog-tcp, kafka)");
  std::string tname = pre.scalar(node["type"], "type");
  const TypeInfo* ti = nullptr;
  for (const auto& t : type_table())
    if (tname == t.name) ti = &t;
  if (!ti) {
    pre.fail("type", fmt::format("'{}' is not a sink type (one of eve-file, stdout, unix-stream, "
                                 "unix-dgram, syslog-udp, syslog-tcp, kafka)",
                                 tname));
  }
  Ctx c(fmt::format("outputs[{}] ({})", index, tname));
  std::vector<std::string> allowed = kCommonKeys;
  allowed.insert(allowed.end(), ti->keys.begin(), ti->keys.end());
  if (is_async(ti->type)) allowed.insert(allowed.end(), kAsyncKeys.begin(), kAsyncKeys.end());
  c.only_keys(node, allowed, "");

  SinkSpec s;
  s.type = ti->type;
  if (node["name"]) s.name = c.scalar(node["name"], "name");
  if (const auto& t = node["types"]) {
    std::vector<std::string> v;
    if (t.IsScalar()) {
      v.push_back(c.scalar(t, "types"));
    } else if (t.IsSequence() && t.size() > 0) {
      for (const auto& e : t) v.push_back(c.scalar(e, "types"));
    } else {
      c.fail("types", "expected a list of event types, 'alerts' or 'all'");
    }
    for (const auto& e : v) {
      for (char ch : e) {
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
          c.fail("types", fmt::format("'{}' is not an event type (lower case, digits, _)", e));
      }
    }
    s.types = std::move(v);
  } else {
    s.types = {"all"};
  }
  if (const auto& f = node["format"]) {
    std::string v = c.scalar(f, "format");
    if (v == "json" || v == "eve")
      s.format = RecordFormat::json;
    else if (v == "cef")
      s.format = RecordFormat::cef;
    else
      c.fail("format", fmt::format("'{}' is not a format (json or cef)", v));
  }
  auto require = [&](const char* key) -> std::string {
    if (!node[key]) c.fail(key, "missing");
    return c.scalar(node[key], key);
  };
  switch (s.type) {
    case SinkType::eve_file: {
      s.path = node["path"] ? c.scalar(node["path"], "path") : std::string("eve.json");
      if (!base_dir.empty() && std::filesystem::path(s.path).is_relative())
        s.path = (std::filesystem::path(base_dir) / s.path).string();
      break;
    }
    case SinkType::stdout_: break;
    case SinkType::unix_stream:
    case SinkType::unix_dgram:
      s.path = require("path");
      if (s.path.size() >= 108) c.fail("path", "a unix socket path must be shorter than 108 bytes");
      break;
    case SinkType::syslog_udp:
    case SinkType::syslog_tcp: {
      s.address = require("address");
      std::string h, p;
      if (!split_host_port(s.address, h, p))
        c.fail("address", fmt::format("'{}' is not host:port ([v6addr]:port for IPv6)", s.address));
      if (const auto& f = node["facility"]) {
        std::string v = c.scalar(f, "facility");
        int code = syslog_facility_from_name(v);
        if (code < 0 && v.find_first_not_of("0123456789") == std::string::npos && v.size() <= 2)
          code = std::stoi(v) <= 23 ? std::stoi(v) : -1;
        if (code < 0)
          c.fail("facility", fmt::format("'{}' is not a facility (kern, user, mail, daemon, auth, "
                                         "syslog, … local0..local7, or 0..23)",
                                         v));
        s.facility = code;
      }
      if (node["hostname"]) s.hostname = c.scalar(node["hostname"], "hostname");
      break;
    }
    case SinkType::kafka: {
      s.brokers = require("brokers");
      s.topic = require("topic");
      if (const auto& p = node["properties"]) {
        if (!p.IsMap()) c.fail("properties", "expected a mapping of librdkafka properties");
        for (const auto& kv : p) {
          std::string k = kv.first.as<std::string>();
          s.properties.emplace_back(k, c.scalar(kv.second, "properties." + k));
        }
      }
      break;
    }
  }
  if (const auto& sp = node["spool"]) {
    if (!sp.IsMap()) c.fail("spool", "expected a mapping (memory_bytes, disk_path, disk_bytes)");
    c.only_keys(sp, {"memory_bytes", "disk_path", "disk_bytes"}, "spool.");
    if (sp["memory_bytes"]) s.spool.memory_bytes = c.bytes(sp["memory_bytes"], "spool.memory_bytes");
    if (sp["disk_path"]) s.spool.disk_path = c.scalar(sp["disk_path"], "spool.disk_path");
    if (sp["disk_bytes"]) s.spool.disk_bytes = c.bytes(sp["disk_bytes"], "spool.disk_bytes");
    if (!s.spool.disk_path.empty() && s.spool.disk_bytes < 4096)
      c.fail("spool.disk_bytes", "must be at least 4096 when spool.disk_path is set");
  }
  if (const auto& b = node["backoff"]) {
    if (!b.IsMap()) c.fail("backoff", "expected a mapping (initial, max)");
    c.only_keys(b, {"initial", "max"}, "backoff.");
    if (b["initial"]) s.backoff.initial = c.duration(b["initial"], "backoff.initial");
    if (b["max"]) s.backoff.max = c.duration(b["max"], "backoff.max");
    if (s.backoff.initial.count() < 1) c.fail("backoff.initial", "must be at least 1ms");
    if (s.backoff.max < s.backoff.initial)
      c.fail("backoff.max", "must not be shorter than backoff.initial");
  }
  if (node["resend_window"]) s.resend_window_bytes = c.bytes(node["resend_window"], "resend_window");
  if (node["shutdown_timeout"])
    s.shutdown_timeout = c.duration(node["shutdown_timeout"], "shutdown_timeout");
  return s;
}

}  // namespace

const char* sink_type_name(SinkType t) {
  for (const auto& ti : type_table())
    if (ti.type == t) return ti.name;
  return "?";
}

bool parse_byte_size(const std::string& text, uint64_t& out) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::string unit = text.substr(i);
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},          {"B", 1},           {"KiB", 1ull << 10}, {"MiB", 1ull << 20},
      {"GiB", 1ull << 30}, {"TiB", 1ull << 40}, {"KB", 1000},      {"kB", 1000},
      {"MB", 1000000},  {"GB", 1000000000}, {"TB", 1000000000000ull}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return false;
  if (v > UINT64_MAX / it->second) return false;
  out = v * it->second;
  return true;
}

bool parse_duration(const std::string& text, std::chrono::milliseconds& out) {
  size_t i = 0;
  int64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (v > 1'000'000'000) return false;
    v = v * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::string unit = text.substr(i);
  if (unit == "ms")
    out = std::chrono::milliseconds(v);
  else if (unit == "s")
    out = std::chrono::milliseconds(v * 1000);
  else if (unit == "m" || unit == "min")
    out = std::chrono::milliseconds(v * 60'000);
  else
    return false;
  return true;
}

std::vector<SinkSpec> parse_outputs(const YAML::Node& outputs_node, const std::string& base_dir) {
  std::vector<SinkSpec> v;
  if (!outputs_node || outputs_node.IsNull()) return v;
  if (!outputs_node.IsSequence())
    throw std::runtime_error("config key 'outputs': expected a list of sinks (each with a 'type')");
  std::map<std::string, int> seen;
  std::set<std::string> names, spools;
  for (size_t i = 0; i < outputs_node.size(); ++i) {
    SinkSpec s = parse_one(outputs_node[i], i, base_dir);
    if (s.name.empty()) s.name = default_name(s.type, seen);
    if (!names.insert(s.name).second)
      throw std::runtime_error(fmt::format(
          "outputs[{}]: key 'name': '{}' is used by another sink (names must be unique)", i,
          s.name));
    if (!s.spool.disk_path.empty() && !spools.insert(s.spool.disk_path).second)
      throw std::runtime_error(fmt::format(
          "outputs[{}]: key 'spool.disk_path': {} is used by another sink (give each its own)", i,
          s.spool.disk_path));
    v.push_back(std::move(s));
  }
  return v;
}

FilteredSink::FilteredSink(std::string name, EventFilter filter, MessageOptions message,
                           std::unique_ptr<RecordSink> inner)
    : name_(std::move(name)),
      filter_(std::move(filter)),
      message_(std::move(message)),
      inner_(std::move(inner)) {}

void FilteredSink::write(std::string_view event_type, std::string_view line) {
  if (!filter_.pass(event_type)) return;
  c_.written.fetch_add(1, std::memory_order_relaxed);
  if (message_.format == RecordFormat::json && !message_.syslog) {
    inner_->write(event_type, line);
  } else {
    inner_->write(event_type, build_message(message_, event_type, line));
  }
  c_.sent.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<RecordSink> make_sink(const SinkSpec& s) {
  MessageOptions m;
  m.format = s.format;
  m.cef.version = s.product_version;
  EventFilter filter(s.types);
  std::string name = s.name.empty() ? sink_type_name(s.type) : s.name;
  switch (s.type) {
    case SinkType::eve_file:
      return std::make_unique<FilteredSink>(name, filter, m, std::make_unique<FileSink>(s.path));
    case SinkType::stdout_:
      return std::make_unique<FilteredSink>(name, filter, m, std::make_unique<StdoutSink>());
    default: break;
  }
  AsyncSinkOptions o;
  o.name = name;
  o.filter = filter;
  o.spool = s.spool;
  o.backoff = s.backoff;
  o.resend_window_bytes = s.resend_window_bytes;
  o.shutdown_timeout = s.shutdown_timeout;
  o.message = m;
  switch (s.type) {
    case SinkType::unix_stream:
      return std::make_unique<SocketSink>(o, SocketKind::unix_stream, s.path,
                                          StreamFraming::newline);
    case SinkType::unix_dgram:
      return std::make_unique<SocketSink>(o, SocketKind::unix_dgram, s.path,
                                          StreamFraming::newline);
    case SinkType::syslog_udp:
    case SinkType::syslog_tcp: {
      o.message.syslog = true;
      SyslogOptions so;
      so.facility = s.facility;
      so.hostname = s.hostname;
      o.message.syslog_options = resolve_syslog_options(so);
      auto kind = s.type == SinkType::syslog_tcp ? SocketKind::tcp : SocketKind::udp;
      return std::make_unique<SocketSink>(o, kind, s.address, StreamFraming::octet_counted);
    }
    case SinkType::kafka: {
      KafkaOptions k;
      k.brokers = s.brokers;
      k.topic = s.topic;
      k.properties = s.properties;
      return std::make_unique<KafkaSink>(o, k);
    }
    default: break;
  }
  throw std::runtime_error("unknown sink type");
}

}  // namespace ww
