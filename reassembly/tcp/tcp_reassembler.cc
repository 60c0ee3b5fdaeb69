#include "reassembly/tcp/tcp_reassembler.h"

#include <algorithm>
#include <cstdint>

namespace ww {

namespace {

constexpr uint8_t kProtoTcp = 6;

uint16_t read_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// Sequence space the segment really occupies. Equal to the captured payload unless
// the capture cut it short (snap length): then the IP length says how much is missing.
uint64_t segment_length(const DecodedPacket& pkt) {
  const uint64_t have = pkt.payload.size();
  if (!pkt.payload_truncated || pkt.l3.empty() || pkt.payload.data() == nullptr) return have;
  const auto l3 = reinterpret_cast<uintptr_t>(pkt.l3.data());
  const auto pl = reinterpret_cast<uintptr_t>(pkt.payload.data());
  if (pl < l3 || pl > l3 + pkt.l3.size()) return have;
  const uint64_t headers = pl - l3;
  uint64_t ip_total = 0;
  if (pkt.ip_version == 4 && pkt.l3.size() >= 4) {
    ip_total = read_be16(pkt.l3.data() + 2);
  } else if (pkt.ip_version == 6 && pkt.l3.size() >= 6) {
    ip_total = 40 + uint64_t{read_be16(pkt.l3.data() + 4)};
  }
  if (ip_total <= headers) return have;
  return std::max(have, ip_total - headers);
}

}  // namespace

TcpReassembler::TcpReassembler(const TcpReassemblyConfig& config, ReassemblyMemory& memory,
                               ReassemblyCounters& counters, StreamSink& sink)
    : config_(&config),
      memory_(&memory),
      counters_(&counters),
      sink_(&sink),
      halves_{HalfStream(Direction::to_server, config.depth),
              HalfStream(Direction::to_client, config.depth)} {}

TcpReassembler::~TcpReassembler() { release(); }

void TcpReassembler::release() {
  auto e = env();
  for (HalfStream& h : halves_) h.release(e);
  closed_ = true;
}

void TcpReassembler::on_packet(Direction dir, const DecodedPacket& pkt) {
  ReassemblyCounters& c = *counters_;
  ++c.packets;
  if (pkt.l4_proto != kProtoTcp || pkt.frag.is_fragment) {
    ++c.not_tcp;
    return;
  }
  if (closed_) {
    ++c.packets_after_close;
    return;
  }
  if (refused_) {
    if (!pkt.payload.empty()) ++c.midstream_refused_segments;
    return;
  }
  const TcpInfo& tcp = pkt.tcp;
  if (tcp.flags & tcp_flag::kRst) {
    handle_rst(dir, tcp);
    return;
  }
  if (tcp.flags & tcp_flag::kSyn) handle_syn(dir, tcp);
  note_window(dir, tcp);
  if (tcp.flags & tcp_flag::kAck) handle_ack(dir, tcp);
  if (!pkt.payload.empty() || pkt.payload_truncated || (tcp.flags & tcp_flag::kFin)) {
    handle_segment(dir, pkt);
  }
  // After the packet, so that a late segment fills its hole before the hole expires.
  if (!refused_) on_timeout(pkt.ts_us);
}

void TcpReassembler::on_timeout(int64_t now_us) {
  if (closed_) return;
  auto e = env();
  for (HalfStream& h : halves_) h.check_timeout(e, now_us);
}

void TcpReassembler::finish() {
  if (closed_) return;
  close_both();
}

void TcpReassembler::close_both() {
  auto e = env();
  for (HalfStream& h : halves_) h.close(e);
  closed_ = true;
}

uint8_t TcpReassembler::window_shift(Direction sender) const {
  const HalfStream& a = half(Direction::to_server);
  const HalfStream& b = half(Direction::to_client);
  if (a.syn_seen() && b.syn_seen()) {
    // RFC 7323: scaling is on only when both SYNs carried the option.
    return a.wscale_offered() && b.wscale_offered() ? half(sender).wscale() : 0;
  }
  // Handshake not seen: the scale is unknown; assume the largest so that window
  // checks never reject genuine data.
  return 14;
}

void TcpReassembler::handle_syn(Direction dir, const TcpInfo& tcp) {
  flow_syn_seen_ = true;
  HalfStream& s = half(dir);
  const uint32_t first = tcp.seq + 1;  // the SYN occupies one sequence number
  if (s.base_known() && !(s.syn_seen() && s.base_seq() == first)) {
    // A different base: adopt it only while nothing depends on the old one.
    if (!s.untouched()) {
      ++counters_->syns_ignored;
      return;
    }
  }
  if (!(s.syn_seen() && s.base_seq() == first)) s.set_base(first, true, false);
  s.set_wscale(tcp.has_wscale, tcp.wscale);
}

void TcpReassembler::note_window(Direction dir, const TcpInfo& tcp) {
  // The window a side advertises bounds what the other side may send. It is never
  // scaled in a SYN.
  uint64_t window = tcp.window;
  if (!(tcp.flags & tcp_flag::kSyn)) window <<= window_shift(dir);
  half(opposite(dir)).note_peer_window(window);
}

void TcpReassembler::handle_ack(Direction dir, const TcpInfo& tcp) {
  HalfStream& r = half(opposite(dir));  // the stream this ACK acknowledges
  if (!r.base_known()) {
    // The receiver has everything before its ACK: the other side's stream starts
    // there (the usual case: SYN-ACK or third handshake packet seen without the SYN).
    if (!may_pick_up()) return;
    r.set_base(tcp.ack, false, !flow_syn_seen_);
    if (!flow_syn_seen_) ++counters_->midstream_pickups;
    return;
  }
  const int64_t ack = r.to_abs(tcp.ack);
  if (ack <= static_cast<int64_t>(r.next())) return;
  if (static_cast<uint64_t>(ack) > r.ack_limit()) {
    ++counters_->acks_out_of_window;
    return;
  }
  // An ACK one past everything seen, from a side that is closing, acknowledges
  // the peer's FIN (a sequence number, not a byte) that the capture missed: it
  // is not a 1-byte gap. Typical of one-sided captures.
  if (ack == static_cast<int64_t>(r.next()) + 1 && r.info().buffered_bytes == 0 &&
      ((tcp.flags & tcp_flag::kFin) || half(dir).info().fin_seen)) {
    ++counters_->acks_of_unseen_fin;
    return;
  }
  auto e = env();
  r.ack_to(e, static_cast<uint64_t>(ack));
}

void TcpReassembler::handle_rst(Direction dir, const TcpInfo& tcp) {
  const HalfStream& s = half(dir);
  if (s.base_known()) {
    // Plausible: between what the receiver has acknowledged (or we delivered) and
    // the window edge. A RST elsewhere is a blind injection or garbage.
    const int64_t seq = s.to_abs(tcp.seq);
    const uint64_t low = s.peer_ack_known() ? std::min(s.next(), s.peer_ack()) : s.next();
    if (seq < static_cast<int64_t>(low) || seq > static_cast<int64_t>(s.window_limit())) {
      ++counters_->rsts_out_of_window;
      return;
    }
  }
  ++counters_->rsts;
  close_both();
}

void TcpReassembler::refuse(const DecodedPacket& pkt) {
  if (!refused_) {
    refused_ = true;
    ++counters_->midstream_refused_flows;
  }
  if (!pkt.payload.empty()) ++counters_->midstream_refused_segments;
}

void TcpReassembler::handle_segment(Direction dir, const DecodedPacket& pkt) {
  ReassemblyCounters& c = *counters_;
  const TcpInfo& tcp = pkt.tcp;
  const bool syn = tcp.flags & tcp_flag::kSyn;
  const bool fin = tcp.flags & tcp_flag::kFin;
  if (!may_pick_up()) {
    refuse(pkt);
    return;
  }
  HalfStream& s = half(dir);
  const uint32_t seq = tcp.seq + (syn ? 1u : 0u);
  if (!s.base_known()) {
    s.set_base(seq, false, !flow_syn_seen_);
    if (!flow_syn_seen_) ++c.midstream_pickups;
  }
  const std::span<const uint8_t> payload = pkt.payload;
  const uint64_t length = segment_length(pkt);
  if (length > 0) ++c.data_segments;

  const int64_t start = s.to_abs(seq);
  const int64_t end = start + static_cast<int64_t>(length);
  const int64_t snd_nxt = static_cast<int64_t>(s.snd_nxt());
  if (!syn && !fin && length <= 1 && start == snd_nxt - 1) {
    ++c.keepalives;  // one garbage byte (or none) just before the next new byte
    return;
  }
  if (!syn && !fin && length == 1 && start == snd_nxt && s.peer_window_known() &&
      s.peer_window() == 0) {
    ++c.zero_window_probes;  // the receiver drops it; the byte is sent again later
    return;
  }
  if (length == 0 && !fin) return;
  if (start > static_cast<int64_t>(s.window_limit())) {
    ++c.out_of_window;
    return;
  }
  if (end < 0 || (end == 0 && length > 0)) {
    ++c.data_before_start;
    return;
  }
  if (length > 0 && s.take_midstream_report()) {
    sink_->on_anomaly(dir, TcpAnomaly::midstream_pickup);
  }
  if (tcp.flags & tcp_flag::kUrg) ++c.urgent_segments;  // delivered in line, like the data

  auto e = env();
  tcp_detail::SegmentTally tally;
  const uint64_t skip = start < 0 ? static_cast<uint64_t>(-start) : 0;  // before offset 0
  if (skip < payload.size()) {
    s.add_data(e, static_cast<uint64_t>(start) + skip, payload.subspan(skip),
               static_cast<uint64_t>(std::max<int64_t>(start, 0)), static_cast<uint64_t>(end),
               pkt.ts_us, tally);
  }
  if (length > payload.size()) {
    // The capture cut the payload: the rest is known to be missing. When the kept
    // part was delivered in order, say so now rather than waiting for a timeout.
    ++c.truncated_segments;
    s.note_highest(static_cast<uint64_t>(end));
    const int64_t kept_end = start + static_cast<int64_t>(payload.size());
    if (kept_end >= 0 && s.next() == static_cast<uint64_t>(kept_end)) {
      s.advance_to(e, static_cast<uint64_t>(end), tcp_detail::GapReason::kTruncated);
    }
  }
  if (fin) {
    switch (s.set_fin(e, static_cast<uint64_t>(end), pkt.ts_us)) {
      case tcp_detail::FinResult::kAccepted:
        ++c.fins;
        break;
      case tcp_detail::FinResult::kDuplicate:
        break;
      case tcp_detail::FinResult::kIgnored:
        ++c.fins_ignored;
        break;
    }
  }

  if (tally.different) {
    ++c.overlap_different_data;
    sink_->on_anomaly(dir, TcpAnomaly::overlap_different_data);
  } else if (tally.same_bytes + tally.unchecked_bytes > 0) {
    ++c.retransmitted_segments;
  }
  c.retransmitted_bytes += tally.same_bytes;
  c.retransmit_unchecked_bytes += tally.unchecked_bytes;
  if (tally.buffered) ++c.segments_out_of_order;
}

}  // namespace ww
