#include "reassembly/mime/mime_counters.h"

namespace ww {

namespace {

constexpr std::array<const char*, kMimeAnomalyCount> kNames{
#define WW_X(name, desc) #name,
    WW_MIME_ANOMALIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, kMimeAnomalyCount> kDescriptions{
#define WW_X(name, desc) desc,
    WW_MIME_ANOMALIES(WW_X)
#undef WW_X
};

}  // namespace

const char* mime_anomaly_name(MimeAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kMimeAnomalyCount ? kNames[i] : "unknown";
}

const char* mime_anomaly_description(MimeAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kMimeAnomalyCount ? kDescriptions[i] : "unknown";
}

}  // namespace ww
