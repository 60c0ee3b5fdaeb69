#include "sensor/output/eve.h"

#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "sensor/output/community_id.h"

namespace ww {

std::string format_eve_timestamp(int64_t ts_us) {
  int64_t secs = ts_us / 1'000'000;
  int64_t usec = ts_us % 1'000'000;
  if (usec < 0) {
    usec += 1'000'000;
    secs -= 1;
  }
  // Records come in bursts from the same second: keep the formatted
  // "YYYY-MM-DDTHH:MM:SS" of the last second seen by this thread.
  thread_local int64_t cached_secs = -1;
  thread_local char cached[80];   // fits any int fields, so snprintf never truncates
  if (secs != cached_secs) {
    time_t t = static_cast<time_t>(secs);
    struct tm tm;
    gmtime_r(&t, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_secs = secs;
  }
  char out[112];
  int n = std::snprintf(out, sizeof out, "%s.%06d+0000", cached, static_cast<int>(usec));
  return std::string(out, static_cast<size_t>(n));
}

std::string eve_proto_name(uint8_t proto) {
  switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "IPv6-ICMP";
    case 132: return "SCTP";
    default: return std::to_string(proto);
  }
}

Json eve_header(int64_t ts_us, uint64_t flow_id, const char* event_type, const EveEndpoints& ep,
                std::string_view app_proto) {
  Json j;
  j["timestamp"] = format_eve_timestamp(ts_us);
  if (flow_id) j["flow_id"] = flow_id;
  j["event_type"] = event_type;
  if (ep.vlan) j["vlan"] = Json::array({ep.vlan});
  if (ep.src_ip.family) {
    j["src_ip"] = ep.src_ip.to_string();
    const bool ports = ep.proto == 6 || ep.proto == 17 || ep.proto == 132;
    if (ports) j["src_port"] = ep.src_port;
    j["dest_ip"] = ep.dest_ip.to_string();
    if (ports) j["dest_port"] = ep.dest_port;
    j["proto"] = eve_proto_name(ep.proto);
    if (ep.proto == 1 || ep.proto == 58) {
      j["icmp_type"] = ep.src_port;
      j["icmp_code"] = ep.dest_port;
    }
    if (!app_proto.empty()) j["app_proto"] = std::string(app_proto);
    j["community_id"] =
        community_id_v1(ep.src_ip, ep.dest_ip, ep.src_port, ep.dest_port, ep.proto);
  }
  return j;
}

std::string eve_dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace ww
