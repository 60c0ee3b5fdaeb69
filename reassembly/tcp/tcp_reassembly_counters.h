#pragma once
// The one list of TCP reassembly counters and the one list of stream anomalies.
// Add a row and the field, its name, its description and its merge rule appear
// everywhere (stats output iterates with for_each()). Counters of kind `sum` add up
// across workers; kind `max` are high-water marks and merge by maximum.

#include <algorithm>
#include <array>
#include <cstdint>

namespace ww {

// X(name, description): anomalies reported through StreamSink::on_anomaly.
#define WW_TCP_STREAM_ANOMALIES(X)                                                         \
  X(overlap_different_data, "segment overlaps already-received bytes with different data") \
  X(depth_reached, "stream reached the reassembly depth; later bytes are not delivered")   \
  X(midstream_pickup, "stream picked up without its SYN; delivery starts mid-stream")

enum class TcpAnomaly : uint8_t {
#define WW_X(name, desc) name,
  WW_TCP_STREAM_ANOMALIES(WW_X)
#undef WW_X
      kCount
};

inline constexpr size_t kTcpAnomalyCount = static_cast<size_t>(TcpAnomaly::kCount);

const char* tcp_anomaly_name(TcpAnomaly a);
const char* tcp_anomaly_description(TcpAnomaly a);

// X(name, kind, description)
#define WW_TCP_REASSEMBLY_COUNTERS(X)                                                              \
  X(packets, sum, "TCP packets handed to the reassembler")                                         \
  X(not_tcp, sum, "packets ignored because they were not unfragmented TCP")                        \
  X(data_segments, sum, "segments that carried payload")                                           \
  X(bytes_delivered, sum, "bytes delivered in order to the application layer")                     \
  X(segments_out_of_order, sum, "segments (wholly or partly) buffered ahead of a hole")            \
  X(retransmitted_segments, sum, "segments overlapping already-received bytes with the same data") \
  X(retransmitted_bytes, sum, "already-received bytes seen again with the same data")              \
  X(retransmit_unchecked_bytes, sum,                                                               \
    "already-delivered bytes seen again outside the history window (not compared)")                \
  X(overlap_different_data, sum,                                                                   \
    "segments overlapping already-received bytes with different data (anomaly)")                   \
  X(gaps, sum, "holes delivered as gaps")                                                          \
  X(gap_bytes, sum, "bytes declared missing by gaps")                                              \
  X(gaps_ack, sum, "gaps declared because the receiver acknowledged past the hole")                \
  X(gaps_timeout, sum, "gaps declared because the hole outlived gap_timeout")                      \
  X(gaps_limit, sum, "gaps forced by the out-of-order caps or the memory cap")                     \
  X(gaps_close, sum, "holes left when the stream closed (RST or finish)")                          \
  X(gaps_truncated, sum, "gaps for payload the capture cut short (snap length)")                   \
  X(out_of_window, sum, "segments starting far beyond the receive window (ignored)")               \
  X(acks_out_of_window, sum,                                                                       \
    "acknowledgements beyond anything the sender can have sent (ignored)")                         \
  X(acks_of_unseen_fin, sum,                                                                       \
    "ACKs one past the data from a closing side: the peer's FIN the capture missed, not a gap")    \
  X(data_before_start, sum, "segments wholly before the stream's first sequence number (ignored)") \
  X(data_after_fin, sum, "bytes at or beyond the FIN sequence number (ignored)")                   \
  X(packets_after_close, sum, "packets after a RST or finish() (ignored)")                         \
  X(keepalives, sum, "keep-alive probes (ignored)")                                                \
  X(zero_window_probes, sum, "zero-window probes (ignored)")                                       \
  X(urgent_segments, sum, "segments with URG set (urgent data is delivered in line)")              \
  X(syns_ignored, sum, "SYNs contradicting a sequence base already in use (ignored)")              \
  X(fins, sum, "FINs accepted")                                                                    \
  X(fins_ignored, sum, "FINs contradicting an earlier FIN or delivered data (ignored)")            \
  X(rsts, sum, "RSTs accepted (flow closed)")                                                      \
  X(rsts_out_of_window, sum, "RSTs with an implausible sequence number (ignored)")                 \
  X(midstream_pickups, sum, "streams picked up without a SYN")                                     \
  X(midstream_refused_flows, sum, "flows refused because no SYN was seen and pickup is off")       \
  X(midstream_refused_segments, sum, "segments not delivered because their flow was refused")      \
  X(depth_reached, sum, "streams that reached the reassembly depth")                               \
  X(depth_bytes_dropped, sum, "bytes beyond the depth, not delivered")                             \
  X(ooo_bytes_limit, sum, "times the per-flow out-of-order byte cap was hit")                      \
  X(ooo_segments_limit, sum, "times the per-flow out-of-order segment cap was hit")                \
  X(memcap_hits, sum, "times the worker memory cap refused a reservation")                         \
  X(truncated_segments, sum, "segments whose payload the capture cut short")                       \
  X(ooo_bytes_high_water, max, "largest out-of-order buffer held by one flow, bytes")              \
  X(ooo_segments_high_water, max, "most out-of-order pieces held by one flow")

struct ReassemblyCounters {
#define WW_X(name, kind, desc) uint64_t name = 0;
  WW_TCP_REASSEMBLY_COUNTERS(WW_X)
#undef WW_X

  void merge(const ReassemblyCounters& o) {
#define WW_X(name, kind, desc) merge_##kind(name, o.name);
    WW_TCP_REASSEMBLY_COUNTERS(WW_X)
#undef WW_X
  }

  // Calls f(name, value, description) for every counter, in list order.
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, kind, desc) f(#name, name, desc);
    WW_TCP_REASSEMBLY_COUNTERS(WW_X)
#undef WW_X
  }

 private:
  static void merge_sum(uint64_t& a, uint64_t b) { a += b; }
  static void merge_max(uint64_t& a, uint64_t b) { a = std::max(a, b); }
};

}  // namespace ww
