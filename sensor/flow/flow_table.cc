#include "sensor/flow/flow_table.h"

#include <limits>

namespace ww {

const char* tcp_state_name(TcpState s) {
  switch (s) {
    case TcpState::kNone: return "none";
    case TcpState::kSynSent: return "syn_sent";
    case TcpState::kSynRecv: return "syn_recv";
    case TcpState::kEstablished: return "established";
    case TcpState::kFinWait: return "fin_wait";
    case TcpState::kClosing: return "closing";
    case TcpState::kClosed: return "closed";
  }
  return "none";
}

const char* timeout_class_name(TimeoutClass c) {
  static constexpr const char* kNames[] = {"tcp_new", "tcp_established", "tcp_closed", "udp_new",
                                           "udp_established", "icmp", "other"};
  auto i = static_cast<size_t>(c);
  return i < std::size(kNames) ? kNames[i] : "other";
}

const char* flow_end_reason_name(FlowEndReason r) {
  static constexpr const char* kNames[] = {
#define WW_X(n, d) #n,
      WW_FLOW_END_REASONS(WW_X)
#undef WW_X
  };
  auto i = static_cast<size_t>(r);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

void FlowCounters::merge(const FlowCounters& o) {
  created += o.created;
  tcp += o.tcp;
  udp += o.udp;
  icmp += o.icmp;
  other += o.other;
  active += o.active;
  max_active += o.max_active;
  midstream += o.midstream;
  for (size_t i = 0; i < ended.size(); ++i) ended[i] += o.ended[i];
}

FlowTable::FlowTable(const FlowTableConfig& cfg, EndCallback on_end)
    : cfg_(cfg), on_end_(std::move(on_end)) {
  if (cfg_.max_flows == 0) cfg_.max_flows = 1;
  // Reserve address space for the cap once: slots never move, and untouched
  // pages cost no resident memory.
  slots_.reserve(cfg_.max_flows);
  buckets_.resize(1024);
  head_.fill(kNil);
  tail_.fill(kNil);
}

FlowTable::~FlowTable() { end_all(FlowEndReason::shutdown); }

uint32_t FlowTable::find(const FlowKey& key, uint64_t h) const {
  const size_t mask = buckets_.size() - 1;
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Bucket& b = buckets_[i];
    if (b.slot_plus1 == 0) return kNil;
    if (b.tag == tag && slots_[b.slot_plus1 - 1].key == key) return b.slot_plus1 - 1;
  }
}

void FlowTable::index_insert(uint64_t h, uint32_t slot) {
  if ((active_ + 1) * 2 > buckets_.size()) index_grow();
  const size_t mask = buckets_.size() - 1;
  size_t i = h & mask;
  while (buckets_[i].slot_plus1 != 0) i = (i + 1) & mask;
  buckets_[i] = {slot + 1, static_cast<uint32_t>(h >> 32)};
}

void FlowTable::index_grow() {
  std::vector<Bucket> old(buckets_.size() * 2);
  old.swap(buckets_);
  const size_t mask = buckets_.size() - 1;
  for (const Bucket& b : old) {
    if (b.slot_plus1 == 0) continue;
    size_t i = flow_key_hash(slots_[b.slot_plus1 - 1].key) & mask;
    while (buckets_[i].slot_plus1 != 0) i = (i + 1) & mask;
    buckets_[i] = b;
  }
}

void FlowTable::index_erase(const FlowKey& key) {
  const uint64_t h = flow_key_hash(key);
  const size_t mask = buckets_.size() - 1;
  size_t i = h & mask;
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (;; i = (i + 1) & mask) {
    const Bucket& b = buckets_[i];
    if (b.slot_plus1 == 0) return;
    if (b.tag == tag && slots_[b.slot_plus1 - 1].key == key) break;
  }
  // Backward-shift: pull later members of the probe run into the hole so that
  // lookups never need tombstones.
  size_t hole = i;
  for (size_t j = (i + 1) & mask; buckets_[j].slot_plus1 != 0; j = (j + 1) & mask) {
    size_t home = flow_key_hash(slots_[buckets_[j].slot_plus1 - 1].key) & mask;
    // Move j into the hole unless its home lies cyclically in (hole, j].
    bool home_in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!home_in_range) {
      buckets_[hole] = buckets_[j];
      hole = j;
    }
  }
  buckets_[hole] = Bucket{};
}

TimeoutClass FlowTable::class_of(const Flow& f) const {
  switch (f.proto) {
    case 6:
      switch (f.tcp_state) {
        case TcpState::kEstablished:
        case TcpState::kFinWait:
        case TcpState::kClosing:
          return TimeoutClass::kTcpEstablished;
        case TcpState::kClosed:
          return TimeoutClass::kTcpClosed;
        default:
          return TimeoutClass::kTcpNew;
      }
    case 17:
      return (f.pkts_toserver && f.pkts_toclient) ? TimeoutClass::kUdpEstablished
                                                  : TimeoutClass::kUdpNew;
    case 1:
    case 58:
      return TimeoutClass::kIcmp;
    default:
      return TimeoutClass::kOther;
  }
}

void FlowTable::lru_unlink(uint32_t idx) {
  Flow& f = slots_[idx];
  auto c = static_cast<size_t>(f.tclass);
  if (f.lru_prev != kNil) slots_[f.lru_prev].lru_next = f.lru_next; else head_[c] = f.lru_next;
  if (f.lru_next != kNil) slots_[f.lru_next].lru_prev = f.lru_prev; else tail_[c] = f.lru_prev;
  f.lru_prev = f.lru_next = kNil;
}

void FlowTable::lru_append(uint32_t idx) {
  Flow& f = slots_[idx];
  auto c = static_cast<size_t>(f.tclass);
  f.lru_prev = tail_[c];
  f.lru_next = kNil;
  if (tail_[c] != kNil) slots_[tail_[c]].lru_next = idx; else head_[c] = idx;
  tail_[c] = idx;
}

uint32_t FlowTable::oldest_slot() const {
  uint32_t best = kNil;
  int64_t best_ts = std::numeric_limits<int64_t>::max();
  for (uint32_t h : head_) {
    if (h != kNil && slots_[h].last_ts_us < best_ts) {
      best = h;
      best_ts = slots_[h].last_ts_us;
    }
  }
  return best;
}

void FlowTable::end_flow(uint32_t idx, FlowEndReason reason) {
  Flow& f = slots_[idx];
  lru_unlink(idx);
  counters_.ended[static_cast<size_t>(reason)]++;
  if (on_end_) on_end_(f, reason);
  index_erase(f.key);
  --active_;
  f = Flow{};           // releases app state (unique_ptr) and resets the slot
  free_.push_back(idx);
  counters_.active = active_;
}

Flow& FlowTable::create(const FlowKey& key, const DecodedPacket& p, bool src_is_lo) {
  if (active_ >= cfg_.max_flows) {
    uint32_t victim = oldest_slot();
    if (victim != kNil) end_flow(victim, FlowEndReason::evicted);
  }
  uint32_t idx;
  if (!free_.empty()) {
    idx = free_.back();
    free_.pop_back();
  } else {
    idx = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Flow& f = slots_[idx];
  f.key = key;
  f.proto = p.l4_proto;
  f.vlan = key.vlan;
  f.in_use = true;
  f.first_ts_us = f.last_ts_us = p.ts_us;

  // Orientation: the SYN sender is the client; a SYN-ACK names the client as
  // its destination; mid-stream, a well-known source port marks the server.
  bool src_is_client = true;
  if (p.l4_proto == 6) {
    const uint8_t fl = p.tcp.flags;
    bool syn = fl & tcp_flag::kSyn, ack = fl & tcp_flag::kAck;
    if (syn && ack) {
      src_is_client = false;
    } else if (!syn) {
      f.midstream = true;
      counters_.midstream++;
      if (p.src_port < 1024 && p.dst_port >= 1024) src_is_client = false;
    }
  } else if (p.l4_proto == 17) {
    if (p.src_port < 1024 && p.dst_port >= 1024) src_is_client = false;
  }
  f.client_ip = src_is_client ? p.src : p.dst;
  f.server_ip = src_is_client ? p.dst : p.src;
  f.client_port = src_is_client ? p.src_port : p.dst_port;
  f.server_port = src_is_client ? p.dst_port : p.src_port;

  // Flow id: stable across runs of the same capture, kept below 2^51 so that
  // JSON consumers that parse numbers as doubles keep it exact.
  f.flow_id = (flow_key_hash(key) ^ (static_cast<uint64_t>(p.ts_us) * 0x9e3779b97f4a7c15ULL)) &
              ((uint64_t{1} << 51) - 1);

  switch (p.l4_proto) {
    case 6: counters_.tcp++; break;
    case 17: counters_.udp++; break;
    case 1:
    case 58: counters_.icmp++; break;
    default: counters_.other++; break;
  }
  counters_.created++;
  index_insert(flow_key_hash(key), idx);
  ++active_;
  counters_.active = active_;
  if (counters_.active > counters_.max_active) counters_.max_active = counters_.active;
  f.tclass = class_of(f);
  f.lru_prev = f.lru_next = kNil;
  lru_append(idx);
  (void)src_is_lo;
  return f;
}

void FlowTable::update_tcp(Flow& f, const DecodedPacket& p, bool to_server) {
  const uint8_t fl = p.tcp.flags;
  (to_server ? f.tcp_flags_ts : f.tcp_flags_tc) |= fl;
  if (fl & tcp_flag::kRst) {
    f.tcp_state = TcpState::kClosed;
    return;
  }
  switch (f.tcp_state) {
    case TcpState::kNone:
      if ((fl & tcp_flag::kSyn) && !(fl & tcp_flag::kAck)) {
        f.tcp_state = TcpState::kSynSent;
      } else if ((fl & tcp_flag::kSyn) && (fl & tcp_flag::kAck)) {
        f.tcp_state = TcpState::kSynRecv;
      } else if (f.pkts_toserver && f.pkts_toclient) {
        f.tcp_state = TcpState::kEstablished;   // picked up mid-stream, both sides alive
      }
      break;
    case TcpState::kSynSent:
      if ((fl & tcp_flag::kSyn) && (fl & tcp_flag::kAck) && !to_server)
        f.tcp_state = TcpState::kSynRecv;
      break;
    case TcpState::kSynRecv:
      if ((fl & tcp_flag::kAck) && !(fl & tcp_flag::kSyn) && to_server)
        f.tcp_state = TcpState::kEstablished;
      break;
    default:
      break;
  }
  if (fl & tcp_flag::kFin) {
    (to_server ? f.fin_ts : f.fin_tc) = true;
    f.tcp_state = (f.fin_ts && f.fin_tc) ? TcpState::kClosing : TcpState::kFinWait;
  } else if (f.tcp_state == TcpState::kClosing && (fl & tcp_flag::kAck)) {
    // The last ACK after both FINs closes the connection.
    f.tcp_state = TcpState::kClosed;
  }
}

Flow& FlowTable::track(const DecodedPacket& p, bool* to_server) {
  bool src_is_lo = false;
  FlowKey key = FlowKey::from_packet(p, &src_is_lo);
  uint32_t idx = find(key, flow_key_hash(key));
  if (idx == kNil) {
    Flow& nf = create(key, p, src_is_lo);
    idx = static_cast<uint32_t>(&nf - slots_.data());
  } else {
    // A flow idle past its timeout is over even if expiry has not run yet: the
    // packet starts a new flow rather than reviving the old one.
    Flow& old = slots_[idx];
    const bool idle = old.last_ts_us + cfg_.timeout_us[static_cast<size_t>(old.tclass)] < p.ts_us;
    // A fresh SYN on a closed connection is a new connection reusing the ports.
    const bool reuse = old.proto == 6 && old.tcp_state == TcpState::kClosed &&
                       (p.tcp.flags & (tcp_flag::kSyn | tcp_flag::kAck)) == tcp_flag::kSyn;
    if (idle || reuse) {
      end_flow(idx, idle ? FlowEndReason::timeout : FlowEndReason::tcp_reuse);
      Flow& nf = create(key, p, src_is_lo);
      idx = static_cast<uint32_t>(&nf - slots_.data());
    }
  }
  Flow& f = slots_[idx];
  bool ts = (p.src == f.client_ip && p.src_port == f.client_port);
  if (f.client_ip == f.server_ip && f.client_port == f.server_port) ts = true;
  *to_server = ts;
  if (ts) {
    f.pkts_toserver++;
    f.bytes_toserver += p.wire_len;
  } else {
    f.pkts_toclient++;
    f.bytes_toclient += p.wire_len;
  }
  if (p.ts_us > f.last_ts_us) f.last_ts_us = p.ts_us;
  if (f.proto == 6 && !p.frag.is_fragment) update_tcp(f, p, ts);

  // Move to the tail of its (possibly new) class list; a flow that is already
  // the tail of its unchanged class (back-to-back packets) stays put.
  const TimeoutClass c = class_of(f);
  if (c != f.tclass || tail_[static_cast<size_t>(c)] != idx) {
    lru_unlink(idx);
    f.tclass = c;
    lru_append(idx);
  }
  return f;
}

void FlowTable::expire(int64_t now_us) {
  for (size_t c = 0; c < head_.size(); ++c) {
    const int64_t timeout = cfg_.timeout_us[c];
    while (head_[c] != kNil && slots_[head_[c]].last_ts_us + timeout < now_us) {
      end_flow(head_[c], FlowEndReason::timeout);
    }
  }
}

void FlowTable::end_all(FlowEndReason reason) {
  for (size_t c = 0; c < head_.size(); ++c) {
    while (head_[c] != kNil) end_flow(head_[c], reason);
  }
}

}  // namespace ww
