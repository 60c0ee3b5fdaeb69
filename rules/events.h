#pragma once
// The event catalogue (rules/events.def) as C++: ids, names, severities.

#include <cstdint>
#include <span>
#include <string_view>

namespace ww {

enum class EventId : uint32_t {
#define WW_EVENT(id, key, sev, cat, sig, desc) key = id,
#include "rules/events.def"
#undef WW_EVENT
};

struct EventInfo {
  uint32_t id;
  std::string_view key;
  int severity;
  std::string_view category;
  std::string_view signature;
  std::string_view description;
};

inline constexpr EventInfo kEventCatalogue[] = {
#define WW_EVENT(id, key, sev, cat, sig, desc) {id, #key, sev, cat, sig, desc},
#include "rules/events.def"
#undef WW_EVENT
};

inline const EventInfo& event_info(EventId e) {
  for (const auto& i : kEventCatalogue)
    if (i.id == static_cast<uint32_t>(e)) return i;
  return kEventCatalogue[0];  // unreachable: every EventId has a row
}

}  // namespace ww
