#pragma once
// EVE JSON records (Suricata's field conventions) and the common header every
// record carries. Strings from the wire go into nlohmann::json values, which
// escape them; nothing here concatenates JSON by hand.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sensor/decode/packet.h"

namespace ww {

using Json = nlohmann::ordered_json;

// "2004-01-27T09:53:00.123456+0000": ISO 8601, microseconds, UTC offset.
std::string format_eve_timestamp(int64_t ts_us);

// Lower-case protocol name as EVE writes it ("TCP", "UDP", "ICMP", "IPv6-ICMP", or the number).
std::string eve_proto_name(uint8_t proto);

struct EveEndpoints {
  IpAddress src_ip;
  IpAddress dest_ip;
  uint16_t src_port = 0;
  uint16_t dest_port = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0;
};

// timestamp, flow_id, event_type, vlan, src/dest, proto, app_proto, community_id.
Json eve_header(int64_t ts_us, uint64_t flow_id, const char* event_type, const EveEndpoints& ep,
                std::string_view app_proto);

// One JSON line (no trailing newline). Invalid UTF-8 from the wire is replaced,
// never allowed to throw.
std::string eve_dump(const Json& j);

}  // namespace ww
