#include "rules/hosts/host_config.h"

namespace ww {

CidrSet HostConfig::default_home_net() {
  CidrSet s;
  // RFC 1918 and RFC 4193 unique local addresses, as Suricata's default HOME_NET
  // plus the IPv6 private range.
  CidrSet::parse("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7", s, nullptr);
  return s;
}

PortSet HostConfig::default_backdoor_ports() {
  PortSet p;
  PortSet::parse("3127-3198", p, nullptr);
  return p;
}

std::string HostConfig::validate() const {
  auto range = [](const char* name, int64_t v, int64_t lo, int64_t hi) -> std::string {
    if (v >= lo && v <= hi) return {};
    return std::string(name) + ": got " + std::to_string(v) + ", expected a whole number from " +
           std::to_string(lo) + " to " + std::to_string(hi);
  };
  std::string e;
  if (backdoor_ports.empty()) return "backdoor_ports: the list is empty (default 3127-3198)";
  if (!(e = range("suppression_s", suppression_s, 0, 30 * 86400)).empty()) return e;
  if (!(e = range("sweep_targets", sweep_targets, 2, kMaxWindowThreshold)).empty()) return e;
  if (!(e = range("sweep_window_s", sweep_window_s, 1, 86400)).empty()) return e;
  if (!(e = range("burst_window_s", burst_window_s, 1, 86400)).empty()) return e;
  if (!(e = range("burst_distinct_servers", burst_distinct_servers, 1, kMaxWindowThreshold))
           .empty())
    return e;
  if (!(e = range("burst_sessions", burst_sessions, 1, kMaxWindowThreshold)).empty()) return e;
  if (!(e = range("burst_messages_or_recipients", burst_messages_or_recipients, 1,
                  kMaxWindowThreshold))
           .empty())
    return e;
  if (!(e = range("max_hosts", max_hosts, 1, 16 * 1024 * 1024)).empty()) return e;
  if (!(e = range("max_listener_ports", max_listener_ports, 1, 1024)).empty()) return e;
  if (!(e = range("sample_size", sample_size, 1, 100)).empty()) return e;
  if (!(e = range("inventory_interval_s", inventory_interval_s, 0, 7 * 86400)).empty()) return e;
  if (!(e = range("queue_capacity", queue_capacity, 16, 1 << 24)).empty()) return e;
  return {};
}

}  // namespace ww
