#include "reassembly/ip/defrag_counters.h"

namespace ww {

namespace {

constexpr std::array<const char*, kDefragAnomalyCount> kNames{
#define WW_X(name, desc) #name,
    WW_DEFRAG_ANOMALIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, kDefragAnomalyCount> kDescriptions{
#define WW_X(name, desc) desc,
    WW_DEFRAG_ANOMALIES(WW_X)
#undef WW_X
};

}  // namespace

const char* defrag_anomaly_name(DefragAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kDefragAnomalyCount ? kNames[i] : "unknown";
}

const char* defrag_anomaly_description(DefragAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kDefragAnomalyCount ? kDescriptions[i] : "unknown";
}

}  // namespace ww
