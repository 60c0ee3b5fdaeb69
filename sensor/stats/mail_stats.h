#pragma once
// Mail statistics in packet time: messages seen, messages with at least one
// infected attachment and their share, per interval (stats.mail_interval,
// default one hour) and per UTC day, split by direction against home_net.
//
// A message is counted once its transaction has ended AND every attachment it
// carried has its verdict (scanning is asynchronous), so the figure is the one
// an operator can trust; it is filed under the packet time at which its SMTP
// transaction ended (the `smtp` record's timestamp, as the report does). Because
// verdicts arrive a little after the packets, an interval's figures may still
// grow after a periodic `stats` record showed it; the final record is complete.
//
// Thread-safe: workers open and end messages, scanner threads end files.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "sensor/output/eve.h"

namespace ww {

enum class MailDirection : uint8_t { inbound = 0, outbound, internal, external };
inline constexpr size_t kMailDirections = 4;
const char* mail_direction_name(MailDirection d);
// From whether the SMTP client and server are inside home_net.
MailDirection mail_direction(bool client_home, bool server_home);

struct MailCounts {
  std::array<uint64_t, kMailDirections> messages{};
  std::array<uint64_t, kMailDirections> infected{};
  uint64_t total_messages() const;
  uint64_t total_infected() const;
  void add(const MailCounts& o);
};

class MailStats;

// One message in flight: held by its transaction and by each of its files.
class MailTally {
 public:
  void set_infected() { infected_.store(true, std::memory_order_relaxed); }

 private:
  friend class MailStats;
  std::atomic<uint32_t> pending_{1};  // the transaction's own hold
  std::atomic<bool> infected_{false};
  int64_t ts_us_ = 0;
  MailDirection dir_ = MailDirection::external;
  bool is_message_ = false;
};

class MailStats {
 public:
  // interval_s: bucket width (epoch-aligned). max_intervals / max_days bound
  // the history kept for the final record; older buckets are dropped and counted.
  MailStats(int64_t interval_s, size_t max_intervals = 24 * 31, size_t max_days = 366);

  // A transaction that may carry files. The returned tally is held by the
  // transaction until end_message() and by each file until file_done().
  static std::shared_ptr<MailTally> open();
  // Another file of the message is in flight.
  static void add_file(MailTally& t) { t.pending_.fetch_add(1, std::memory_order_relaxed); }
  // A file's verdict is known (infected or not).
  void file_done(MailTally& t, bool infected);
  // The transaction ended at packet time ts_us. is_message: it carried a
  // message body (DATA or BDAT began); otherwise nothing is counted.
  void end_message(MailTally& t, int64_t ts_us, MailDirection dir, bool is_message);

  // The `mail` object of a stats record at packet time now_us: totals, by
  // direction, the interval and day that hold now_us and the interval before
  // it. full: also every interval and day kept (the final record).
  Json to_json(int64_t now_us, bool full) const;

  MailCounts totals() const;
  int64_t interval_seconds() const { return interval_s_; }

 private:
  void release(MailTally& t);
  void count(int64_t ts_us, MailDirection dir, bool infected);

  const int64_t interval_s_;
  const size_t max_intervals_, max_days_;
  mutable std::mutex mu_;
  MailCounts totals_;
  std::map<int64_t, MailCounts> intervals_;  // key: floor(seconds / interval_s)
  std::map<int64_t, MailCounts> days_;       // key: floor(seconds / 86400)
  uint64_t intervals_dropped_ = 0, days_dropped_ = 0;
};

}  // namespace ww
