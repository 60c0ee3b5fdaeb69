#include "sensor/decode/decode_anomalies.h"

#include "sensor/decode/decoder.h"

namespace ww {
namespace {

constexpr std::array<const char*, kDecodeAnomalyCount> kNames = {
#define WW_X(name, desc) #name,
    WW_DECODE_ANOMALIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, kDecodeAnomalyCount> kDescriptions = {
#define WW_X(name, desc) desc,
    WW_DECODE_ANOMALIES(WW_X)
#undef WW_X
};

}  // namespace

const char* decode_anomaly_name(DecodeAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kNames.size() ? kNames[i] : "unknown";
}

const char* decode_anomaly_description(DecodeAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kDescriptions.size() ? kDescriptions[i] : "unknown decode anomaly";
}

uint64_t DecodeCounters::anomaly_total() const {
  uint64_t total = 0;
  for (uint64_t n : anomalies) total += n;
  return total;
}

void DecodeCounters::merge(const DecodeCounters& o) {
  packets += o.packets;
  ipv4 += o.ipv4;
  ipv6 += o.ipv6;
  tcp += o.tcp;
  udp += o.udp;
  icmp += o.icmp;
  other_ip += o.other_ip;
  fragments += o.fragments;
  vlan += o.vlan;
  not_ip += o.not_ip;
  truncated_payload += o.truncated_payload;
  for (size_t i = 0; i < anomalies.size(); ++i) anomalies[i] += o.anomalies[i];
}

}  // namespace ww
