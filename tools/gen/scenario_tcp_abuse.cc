#include "tools/gen/scenario_tcp_abuse.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sensor/decode/packet.h"
#include "tools/gen/frame_builder.h"
#include "tools/gen/sha256.h"

namespace ww::gen {
namespace {

constexpr size_t kSegment = 500;        // payload bytes per data segment
constexpr size_t kMidstreamStart = 1000;  // first client byte captured in "midstream"
constexpr uint16_t kServerPort = 7117;  // no Wireshark dissector (see scenario_mixed.cc)
constexpr uint16_t kWindow = 65535;

enum class Case { kReorder, kRetransmit, kOverlap, kLost, kFragments, kOneSided, kMidstream };

Direction opposite(Direction d) {
  return d == Direction::kToServer ? Direction::kToClient : Direction::kToServer;
}

struct CaseName {
  Case c;
  const char* name;
};
constexpr CaseName kCases[] = {
    {Case::kReorder, "reorder"},       {Case::kRetransmit, "retransmit"},
    {Case::kOverlap, "overlap-different"}, {Case::kLost, "lost"},
    {Case::kFragments, "ip-fragments"}, {Case::kOneSided, "one-sided"},
    {Case::kMidstream, "midstream"}};

// One data segment as the sender puts it on the wire.
struct Piece {
  size_t off = 0;  // stream offset of the first byte
  std::vector<uint8_t> data;
  bool captured = true;  // false: on the wire (the receiver gets it) but not in the capture
};

struct Expected {
  std::vector<uint8_t> bytes;  // what a first-wins receiver delivers, gaps skipped
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  bool overlap_different = false;
  bool has_last_wins = false;
  std::vector<uint8_t> last_wins;
};

std::vector<Piece> cut(const std::vector<uint8_t>& p) {
  std::vector<Piece> out;
  for (size_t off = 0; off < p.size(); off += kSegment) {
    const size_t end = std::min(p.size(), off + kSegment);
    Piece piece;
    piece.off = off;
    piece.data.assign(p.begin() + static_cast<ptrdiff_t>(off),
                      p.begin() + static_cast<ptrdiff_t>(end));
    out.push_back(std::move(piece));
  }
  return out;
}

// Shapes one direction's segments for the case and says what the receiver sees.
std::vector<Piece> shape(Case c, Direction d, const std::vector<uint8_t>& payload, Rng& r,
                         Expected& e) {
  std::vector<Piece> segs = cut(payload);
  const size_t n = segs.size();
  e.bytes = payload;
  switch (c) {
    case Case::kReorder: {
      for (size_t i = 0; i + 1 < n; i += 2) {
        const bool swap = r.chance(0.5);
        if (i == 0 || swap) std::swap(segs[i], segs[i + 1]);
      }
      break;
    }
    case Case::kRetransmit: {
      // An immediate duplicate of one segment, and a late copy of another
      // (sent again after the next one, so it overlaps delivered bytes).
      const size_t dup = r.index(n);
      const size_t late = r.uniform(0, n - 2);
      std::vector<Piece> out;
      for (size_t i = 0; i < n; ++i) {
        out.push_back(segs[i]);
        if (i == dup) out.push_back(segs[i]);
        if (i == late + 1) out.push_back(segs[late]);
      }
      segs = std::move(out);
      break;
    }
    case Case::kOverlap: {
      // k+1 first (buffered behind the hole at k), then a segment strictly
      // inside k+1's range with every byte different, then k and the rest.
      const size_t k = r.uniform(1, n - 3);
      const size_t inner = r.uniform(50, 150);
      const Piece& old = segs[k + 1];
      Piece bad;
      bad.off = old.off + inner;
      bad.data.assign(old.data.begin() + static_cast<ptrdiff_t>(inner),
                      old.data.end() - static_cast<ptrdiff_t>(inner));
      for (auto& b : bad.data) b = static_cast<uint8_t>(b ^ 0xa5);
      e.overlap_different = true;
      e.has_last_wins = true;
      e.last_wins = payload;
      std::copy(bad.data.begin(), bad.data.end(),
                e.last_wins.begin() + static_cast<ptrdiff_t>(bad.off));
      std::vector<Piece> out;
      for (size_t i = 0; i < n; ++i) {
        if (i == k) {
          out.push_back(segs[k + 1]);
          out.push_back(bad);
          out.push_back(segs[k]);
        } else if (i != k + 1) {
          out.push_back(segs[i]);
        }
      }
      segs = std::move(out);
      break;
    }
    case Case::kLost: {
      const size_t k = r.uniform(1, n - 2);
      segs[k].captured = false;
      e.gaps = 1;
      e.gap_bytes = segs[k].data.size();
      e.bytes.erase(e.bytes.begin() + static_cast<ptrdiff_t>(segs[k].off),
                    e.bytes.begin() + static_cast<ptrdiff_t>(segs[k].off + segs[k].data.size()));
      break;
    }
    case Case::kFragments:
      break;
    case Case::kOneSided:
      if (d == Direction::kToClient) {
        e.bytes.clear();
        for (auto& s : segs) s.captured = false;
      }
      break;
    case Case::kMidstream:
      if (d == Direction::kToServer) {
        e.bytes.erase(e.bytes.begin(), e.bytes.begin() + static_cast<ptrdiff_t>(kMidstreamStart));
      }
      break;
  }
  return segs;
}

nlohmann::ordered_json expected_json(const Expected& e, const std::vector<uint8_t>& payload) {
  nlohmann::ordered_json j;
  j["bytes"] = e.bytes.size();
  j["sha256"] = Sha256::hex(e.bytes);
  j["gaps"] = e.gaps;
  j["gap_bytes"] = e.gap_bytes;
  j["overlap_different_data"] = e.overlap_different;
  if (e.has_last_wins) j["last_wins_sha256"] = Sha256::hex(e.last_wins);
  j["payload_bytes"] = payload.size();
  j["payload_sha256"] = Sha256::hex(payload);
  return j;
}

// Plays one conversation: models both receivers (what each holds, so ACKs
// acknowledge only contiguous data) and writes the captured packets.
class Conversation {
 public:
  Conversation(PcapWriter& out, FlowTruth& truth, Rng& r, const LinkSpec& link,
               const Endpoint& client, const Endpoint& server, int64_t start_us)
      : out_(out), truth_(truth), r_(r), link_(link), ep_{client, server}, clock_(start_us) {
    const uint32_t cisn = r_.next_u32();
    const uint32_t sisn = r_.next_u32();
    isn_[0] = cisn;
    isn_[1] = sisn;
    const auto cid = static_cast<uint16_t>(r_.next_u32());
    const auto sid = static_cast<uint16_t>(r_.next_u32());
    ip_id_[0] = cid;
    ip_id_[1] = sid;
  }

  bool capture_dir[2] = {true, true};
  bool capturing = true;
  size_t fragment_payload = 0;  // > 0: data segments go out as IPv4 fragments of this size

  void set_sizes(size_t client_bytes, size_t server_bytes) {
    have_[0].assign(client_bytes, false);
    have_[1].assign(server_bytes, false);
  }

  void handshake() {
    emit(Direction::kToServer, tcp_flag::kSyn, isn_[0], 0, {}, true, true);
    emit(Direction::kToClient, tcp_flag::kSyn | tcp_flag::kAck, isn_[1], isn_[0] + 1, {}, true,
         true);
    emit(Direction::kToServer, tcp_flag::kAck, isn_[0] + 1, isn_[1] + 1, {}, false, true);
  }

  // `on_piece` is called before each piece is sent (midstream switches capture on).
  template <typename F>
  void burst(Direction d, const std::vector<Piece>& pieces, F on_piece) {
    const int i = index_of(d);
    const Direction back = opposite(d);
    const int o = index_of(back);
    size_t received = 0;
    for (size_t p = 0; p < pieces.size(); ++p) {
      const Piece& piece = pieces[p];
      on_piece(d, piece);
      emit(d, tcp_flag::kAck | tcp_flag::kPsh, seq_at(i, piece.off), ack_of(o), piece.data,
           false, piece.captured);
      for (size_t b = 0; b < piece.data.size(); ++b) have_[i][piece.off + b] = true;
      while (contig_[i] < have_[i].size() && have_[i][contig_[i]]) ++contig_[i];
      ++received;
      if (received % 2 == 0 || p + 1 == pieces.size()) {
        if (contig_[i] > acked_[i]) ++ack_advances_[i];
        acked_[i] = contig_[i];
        emit(back, tcp_flag::kAck, seq_at(o, sent_[o]), ack_of(i), {}, false, true);
      }
    }
    sent_[i] = have_[i].size();
  }

  void close() {
    emit(Direction::kToServer, tcp_flag::kFin | tcp_flag::kAck, seq_at(0, sent_[0]), ack_of(1),
         {}, false, true);
    fin_[0] = true;
    emit(Direction::kToClient, tcp_flag::kFin | tcp_flag::kAck, seq_at(1, sent_[1]), ack_of(0),
         {}, false, true);
    fin_[1] = true;
    emit(Direction::kToServer, tcp_flag::kAck, seq_at(0, sent_[0]) + 1, ack_of(1), {}, false,
         true);
    truth_.end = FlowEnd::kFin;
  }

  int64_t clock() const { return clock_; }
  // Pure ACKs that acknowledged new data of `d` (each is a gap to a sensor
  // that saw none of that data: reassembly declares ACK-driven gaps at once).
  uint64_t ack_advances(Direction d) const { return ack_advances_[index_of(d)]; }
  uint64_t packets = 0;
  uint64_t bytes = 0;
  int64_t first_us = -1;

 private:
  uint32_t seq_at(int side, size_t off) const {
    return isn_[side] + 1 + static_cast<uint32_t>(off);
  }
  // ACK number the receiver of side `side`'s data sends.
  uint32_t ack_of(int side) const {
    return isn_[side] + 1 + static_cast<uint32_t>(contig_[side]) + (fin_[side] ? 1 : 0);
  }

  void emit(Direction d, uint8_t flags, uint32_t seq, uint32_t ack, std::span<const uint8_t> data,
            bool syn_options, bool piece_captured) {
    const int i = index_of(d);
    const int64_t step = static_cast<int64_t>(r_.uniform(40, 400));
    clock_ += step;
    const uint16_t id = ip_id_[i]++;
    if (!piece_captured || !capture_dir[i] || !capturing) return;
    const Endpoint& src = ep_[i];
    const Endpoint& dst = ep_[1 - i];
    const bool fragment = fragment_payload > 0 && !data.empty();
    FrameBuilder fb;
    fb.link_spec(link_);
    if (link_.type == LinkType::kEthernet) fb.ethernet(src.mac, dst.mac);
    fb.ip(src.ip, dst.ip).ttl(i == 0 ? 64 : 52).ip_id(id).ip_dont_fragment(!fragment);
    fb.tcp(src.port, dst.port).seq(seq).ack(ack).flags(flags).window(kWindow);
    if (syn_options) fb.mss(1460);
    fb.payload(data);
    std::vector<std::vector<uint8_t>> frames;
    if (fragment) {
      frames = fb.build_fragments(fragment_payload);
    } else {
      frames.push_back(fb.build());
    }
    auto& c = truth_.dir[i];
    for (size_t f = 0; f < frames.size(); ++f) {
      if (f > 0) clock_ += 5;
      out_.write(clock_, frames[f]);
      ++c.packets;
      c.bytes += frames[f].size();
      ++packets;
      bytes += frames[f].size();
      if (first_us < 0) first_us = clock_;
      if (truth_.start_us < 0) truth_.start_us = clock_;
      truth_.end_us = clock_;
    }
    c.payload_bytes += data.size();
  }

  PcapWriter& out_;
  FlowTruth& truth_;
  Rng& r_;
  LinkSpec link_;
  Endpoint ep_[2];
  int64_t clock_;
  uint32_t isn_[2] = {0, 0};
  uint16_t ip_id_[2] = {0, 0};
  std::vector<bool> have_[2];
  size_t contig_[2] = {0, 0};
  size_t sent_[2] = {0, 0};
  bool fin_[2] = {false, false};
  size_t acked_[2] = {0, 0};
  uint64_t ack_advances_[2] = {0, 0};
};

}  // namespace

const std::vector<std::string>& tcp_abuse_case_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& c : kCases) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

TcpAbuseScenario::TcpAbuseScenario(const ScenarioOptions& options, const TcpAbuseConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {
  for (const auto& name : cfg_.cases) {
    const auto& all = tcp_abuse_case_names();
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      throw std::invalid_argument("unknown tcp-abuse case '" + name + "'");
    }
  }
}

void TcpAbuseScenario::run(PcapWriter& out, Manifest& manifest) {
  nlohmann::ordered_json case_list = nlohmann::ordered_json::array();
  for (const auto& c : kCases) {
    if (cfg_.cases.empty() ||
        std::find(cfg_.cases.begin(), cfg_.cases.end(), c.name) != cfg_.cases.end()) {
      case_list.push_back(c.name);
    }
  }
  manifest.params = {{"flows_per_case", cfg_.flows_per_case},
                     {"cases", case_list},
                     {"segment_bytes", kSegment},
                     {"start_us", options_.start_us}};

  int64_t clock = options_.start_us;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  int64_t first_us = -1;
  int64_t last_us = options_.start_us;
  uint64_t id = 0;
  for (const auto& cn : kCases) {
    if (!cfg_.cases.empty() &&
        std::find(cfg_.cases.begin(), cfg_.cases.end(), cn.name) == cfg_.cases.end()) {
      continue;
    }
    for (uint64_t k = 0; k < cfg_.flows_per_case; ++k) {
      // `--case` changes which flows exist, hence later draws: a selection is
      // deterministic on its own but not a subset of the full capture.
      Rng r = rng_.fork();
      Endpoint client, server;
      const IpAddress server_ip = ip4(192, 0, 2, 71);
      for (;;) {
        const IpAddress cip = plan_.internal_v4();
        const auto cport = static_cast<uint16_t>(rng_.uniform(49152, 56999));
        if (!plan_.reserve(ip_proto::kTcp, cip, cport, server_ip, kServerPort)) continue;
        client = {cip, cport, mac_for(cip)};
        server = {server_ip, kServerPort, mac_for(server_ip)};
        break;
      }
      const size_t client_size = r.uniform(2500, 6000);
      const size_t server_size = r.uniform(2000, 6000);
      std::vector<uint8_t> cpay(client_size);
      std::vector<uint8_t> spay(server_size);
      const uint64_t cseed = r.next();
      const uint64_t sseed = r.next();
      RandomBytes(cseed).fill(cpay);
      RandomBytes(sseed).fill(spay);

      Expected ec, es;
      const auto csegs = shape(cn.c, Direction::kToServer, cpay, r, ec);
      const auto ssegs = shape(cn.c, Direction::kToClient, spay, r, es);

      FlowTruth truth;
      truth.id = id++;
      truth.proto = ip_proto::kTcp;
      truth.client_ip = client.ip;
      truth.server_ip = server.ip;
      truth.client_port = client.port;
      truth.server_port = server.port;

      const LinkSpec link{options_.link, {}};
      Conversation conv(out, truth, r, link, client, server, clock);
      conv.set_sizes(client_size, server_size);
      if (cn.c == Case::kFragments) {
        const uint64_t units = r.uniform(8, 40);
        conv.fragment_payload = units * 8;
      }
      if (cn.c == Case::kOneSided) conv.capture_dir[index_of(Direction::kToClient)] = false;
      if (cn.c == Case::kMidstream) conv.capturing = false;
      auto on_piece = [&conv, &cn](Direction d, const Piece& p) {
        if (cn.c == Case::kMidstream && d == Direction::kToServer && p.off >= kMidstreamStart) {
          conv.capturing = true;
        }
      };
      conv.handshake();
      conv.burst(Direction::kToServer, csegs, on_piece);
      conv.burst(Direction::kToClient, ssegs, on_piece);
      conv.close();
      if (cn.c == Case::kOneSided) {
        // None of the server's bytes are captured, but the client's ACKs show
        // it received all of them: each ACK advance is a gap of the bytes it
        // covers (the server's FIN is a sequence number, not a byte).
        es.gaps = conv.ack_advances(Direction::kToClient);
        es.gap_bytes = server_size;
      }

      truth.app_truth["case"] = cn.name;
      if (cn.c == Case::kFragments) truth.app_truth["fragment_payload"] = conv.fragment_payload;
      truth.app_truth["expected"]["toserver"] = expected_json(ec, cpay);
      truth.app_truth["expected"]["toclient"] = expected_json(es, spay);
      const int64_t truth_end = truth.end_us;
      manifest.add_flow(std::move(truth));

      packets += conv.packets;
      bytes += conv.bytes;
      if (first_us < 0) first_us = conv.first_us;
      last_us = std::max(last_us, truth_end);
      clock = conv.clock() + 1000;
    }
  }
  manifest.set_capture(packets, bytes, first_us < 0 ? options_.start_us : first_us, last_us);
}

}  // namespace ww::gen
