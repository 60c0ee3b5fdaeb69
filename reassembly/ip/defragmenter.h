#pragma once
// IPv4 and IPv6 defragmentation for one worker. Fed every decoded packet that is a
// fragment; holds the pieces of each datagram (keyed by source, destination,
// identification and protocol) under a memory cap and a timeout, resolves overlaps
// by a target-based policy, and hands back the whole datagram as an owned IP packet
// that the caller decodes again as raw IP (LinkType::kRaw). See NOTES.md.
//
//   Defragmenter defrag(config);                 // one per worker
//   std::vector<uint8_t> whole;                  // reused between calls
//   if (pkt.frag.is_fragment) {
//     DefragResult r = defrag.add(pkt, whole);
//     if (r.status == DefragStatus::kComplete) decode_frame(LinkType::kRaw, whole, ...);
//   }
//
// Never throws on packet input; time is packet time.

#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "reassembly/ip/defrag_counters.h"
#include "reassembly/ip/frag_policy.h"
#include "sensor/decode/packet.h"

namespace ww {

struct DefragConfig {
  // Bytes held by incomplete datagrams (fragment data, first-fragment headers and
  // bookkeeping). When full, the oldest incomplete datagrams are evicted.
  uint64_t memcap = 32ull << 20;
  // An incomplete datagram is dropped this long (packet time) after its first
  // fragment arrived. Linux uses 30 s, Suricata 60 s.
  int64_t timeout_us = 60'000'000;
  // Incomplete datagrams held at once; the oldest is evicted to make room.
  uint32_t max_datagrams = 8192;
  // Disjoint pieces one datagram may be split into; beyond, the datagram is dropped
  // (a 64 KiB datagram in 8-byte fragments would be 8192 pieces).
  uint32_t max_fragments = 512;
  FragPolicy policy = FragPolicy::kBsd;
};

// Empty when usable, otherwise one message naming the field.
std::string validate(const DefragConfig& config);

enum class DefragStatus : uint8_t {
  kNotFragment,  // the packet is not a fragment: use it as it is
  kHeld,         // kept; the datagram is not complete yet
  kComplete,     // `out` holds the reassembled IP packet
  kDropped,      // not kept: malformed, truncated, rejected or over a limit (counted)
};

struct DefragResult {
  DefragStatus status = DefragStatus::kNotFragment;
  uint32_t anomalies = 0;  // bit (1 << DefragAnomaly) for each anomaly this fragment raised

  bool has(DefragAnomaly a) const { return (anomalies >> static_cast<unsigned>(a)) & 1u; }
};

class Defragmenter {
 public:
  // Bookkeeping charged to the memory cap per held piece and per datagram.
  static constexpr uint64_t kPieceOverhead = 64;
  static constexpr uint64_t kDatagramOverhead = 256;

  explicit Defragmenter(const DefragConfig& config);
  Defragmenter(const Defragmenter&) = delete;
  Defragmenter& operator=(const Defragmenter&) = delete;

  // Takes one fragment. On kComplete, `out` is resized to the reassembled packet:
  // IPv4 with total length set, MF and fragment offset cleared and the header
  // checksum recomputed; IPv6 with the fragment header removed, the next-header
  // chain and payload length fixed. Expired datagrams are dropped first.
  DefragResult add(const DecodedPacket& pkt, std::vector<uint8_t>& out);
  // Drops incomplete datagrams whose timeout has passed at packet time now_us.
  void on_timeout(int64_t now_us);
  // Drops everything held (shutdown); counts nothing.
  void clear();

  const DefragCounters& counters() const { return counters_; }
  size_t datagrams() const { return table_.size(); }
  uint64_t memory_used() const { return used_; }

 private:
  struct Key {
    IpAddress src;
    IpAddress dst;
    uint32_t id = 0;
    uint8_t proto = 0;
    uint8_t version = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Piece {
    uint32_t start = 0;
    uint32_t len = 0;
    std::unique_ptr<uint8_t[]> data;
    uint32_t end() const { return start + len; }
  };
  struct Datagram {
    std::vector<Piece> pieces;  // sorted by start, disjoint
    // From the fragment at offset 0: the IPv4 header, or the IPv6 header and the
    // extension headers before the fragment header.
    std::vector<uint8_t> header;
    size_t v6_next_header_at = 0;  // byte of `header` naming the fragment header
    uint8_t v6_next_header = 0;    // what it must name once the fragment header is gone
    bool have_first = false;
    bool have_last = false;
    uint32_t total = 0;  // payload length, known once the last fragment arrived
    int64_t first_us = 0;
    uint64_t charged = 0;
    std::list<Key>::iterator age;  // position in age_
  };
  struct Fragment;  // a parsed fragment (defragmenter.cc)

  using Table = std::unordered_map<Key, Datagram, KeyHash>;

  bool parse(const DecodedPacket& pkt, Fragment& f);
  Table::iterator find_or_create(const Key& key, int64_t now_us);
  void drop(Table::iterator it);
  bool make_room(uint64_t bytes, const Key& keep);
  void insert(Datagram& d, const Fragment& f, DefragResult& result);
  bool complete(const Datagram& d) const;
  void build(const Datagram& d, uint8_t version, std::vector<uint8_t>& out) const;
  void raise(DefragResult& result, DefragAnomaly a);

  DefragConfig config_;
  DefragCounters counters_;
  Table table_;
  std::list<Key> age_;  // keys, oldest first
  uint64_t used_ = 0;
};

}  // namespace ww
