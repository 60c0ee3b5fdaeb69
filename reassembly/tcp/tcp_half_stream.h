#pragma once
// One direction of a TCP flow: its sequence space (32-bit sequence numbers mapped to
// a 64-bit absolute offset), its out-of-order buffer, its history of delivered bytes,
// and its delivery to the sink. TcpReassembler owns two and decides, per packet,
// what each is told (SYN, ACK, window, data, FIN, close); this class never reads a
// packet. See NOTES.md for the invariants.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "reassembly/tcp/direction.h"
#include "reassembly/tcp/reassembly_memory.h"
#include "reassembly/tcp/stream_sink.h"
#include "reassembly/tcp/tcp_reassembly_config.h"
#include "reassembly/tcp/tcp_reassembly_counters.h"

namespace ww {

// What a flow record needs to say about one direction.
struct TcpStreamInfo {
  uint64_t bytes_delivered = 0;
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  uint64_t depth_dropped_bytes = 0;  // > 0: the stream was truncated at the depth
  uint64_t buffered_bytes = 0;       // held out of order right now
  bool syn_seen = false;             // the sequence base came from this side's SYN
  bool midstream = false;            // picked up without any SYN in the flow
  bool fin_seen = false;
  bool ended = false;  // on_end was delivered
};

namespace tcp_detail {

enum class GapReason : uint8_t { kAck, kTimeout, kLimit, kClose, kTruncated };

// Out-of-order usage of one flow, shared by its two half-streams.
struct OooBudget {
  uint32_t bytes = 0;
  uint32_t segments = 0;
};

// What a half-stream needs from its flow and worker. Built per call so that the
// reassembler holds no pointer to itself and stays movable.
struct StreamEnv {
  const TcpReassemblyConfig& config;
  ReassemblyMemory& memory;
  ReassemblyCounters& counters;
  StreamSink& sink;
  OooBudget& budget;
};

// What one segment turned out to be, for the per-segment counters.
struct SegmentTally {
  uint64_t same_bytes = 0;       // overlapped already-received bytes, identical
  uint64_t unchecked_bytes = 0;  // overlapped delivered bytes no longer in the history
  bool different = false;        // some overlapped byte differed
  bool buffered = false;         // some part went to the out-of-order buffer
};

enum class FinResult : uint8_t { kAccepted, kDuplicate, kIgnored };

class HalfStream {
 public:
  // Bookkeeping charged to the memory cap for each buffered piece, on top of its
  // bytes: the piece record and the allocator's header.
  static constexpr uint64_t kPieceOverhead = 64;
  // Receive window assumed while the receiver has not advertised one.
  static constexpr uint64_t kUnknownWindow = 16ull << 20;

  HalfStream(Direction dir, uint64_t depth);

  // --- sequence space -------------------------------------------------------
  bool base_known() const { return base_known_; }
  // Absolute offset 0 becomes sequence number `seq`. Only on an untouched stream.
  void set_base(uint32_t seq, bool from_syn, bool midstream);
  bool untouched() const;
  uint32_t base_seq() const { return base_seq_; }
  bool syn_seen() const { return syn_seen_; }
  bool midstream() const { return midstream_; }
  // True the first time it is called on a midstream stream.
  bool take_midstream_report();
  // Serial-number distance from the delivery point, as an absolute offset (may be
  // negative: before the stream's first byte).
  int64_t to_abs(uint32_t seq) const;
  uint64_t next() const { return next_; }
  // The sender's next new sequence position: past the FIN once one is seen.
  uint64_t snd_nxt() const;
  void note_highest(uint64_t end);

  // --- what the receiver says -----------------------------------------------
  void set_wscale(bool offered, uint8_t shift);
  bool wscale_offered() const { return wscale_offered_; }
  uint8_t wscale() const { return wscale_; }
  void note_peer_window(uint64_t bytes);
  bool peer_window_known() const { return peer_window_known_; }
  uint64_t peer_window() const { return peer_window_; }
  bool peer_ack_known() const { return peer_ack_known_; }
  uint64_t peer_ack() const { return peer_ack_; }
  // Data starting beyond this offset is far outside any window the receiver offered.
  uint64_t window_limit() const;
  // An acknowledgement beyond this offset cannot be genuine.
  uint64_t ack_limit() const;

  // --- data -----------------------------------------------------------------
  // Takes the bytes [start, start + bytes.size()) of a segment whose original extent
  // was [seg_start, seg_end): drops what lies past the FIN or the depth, compares
  // what was already delivered, resolves overlaps with buffered pieces, delivers
  // what is now in order (straight from `bytes`) and buffers a copy of the rest.
  void add_data(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes, uint64_t seg_start,
                uint64_t seg_end, int64_t now_us, SegmentTally& tally);
  FinResult set_fin(StreamEnv& e, uint64_t fin, int64_t now_us);
  // The receiver acknowledged everything below `ack`: holes below it are gaps.
  void ack_to(StreamEnv& e, uint64_t ack);
  // Moves delivery to `target`: buffered pieces on the way are delivered, holes
  // become gaps of the given reason.
  void advance_to(StreamEnv& e, uint64_t target, GapReason reason);
  // Turns holes older than the gap timeout into gaps.
  void check_timeout(StreamEnv& e, int64_t now_us);
  // Flushes everything buffered (holes become gaps), then ends the stream.
  void close(StreamEnv& e);
  // Frees buffers and returns their memory, without any callback.
  void release(StreamEnv& e);

  bool fin_seen() const { return fin_seen_; }
  uint64_t fin_abs() const { return fin_abs_; }
  bool ended() const { return ended_; }
  uint64_t buffered_bytes() const;
  TcpStreamInfo info() const;

 private:
  struct Piece {
    uint64_t start = 0;
    uint32_t len = 0;
    int64_t stored_us = 0;
    std::unique_ptr<uint8_t[]> data;
    uint64_t end() const { return start + len; }
  };
  using PieceIt = std::vector<Piece>::iterator;

  PieceIt first_ending_after(uint64_t offset);
  void compare_history(uint64_t start, std::span<const uint8_t> bytes, SegmentTally& tally) const;
  void resolve_overlaps(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                        uint64_t seg_start, uint64_t seg_end, SegmentTally& tally);
  void place_uncovered(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes, int64_t now_us,
                       SegmentTally& tally);
  void place_piece(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes, int64_t now_us,
                   SegmentTally& tally);
  bool try_buffer(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes, int64_t now_us);
  void deliver(StreamEnv& e, std::span<const uint8_t> bytes);
  void drain(StreamEnv& e);
  void gap_to(StreamEnv& e, uint64_t target, GapReason reason);
  void skip_first_hole(StreamEnv& e, GapReason reason);
  void remember(StreamEnv& e, uint64_t at, std::span<const uint8_t> bytes);
  void free_piece(StreamEnv& e, const Piece& p);
  void restart_hole_timer();
  void maybe_end(StreamEnv& e);
  void end(StreamEnv& e);
  uint64_t fin_limit() const;

  Direction dir_;
  bool base_known_ = false;
  bool syn_seen_ = false;
  bool midstream_ = false;
  bool midstream_reported_ = false;
  bool fin_seen_ = false;
  bool ended_ = false;
  bool depth_reported_ = false;
  bool wscale_offered_ = false;
  bool peer_window_known_ = false;
  bool peer_ack_known_ = false;
  bool history_refused_ = false;
  uint8_t wscale_ = 0;
  uint32_t base_seq_ = 0;     // sequence number of absolute offset 0
  uint32_t history_cap_ = 0;  // bytes in history_ (0 until allocated)
  uint64_t depth_;            // offset where delivery stops
  uint64_t next_ = 0;         // next offset to deliver; everything before is final
  uint64_t highest_end_ = 0;  // furthest data end seen
  uint64_t fin_abs_ = 0;
  uint64_t peer_ack_ = 0;
  uint64_t peer_window_ = 0;
  uint64_t peer_window_max_ = 0;
  uint64_t history_valid_from_ = 0;
  int64_t fin_us_ = 0;
  int64_t hole_since_us_ = -1;          // when the hole at next_ became known; -1: no hole
  std::vector<Piece> pieces_;           // sorted by start, disjoint, all at or after next_
  std::unique_ptr<uint8_t[]> history_;  // ring indexed by offset % history_cap_

  uint64_t delivered_ = 0;
  uint64_t gaps_ = 0;
  uint64_t gap_bytes_ = 0;
  uint64_t depth_dropped_ = 0;
};

}  // namespace tcp_detail
}  // namespace ww
