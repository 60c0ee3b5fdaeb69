#include "sensor/output/async_sink.h"

#include <cstring>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ww {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWarnInterval = std::chrono::seconds(10);
constexpr size_t kUdpRecent = 64;

std::chrono::milliseconds jittered(std::chrono::milliseconds d) {
  // ±20 % so that many sensors restarted together do not reconnect in step.
  thread_local std::minstd_rand rng(std::random_device{}());
  std::uniform_int_distribution<int64_t> dist(d.count() * 8 / 10, d.count() * 12 / 10);
  return std::chrono::milliseconds(std::max<int64_t>(1, dist(rng)));
}

}  // namespace

// ---------------------------------------------------------------- base

AsyncSinkBase::AsyncSinkBase(AsyncSinkOptions opts) : opts_(std::move(opts)), spool_(opts_.spool) {
  c_.replayed = spool_.replayed();
  if (spool_.replayed() > 0) {
    spdlog::info("output {}: replaying {} records left in the disk spool {} by the previous run",
                 opts_.name, spool_.replayed(), opts_.spool.disk_path);
  }
}

AsyncSinkBase::~AsyncSinkBase() = default;

void AsyncSinkBase::start() { thread_ = std::thread([this] { run(); }); }

void AsyncSinkBase::close_from_destructor() {
  if (!closed_) close(Clock::now() + opts_.shutdown_timeout);
}

void AsyncSinkBase::write(std::string_view event_type, std::string_view line) {
  if (!opts_.filter.pass(event_type)) return;
  c_.written.fetch_add(1, std::memory_order_relaxed);
  if (closed_) {
    c_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  switch (spool_.push(event_type, line)) {
    case Spool::PushResult::memory: break;
    case Spool::PushResult::disk: c_.disk_spooled.fetch_add(1, std::memory_order_relaxed); break;
    case Spool::PushResult::dropped: c_.dropped.fetch_add(1, std::memory_order_relaxed); break;
  }
}

SinkCounters AsyncSinkBase::counters() const {
  SinkCounters s = c_.snapshot();
  s.spooled_bytes = spool_.memory_bytes();
  s.disk_bytes = spool_.disk_file_bytes();
  return s;
}

bool AsyncSinkBase::past_deadline() const {
  return Clock::now().time_since_epoch().count() >= deadline_ns_.load(std::memory_order_acquire);
}

Clock::time_point AsyncSinkBase::deadline() const {
  return Clock::time_point(Clock::duration(deadline_ns_.load(std::memory_order_acquire)));
}

void AsyncSinkBase::begin_close(Clock::time_point deadline) {
  if (stopping()) return;
  deadline_ns_.store(deadline.time_since_epoch().count(), std::memory_order_release);
  stopping_.store(true, std::memory_order_release);
  {
    std::lock_guard lk(sleep_mu_);
  }
  sleep_cv_.notify_all();
  spool_.interrupt();
}

void AsyncSinkBase::close(Clock::time_point deadline) {
  if (closed_) return;
  begin_close(deadline);
  if (thread_.joinable()) thread_.join();
  closed_ = true;
  report_drops();
  std::string io_err;
  if (uint64_t lost = spool_.take_io_losses(&io_err)) c_.dropped += lost;
  size_t left = pending_.size();
  bool disk = !opts_.spool.disk_path.empty();
  if (left == 0 && spool_.empty()) return;
  auto r = spool_.persist(pending_);
  c_.dropped += r.dropped;
  c_.disk_spooled += r.persisted;
  if (!r.error.empty()) spdlog::error("output {}: {}", opts_.name, r.error);
  if (disk && r.persisted + r.carried > 0) {
    spdlog::warn("output {}: {} records not delivered before shutdown are in the disk spool {}; "
                 "they are sent at the next start",
                 opts_.name, r.persisted + r.carried, opts_.spool.disk_path);
  }
  if (r.dropped > 0) {
    spdlog::error("output {}: {} records could not be delivered before shutdown and were lost ({})",
                  opts_.name, r.dropped,
                  disk ? "the disk spool is full" : "set spool.disk_path to keep them");
  }
}

void AsyncSinkBase::sleep_until(Clock::time_point until) {
  std::unique_lock lk(sleep_mu_);
  sleep_cv_.wait_until(lk, until, [&] { return stopping(); });
}

void AsyncSinkBase::warn_limited(const std::string& msg) {
  auto now = Clock::now();
  if (last_warn_ != Clock::time_point{} && now - last_warn_ < kWarnInterval) {
    ++suppressed_warnings_;
    return;
  }
  if (suppressed_warnings_ > 0) {
    spdlog::warn("output {}: {} (and {} similar messages in the last {} s)", opts_.name, msg,
                 suppressed_warnings_,
                 std::chrono::duration_cast<std::chrono::seconds>(now - last_warn_).count());
  } else {
    spdlog::warn("output {}: {}", opts_.name, msg);
  }
  suppressed_warnings_ = 0;
  last_warn_ = now;
}

void AsyncSinkBase::report_drops() {
  std::string io_err;
  if (uint64_t lost = spool_.take_io_losses(&io_err)) {
    c_.dropped += lost;
    warn_limited(fmt::format("disk spool write failed ({}): {} records lost", io_err, lost));
  }
  uint64_t d = c_.dropped.load(std::memory_order_relaxed);
  if (d == dropped_reported_) return;
  auto now = Clock::now();
  if (last_drop_report_ != Clock::time_point{} && now - last_drop_report_ < kWarnInterval &&
      !stopping())
    return;
  spdlog::warn("output {}: dropped {} records (total {}): spool full (memory {} bytes{}) or "
               "records too big for the transport",
               opts_.name, d - dropped_reported_, d, opts_.spool.memory_bytes,
               opts_.spool.disk_path.empty()
                   ? std::string(", no disk spool")
                   : fmt::format(", disk {} bytes at {}", opts_.spool.disk_bytes,
                                 opts_.spool.disk_path));
  dropped_reported_ = d;
  last_drop_report_ = now;
}

// ---------------------------------------------------------------- sockets

SocketSink::SocketSink(AsyncSinkOptions opts, SocketKind kind, std::string address,
                       StreamFraming framing)
    : AsyncSinkBase(std::move(opts)),
      transport_(kind, std::move(address)),
      framing_(framing),
      backoff_(opts_.backoff.initial) {
  start();
}

SocketSink::~SocketSink() { close_from_destructor(); }

std::string SocketSink::frame(const SpoolRecord& r) const {
  std::string msg = build_message(opts_.message, r.event_type, r.line);
  if (!transport_.stream()) return msg;
  if (framing_ == StreamFraming::octet_counted) return octet_counted(msg);
  msg += '\n';
  return msg;
}

bool SocketSink::ensure_connected() {
  if (transport_.connected()) return true;
  auto now = Clock::now();
  const bool stop_try = stopping() && !stop_attempted_;
  if (!stop_try && now < next_attempt_) {
    sleep_until(std::min(next_attempt_, now + std::chrono::milliseconds(500)));
    return false;
  }
  if (stopping()) stop_attempted_ = true;
  auto timeout = opts_.connect_timeout;
  if (stopping()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline() - now);
    timeout = std::max(std::chrono::milliseconds(1), std::min(timeout, left));
  }
  std::string err;
  if (!transport_.connect(timeout, err)) {
    auto wait = jittered(backoff_);
    warn_limited(fmt::format("cannot connect to {}: {}; records wait in the spool (memory {} "
                             "bytes, disk file {} bytes); retrying in {} ms",
                             transport_.address(), err, spool_.memory_bytes(),
                             spool_.disk_file_bytes(), wait.count()));
    next_attempt_ = Clock::now() + wait;
    backoff_ = std::min(opts_.backoff.max, backoff_ * 2);
    failing_ = true;
    return false;
  }
  if (ever_connected_) c_.reconnects.fetch_add(1, std::memory_order_relaxed);
  if (failing_) spdlog::info("output {}: connected to {}", opts_.name, transport_.address());
  ever_connected_ = true;
  failing_ = false;
  inflight_.clear();
  n_acked_ = 0;
  acked_bytes_ = conn_written_ = conn_acked_ = 0;
  return true;
}

void SocketSink::run() {
  for (;;) {
    report_drops();
    if (stopping() && (!have_work() || past_deadline())) break;
    if (!have_work()) {
      spool_.wait(std::chrono::milliseconds(500));
      // A stream peer may close while we are idle; notice it now, not when
      // the next record is already on its way into a dead socket.
      if (transport_.connected() && transport_.kind() == SocketKind::udp) {
        int e = transport_.take_error();
        if (e != 0) dgram_failed(e == ECONNREFUSED, std::strerror(e));
      }
      if (transport_.connected() && transport_.stream()) {
        note_acked();
        std::string err;
        auto st = transport_.peer_state(&err);
        if (st != SocketTransport::PeerState::open)
          stream_failed(st == SocketTransport::PeerState::closed,
                        err.empty() ? "peer closed the connection" : err);
      }
      continue;
    }
    if (!ensure_connected()) {
      if (stopping() && stop_attempted_) break;
      continue;
    }
    if (pending_.empty()) spool_.take(pending_, opts_.batch_records, opts_.batch_bytes);
    if (pending_.empty()) continue;
    if (transport_.stream())
      send_stream_batch();
    else
      send_dgram_batch();
  }
  drain_at_shutdown();
}

void SocketSink::note_acked() {
  // Trust the queue length only while the connection is healthy: after a
  // reset the kernel empties it, which would look like "all acknowledged".
  int64_t q = transport_.unacked_bytes();
  if (q < 0 || transport_.peer_state() != SocketTransport::PeerState::open) return;
  uint64_t acked = conn_written_ - std::min<uint64_t>(conn_written_, static_cast<uint64_t>(q));
  conn_acked_ = std::max(conn_acked_, acked);
  while (n_acked_ < inflight_.size() && inflight_[n_acked_].end <= conn_acked_) {
    acked_bytes_ += inflight_[n_acked_].size;
    ++n_acked_;
  }
  while (n_acked_ > 0 && acked_bytes_ > opts_.resend_window_bytes) {
    acked_bytes_ -= inflight_.front().size;
    inflight_.pop_front();
    --n_acked_;
  }
}

void SocketSink::send_stream_batch() {
  std::string err;
  auto st = transport_.peer_state(&err);
  if (st != SocketTransport::PeerState::open) {
    stream_failed(st == SocketTransport::PeerState::closed,
                  err.empty() ? "peer closed the connection" : err);
    return;
  }
  std::string buf;
  std::vector<uint64_t> ends;
  size_t n = 0;
  for (const auto& r : pending_) {
    if (n > 0 && buf.size() >= opts_.batch_bytes) break;
    buf += frame(r);
    ends.push_back(buf.size());
    ++n;
  }
  const bool ok = transport_.write_all(buf, [this] { return keep_waiting(); }, err);
  // Written or not, these records are now "in flight": on failure we do not
  // know how much of the buffer reached the peer.
  uint64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    inflight_.push_back({std::move(pending_.front()), conn_written_ + ends[i], ends[i] - prev});
    prev = ends[i];
    pending_.pop_front();
  }
  conn_written_ += buf.size();
  // Counted as sent even when the write failed: stream_failed() counts them
  // as resent, so sent - resent stays the number of records delivered.
  c_.sent.fetch_add(n, std::memory_order_relaxed);
  if (!ok) {
    stream_failed(false, err);
    return;
  }
  backoff_ = opts_.backoff.initial;
  note_acked();
}

void SocketSink::stream_failed(bool clean_close, const std::string& why) {
  // Everything still in flight goes again: the bytes TCP never acknowledged,
  // and the retained window of acknowledged ones, because a peer that dies
  // (even one whose close looks clean, FIN rather than RST) may have read
  // records into memory without writing them anywhere. Plain TCP syslog has
  // no application acknowledgement; duplicates are the price of no loss.
  (void)clean_close;
  size_t again = 0;
  for (auto it = inflight_.rbegin(); it != inflight_.rend(); ++it) {
    pending_.push_front(std::move(it->rec));
    ++again;
  }
  c_.resent.fetch_add(again, std::memory_order_relaxed);
  inflight_.clear();
  n_acked_ = 0;
  acked_bytes_ = conn_written_ = conn_acked_ = 0;
  transport_.close();
  auto wait = jittered(backoff_);
  next_attempt_ = Clock::now() + wait;
  backoff_ = std::min(opts_.backoff.max, backoff_ * 2);
  failing_ = true;
  warn_limited(fmt::format("connection to {} lost ({}); {} records will be sent again; "
                           "reconnecting in {} ms",
                           transport_.address(), why, again, wait.count()));
}

void SocketSink::dgram_failed(bool refused, const std::string& why) {
  size_t again = 0;
  if (refused && transport_.kind() == SocketKind::udp) {
    // The refusal answers an earlier datagram: send the recent ones again.
    auto now = Clock::now();
    for (auto it = recent_udp_.rbegin(); it != recent_udp_.rend(); ++it) {
      if (now - it->at > std::chrono::seconds(1)) break;
      pending_.push_front(std::move(it->rec));
      ++again;
    }
    c_.resent.fetch_add(again, std::memory_order_relaxed);
  }
  recent_udp_.clear();
  transport_.close();
  auto wait = jittered(backoff_);
  next_attempt_ = Clock::now() + wait;
  backoff_ = std::min(opts_.backoff.max, backoff_ * 2);
  failing_ = true;
  warn_limited(fmt::format("sending to {} failed ({}); {} records will be sent again, the rest "
                           "wait in the spool; retrying in {} ms",
                           transport_.address(), why, again, wait.count()));
}

void SocketSink::send_dgram_batch() {
  std::string err;
  size_t n = 0;
  while (!pending_.empty() && n < opts_.batch_records) {
    std::string msg = frame(pending_.front());
    auto r = transport_.send_datagram(msg, [this] { return keep_waiting(); }, err);
    if (r == SocketTransport::DgramResult::failed || r == SocketTransport::DgramResult::refused) {
      dgram_failed(r == SocketTransport::DgramResult::refused, err);
      return;
    }
    if (r == SocketTransport::DgramResult::too_big) {
      c_.dropped.fetch_add(1, std::memory_order_relaxed);
      warn_limited(fmt::format("{} record dropped: {}", pending_.front().event_type, err));
    } else {
      c_.sent.fetch_add(1, std::memory_order_relaxed);
      if (transport_.kind() == SocketKind::udp) {
        // A UDP send "succeeds" even towards a closed port; only a second
        // without a refusal proves the collector is back.
        auto now = Clock::now();
        if (!recent_udp_.empty() && now - recent_udp_.front().at > std::chrono::seconds(1))
          backoff_ = opts_.backoff.initial;
        recent_udp_.push_back({std::move(pending_.front()), now});
        while (recent_udp_.size() > kUdpRecent ||
               (recent_udp_.size() > 1 && now - recent_udp_.front().at > std::chrono::seconds(1)))
          recent_udp_.pop_front();
      } else {
        backoff_ = opts_.backoff.initial;
      }
    }
    pending_.pop_front();
    ++n;
  }
}

void SocketSink::drain_at_shutdown() {
  if (transport_.connected() && transport_.kind() == SocketKind::udp && !recent_udp_.empty()) {
    // Give an ICMP refusal of the last datagrams a moment to arrive; if one
    // does, they go to the disk spool instead of being lost.
    sleep_until(std::min(deadline(), Clock::now() + std::chrono::milliseconds(50)));
    std::this_thread::sleep_for(std::chrono::milliseconds(past_deadline() ? 0 : 20));
    if (transport_.take_error() == ECONNREFUSED) {
      size_t again = 0;
      for (auto it = recent_udp_.rbegin(); it != recent_udp_.rend(); ++it, ++again)
        pending_.push_front(std::move(it->rec));
      c_.resent.fetch_add(again, std::memory_order_relaxed);
    }
    recent_udp_.clear();
  }
  if (transport_.connected() && transport_.stream()) {
    // Let the peer acknowledge what is in our socket buffer; what it does
    // not acknowledge before the deadline goes to the disk spool (and may
    // arrive twice).
    for (;;) {
      int64_t q = transport_.unacked_bytes();
      if (q <= 0 || past_deadline() ||
          transport_.peer_state() != SocketTransport::PeerState::open)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    note_acked();
    size_t again = 0;
    for (auto it = inflight_.rbegin(); it != inflight_.rend(); ++it) {
      if (it->end <= conn_acked_) break;
      pending_.push_front(std::move(it->rec));
      ++again;
    }
    c_.resent.fetch_add(again, std::memory_order_relaxed);
    inflight_.clear();
  }
  transport_.close();
}

}  // namespace ww
