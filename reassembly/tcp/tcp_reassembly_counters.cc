#include "reassembly/tcp/tcp_reassembly_counters.h"

namespace ww {

namespace {

constexpr std::array<const char*, kTcpAnomalyCount> kNames{
#define WW_X(name, desc) #name,
    WW_TCP_STREAM_ANOMALIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, kTcpAnomalyCount> kDescriptions{
#define WW_X(name, desc) desc,
    WW_TCP_STREAM_ANOMALIES(WW_X)
#undef WW_X
};

}  // namespace

const char* tcp_anomaly_name(TcpAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kTcpAnomalyCount ? kNames[i] : "unknown";
}

const char* tcp_anomaly_description(TcpAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kTcpAnomalyCount ? kDescriptions[i] : "unknown";
}

}  // namespace ww
