#pragma once
// Where a TcpReassembler pushes what it reconstructs: the application layer (the
// SMTP session parser, through the flow) implements this and is injected.
//
// Contract, per direction:
//   * on_data bytes are consecutive: each call continues exactly where the previous
//     on_data or on_gap ended. The span is valid only during the call (it usually
//     points into the captured packet); copy what must outlive it.
//   * on_gap(length) says `length` bytes at this point are missing; delivery goes on
//     after them.
//   * on_end is called exactly once per direction (FIN reached, RST, or finish()),
//     after which nothing more is delivered in that direction.
//   * on_anomaly may come at any point between the others.
// Callbacks must not call back into the reassembler that invoked them.

#include <cstdint>
#include <span>

#include "reassembly/tcp/direction.h"
#include "reassembly/tcp/tcp_reassembly_counters.h"

namespace ww {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_data(Direction dir, std::span<const uint8_t> bytes) = 0;
  virtual void on_gap(Direction dir, uint64_t length) = 0;
  virtual void on_end(Direction dir) = 0;
  virtual void on_anomaly(Direction dir, TcpAnomaly kind) = 0;
};

}  // namespace ww
