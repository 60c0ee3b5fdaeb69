#pragma once
// Builders for synthetic host-event streams and a recorder for the output.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/hosts/host_tracker.h"

namespace hosts_test {

using ww::HostEvent;
using ww::IpAddress;
using K = HostEvent::Kind;

inline IpAddress ip(const std::string& text) {
  IpAddress a;
  if (!IpAddress::parse(text, a)) throw std::runtime_error("bad test address " + text);
  return a;
}

inline IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  uint8_t x[4] = {a, b, c, d};
  return IpAddress::v4(x);
}

constexpr int64_t kT0 = 1075190400LL * 1000000;  // 2004-01-27T08:00:00Z
inline int64_t at(double seconds) { return kT0 + static_cast<int64_t>(seconds * 1e6); }

inline HostEvent ev(K kind, double t, IpAddress client, IpAddress server, uint16_t sport,
                    uint64_t flow_id = 0, uint32_t count = 0, bool magic = false) {
  HostEvent e;
  e.kind = kind;
  e.ts_us = at(t);
  e.client = client;
  e.server = server;
  e.client_port = 40000;
  e.server_port = sport;
  e.flow_id = flow_id;
  e.count = count;
  e.magic = magic;
  return e;
}

struct Recorder {
  std::vector<nlohmann::json> records;
  std::vector<std::string> lines;
  ww::HostTracker::EmitFn fn() {
    return [this](std::string_view type, std::string line) {
      auto j = nlohmann::json::parse(line);
      if (j["event_type"] != std::string(type)) throw std::runtime_error("event_type mismatch");
      records.push_back(std::move(j));
      lines.push_back(std::move(line));
    };
  }
  std::vector<nlohmann::json> alerts(uint32_t sid) const {
    std::vector<nlohmann::json> out;
    for (const auto& r : records)
      if (r["event_type"] == "alert" && r["alert"]["signature_id"] == sid) out.push_back(r);
    return out;
  }
  std::vector<nlohmann::json> of_type(const std::string& t) const {
    std::vector<nlohmann::json> out;
    for (const auto& r : records)
      if (r["event_type"] == t) out.push_back(r);
    return out;
  }
};

constexpr uint32_t kListener = 1002001;
constexpr uint32_t kUpload = 1002002;
constexpr uint32_t kSweep = 1002003;
constexpr uint32_t kMassMailing = 1002004;
constexpr uint32_t kInfected = 1002005;

}  // namespace hosts_test
