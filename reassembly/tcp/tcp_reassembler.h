#pragma once
// TCP stream reassembly for one flow: turns the flow's TCP packets, in capture order,
// into two in-order byte streams pushed to a StreamSink, with gaps for what is
// missing. One TcpReassembler per flow; the worker owns the ReassemblyMemory and the
// ReassemblyCounters shared by all of them. See NOTES.md.
//
//   ReassemblyMemory memory(config.memcap);      // one per worker
//   ReassemblyCounters counters;                 // one per worker
//   TcpReassembler r(config, memory, counters, sink);   // one per flow
//   r.on_packet(Direction::to_server, pkt);      // every TCP packet of the flow
//   r.on_timeout(now_us);                        // now and then (packet time)
//   r.finish();                                  // flow over: flush, on_end x2
//
// The config, memory, counters and sink must outlive the reassembler. Never throws;
// in-order payload is delivered straight from the packet, only out-of-order bytes
// are copied.

#include <array>
#include <cstdint>

#include "reassembly/tcp/direction.h"
#include "reassembly/tcp/reassembly_memory.h"
#include "reassembly/tcp/stream_sink.h"
#include "reassembly/tcp/tcp_half_stream.h"
#include "reassembly/tcp/tcp_reassembly_config.h"
#include "reassembly/tcp/tcp_reassembly_counters.h"
#include "sensor/decode/packet.h"

namespace ww {

class TcpReassembler {
 public:
  TcpReassembler(const TcpReassemblyConfig& config, ReassemblyMemory& memory,
                 ReassemblyCounters& counters, StreamSink& sink);
  ~TcpReassembler();  // release(): buffers are freed, no callback
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;
  // Moving is allowed (flow tables relocate entries); a moved-from reassembler may
  // only be destroyed.
  TcpReassembler(TcpReassembler&&) noexcept = default;
  TcpReassembler& operator=(TcpReassembler&&) = delete;

  // One TCP packet of the flow. `dir` is to_server for packets from the flow's
  // initiator. The packet's spans are read during the call only.
  void on_packet(Direction dir, const DecodedPacket& pkt);
  // Packet time has reached now_us: holes open longer than gap_timeout become gaps.
  // (on_packet does the same check with the packet's own time.)
  void on_timeout(int64_t now_us);
  // The flow is over: everything buffered is delivered with its holes as gaps, a
  // hole before a seen FIN becomes a gap, and each direction gets on_end (once).
  // Then memory is returned. Later packets are ignored and counted.
  void finish();
  // Frees all buffers and returns their memory without any callback (eviction, or
  // the sink is already gone). The flow counts as closed: later packets are ignored
  // and finish() does nothing.
  void release();

  TcpStreamInfo stream_info(Direction dir) const { return halves_[index_of(dir)].info(); }
  // No SYN was seen and midstream pickup is off: nothing is delivered.
  bool refused() const { return refused_; }
  // A RST or finish() closed the flow.
  bool closed() const { return closed_; }
  // Out-of-order bytes held by this flow right now.
  uint64_t buffered_bytes() const { return budget_.bytes; }

 private:
  using HalfStream = tcp_detail::HalfStream;

  tcp_detail::StreamEnv env() { return {*config_, *memory_, *counters_, *sink_, budget_}; }
  HalfStream& half(Direction d) { return halves_[index_of(d)]; }
  const HalfStream& half(Direction d) const { return halves_[index_of(d)]; }

  void handle_syn(Direction dir, const TcpInfo& tcp);
  void note_window(Direction dir, const TcpInfo& tcp);
  void handle_ack(Direction dir, const TcpInfo& tcp);
  void handle_rst(Direction dir, const TcpInfo& tcp);
  void handle_segment(Direction dir, const DecodedPacket& pkt);
  void refuse(const DecodedPacket& pkt);
  void close_both();
  // Left shift of the window field in packets sent by `sender`.
  uint8_t window_shift(Direction sender) const;
  bool may_pick_up() const { return flow_syn_seen_ || config_->midstream_pickup; }

  const TcpReassemblyConfig* config_;
  ReassemblyMemory* memory_;
  ReassemblyCounters* counters_;
  StreamSink* sink_;
  tcp_detail::OooBudget budget_;
  std::array<HalfStream, 2> halves_;
  bool flow_syn_seen_ = false;  // a SYN or SYN-ACK of this flow was seen
  bool refused_ = false;
  bool closed_ = false;
};

}  // namespace ww
