#pragma once
// The `outputs:` configuration: a list of sinks, each with its own type,
// event-type filter, format, spool and backoff. parse_outputs() validates
// strictly (unknown keys, bad values) and throws std::runtime_error naming the
// key, e.g. "outputs[1] (syslog-tcp): key 'adress' is not known; …".
// make_sink() opens the sink. See docs/outputs.md for the YAML shape.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sensor/output/async_sink.h"
#include "sensor/output/sink.h"

namespace YAML {
class Node;
}

namespace ww {

enum class SinkType { eve_file, stdout_, unix_stream, unix_dgram, syslog_udp, syslog_tcp, kafka };

const char* sink_type_name(SinkType t);

struct SinkSpec {
  SinkType type = SinkType::eve_file;
  std::string name;                  // stats key; default: the type, "-2", "-3" when repeated
  std::vector<std::string> types;    // event types; {"all"} / {"alerts"} shorthands
  RecordFormat format = RecordFormat::json;
  std::string path;                  // eve-file (relative to base_dir), unix-stream, unix-dgram
  std::string address;               // syslog-udp, syslog-tcp: host:port
  int facility = kSyslogFacilityLocal5;
  std::string hostname;              // syslog HOSTNAME; "" = this host's name
  std::string brokers;               // kafka
  std::string topic;                 // kafka
  std::vector<std::pair<std::string, std::string>> properties;  // kafka (librdkafka)
  SpoolLimits spool;
  BackoffOptions backoff;
  uint64_t resend_window_bytes = 1ull << 20;
  std::chrono::milliseconds shutdown_timeout{5000};
  std::string product_version = "0.1.0";  // CEF header
};

// `outputs_node` is the sequence under `outputs:`. Relative eve-file paths
// are resolved against `base_dir` (the log directory) when it is not empty.
std::vector<SinkSpec> parse_outputs(const YAML::Node& outputs_node,
                                    const std::string& base_dir = "");

// Opens the sink (file, spool, producer). Throws std::runtime_error naming
// the path or property on failure. Network sinks connect in the background:
// a peer that is down at start is not an error.
std::unique_ptr<RecordSink> make_sink(const SinkSpec& spec);

// "64MiB", "1GiB", "512KiB", "100MB", "4096" → bytes; false when malformed.
bool parse_byte_size(const std::string& text, uint64_t& out);
// "250ms", "5s", "2m" → milliseconds; false when malformed.
bool parse_duration(const std::string& text, std::chrono::milliseconds& out);

// eve-file and stdout with a filter and an optional CEF conversion; the
// conversion runs on the worker (these sinks are synchronous, as before).
class FilteredSink : public RecordSink {
 public:
  FilteredSink(std::string name, EventFilter filter, MessageOptions message,
               std::unique_ptr<RecordSink> inner);
  void write(std::string_view event_type, std::string_view line) override;
  void flush() override { inner_->flush(); }
  void reopen() override { inner_->reopen(); }
  std::string name() const override { return name_; }
  SinkCounters counters() const override { return c_.snapshot(); }

 private:
  std::string name_;
  EventFilter filter_;
  MessageOptions message_;
  std::unique_ptr<RecordSink> inner_;
  AtomicSinkCounters c_;
};

}  // namespace ww
