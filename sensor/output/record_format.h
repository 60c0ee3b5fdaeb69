#pragma once
// What a sink sends: which event types (EventFilter) and in which shape
// (MessageBuilder: the EVE JSON line or CEF, optionally inside an RFC 5424
// syslog header).

#include <string>
#include <string_view>
#include <vector>

#include "sensor/output/cef.h"
#include "sensor/output/syslog.h"

namespace ww {

enum class RecordFormat { json, cef };

// Event types a sink takes. Empty list or "all" = every record; "alerts" is
// shorthand for "alert".
class EventFilter {
 public:
  EventFilter() = default;
  explicit EventFilter(const std::vector<std::string>& types);
  bool pass(std::string_view event_type) const {
    if (all_) return true;
    for (const auto& t : types_)
      if (t == event_type) return true;
    return false;
  }
  bool all() const { return all_; }
  const std::vector<std::string>& types() const { return types_; }

 private:
  bool all_ = true;
  std::vector<std::string> types_;
};

struct MessageOptions {
  RecordFormat format = RecordFormat::json;
  bool syslog = false;      // wrap in an RFC 5424 header
  SyslogOptions syslog_options;  // resolved (hostname, procid filled)
  CefOptions cef;
};

// Builds the message body for one record (no framing: no newline, no
// octet count). Never throws on hostile content.
std::string build_message(const MessageOptions& o, std::string_view event_type,
                          std::string_view line);

}  // namespace ww
