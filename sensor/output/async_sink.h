#pragma once
// Sinks that never block a worker. write() filters, then appends the record
// to a bounded Spool under a short lock; one sender thread per sink formats
// and delivers. A peer that is down costs reconnect attempts with capped
// exponential backoff, never worker time; records wait in the spool (memory,
// then disk) and past its bounds are dropped and counted.
//
// AsyncSinkBase holds what every asynchronous sink shares (filter, spool,
// counters, the thread, shutdown); SocketSink (here) and KafkaSink
// (kafka_sink.h) supply the sender loop.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "sensor/output/record_format.h"
#include "sensor/output/sink.h"
#include "sensor/output/socket_transport.h"
#include "sensor/output/spool.h"

namespace ww {

struct BackoffOptions {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{30000};
};

struct AsyncSinkOptions {
  std::string name;
  EventFilter filter;
  MessageOptions message;
  SpoolLimits spool;
  BackoffOptions backoff;
  // Stream sockets: bytes of records already acknowledged by the peer's TCP
  // that are kept and sent again when the connection breaks with a reset (a
  // peer that dies may have dropped data it had acknowledged but not read).
  // 0 = resend only what TCP never acknowledged.
  uint64_t resend_window_bytes = 1ull << 20;
  std::chrono::milliseconds connect_timeout{5000};
  // Used by the destructor when close() was not called.
  std::chrono::milliseconds shutdown_timeout{5000};
  size_t batch_bytes = 256 << 10;
  size_t batch_records = 1024;
};

class AsyncSinkBase : public RecordSink {
 public:
  ~AsyncSinkBase() override;
  void write(std::string_view event_type, std::string_view line) final;
  void flush() override { spool_.interrupt(); }
  std::string name() const override { return opts_.name; }
  SinkCounters counters() const override;
  void begin_close(std::chrono::steady_clock::time_point deadline) override;
  void close(std::chrono::steady_clock::time_point deadline) override;

 protected:
  // Opens the spool (throws std::runtime_error naming its path).
  explicit AsyncSinkBase(AsyncSinkOptions opts);
  // Derived constructors call start() last; derived destructors call
  // close_from_destructor() first, so run() never sees a half-destroyed sink.
  void start();
  void close_from_destructor();

  // The sender loop. Returns when stopping() and nothing is pending, or the
  // deadline has passed; leaves undelivered records in pending_ (oldest first).
  virtual void run() = 0;

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  bool past_deadline() const;
  std::chrono::steady_clock::time_point deadline() const;
  // Sleeps until `until` or until begin_close().
  void sleep_until(std::chrono::steady_clock::time_point until);
  bool have_work() const { return !pending_.empty() || !spool_.empty(); }
  // Rate-limited warnings (one per 10 s per sink; the rest are counted and
  // summarised in the next one) and the periodic drop report.
  void warn_limited(const std::string& msg);
  void report_drops();

  AsyncSinkOptions opts_;
  Spool spool_;
  AtomicSinkCounters c_;
  std::deque<SpoolRecord> pending_;  // sender-owned: taken from the spool, not yet delivered

 private:
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{0};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<bool> closed_{false};
  std::chrono::steady_clock::time_point last_warn_{};
  uint64_t suppressed_warnings_ = 0;
  std::chrono::steady_clock::time_point last_drop_report_{};
  uint64_t dropped_reported_ = 0;
};

enum class StreamFraming { octet_counted, newline };

// syslog-udp, syslog-tcp, unix-stream, unix-dgram.
class SocketSink : public AsyncSinkBase {
 public:
  SocketSink(AsyncSinkOptions opts, SocketKind kind, std::string address, StreamFraming framing);
  ~SocketSink() override;

 private:
  struct InFlight {
    SpoolRecord rec;
    uint64_t end;   // connection byte offset just past this record
    uint64_t size;  // framed bytes
  };
  void run() override;
  bool ensure_connected();
  void send_stream_batch();
  void send_dgram_batch();
  void stream_failed(bool clean_close, const std::string& why);
  void note_acked();
  void dgram_failed(bool refused, const std::string& why);
  void drain_at_shutdown();
  std::string frame(const SpoolRecord& r) const;
  bool keep_waiting() const { return !(stopping() && past_deadline()); }

  SocketTransport transport_;
  StreamFraming framing_;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point next_attempt_{};
  bool ever_connected_ = false;
  bool failing_ = false;  // last connect failed (log recovery once)
  bool stop_attempted_ = false;
  // UDP: datagrams sent in the last second. An ICMP refusal is reported on
  // a later send, so the datagrams just before it may not have arrived;
  // they are sent again (at most kUdpRecent of them).
  struct Recent {
    SpoolRecord rec;
    std::chrono::steady_clock::time_point at;
  };
  std::deque<Recent> recent_udp_;
  // Stream bookkeeping for the current connection.
  std::deque<InFlight> inflight_;
  size_t n_acked_ = 0;
  uint64_t acked_bytes_ = 0;
  uint64_t conn_written_ = 0;
  uint64_t conn_acked_ = 0;
};

}  // namespace ww
