#include "tools/gen/tcp_flow.h"

#include <algorithm>

#include "tools/gen/frame_builder.h"

namespace ww::gen {
namespace {

constexpr size_t kTimestampOptionBytes = 12;  // NOP NOP TS
// Ethernet + IPv4 + TCP overhead used for serialisation time; close enough
// for IPv6 and VLANs too.
constexpr size_t kFrameOverhead = 66;

}  // namespace

TcpFlow::TcpFlow(const TcpFlowConfig& cfg)
    : cfg_(cfg), rng_(cfg.seed), reorder_rng_(cfg.seed ^ 0x72656f7264657221ull) {
  set_endpoints(ip_proto::kTcp, cfg_.client, cfg_.server, cfg_.link);
  cfg_.ack_every = std::max<uint32_t>(cfg_.ack_every, 1);
  clock_ = cfg_.start_us;
  auto& c = side_[index_of(Direction::kToServer)];
  auto& s = side_[index_of(Direction::kToClient)];
  c.window = cfg_.client_window;
  s.window = cfg_.server_window;
  c.ttl = cfg_.client_ttl;
  s.ttl = cfg_.server_ttl;
  c.ip_id = static_cast<uint16_t>(rng_.next());
  s.ip_id = static_cast<uint16_t>(rng_.next());
  c.ts_base = static_cast<uint32_t>(rng_.uniform(1000, 0x7fffffff));
  s.ts_base = static_cast<uint32_t>(rng_.uniform(1000, 0x7fffffff));
  const uint16_t mss = std::min(cfg_.client_mss, cfg_.server_mss);
  const size_t opt = cfg_.timestamps ? kTimestampOptionBytes : 0;
  c.send_mss = s.send_mss = static_cast<uint16_t>(std::max<size_t>(mss, opt + 1) - opt);

  if (cfg_.handshake) {
    c.nxt = cfg_.client_isn;
    s.nxt = cfg_.server_isn;
    push(Direction::kToServer, tcp_flag::kSyn, {}, 0);
    c.nxt += 1;
    push(Direction::kToClient, tcp_flag::kSyn | tcp_flag::kAck, {}, cfg_.rtt_us);
    s.nxt += 1;
    push_ack(Direction::kToServer);
  } else {
    c.nxt = cfg_.client_isn + 1;
    s.nxt = cfg_.server_isn + 1;
  }
}

TcpFlow& TcpFlow::send(Direction d, Payload payload) {
  ops_.push_back(Op{OpKind::kSend, d, std::move(payload), 0, false});
  return *this;
}

TcpFlow& TcpFlow::pause(int64_t us) {
  ops_.push_back(Op{OpKind::kPause, Direction::kToServer, Payload(), us, false});
  return *this;
}

TcpFlow& TcpFlow::close(Direction first, bool four_way) {
  ops_.push_back(Op{OpKind::kClose, first, Payload(), 0, four_way});
  return *this;
}

TcpFlow& TcpFlow::reset(Direction from) {
  ops_.push_back(Op{OpKind::kReset, from, Payload(), 0, false});
  return *this;
}

TcpFlow& TcpFlow::mark() {
  ops_.push_back(Op{OpKind::kMark, Direction::kToServer, Payload(), 0, false});
  return *this;
}

bool TcpFlow::done() {
  refill();
  return pending_.empty();
}

int64_t TcpFlow::next_time_us() {
  refill();
  return pending_.empty() ? clock_ : pending_.front().ts_us;
}

void TcpFlow::refill() {
  while (pending_.empty() && !ops_.empty() && !ended_) step();
}

const TcpFlow::Op* TcpFlow::next_significant_op() const {
  for (const auto& op : ops_) {
    if (op.kind != OpKind::kPause && op.kind != OpKind::kMark) return &op;
  }
  return nullptr;
}

void TcpFlow::step() {
  Op& op = ops_.front();
  const Direction d = op.dir;
  const Direction o = reverse(d);
  Side& me = side_[index_of(d)];
  Side& peer = side_[index_of(o)];
  switch (op.kind) {
    case OpKind::kPause:
      extra_gap_ += op.us;
      ops_.pop_front();
      return;
    case OpKind::kMark:
      pending_mark_ = true;
      ops_.pop_front();
      return;
    case OpKind::kSend: {
      if (op.payload.empty()) {
        ops_.pop_front();
        return;
      }
      const size_t n = static_cast<size_t>(std::min<uint64_t>(me.send_mss, op.payload.remaining()));
      std::vector<uint8_t> data(n);
      op.payload.read(data);
      const bool last = op.payload.empty();
      push(d, static_cast<uint8_t>(tcp_flag::kAck | (last ? tcp_flag::kPsh : 0)), std::move(data),
           gap_us(d, n, false));
      me.nxt += static_cast<uint32_t>(n);
      peer.unacked += 1;
      if (last) {
        ops_.pop_front();
        finish_message(d);
      } else if (peer.unacked >= cfg_.ack_every) {
        push_ack(o);
      }
      return;
    }
    case OpKind::kClose: {
      const bool four_way = op.four_way;
      ops_.pop_front();
      push(d, tcp_flag::kFin | tcp_flag::kAck, {}, gap_us(d, 0, false));
      me.nxt += 1;
      if (four_way) {
        push_ack(o);
        push(o, tcp_flag::kFin | tcp_flag::kAck, {}, gap_us(d, 0, false));
      } else {
        push(o, tcp_flag::kFin | tcp_flag::kAck, {}, gap_us(o, 0, false));
      }
      peer.nxt += 1;
      push_ack(d);
      pending_.back().ends_flow = true;
      pending_.back().end = FlowEnd::kFin;
      ended_ = true;
      ops_.clear();
      return;
    }
    case OpKind::kReset:
      ops_.clear();
      push(d, tcp_flag::kRst | tcp_flag::kAck, {}, gap_us(d, 0, false));
      pending_.back().ends_flow = true;
      pending_.back().end = FlowEnd::kRst;
      ended_ = true;
      return;
  }
}

void TcpFlow::finish_message(Direction sender) {
  const Direction receiver = reverse(sender);
  if (side_[index_of(receiver)].unacked == 0) return;
  // The receiver's next packet carries the ACK when it is its own data, a
  // FIN exchange or a RST; otherwise it ACKs now (the delayed ACK).
  const Op* next = next_significant_op();
  if (next && (next->kind == OpKind::kClose || next->kind == OpKind::kReset ||
               (next->kind == OpKind::kSend && next->dir == receiver && !next->payload.empty()))) {
    return;
  }
  push_ack(receiver);
}

void TcpFlow::push_ack(Direction from) {
  Side& me = side_[index_of(from)];
  const Side& peer = side_[index_of(reverse(from))];
  // A pure ACK that acknowledges nothing new would be a duplicate ACK.
  if (any_pushed_ && me.last_ack_sent == peer.nxt && me.unacked == 0) return;
  push(from, tcp_flag::kAck, {}, gap_us(from, 0, true));
}

void TcpFlow::push(Direction d, uint8_t flags, std::vector<uint8_t> data, int64_t gap) {
  Side& me = side_[index_of(d)];
  const Side& peer = side_[index_of(reverse(d))];
  Seg s{d, flags, me.nxt, 0, 0, std::move(data)};
  if (flags & tcp_flag::kAck) {
    s.ack = peer.nxt;
    me.last_ack_sent = peer.nxt;
    me.unacked = 0;
  }
  s.syn_options = (flags & tcp_flag::kSyn) != 0;
  if (any_pushed_) clock_ += std::max<int64_t>(gap + extra_gap_, 1);
  extra_gap_ = 0;
  s.ts_us = clock_;
  if (pending_mark_ && !s.data.empty()) {
    truth_.marks_us.push_back(clock_);
    pending_mark_ = false;
  }
  any_pushed_ = true;
  prev_dir_ = d;
  pending_.push_back(std::move(s));
}

int64_t TcpFlow::gap_us(Direction d, size_t payload_len, bool pure_ack) {
  if (!any_pushed_) return 0;
  if (pure_ack) return static_cast<int64_t>(rng_.uniform(20, 200));
  if (d == prev_dir_) {
    const uint64_t bits = (payload_len + kFrameOverhead) * 8;
    const uint64_t bw = std::max<uint64_t>(cfg_.bandwidth_bps, 1000);
    const uint64_t tx = bits * 1'000'000 / bw;
    return static_cast<int64_t>(tx + rng_.uniform(0, tx / 8 + 5));
  }
  const uint64_t half = static_cast<uint64_t>(std::max<int64_t>(cfg_.rtt_us / 2, 1));
  return static_cast<int64_t>(half + rng_.uniform(0, half));
}

void TcpFlow::maybe_reorder() {
  if (cfg_.reorder_percent <= 0) return;
  Seg& a = pending_.front();
  if (a.reordered || a.data.empty()) return;
  while (pending_.size() < 2 && !ops_.empty() && !ended_) step();
  if (pending_.size() < 2) return;
  Seg& b = pending_[1];
  if (b.data.empty() || b.dir != a.dir) return;
  if (!reorder_rng_.chance(cfg_.reorder_percent / 100.0)) return;
  std::swap(a.ts_us, b.ts_us);  // the times stay where they were, the segments move
  std::swap(a, b);
  a.reordered = b.reordered = true;
}

void TcpFlow::next(Packet& out) {
  refill();
  maybe_reorder();
  Seg& s = pending_.front();
  const Direction d = s.dir;
  Side& me = side_[index_of(d)];
  const Side& peer = side_[index_of(reverse(d))];
  const Endpoint& src = endpoint(d);
  const Endpoint& dst = endpoint(reverse(d));

  FrameBuilder fb;
  fb.link_spec(cfg_.link);
  if (cfg_.link.type == LinkType::kEthernet) {
    fb.ethernet(src.mac, dst.mac);
  }
  fb.ip(src.ip, dst.ip).ttl(me.ttl).ip_id(me.ip_id++).ip_dont_fragment(cfg_.dont_fragment);
  fb.tcp(src.port, dst.port).seq(s.seq).ack(s.ack).flags(s.flags).window(me.window);

  const uint32_t ts_val = me.ts_base + static_cast<uint32_t>((s.ts_us - cfg_.start_us) / 1000);
  const uint32_t ts_ecr = (s.flags & tcp_flag::kAck) ? peer.last_ts_val : 0;
  if (s.syn_options) {
    const uint16_t mss = d == Direction::kToServer ? cfg_.client_mss : cfg_.server_mss;
    if (cfg_.timestamps) {  // Linux layout
      fb.mss(mss);
      if (cfg_.sack_permitted) fb.sack_permitted();
      fb.timestamps(ts_val, ts_ecr);
      if (cfg_.wscale >= 0) fb.nop().wscale(static_cast<uint8_t>(cfg_.wscale));
    } else {  // Windows layout
      fb.mss(mss);
      if (cfg_.wscale >= 0) fb.nop().wscale(static_cast<uint8_t>(cfg_.wscale));
      if (cfg_.sack_permitted) fb.nop().nop().sack_permitted();
    }
  } else if (cfg_.timestamps) {
    fb.nop().nop().timestamps(ts_val, ts_ecr);
  }
  if (cfg_.timestamps) me.last_ts_val = ts_val;
  fb.payload(s.data);
  fb.build_into(out.frame);
  out.ts_us = s.ts_us;
  count(d, out, s.data.size());
  if (s.ends_flow) truth_.end = s.end;
  pending_.pop_front();
}

}  // namespace ww::gen
