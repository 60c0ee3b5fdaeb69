#pragma once
// Test helpers for reassembly: DecodedPacket builders, a sink that records every
// callback, and a harness around one TcpReassembler.

#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/tcp/tcp_reassembler.h"
#include "sensor/decode/packet.h"

namespace ww::test {

inline std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

inline std::string text_of(std::span<const uint8_t> b) { return {b.begin(), b.end()}; }

// Records every callback. text(dir) renders the stream with gaps as "<gap N>".
class RecordingSink : public StreamSink {
 public:
  struct Event {
    enum Kind { kData, kGap, kEnd, kAnomaly } kind;
    Direction dir;
    std::string data;
    uint64_t gap = 0;
    TcpAnomaly anomaly = TcpAnomaly::kCount;
  };

  void on_data(Direction dir, std::span<const uint8_t> bytes) override {
    BOOST_REQUIRE_MESSAGE(!bytes.empty(), "on_data with an empty span");
    BOOST_REQUIRE_MESSAGE(ends[index_of(dir)] == 0, "on_data after on_end");
    events.push_back({Event::kData, dir, text_of(bytes)});
    streams[index_of(dir)] += text_of(bytes);
    rendered[index_of(dir)] += text_of(bytes);
  }
  void on_gap(Direction dir, uint64_t length) override {
    BOOST_REQUIRE_MESSAGE(length > 0, "on_gap with length 0");
    BOOST_REQUIRE_MESSAGE(ends[index_of(dir)] == 0, "on_gap after on_end");
    events.push_back({Event::kGap, dir, {}, length});
    gap_bytes[index_of(dir)] += length;
    ++gaps[index_of(dir)];
    rendered[index_of(dir)] += "<gap " + std::to_string(length) + ">";
  }
  void on_end(Direction dir) override {
    events.push_back({Event::kEnd, dir, {}, 0});
    ++ends[index_of(dir)];
  }
  void on_anomaly(Direction dir, TcpAnomaly kind) override {
    events.push_back({Event::kAnomaly, dir, {}, 0, kind});
    ++anomalies[static_cast<size_t>(kind)];
  }

  std::string text(Direction d) const { return rendered[index_of(d)]; }
  std::string data(Direction d) const { return streams[index_of(d)]; }
  int anomaly_count(TcpAnomaly k) const { return anomalies[static_cast<size_t>(k)]; }

  std::vector<Event> events;
  std::array<std::string, 2> streams;
  std::array<std::string, 2> rendered;
  std::array<uint64_t, 2> gap_bytes{};
  std::array<int, 2> gaps{};
  std::array<int, 2> ends{};
  std::array<int, kTcpAnomalyCount> anomalies{};
};

// One TCP packet. The payload buffer lives in the builder and is overwritten with
// garbage after each on_packet, so a reassembler that kept a pointer into it would
// deliver garbage.
struct TcpSegment {
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = tcp_flag::kAck;
  std::string data;
  uint16_t window = 65535;
  int64_t ts_us = 0;
  bool has_wscale = false;
  uint8_t wscale = 0;
  uint16_t urgent = 0;
};

inline DecodedPacket make_tcp_packet(const TcpSegment& s, std::vector<uint8_t>& storage) {
  storage.assign(s.data.begin(), s.data.end());
  DecodedPacket p;
  p.ts_us = s.ts_us;
  p.ip_version = 4;
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 0, 2};
  p.src = IpAddress::v4(a);
  p.dst = IpAddress::v4(b);
  p.l4_proto = 6;
  p.src_port = 40000;
  p.dst_port = 25;
  p.tcp.seq = s.seq;
  p.tcp.ack = s.ack;
  p.tcp.flags = s.flags;
  p.tcp.window = s.window;
  p.tcp.urgent = s.urgent;
  p.tcp.header_len = 20;
  p.tcp.has_wscale = s.has_wscale;
  p.tcp.wscale = s.wscale;
  p.payload = std::span<const uint8_t>(storage.data(), storage.size());
  p.wire_len = p.cap_len = static_cast<uint32_t>(54 + storage.size());
  return p;
}

// A TcpReassembler with its worker state, a recording sink, and a client/server
// pair of initial sequence numbers. Offsets passed to c()/s() are stream offsets
// (0 = first byte after the SYN).
class Harness {
 public:
  explicit Harness(TcpReassemblyConfig config = {}, uint32_t client_isn = 1000,
                   uint32_t server_isn = 50000)
      : config_(std::make_unique<TcpReassemblyConfig>(config)),
        memory(config.memcap),
        cisn(client_isn),
        sisn(server_isn) {
    r.emplace(*config_, memory, counters, sink);
  }

  void packet(Direction dir, TcpSegment seg) {
    if (seg.ts_us == 0) seg.ts_us = now;
    DecodedPacket p = make_tcp_packet(seg, storage_);
    r->on_packet(dir, p);
    if (!storage_.empty()) std::memset(storage_.data(), '#', storage_.size());
  }

  void handshake(uint16_t client_window = 65535, uint16_t server_window = 65535) {
    packet(Direction::to_server, {cisn, 0, tcp_flag::kSyn, "", client_window});
    packet(Direction::to_client,
           {sisn, cisn + 1, tcp_flag::kSyn | tcp_flag::kAck, "", server_window});
    packet(Direction::to_server, {cisn + 1, sisn + 1, tcp_flag::kAck, "", client_window});
  }

  // Client data at stream offset `off`; its ACK acknowledges `server_acked` bytes.
  void c(uint64_t off, std::string_view data, uint8_t flags = tcp_flag::kAck | tcp_flag::kPsh) {
    packet(Direction::to_server,
           {client_seq(off), server_seq(server_acked), flags, std::string(data), client_window});
  }
  void s(uint64_t off, std::string_view data, uint8_t flags = tcp_flag::kAck | tcp_flag::kPsh) {
    packet(Direction::to_client,
           {server_seq(off), client_seq(client_acked), flags, std::string(data), server_window});
  }
  // A pure ACK from the server acknowledging `off` bytes of the client stream.
  void server_acks(uint64_t off) {
    client_acked = off;
    packet(Direction::to_client,
           {server_seq(server_sent), client_seq(off), tcp_flag::kAck, "", server_window});
  }
  void client_acks(uint64_t off) {
    server_acked = off;
    packet(Direction::to_server,
           {client_seq(client_sent), server_seq(off), tcp_flag::kAck, "", client_window});
  }

  uint32_t client_seq(uint64_t off) const { return cisn + 1 + static_cast<uint32_t>(off); }
  uint32_t server_seq(uint64_t off) const { return sisn + 1 + static_cast<uint32_t>(off); }

  std::unique_ptr<TcpReassemblyConfig> config_;
  ReassemblyMemory memory;
  ReassemblyCounters counters;
  RecordingSink sink;
  std::optional<TcpReassembler> r;
  uint32_t cisn;
  uint32_t sisn;
  uint64_t client_acked = 0;  // what the server's packets acknowledge
  uint64_t server_acked = 0;  // what the client's packets acknowledge
  uint64_t client_sent = 0;   // sequence position of the client's pure ACKs
  uint64_t server_sent = 0;
  uint16_t client_window = 65535;
  uint16_t server_window = 65535;
  int64_t now = 1'000'000'000;

 private:
  std::vector<uint8_t> storage_;
};

}  // namespace ww::test
