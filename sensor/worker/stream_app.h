#pragma once
// Per-flow application state for a reassembled TCP flow: the reassembler and,
// as its sink, per-direction stream facts (bytes, gaps, optional sha256). The
// SMTP parser will hang off this sink.

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reassembly/tcp/tcp_reassembler.h"
#include "sensor/flow/flow.h"

namespace ww {

class TcpStreamApp : public FlowApp, public StreamSink {
 public:
  struct DirectionFacts {
    uint64_t bytes = 0;
    uint64_t gaps = 0;
    uint64_t gap_bytes = 0;
    bool ended = false;
    std::string sha256;            // hex, when hashing; set at on_end
    EVP_MD_CTX* sha = nullptr;
  };

  TcpStreamApp(const TcpReassemblyConfig& cfg, ReassemblyMemory& mem, ReassemblyCounters& counters,
               bool hash_streams);
  ~TcpStreamApp() override;

  // Attached only until nDPI decides whether the flow is one we need. While
  // speculative, delivered bytes are also kept (up to kReplayMax) so that an
  // application attached at the decision sees the stream from its start.
  bool speculative = false;
  static constexpr size_t kReplayMax = 64 * 1024;

  // The application layer (SMTP) the streams are forwarded to. Attaching replays
  // what was kept while speculative; bytes beyond kReplayMax arrive as a gap.
  void attach(std::unique_ptr<StreamSink> upper);
  StreamSink* upper() const { return upper_.get(); }
  // Drops the replay buffer (the flow is not one we need).
  void drop_replay();

  TcpReassembler& reassembler() { return reasm_; }
  const TcpReassembler& reassembler() const { return reasm_; }
  const DirectionFacts& facts(Direction d) const { return dirs_[index_of(d)]; }
  // Bitmask of (1 << TcpAnomaly) per direction seen on this flow.
  uint32_t anomalies(Direction d) const { return anomaly_bits_[index_of(d)]; }
  // Anomalies not yet reported as records; the worker drains them.
  uint32_t take_new_anomalies(Direction d) {
    uint32_t v = new_bits_[index_of(d)];
    new_bits_[index_of(d)] = 0;
    return v;
  }

  void on_data(Direction dir, std::span<const uint8_t> bytes) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Direction dir) override;
  void on_anomaly(Direction dir, TcpAnomaly kind) override;

 private:
  std::array<DirectionFacts, 2> dirs_;
  std::unique_ptr<StreamSink> upper_;
  // Replay buffer: records of [direction byte][u32 length][bytes] or [dir|0x80][u64 gap].
  std::vector<uint8_t> replay_;
  std::array<uint64_t, 2> replay_dropped_{};
  std::array<bool, 2> replay_ended_{};
  std::array<uint32_t, 2> anomaly_bits_{};
  std::array<uint32_t, 2> new_bits_{};
  TcpReassembler reasm_;   // last: it refers to *this as its sink
};

}  // namespace ww
