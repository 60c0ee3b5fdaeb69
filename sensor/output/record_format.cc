#include "sensor/output/record_format.h"

#include <nlohmann/json.hpp>

namespace ww {

EventFilter::EventFilter(const std::vector<std::string>& types) {
  all_ = types.empty();
  for (const auto& t : types) {
    if (t == "all") {
      all_ = true;
    } else if (t == "alerts") {
      types_.push_back("alert");
    } else {
      types_.push_back(t);
    }
  }
  if (all_) types_.clear();
}

std::string build_message(const MessageOptions& o, std::string_view event_type,
                          std::string_view line) {
  // Parse only when something needs the fields: CEF always, syslog for the
  // severity of alerts (other records' severity follows from their type).
  nlohmann::json rec;
  bool parsed = false;
  if (o.format == RecordFormat::cef || (o.syslog && event_type == "alert")) {
    rec = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    parsed = rec.is_object();
  }
  std::string cef;
  if (o.format == RecordFormat::cef)
    cef = parsed ? eve_to_cef(rec, o.cef) : line_to_cef(event_type, line, o.cef);
  std::string_view body = o.format == RecordFormat::cef ? std::string_view(cef) : line;
  if (!o.syslog) return std::string(body);
  return rfc5424_message(o.syslog_options, syslog_severity(event_type, parsed ? &rec : nullptr),
                         eve_line_timestamp(line), event_type, body);
}

}  // namespace ww
