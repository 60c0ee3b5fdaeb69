#include "sensor/stats/mail_stats.h"

#include <ctime>

namespace ww {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

double share(uint64_t infected, uint64_t messages) {
  return messages ? static_cast<double>(infected) / static_cast<double>(messages) : 0.0;
}

Json counts_json(uint64_t messages, uint64_t infected) {
  Json j;
  j["messages"] = messages;
  j["infected_messages"] = infected;
  j["infected_share"] = share(infected, messages);
  return j;
}

Json bucket_json(const MailCounts& c) {
  Json j = counts_json(c.total_messages(), c.total_infected());
  Json by;
  for (size_t d = 0; d < kMailDirections; ++d)
    by[mail_direction_name(static_cast<MailDirection>(d))] = counts_json(c.messages[d], c.infected[d]);
  j["by_direction"] = std::move(by);
  return j;
}

std::string day_text(int64_t day) {
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

const char* mail_direction_name(MailDirection d) {
  switch (d) {
    case MailDirection::inbound: return "inbound";
    case MailDirection::outbound: return "outbound";
    case MailDirection::internal: return "internal";
    case MailDirection::external: return "external";
  }
  return "external";
}

MailDirection mail_direction(bool client_home, bool server_home) {
  if (client_home && server_home) return MailDirection::internal;
  if (client_home) return MailDirection::outbound;
  if (server_home) return MailDirection::inbound;
  return MailDirection::external;
}

uint64_t MailCounts::total_messages() const {
  uint64_t n = 0;
  for (auto v : messages) n += v;
  return n;
}

uint64_t MailCounts::total_infected() const {
  uint64_t n = 0;
  for (auto v : infected) n += v;
  return n;
}

void MailCounts::add(const MailCounts& o) {
  for (size_t i = 0; i < kMailDirections; ++i) {
    messages[i] += o.messages[i];
    infected[i] += o.infected[i];
  }
}

MailStats::MailStats(int64_t interval_s, size_t max_intervals, size_t max_days)
    : interval_s_(interval_s > 0 ? interval_s : 3600),
      max_intervals_(max_intervals ? max_intervals : 1),
      max_days_(max_days ? max_days : 1) {}

std::shared_ptr<MailTally> MailStats::open() { return std::make_shared<MailTally>(); }

void MailStats::file_done(MailTally& t, bool infected) {
  if (infected) t.set_infected();
  release(t);
}

void MailStats::end_message(MailTally& t, int64_t ts_us, MailDirection dir, bool is_message) {
  t.ts_us_ = ts_us;
  t.dir_ = dir;
  t.is_message_ = is_message;
  release(t);
}

void MailStats::release(MailTally& t) {
  // acq_rel: the last holder sees the transaction's fields and every file's flag.
  if (t.pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (!t.is_message_) return;
  count(t.ts_us_, t.dir_, t.infected_.load(std::memory_order_relaxed));
}

void MailStats::count(int64_t ts_us, MailDirection dir, bool infected) {
  const size_t d = static_cast<size_t>(dir);
  const int64_t sec = floor_div(ts_us, 1'000'000);
  std::lock_guard lk(mu_);
  auto bump = [&](MailCounts& c) {
    c.messages[d]++;
    if (infected) c.infected[d]++;
  };
  bump(totals_);
  bump(intervals_[floor_div(sec, interval_s_)]);
  bump(days_[floor_div(sec, 86400)]);
  while (intervals_.size() > max_intervals_) {
    intervals_.erase(intervals_.begin());
    ++intervals_dropped_;
  }
  while (days_.size() > max_days_) {
    days_.erase(days_.begin());
    ++days_dropped_;
  }
}

MailCounts MailStats::totals() const {
  std::lock_guard lk(mu_);
  return totals_;
}

Json MailStats::to_json(int64_t now_us, bool full) const {
  std::lock_guard lk(mu_);
  Json j = bucket_json(totals_);
  j["interval_seconds"] = interval_s_;
  const int64_t sec = floor_div(now_us, 1'000'000);
  auto bucket = [&](const std::map<int64_t, MailCounts>& m, int64_t key) {
    auto it = m.find(key);
    return it == m.end() ? MailCounts{} : it->second;
  };
  auto interval = [&](int64_t key) {
    Json b = bucket_json(bucket(intervals_, key));
    b["start"] = format_eve_timestamp(key * interval_s_ * 1'000'000);
    return b;
  };
  auto day = [&](int64_t key) {
    Json b = bucket_json(bucket(days_, key));
    b["date"] = day_text(key);
    return b;
  };
  const int64_t cur = floor_div(sec, interval_s_);
  j["interval"] = interval(cur);
  j["previous_interval"] = interval(cur - 1);
  j["day"] = day(floor_div(sec, 86400));
  if (full) {
    Json all = Json::array();
    for (const auto& [k, c] : intervals_) all.push_back(interval(k));
    j["intervals"] = std::move(all);
    Json days = Json::array();
    for (const auto& [k, c] : days_) days.push_back(day(k));
    j["days"] = std::move(days);
    if (intervals_dropped_) j["intervals_dropped"] = intervals_dropped_;
    if (days_dropped_) j["days_dropped"] = days_dropped_;
  }
  return j;
}

}  // namespace ww
