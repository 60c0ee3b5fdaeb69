#include "reassembly/smtp/smtp_events.h"

#include <array>

namespace ww {

namespace {

constexpr std::array<const char*, static_cast<size_t>(SmtpCapability::kCount)> kCapabilityNames{
#define WW_X(name, keyword) keyword,
    WW_SMTP_CAPABILITIES(WW_X)
#undef WW_X
};

constexpr std::array<const char*, static_cast<size_t>(SmtpAuthMechanism::kCount)> kMechanismNames{
#define WW_X(name, keyword) keyword,
    WW_SMTP_AUTH_MECHANISMS(WW_X)
#undef WW_X
        "other",
};

template <size_t N>
const char* name_at(const std::array<const char*, N>& names, size_t i) {
  return i < N ? names[i] : "unknown";
}

}  // namespace

const char* smtp_capability_name(SmtpCapability c) {
  return name_at(kCapabilityNames, static_cast<size_t>(c));
}

const char* smtp_auth_mechanism_name(SmtpAuthMechanism m) {
  return name_at(kMechanismNames, static_cast<size_t>(m));
}

const char* smtp_status_name(SmtpTransactionStatus s) {
  static constexpr std::array<const char*, 4> kNames{"delivered", "rejected", "aborted",
                                                     "incomplete"};
  return name_at(kNames, static_cast<size_t>(s));
}

const char* smtp_end_reason_name(SmtpEndReason r) {
  static constexpr std::array<const char*, 7> kNames{
      "final_reply", "rset", "mail", "helo", "quit", "session_end", "starttls"};
  return name_at(kNames, static_cast<size_t>(r));
}

const char* smtp_recipient_outcome_name(SmtpRecipientOutcome o) {
  static constexpr std::array<const char*, 3> kNames{"accepted", "rejected", "unknown"};
  return name_at(kNames, static_cast<size_t>(o));
}

const char* smtp_auth_outcome_name(SmtpAuthOutcome o) {
  static constexpr std::array<const char*, 3> kNames{"succeeded", "failed", "unknown"};
  return name_at(kNames, static_cast<size_t>(o));
}

const char* smtp_data_kind_name(SmtpDataKind k) {
  return k == SmtpDataKind::data ? "data" : "bdat";
}

}  // namespace ww
