#pragma once
// Where records go. The hub fans each record out to every sink; sinks are
// thread-safe through the hub's lock, so workers may emit concurrently.
// Network and Kafka sinks (async_sink.h, kafka_sink.h) only append to a
// bounded spool in write(); their own thread does the I/O.

#include <chrono>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sensor/output/sink_counters.h"

namespace ww {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void write(std::string_view event_type, std::string_view line) = 0;
  virtual void flush() = 0;
  virtual void reopen() {}
  // Name in the stats record ("eve-file", "syslog-tcp-2", or the configured name).
  virtual std::string name() const { return {}; }
  virtual SinkCounters counters() const { return {}; }
  // Shutdown: deliver what is pending until `deadline`, then persist the rest
  // (disk spool) or count it as dropped. write() must not be called afterwards.
  virtual void close(std::chrono::steady_clock::time_point deadline) { flush(); }
  // Called on every sink before close(): start draining now so that all sinks
  // use the shutdown time in parallel.
  virtual void begin_close(std::chrono::steady_clock::time_point deadline) {}
};

// Appends JSON lines to a file with a large stdio buffer; reopen() for logrotate.
class FileSink : public RecordSink {
 public:
  // Opens (append) or throws std::runtime_error naming the path and errno text.
  explicit FileSink(std::string path);
  ~FileSink() override;
  void write(std::string_view event_type, std::string_view line) override;
  void flush() override;
  void reopen() override;
  const std::string& path() const { return path_; }
  std::string name() const override { return "eve"; }
  SinkCounters counters() const override;

 private:
  void open();
  std::atomic<uint64_t> written_{0};
  std::string path_;
  FILE* f_ = nullptr;
  std::vector<char> buf_;
};

class StdoutSink : public RecordSink {
 public:
  void write(std::string_view event_type, std::string_view line) override;
  void flush() override;
  std::string name() const override { return "stdout"; }
  SinkCounters counters() const override;

 private:
  std::atomic<uint64_t> written_{0};
};

// Collects records in memory (tests).
class MemorySink : public RecordSink {
 public:
  void write(std::string_view event_type, std::string_view line) override {
    lines.emplace_back(line);
  }
  void flush() override {}
  std::vector<std::string> lines;
};

class OutputHub {
 public:
  void add(std::unique_ptr<RecordSink> s) { sinks_.push_back(std::move(s)); }
  void emit(std::string_view event_type, std::string_view line);
  void flush();
  void reopen();
  // Records emitted so far, by event type.
  std::map<std::string, uint64_t> counts() const;
  // Delivery counters of every sink, in the order added.
  std::vector<std::pair<std::string, SinkCounters>> sink_counters() const;
  // {"<sink name>": {"written":…, "sent":…, …}, …} for the stats record.
  nlohmann::ordered_json sink_stats() const;
  // Shutdown: every sink delivers or persists its backlog; the whole call
  // takes at most about `timeout`. Emitting after close() is not allowed.
  void close(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<RecordSink>> sinks_;
  std::map<std::string, uint64_t, std::less<>> counts_;
};

}  // namespace ww
