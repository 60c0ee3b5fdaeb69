#pragma once
// The host tracker: per-host behaviour across all workers' connections.
// Single-threaded and deterministic: the same event sequence gives the same
// records. HostTrackerThread (host_tracker_thread.h) runs one behind queues.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/events.h"
#include "rules/hosts/host_config.h"
#include "rules/hosts/host_event.h"
#include "rules/hosts/host_index.h"
#include "rules/hosts/windows.h"

namespace ww {

// Every counter once; expanded into the struct, its JSON and the docs.
#define WW_HOST_COUNTERS(X)                                                                    \
  X(events, "events processed by the tracker")                                                 \
  X(events_ignored, "events not about a backdoor port, SMTP or an attachment (nothing to do)") \
  X(events_from_relays, "SMTP and attachment events from mail_relays (allow-listed)")          \
  X(events_late, "events older than the tracker's packet time (other workers ahead)")          \
  X(hosts_created, "host entries created")                                                     \
  X(hosts_evicted, "host entries evicted at max_hosts (least recently active first)")          \
  X(hosts_evicted_flagged, "evicted hosts that had a listener or an infection sign")           \
  X(hosts_tracked, "host entries now (gauge)")                                                 \
  X(hosts_high_water, "most host entries at once (gauge)")                                     \
  X(listeners, "distinct listener host:port pairs found")                                      \
  X(listener_ports_dropped, "listener ports not remembered (max_listener_ports per host)")     \
  X(listener_allowed, "listener answers from listener_allow hosts (not alerted)")              \
  X(upload_attempts, "client payloads with the MyDoom magic to a backdoor port")               \
  X(infected_attachments, "infected-attachment events from home hosts")                        \
  X(alerts_listener, "backdoor listener alerts")                                               \
  X(alerts_upload, "backdoor upload alerts")                                                   \
  X(alerts_sweep, "backdoor sweep alerts")                                                     \
  X(alerts_mass_mailing, "mass-mailing alerts")                                                \
  X(alerts_infected, "infected-host alerts")                                                   \
  X(alerts_suppressed, "alerts not raised again within suppression_s")                         \
  X(inventory_records, "host inventory records written")                                       \
  X(queue_events, "events accepted by the worker queues (thread only)")                        \
  X(queue_overflow, "events dropped because a worker queue was full (thread only)")        \
  X(events_released_early,                                                                   \
    "events released before every producer had passed their packet time: a queue was three " \
    "quarters full, or a live capture held them a second (thread only; order not guaranteed)")

struct HostCounters {
#define WW_X(name, desc) uint64_t name = 0;
  WW_HOST_COUNTERS(WW_X)
#undef WW_X
  // {"events":N,...} in declaration order, for the stats record.
  nlohmann::ordered_json to_json() const;
};

struct HostCounterInfo {
  const char* name;
  const char* description;
};
// Name and description of every counter, for docs and --list style output.
const std::vector<HostCounterInfo>& host_counter_infos();

class HostTracker {
 public:
  // `emit` receives every record: event_type ("alert" or "host") and one EVE JSON line.
  using EmitFn = std::function<void(std::string_view event_type, std::string line)>;

  // `cfg` must be valid (HostConfig::validate() empty); the tracker keeps a copy.
  HostTracker(const HostConfig& cfg, EmitFn emit);
  ~HostTracker();
  HostTracker(const HostTracker&) = delete;
  HostTracker& operator=(const HostTracker&) = delete;

  void on_event(const HostEvent& e);
  // The same as on_event for each, in order, with the memory the later events
  // need (index entry, host slot, detector state) prefetched a few events ahead:
  // at tens of thousands of hosts the tracker is bound by cache misses.
  void on_events(const HostEvent* events, size_t n);
  // Advances packet time; writes the periodic inventory when it is due.
  void tick(int64_t now_us);
  // The final inventory. Call once, at the end; further events are still accepted.
  void finish(int64_t now_us);

  HostCounters counters() const;
  int64_t now_us() const { return now_; }
  const HostConfig& config() const { return cfg_; }

  // Approximate heap bytes held for hosts now (table, slots, detector state).
  size_t memory_bytes() const;

  struct HostState;  // defined in host_tracker.cc

 private:
  // The address an event mostly concerns (the host on_event looks up first).
  static const IpAddress& primary_address(const HostEvent& e);
  void prefetch_index(const HostEvent& e) const;
  void prefetch_slot(const HostEvent& e) const;
  void prefetch_state(const HostEvent& e) const;
  void prefetch_windows(const HostEvent& e) const;
  const HostState* peek_slot(const HostEvent& e) const;

  HostState* find_or_create(const IpAddress& ip, int64_t ts);
  HostState* find(const IpAddress& ip);
  void touch(HostState& h, uint32_t slot, int64_t ts);
  void evict_one();

  void on_probe(const HostEvent& e);
  void on_listener_answer(const HostEvent& e, bool new_connection);
  void on_payload(const HostEvent& e, bool from_client);
  void on_upload(const HostEvent& e);
  void on_smtp(const HostEvent& e);
  void on_attachment(const HostEvent& e);
  void add_sign(HostState& h, uint8_t sign, const HostEvent& cause);
  void note_answered(uint64_t flow_id);
  bool was_answered(uint64_t flow_id) const;

  nlohmann::ordered_json alert_record(EventId id, const HostEvent& cause, int64_t ts) const;
  nlohmann::ordered_json host_object(const HostState& h) const;
  void emit_alert(const nlohmann::ordered_json& j);
  void emit_inventory(int64_t now_us, const char* kind);

  HostConfig cfg_;
  EmitFn emit_;
  HostCounters c_;
  int64_t now_ = INT64_MIN;
  int64_t next_inventory_ = INT64_MIN;

  HostIndex index_;               // ip -> slot
  std::vector<HostState> slots_;  // reserved up to max_hosts (capped) at start
  std::vector<uint32_t> free_slots_;
  uint32_t lru_head_ = UINT32_MAX;  // most recently active
  uint32_t lru_tail_ = UINT32_MAX;  // least recently active: next to evict
  uint64_t lru_clock_ = 0;          // touches so far
  // Direct-mapped cache of backdoor flows whose server answered (SYN-ACK, data):
  // tells an accepted upload from an unanswered one when the worker did not set
  // kServerAnswered. A collision only forgets an answer.
  std::vector<uint64_t> answered_flows_;
};

}  // namespace ww
