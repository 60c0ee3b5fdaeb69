#pragma once
// A complete, well-behaved TCP conversation as timestamped frames.
//
//   TcpFlow f(cfg);                       // SYN, SYN-ACK, ACK unless cfg.handshake is false
//   f.send(Direction::kToClient, Payload::text("220 mail.example.com ESMTP\r\n"))
//    .send(Direction::kToServer, Payload::text("EHLO client\r\n"))
//    .close(Direction::kToServer);        // FIN, FIN-ACK, ACK
//
// Each send() is cut into segments of the negotiated MSS (minus 12 bytes when
// timestamps are on), PSH on the last one. Sequence and acknowledgement
// numbers are exact; the receiver ACKs every `ack_every` segments and at the
// end of each message unless its next packet (its own data, a FIN, a RST)
// carries the ACK. No pure ACK ever repeats, the window never changes and at
// most `ack_every` segments are in flight, so Wireshark's TCP analysis finds
// nothing to flag (no dup ACK, window update, window full or lost segment).
//
// Timing: SYN-ACK one RTT after SYN; segments in a burst spaced by their
// serialisation time at `bandwidth_bps`; a change of speaker waits about half
// an RTT plus jitter; pure ACKs follow after 20-200 us. All jitter comes from
// the flow's own Rng.

#include <cstdint>
#include <deque>
#include <vector>

#include "tools/gen/flow.h"
#include "tools/gen/payload.h"
#include "tools/gen/rng.h"

namespace ww::gen {

struct TcpFlowConfig {
  Endpoint client;
  Endpoint server;
  LinkSpec link;
  uint32_t client_isn = 0x10000000;  // the SYN carries the ISN; data starts at ISN + 1
  uint32_t server_isn = 0x20000000;
  int64_t start_us = 0;   // time of the first packet
  bool handshake = true;  // false: the capture starts mid-connection (first data at ISN + 1)
  uint16_t client_mss = 1460;
  uint16_t server_mss = 1460;
  bool timestamps = true;          // RFC 7323 timestamps on every segment
  bool sack_permitted = true;      // in the SYNs only (no loss, so no SACK blocks)
  int wscale = 7;                  // window-scale shift in the SYNs; -1 = no option
  uint16_t client_window = 65535;  // window field, constant for the whole flow
  uint16_t server_window = 65535;
  uint8_t client_ttl = 64;
  uint8_t server_ttl = 64;
  bool dont_fragment = true;  // IPv4 DF
  uint32_t ack_every = 2;     // data segments per pure ACK (>= 1)
  int64_t rtt_us = 20000;
  uint64_t bandwidth_bps = 20'000'000;
  uint64_t seed = 1;  // jitter, initial IP ids and timestamp clocks
  // Percent chance that a data segment is sent after the data segment that
  // follows it in the same direction (the two swap places; packet times stay
  // in order). Draws come from their own Rng, so a capture with reordering
  // has the same packets as one without, only in another order. Benchmarks.
  double reorder_percent = 0;
};

class TcpFlow : public Flow {
 public:
  explicit TcpFlow(const TcpFlowConfig& cfg);

  // The script, played in call order.
  TcpFlow& send(Direction d, Payload payload);
  TcpFlow& send(Direction d, std::string_view text) { return send(d, Payload::text(text)); }
  // Idle time added before the next packet.
  TcpFlow& pause(int64_t us);
  // FIN from `first`, FIN-ACK from the other side, final ACK. With
  // `four_way` the other side ACKs the FIN and sends its own FIN separately.
  TcpFlow& close(Direction first = Direction::kToServer, bool four_way = false);
  // RST|ACK from `from`; ends the flow (later script steps are dropped).
  TcpFlow& reset(Direction from);
  // Records the time of the next data segment in truth().marks_us (ground
  // truth such as "when was MAIL FROM sent"); sends nothing.
  TcpFlow& mark();

  bool done() override;
  int64_t next_time_us() override;
  void next(Packet& out) override;

  const TcpFlowConfig& config() const { return cfg_; }
  // Next sequence number each side would send (tests and scenario helpers).
  uint32_t next_seq(Direction d) const { return side_[index_of(d)].nxt; }

 private:
  enum class OpKind : uint8_t { kSend, kPause, kClose, kReset, kMark };
  struct Op {
    OpKind kind;
    Direction dir = Direction::kToServer;
    Payload payload;
    int64_t us = 0;
    bool four_way = false;
  };
  struct Seg {
    Direction dir;
    uint8_t flags;
    uint32_t seq;
    uint32_t ack;
    int64_t ts_us;
    std::vector<uint8_t> data;
    bool syn_options = false;
    bool ends_flow = false;
    bool reordered = false;  // already swapped with its neighbour
    FlowEnd end = FlowEnd::kNone;
  };
  struct Side {
    uint32_t nxt = 0;            // next sequence number to send
    uint32_t last_ack_sent = 0;  // highest ACK number this side sent
    uint32_t unacked = 0;        // peer segments received and not yet ACKed
    uint16_t ip_id = 0;
    uint32_t ts_base = 0;
    uint32_t last_ts_val = 0;
    uint16_t send_mss = 0;  // payload bytes per segment
    uint16_t window = 0;
    uint8_t ttl = 64;
  };

  void refill();
  void step();
  void maybe_reorder();
  void finish_message(Direction sender);
  const Op* next_significant_op() const;
  void push(Direction d, uint8_t flags, std::vector<uint8_t> data, int64_t gap_us);
  void push_ack(Direction from);
  int64_t gap_us(Direction d, size_t payload_len, bool pure_ack);
  const Endpoint& endpoint(Direction d) const {
    return d == Direction::kToServer ? cfg_.client : cfg_.server;
  }

  TcpFlowConfig cfg_;
  Rng rng_;
  Rng reorder_rng_;
  Side side_[2];
  std::deque<Op> ops_;
  std::deque<Seg> pending_;
  int64_t clock_ = 0;
  int64_t extra_gap_ = 0;
  bool any_pushed_ = false;
  Direction prev_dir_ = Direction::kToServer;
  bool ended_ = false;
  bool pending_mark_ = false;
};

}  // namespace ww::gen
