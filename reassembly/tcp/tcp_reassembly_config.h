#pragma once
// Settings of TCP stream reassembly: parsed once (sensor/config maps the YAML keys),
// validated, then shared read-only by every reassembler of a worker.

#include <cstdint>
#include <string>

#include "reassembly/tcp/tcp_overlap_policy.h"

namespace ww {

struct TcpReassemblyConfig {
  // Deliver flows whose SYN was not seen, starting at the first segment seen. When
  // off, such a flow delivers nothing (counted in midstream_refused_*).
  bool midstream_pickup = true;
  // Bytes delivered per direction; later bytes are dropped and counted, and the
  // stream reports depth_reached once. 0 = unlimited. 64 MiB fits a 50 MB attachment
  // after base64 (x 4/3) with headers.
  uint64_t depth = 64ull << 20;
  // Out-of-order buffer per flow (both directions together): payload bytes held
  // ahead of holes, and the number of buffered pieces. Hitting either declares the
  // oldest hole a gap.
  uint32_t ooo_max_bytes = 1u << 20;
  uint32_t ooo_max_segments = 2048;
  // Memory of all reassemblers of one worker (out-of-order pieces with their
  // bookkeeping, and history rings). The worker sizes its ReassemblyMemory with it.
  uint64_t memcap = 512ull << 20;
  // A hole still open this long (packet time) after it became known is a gap.
  int64_t gap_timeout_us = 10'000'000;
  // Which bytes win when buffered out-of-order data is overlapped with different data.
  TcpOverlapPolicy overlap_policy = TcpOverlapPolicy::kFirst;
  // Last bytes delivered that each direction keeps, to tell a retransmission of
  // already-delivered bytes from a different-data overlap. 0 = no check (such
  // overlaps then count as retransmit_unchecked_bytes).
  uint32_t history_bytes = 4096;
};

// Returns an empty string when the config is usable, otherwise one message naming
// the offending field and the accepted range.
std::string validate(const TcpReassemblyConfig& config);

}  // namespace ww
