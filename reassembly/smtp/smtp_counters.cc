#include "reassembly/smtp/smtp_counters.h"

namespace ww {

namespace {

constexpr std::array<const char*, kSmtpAnomalyCount> kNames{
#define WW_X(name, desc) #name,
    WW_SMTP_ANOMALIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, kSmtpAnomalyCount> kDescriptions{
#define WW_X(name, desc) desc,
    WW_SMTP_ANOMALIES(WW_X)
#undef WW_X
};

}  // namespace

const char* smtp_anomaly_name(SmtpAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kSmtpAnomalyCount ? kNames[i] : "unknown";
}

const char* smtp_anomaly_description(SmtpAnomaly a) {
  const auto i = static_cast<size_t>(a);
  return i < kSmtpAnomalyCount ? kDescriptions[i] : "unknown";
}

}  // namespace ww
