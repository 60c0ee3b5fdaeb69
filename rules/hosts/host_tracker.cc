#include "rules/hosts/host_tracker.h"

#include <algorithm>
#include <bit>

#include "sensor/output/eve.h"

namespace ww {

namespace {

constexpr int64_t kUs = 1'000'000;
constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kAnsweredFlows = 4096;      // direct-mapped, indexed by the top 12 hash bits
constexpr size_t kUploadKeysPerClient = 16;  // upload suppression keys remembered per client
constexpr size_t kProbePorts = 8;            // distinct probed ports remembered per source
constexpr size_t kAttachmentFlows = 4;       // flow ids kept as attachment evidence

// Infection signs (bit per sign, in the order they are written).
constexpr uint8_t kSignListener = 1;
constexpr uint8_t kSignMassMailing = 2;
constexpr uint8_t kSignAttachment = 4;
constexpr struct {
  uint8_t bit;
  const char* name;
} kSigns[] = {{kSignListener, "backdoor_listener"},
              {kSignMassMailing, "mass_mailing"},
              {kSignAttachment, "infected_attachment"}};

bool is_backdoor_kind(HostEvent::Kind k) {
  using K = HostEvent::Kind;
  return k == K::kSyn || k == K::kSynAck || k == K::kHandshake || k == K::kClientPayload ||
         k == K::kServerPayload;
}

Json addresses_json(const std::vector<IpAddress>& v) {
  Json a = Json::array();
  for (const auto& x : v) a.push_back(x.to_string());
  return a;
}

}  // namespace

const char* host_event_kind_name(HostEvent::Kind k) {
  switch (k) {
    case HostEvent::Kind::kSyn:
      return "syn";
    case HostEvent::Kind::kSynAck:
      return "syn_ack";
    case HostEvent::Kind::kHandshake:
      return "handshake";
    case HostEvent::Kind::kClientPayload:
      return "client_payload";
    case HostEvent::Kind::kServerPayload:
      return "server_payload";
    case HostEvent::Kind::kSmtpSession:
      return "smtp_session";
    case HostEvent::Kind::kSmtpMessage:
      return "smtp_message";
    case HostEvent::Kind::kInfectedAttachment:
      return "infected_attachment";
  }
  return "unknown";
}

nlohmann::ordered_json HostCounters::to_json() const {
  nlohmann::ordered_json j;
#define WW_X(name, desc) j[#name] = name;
  WW_HOST_COUNTERS(WW_X)
#undef WW_X
  return j;
}

const std::vector<HostCounterInfo>& host_counter_infos() {
  static const std::vector<HostCounterInfo> infos = {
#define WW_X(name, desc) {#name, desc},
      WW_HOST_COUNTERS(WW_X)
#undef WW_X
  };
  return infos;
}

// ---------------------------------------------------------------------------
// Per-host state. The fixed part is small; each detector's state is allocated
// only for hosts that detector concerns (most hosts have at most one).

struct ListenerPort {
  uint16_t port = 0;
  bool client_data = false;
  bool server_data = false;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  int64_t last_alert = INT64_MIN;
  uint64_t connections = 0;      // SYN-ACK and handshake events (a connection may give both)
  std::vector<IpAddress> peers;  // the first sample_size distinct peers
  DistinctSketch peer_count;
};

struct ListenerState {
  std::vector<ListenerPort> ports;  // <= max_listener_ports, in order found
};

struct ProbeState {
  explicit ProbeState(uint32_t cap) : recent(cap) {}
  RecentDistinct recent;  // distinct targets within sweep_window_s
  DistinctSketch targets_total;
  uint64_t probes = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  int64_t last_sweep_alert = INT64_MIN;
  std::vector<uint16_t> ports;  // first kProbePorts distinct ports probed
  struct Upload {
    IpAddress server;
    uint16_t port;
    int64_t last_alert;
  };
  std::vector<Upload> uploads;  // suppression keys, <= kUploadKeysPerClient
  uint64_t uploads_sent = 0;
};

struct MailState {
  explicit MailState(const HostConfig& c)
      : servers(c.burst_distinct_servers),
        sessions(c.burst_sessions),
        recipients(c.burst_messages_or_recipients) {}
  RecentDistinct servers;  // external servers within burst_window_s
  RecentCount sessions;
  RecentCount recipients;  // one entry per message, weight = recipients
  DistinctSketch servers_total;
  uint64_t sessions_total = 0;
  uint64_t messages_total = 0;
  uint64_t recipients_total = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  int64_t last_alert = INT64_MIN;
  Json last_alert_evidence;  // the `host` object of the last mass-mailing alert
};

struct HostTracker::HostState {
  IpAddress ip;
  bool used = false;  // the slot holds a host
  bool home = false;
  bool infected_alerted = false;
  uint8_t signs = 0;
  uint32_t prev = kNone;
  uint32_t next = kNone;
  uint64_t moved_at = 0;  // lru_clock_ when last moved to the front
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  uint32_t attachments = 0;
  int64_t attachment_first = 0;
  int64_t attachment_last = 0;
  std::vector<uint64_t> attachment_flows;
  std::unique_ptr<ListenerState> listener;
  std::unique_ptr<ProbeState> probe;
  std::unique_ptr<MailState> mail;
};

// ---------------------------------------------------------------------------

namespace {
uint32_t hash32(const IpAddress& a) { return static_cast<uint32_t>(hash_address(a)); }
}  // namespace

HostTracker::HostTracker(const HostConfig& cfg, EmitFn emit)
    : cfg_(cfg), emit_(std::move(emit)), answered_flows_(kAnsweredFlows, 0) {
  // Slots never move while an event is handled; reserving keeps growth off the
  // event path for all but huge caps (untouched pages are not resident).
  slots_.reserve(std::min<size_t>(cfg_.max_hosts, 1 << 20));
}

HostTracker::~HostTracker() = default;

HostCounters HostTracker::counters() const {
  HostCounters c = c_;
  c.hosts_tracked = index_.size();
  return c;
}

size_t HostTracker::memory_bytes() const {
  size_t n = answered_flows_.capacity() * sizeof(uint64_t) + index_.memory_bytes();
  n += slots_.size() * sizeof(HostState) + free_slots_.capacity() * sizeof(uint32_t);
  for (const HostState& hs : slots_) {
    if (!hs.used) continue;
    const HostState* h = &hs;
    n += h->attachment_flows.capacity() * sizeof(uint64_t);
    if (h->listener) {
      n += sizeof(ListenerState);
      for (const auto& p : h->listener->ports)
        n += sizeof(ListenerPort) + p.peers.capacity() * sizeof(IpAddress);
    }
    if (h->probe)
      n += sizeof(ProbeState) + h->probe->recent.memory_bytes() +
           h->probe->ports.capacity() * sizeof(uint16_t) +
           h->probe->uploads.capacity() * sizeof(ProbeState::Upload);
    if (h->mail)
      n += sizeof(MailState) + h->mail->servers.memory_bytes() + h->mail->sessions.memory_bytes() +
           h->mail->recipients.memory_bytes();
  }
  return n;
}

// --- host table: index + slots + intrusive LRU list -------------------------

HostTracker::HostState* HostTracker::find(const IpAddress& ip) {
  const uint32_t slot = index_.find(hash32(ip), [&](uint32_t s) { return slots_[s].ip == ip; });
  return slot == HostIndex::kNone ? nullptr : &slots_[slot];
}

void HostTracker::touch(HostState& h, uint32_t slot, int64_t ts) {
  h.last_seen = std::max(h.last_seen, ts);
  ++lru_clock_;
  // Lazy move to front: a host moved fewer than size/2 touches ago is still in
  // the front half of the list, far from eviction; relinking it would only
  // touch its neighbours' cache lines. The evicted host is therefore never one
  // touched in the last size/2 touches (exact LRU in the back half).
  if (lru_head_ == slot) return;
  const bool linked = h.prev != kNone;  // not the head, so linked means it has a predecessor
  if (linked && lru_clock_ - h.moved_at < index_.size() / 2) return;
  h.moved_at = lru_clock_;
  // unlink
  if (h.prev != kNone) slots_[h.prev].next = h.next;
  if (h.next != kNone) slots_[h.next].prev = h.prev;
  if (lru_tail_ == slot) lru_tail_ = h.prev;
  // push front
  h.prev = kNone;
  h.next = lru_head_;
  if (lru_head_ != kNone) slots_[lru_head_].prev = slot;
  lru_head_ = slot;
  if (lru_tail_ == kNone) lru_tail_ = slot;
}

void HostTracker::evict_one() {
  const uint32_t slot = lru_tail_;
  if (slot == kNone) return;
  HostState& h = slots_[slot];
  lru_tail_ = h.prev;
  if (lru_tail_ != kNone) slots_[lru_tail_].next = kNone;
  if (lru_head_ == slot) lru_head_ = kNone;
  c_.hosts_evicted++;
  if (h.signs || (h.listener && !h.listener->ports.empty())) c_.hosts_evicted_flagged++;
  index_.erase(hash32(h.ip), slot);
  h = HostState{};  // frees the detector state
  free_slots_.push_back(slot);
}

HostTracker::HostState* HostTracker::find_or_create(const IpAddress& ip, int64_t ts) {
  const uint32_t hash = hash32(ip);
  uint32_t slot = index_.find(hash, [&](uint32_t s) { return slots_[s].ip == ip; });
  if (slot != HostIndex::kNone) {
    touch(slots_[slot], slot, ts);
    return &slots_[slot];
  }
  if (index_.size() >= cfg_.max_hosts) evict_one();
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  HostState& h = slots_[slot];
  h.used = true;
  h.ip = ip;
  h.home = cfg_.home_net.contains(ip);
  h.first_seen = h.last_seen = ts;
  index_.insert(hash, slot);
  c_.hosts_created++;
  c_.hosts_high_water = std::max<uint64_t>(c_.hosts_high_water, index_.size());
  touch(h, slot, ts);
  return &h;
}

// --- events ----------------------------------------------------------------

const IpAddress& HostTracker::primary_address(const HostEvent& e) {
  using K = HostEvent::Kind;
  return e.kind == K::kSynAck || e.kind == K::kServerPayload ? e.server : e.client;
}

void HostTracker::prefetch_index(const HostEvent& e) const {
  index_.prefetch(hash32(primary_address(e)));
}

const HostTracker::HostState* HostTracker::peek_slot(const HostEvent& e) const {
  const uint32_t slot = index_.first_with_hash(hash32(primary_address(e)));
  return slot == HostIndex::kNone ? nullptr : &slots_[slot];
}

void HostTracker::prefetch_slot(const HostEvent& e) const {
  if (const HostState* h = peek_slot(e)) {
    __builtin_prefetch(h);
    __builtin_prefetch(reinterpret_cast<const char*>(h) + 64);
  }
}

namespace {
template <class T>
void prefetch_object(const T* p) {
  if (!p) return;
  for (size_t off = 0; off < sizeof(T); off += 64)
    __builtin_prefetch(reinterpret_cast<const char*>(p) + off);
}
}  // namespace

void HostTracker::prefetch_state(const HostEvent& e) const {
  const HostState* h = peek_slot(e);
  if (!h) return;
  using K = HostEvent::Kind;
  switch (e.kind) {
    case K::kSmtpSession:
    case K::kSmtpMessage:
      prefetch_object(h->mail.get());
      break;
    case K::kInfectedAttachment:
      break;
    case K::kSynAck:
    case K::kServerPayload:
      prefetch_object(h->listener.get());
      break;
    default:
      prefetch_object(h->probe.get());
  }
}

void HostTracker::prefetch_windows(const HostEvent& e) const {
  const HostState* h = peek_slot(e);
  if (!h) return;
  using K = HostEvent::Kind;
  switch (e.kind) {
    case K::kSmtpSession:
      if (h->mail) {
        h->mail->servers.prefetch();
        h->mail->sessions.prefetch();
      }
      break;
    case K::kSmtpMessage:
      if (h->mail) h->mail->recipients.prefetch();
      break;
    case K::kSyn:
    case K::kHandshake:
    case K::kClientPayload:
      if (h->probe) {
        h->probe->recent.prefetch();
        __builtin_prefetch(h->probe->ports.data());
      }
      break;
    case K::kSynAck:
    case K::kServerPayload:
      if (h->listener) __builtin_prefetch(h->listener->ports.data());
      break;
    default:
      break;
  }
}

void HostTracker::on_events(const HostEvent* ev, size_t n) {
  // A four-stage pipeline, two events per stage: index line, host slot, detector
  // state, window buffers; each stage reads only what the one before prefetched.
  constexpr size_t kStep = 2;
  auto wanted = [this](const HostEvent& e) {
    return !(is_backdoor_kind(e.kind) && !cfg_.backdoor_ports.contains(e.server_port));
  };
  for (size_t i = 0; i < n; ++i) {
    if (i + 4 * kStep < n && wanted(ev[i + 4 * kStep])) prefetch_index(ev[i + 4 * kStep]);
    if (i + 3 * kStep < n && wanted(ev[i + 3 * kStep])) prefetch_slot(ev[i + 3 * kStep]);
    if (i + 2 * kStep < n && wanted(ev[i + 2 * kStep])) prefetch_state(ev[i + 2 * kStep]);
    if (i + kStep < n && wanted(ev[i + kStep])) prefetch_windows(ev[i + kStep]);
    on_event(ev[i]);
  }
}

void HostTracker::on_event(const HostEvent& e) {
  c_.events++;
  if (e.ts_us < now_) {
    c_.events_late++;
  } else {
    tick(e.ts_us);
  }
  using K = HostEvent::Kind;
  if (is_backdoor_kind(e.kind) && !cfg_.backdoor_ports.contains(e.server_port)) {
    c_.events_ignored++;
    return;
  }
  switch (e.kind) {
    case K::kSyn:
      on_probe(e);
      break;
    case K::kSynAck:
    case K::kHandshake: {
      // A connection may report both its SYN-ACK and its handshake: count it once.
      const bool new_connection = !was_answered(e.flow_id);
      note_answered(e.flow_id);
      if (e.kind == K::kHandshake) on_probe(e);
      on_listener_answer(e, new_connection);
      break;
    }
    case K::kClientPayload:
      on_probe(e);
      if (e.magic) on_upload(e);
      on_payload(e, true);
      break;
    case K::kServerPayload:
      note_answered(e.flow_id);
      on_payload(e, false);
      break;
    case K::kSmtpSession:
    case K::kSmtpMessage:
      on_smtp(e);
      break;
    case K::kInfectedAttachment:
      on_attachment(e);
      break;
  }
}

void HostTracker::tick(int64_t now_us) {
  if (now_us <= now_) return;
  now_ = now_us;
  if (cfg_.inventory_interval_s <= 0) return;
  const int64_t interval = cfg_.inventory_interval_s * kUs;
  if (next_inventory_ == INT64_MIN) {
    next_inventory_ = now_ + interval;
    return;
  }
  if (now_ < next_inventory_) return;
  emit_inventory(now_, "periodic");
  // A long silence gives one record set, not one per missed interval.
  next_inventory_ += ((now_ - next_inventory_) / interval + 1) * interval;
}

void HostTracker::finish(int64_t now_us) {
  if (now_us > now_) now_ = now_us;
  emit_inventory(now_ == INT64_MIN ? 0 : now_, "final");
}

void HostTracker::note_answered(uint64_t flow_id) {
  if (flow_id) answered_flows_[(flow_id * 0x9e3779b97f4a7c15ull) >> 52] = flow_id;
}

bool HostTracker::was_answered(uint64_t flow_id) const {
  return flow_id && answered_flows_[(flow_id * 0x9e3779b97f4a7c15ull) >> 52] == flow_id;
}

// --- backdoor: probes and sweeps -----------------------------------------------

void HostTracker::on_probe(const HostEvent& e) {
  // A connection to a known service (a Squid proxy on 3128) is not a probe.
  if (cfg_.listener_allow.contains(e.server)) return;
  HostState* h = find_or_create(e.client, e.ts_us);
  if (!h->probe) {
    h->probe = std::make_unique<ProbeState>(cfg_.sweep_targets);
    h->probe->first_seen = e.ts_us;
  }
  ProbeState& p = *h->probe;
  if (e.kind == HostEvent::Kind::kSyn) p.probes++;
  p.last_seen = std::max(p.last_seen, e.ts_us);
  p.targets_total.add(hash_address(e.server));
  if (p.ports.size() < kProbePorts &&
      std::find(p.ports.begin(), p.ports.end(), e.server_port) == p.ports.end())
    p.ports.push_back(e.server_port);
  p.recent.add(e.server, e.ts_us, now_ - cfg_.sweep_window_s * kUs);
  if (!p.recent.full()) return;

  if (p.last_sweep_alert != INT64_MIN && e.ts_us - p.last_sweep_alert < cfg_.suppression_s * kUs) {
    c_.alerts_suppressed++;
    p.recent.clear();  // the next crossing needs a full window of new targets
    return;
  }
  Json j = alert_record(EventId::kHostBackdoorSweep, e, e.ts_us);
  Json o;
  o["ip"] = e.client.to_string();
  o["home"] = h->home;
  o["window_s"] = cfg_.sweep_window_s;
  o["targets"] = p.recent.count();
  o["targets_sample"] = addresses_json(p.recent.sample(cfg_.sample_size));
  std::vector<uint16_t> ports = p.ports;
  std::sort(ports.begin(), ports.end());
  o["ports"] = ports;
  o["targets_total"] = p.targets_total.estimate();
  o["targets_total_exact"] = p.targets_total.exact();
  o["probes"] = p.probes;
  o["first_seen"] = format_eve_timestamp(p.first_seen);
  o["last_seen"] = format_eve_timestamp(p.last_seen);
  j["host"] = std::move(o);
  emit_alert(j);
  c_.alerts_sweep++;
  p.last_sweep_alert = e.ts_us;
  p.recent.clear();
}

// --- backdoor: listeners ----------------------------------------------------

namespace {

Json listener_json(const ListenerPort& lp) {
  Json o;
  o["port"] = lp.port;
  o["first_seen"] = format_eve_timestamp(lp.first_seen);
  o["last_seen"] = format_eve_timestamp(lp.last_seen);
  o["connections"] = lp.connections;
  o["peer_count"] = lp.peer_count.estimate();
  std::vector<IpAddress> peers = lp.peers;
  std::sort(peers.begin(), peers.end());
  o["peers"] = addresses_json(peers);
  o["data_exchanged"] = lp.client_data || lp.server_data;
  o["client_data"] = lp.client_data;
  o["server_data"] = lp.server_data;
  return o;
}

}  // namespace

void HostTracker::on_listener_answer(const HostEvent& e, bool new_connection) {
  if (!cfg_.home_net.contains(e.server)) return;  // not ours to judge
  if (cfg_.listener_allow.contains(e.server)) {
    c_.listener_allowed++;
    return;
  }
  HostState* h = find_or_create(e.server, e.ts_us);
  if (!h->listener) h->listener = std::make_unique<ListenerState>();
  auto& ports = h->listener->ports;
  auto it = std::find_if(ports.begin(), ports.end(),
                         [&](const ListenerPort& p) { return p.port == e.server_port; });
  if (it == ports.end()) {
    if (ports.size() >= cfg_.max_listener_ports) {
      c_.listener_ports_dropped++;
      return;
    }
    ports.emplace_back();
    it = std::prev(ports.end());
    it->port = e.server_port;
    it->first_seen = it->last_seen = e.ts_us;
    c_.listeners++;
  }
  ListenerPort& lp = *it;
  lp.last_seen = std::max(lp.last_seen, e.ts_us);
  if (new_connection) lp.connections++;
  if (lp.peers.size() < cfg_.sample_size &&
      std::find(lp.peers.begin(), lp.peers.end(), e.client) == lp.peers.end())
    lp.peers.push_back(e.client);
  lp.peer_count.add(hash_address(e.client));

  if (lp.last_alert == INT64_MIN || e.ts_us - lp.last_alert >= cfg_.suppression_s * kUs) {
    Json j = alert_record(EventId::kHostBackdoorListener, e, e.ts_us);
    Json o;
    o["ip"] = e.server.to_string();
    const Json details = listener_json(lp);  // named: items() must not outlive a temporary
    for (const auto& item : details.items()) o[item.key()] = item.value();
    j["host"] = std::move(o);
    emit_alert(j);
    c_.alerts_listener++;
    lp.last_alert = e.ts_us;
  }
  add_sign(*h, kSignListener, e);
}

void HostTracker::on_payload(const HostEvent& e, bool from_client) {
  HostState* h = find(e.server);
  if (!h || !h->listener) return;
  for (ListenerPort& lp : h->listener->ports) {
    if (lp.port != e.server_port) continue;
    (from_client ? lp.client_data : lp.server_data) = true;
    lp.last_seen = std::max(lp.last_seen, e.ts_us);
  }
}

// --- backdoor: uploads ------------------------------------------------------

void HostTracker::on_upload(const HostEvent& e) {
  c_.upload_attempts++;
  HostState* h = find_or_create(e.client, e.ts_us);
  if (!h->probe) {
    h->probe = std::make_unique<ProbeState>(cfg_.sweep_targets);
    h->probe->first_seen = h->probe->last_seen = e.ts_us;
  }
  ProbeState& p = *h->probe;
  p.uploads_sent++;

  auto key = std::find_if(p.uploads.begin(), p.uploads.end(), [&](const ProbeState::Upload& u) {
    return u.server == e.server && u.port == e.server_port;
  });
  if (key != p.uploads.end() && e.ts_us - key->last_alert < cfg_.suppression_s * kUs) {
    c_.alerts_suppressed++;
    return;
  }
  if (key == p.uploads.end()) {
    if (p.uploads.size() < kUploadKeysPerClient) {
      p.uploads.push_back({e.server, e.server_port, e.ts_us});
      key = std::prev(p.uploads.end());
    } else {
      key = std::min_element(p.uploads.begin(), p.uploads.end(), [](const auto& a, const auto& b) {
        return a.last_alert < b.last_alert;
      });
      *key = {e.server, e.server_port, e.ts_us};
    }
  }
  key->last_alert = e.ts_us;

  const bool accepted = (e.flags & HostEvent::kServerAnswered) || was_answered(e.flow_id);
  bool listener_known = false;
  if (const HostState* s = find(e.server); s && s->listener)
    for (const auto& lp : s->listener->ports) listener_known |= lp.port == e.server_port;

  Json j = alert_record(EventId::kHostBackdoorUpload, e, e.ts_us);
  Json o;
  o["ip"] = e.server.to_string();
  o["port"] = e.server_port;
  o["home"] = cfg_.home_net.contains(e.server);
  o["client"] = e.client.to_string();
  o["client_home"] = h->home;
  o["accepted"] = accepted;
  o["listener_known"] = listener_known;
  o["uploads_from_client"] = p.uploads_sent;
  j["host"] = std::move(o);
  emit_alert(j);
  c_.alerts_upload++;
}

// --- mass mailing -----------------------------------------------------------

void HostTracker::on_smtp(const HostEvent& e) {
  if (!cfg_.home_net.contains(e.client)) {
    c_.events_ignored++;
    return;
  }
  if (cfg_.mail_relays.contains(e.client)) {
    c_.events_from_relays++;
    return;
  }
  HostState* h = find_or_create(e.client, e.ts_us);
  if (!h->mail) {
    h->mail = std::make_unique<MailState>(cfg_);
    h->mail->first_seen = e.ts_us;
  }
  MailState& m = *h->mail;
  m.last_seen = std::max(m.last_seen, e.ts_us);
  const int64_t horizon = now_ - cfg_.burst_window_s * kUs;
  if (e.kind == HostEvent::Kind::kSmtpSession) {
    m.sessions_total++;
    m.sessions.add(e.ts_us, 1, horizon);
    if (!cfg_.home_net.contains(e.server)) {
      m.servers.add(e.server, e.ts_us, horizon);
      m.servers_total.add(hash_address(e.server));
    }
  } else {
    m.messages_total++;
    m.recipients_total += std::max<uint32_t>(e.count, 1);
    m.recipients.add(e.ts_us, e.count, horizon);
  }
  // Expiry only lowers a count, so a window under its threshold needs none: most
  // events touch only the window they add to (one cache line less per window).
  const bool may_servers = m.servers.full();
  const bool may_sessions = m.sessions.count() >= cfg_.burst_sessions;
  const bool may_recipients = m.recipients.sum() >= cfg_.burst_messages_or_recipients;
  if (!may_servers && !may_sessions && !may_recipients) return;
  m.servers.expire(horizon);
  m.sessions.expire(horizon);
  m.recipients.expire(horizon);
  const bool by_servers = m.servers.full();
  const bool by_sessions = m.sessions.count() >= cfg_.burst_sessions;
  const bool by_recipients = m.recipients.sum() >= cfg_.burst_messages_or_recipients;
  if (!by_servers && !by_sessions && !by_recipients) return;

  auto restart_window = [&] {
    m.servers.clear();
    m.sessions.clear();
    m.recipients.clear();
  };
  if (m.last_alert != INT64_MIN && e.ts_us - m.last_alert < cfg_.suppression_s * kUs) {
    c_.alerts_suppressed++;
    restart_window();
    return;
  }
  Json o;
  o["ip"] = e.client.to_string();
  o["window_s"] = cfg_.burst_window_s;
  Json triggers = Json::array();
  if (by_servers) triggers.push_back("distinct_servers");
  if (by_sessions) triggers.push_back("sessions");
  if (by_recipients) triggers.push_back("recipients");
  o["triggers"] = std::move(triggers);
  // Window counts are exact up to their threshold (the structures keep no more).
  o["distinct_servers"] = m.servers.count();
  o["sessions"] = m.sessions.count();
  o["messages"] = m.recipients.count();
  o["recipients"] = m.recipients.sum();
  o["servers_sample"] = addresses_json(m.servers.sample(cfg_.sample_size));
  o["first_seen"] = format_eve_timestamp(m.first_seen);
  o["last_seen"] = format_eve_timestamp(m.last_seen);
  o["sessions_total"] = m.sessions_total;
  o["messages_total"] = m.messages_total;
  o["recipients_total"] = m.recipients_total;
  o["distinct_servers_total"] = m.servers_total.estimate();
  o["distinct_servers_total_exact"] = m.servers_total.exact();

  Json j = alert_record(EventId::kHostMassMailing, e, e.ts_us);
  j["host"] = o;
  emit_alert(j);
  c_.alerts_mass_mailing++;
  m.last_alert = e.ts_us;
  m.last_alert_evidence = std::move(o);
  restart_window();
  add_sign(*h, kSignMassMailing, e);
}

// --- infected attachments and the verdict -----------------------------------

void HostTracker::on_attachment(const HostEvent& e) {
  if (!cfg_.home_net.contains(e.client)) {
    c_.events_ignored++;
    return;
  }
  if (cfg_.mail_relays.contains(e.client)) {
    c_.events_from_relays++;  // a relay forwards what others sent: not a sign against it
    return;
  }
  c_.infected_attachments++;
  HostState* h = find_or_create(e.client, e.ts_us);
  if (h->attachments == 0) h->attachment_first = e.ts_us;
  h->attachments++;
  h->attachment_last = std::max(h->attachment_last, e.ts_us);
  if (e.flow_id && h->attachment_flows.size() < kAttachmentFlows &&
      std::find(h->attachment_flows.begin(), h->attachment_flows.end(), e.flow_id) ==
          h->attachment_flows.end())
    h->attachment_flows.push_back(e.flow_id);
  add_sign(*h, kSignAttachment, e);
}

void HostTracker::add_sign(HostState& h, uint8_t sign, const HostEvent& cause) {
  h.signs |= sign;
  if (h.infected_alerted || std::popcount(h.signs) < 2) return;
  h.infected_alerted = true;
  Json j = alert_record(EventId::kHostInfected, cause, cause.ts_us);
  j["host"] = host_object(h);
  emit_alert(j);
  c_.alerts_infected++;
}

// --- records ----------------------------------------------------------------

Json HostTracker::alert_record(EventId id, const HostEvent& cause, int64_t ts) const {
  EveEndpoints ep;
  ep.src_ip = cause.client;
  ep.dest_ip = cause.server;
  ep.src_port = cause.client_port;
  ep.dest_port = cause.server_port;
  ep.proto = 6;
  using K = HostEvent::Kind;
  const bool smtp = cause.kind == K::kSmtpSession || cause.kind == K::kSmtpMessage ||
                    cause.kind == K::kInfectedAttachment;
  Json j = eve_header(ts, cause.flow_id, "alert", ep, smtp ? "smtp" : "");
  const EventInfo& info = event_info(id);
  Json a;
  a["action"] = "allowed";
  a["gid"] = 1;
  a["signature_id"] = info.id;
  a["rev"] = 1;
  a["signature"] = std::string(info.signature);
  a["category"] = std::string(info.category);
  a["severity"] = info.severity;
  j["alert"] = std::move(a);
  return j;
}

Json HostTracker::host_object(const HostState& h) const {
  Json o;
  o["ip"] = h.ip.to_string();
  o["home"] = h.home;
  o["first_seen"] = format_eve_timestamp(h.first_seen);
  o["last_seen"] = format_eve_timestamp(h.last_seen);
  Json signs = Json::array();
  for (const auto& s : kSigns)
    if (h.signs & s.bit) signs.push_back(s.name);
  o["signs"] = std::move(signs);
  o["infected"] = h.infected_alerted;
  if (h.listener && !h.listener->ports.empty()) {
    std::vector<const ListenerPort*> ports;
    for (const auto& lp : h.listener->ports) ports.push_back(&lp);
    std::sort(ports.begin(), ports.end(),
              [](const ListenerPort* a, const ListenerPort* b) { return a->port < b->port; });
    Json l = Json::array();
    for (const auto* lp : ports) l.push_back(listener_json(*lp));
    o["listeners"] = std::move(l);
  }
  if (h.mail) {
    const MailState& m = *h.mail;
    Json mail;
    mail["first_seen"] = format_eve_timestamp(m.first_seen);
    mail["last_seen"] = format_eve_timestamp(m.last_seen);
    mail["sessions_total"] = m.sessions_total;
    mail["messages_total"] = m.messages_total;
    mail["recipients_total"] = m.recipients_total;
    mail["distinct_servers_total"] = m.servers_total.estimate();
    if (m.last_alert != INT64_MIN) {
      mail["last_alert"] = format_eve_timestamp(m.last_alert);
      mail["last_burst"] = m.last_alert_evidence;
    }
    o["mail"] = std::move(mail);
  }
  if (h.attachments) {
    Json a;
    a["count"] = h.attachments;
    a["first_seen"] = format_eve_timestamp(h.attachment_first);
    a["last_seen"] = format_eve_timestamp(h.attachment_last);
    std::vector<uint64_t> flows = h.attachment_flows;
    std::sort(flows.begin(), flows.end());
    a["flow_ids"] = flows;
    o["infected_attachments"] = std::move(a);
  }
  if (h.probe) {
    const ProbeState& p = *h.probe;
    Json pr;
    pr["first_seen"] = format_eve_timestamp(p.first_seen);
    pr["last_seen"] = format_eve_timestamp(p.last_seen);
    pr["probes"] = p.probes;
    pr["targets_total"] = p.targets_total.estimate();
    std::vector<uint16_t> ports = p.ports;
    std::sort(ports.begin(), ports.end());
    pr["ports"] = ports;
    pr["uploads"] = p.uploads_sent;
    o["backdoor_client"] = std::move(pr);
  }
  return o;
}

void HostTracker::emit_alert(const Json& j) {
  if (emit_) emit_("alert", eve_dump(j));
}

void HostTracker::emit_inventory(int64_t now_us, const char* kind) {
  std::vector<const HostState*> hosts;
  for (const HostState& h : slots_)
    if (h.used && (h.signs || (h.listener && !h.listener->ports.empty()))) hosts.push_back(&h);
  std::sort(hosts.begin(), hosts.end(),
            [](const HostState* a, const HostState* b) { return a->ip < b->ip; });
  for (const HostState* h : hosts) {
    Json j = eve_header(now_us, 0, "host", EveEndpoints{}, "");
    Json o = host_object(*h);
    o["inventory"] = kind;
    j["host"] = std::move(o);
    if (emit_) emit_("host", eve_dump(j));
    c_.inventory_records++;
  }
}

}  // namespace ww
