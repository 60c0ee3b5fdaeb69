#include "reassembly/ip/defragmenter.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <new>

namespace ww {

namespace {

constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kV6HopByHop = 0;
constexpr uint8_t kV6Routing = 43;
constexpr uint8_t kV6Fragment = 44;
constexpr uint8_t kV6DestOptions = 60;
constexpr size_t kV6HeaderLen = 40;
constexpr size_t kV6FragmentHeaderLen = 8;
constexpr uint64_t kMaxIpLength = 65535;

uint16_t read_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

void write_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

uint16_t ipv4_header_checksum(const uint8_t* h, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += read_be16(h + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

struct Defragmenter::Fragment {
  Key key;
  std::span<const uint8_t> header;  // see Datagram::header
  size_t v6_next_header_at = 0;
  uint8_t v6_next_header = 0;
  std::span<const uint8_t> data;
  uint32_t offset = 0;
  bool more = false;
};

std::string validate(const DefragConfig& config) {
  if (config.timeout_us <= 0) {
    return "defrag timeout must be positive (got " + std::to_string(config.timeout_us) + " us)";
  }
  if (config.memcap < Defragmenter::kDatagramOverhead + Defragmenter::kPieceOverhead + 8) {
    return "defrag memcap must be at least " +
           std::to_string(Defragmenter::kDatagramOverhead + Defragmenter::kPieceOverhead + 8) +
           " bytes (got " + std::to_string(config.memcap) + ")";
  }
  if (config.max_datagrams == 0) return "defrag max_datagrams must be at least 1";
  if (config.max_fragments == 0) return "defrag max_fragments must be at least 1";
  return {};
}

size_t Defragmenter::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  };
  mix(k.src.bytes.data(), k.src.bytes.size());
  mix(k.dst.bytes.data(), k.dst.bytes.size());
  const uint8_t tail[6] = {static_cast<uint8_t>(k.id),
                           static_cast<uint8_t>(k.id >> 8),
                           static_cast<uint8_t>(k.id >> 16),
                           static_cast<uint8_t>(k.id >> 24),
                           k.proto,
                           k.version};
  mix(tail, sizeof(tail));
  return static_cast<size_t>(h);
}

Defragmenter::Defragmenter(const DefragConfig& config) : config_(config) {}

void Defragmenter::raise(DefragResult& result, DefragAnomaly a) {
  result.anomalies |= 1u << static_cast<unsigned>(a);
  ++counters_.anomalies[static_cast<size_t>(a)];
}

bool Defragmenter::parse(const DecodedPacket& pkt, Fragment& f) {
  const std::span<const uint8_t> l3 = pkt.l3;
  f.key.src = pkt.src;
  f.key.dst = pkt.dst;
  f.key.id = pkt.frag.id;
  f.offset = pkt.frag.offset;
  f.more = pkt.frag.more_fragments;

  if (pkt.ip_version == 4) {
    if (l3.size() < 20 || (l3[0] >> 4) != 4) {
      ++counters_.malformed;
      return false;
    }
    const size_t ihl = (l3[0] & 0x0fu) * 4u;
    const size_t total = read_be16(l3.data() + 2);
    if (ihl < 20 || total < ihl) {
      ++counters_.malformed;
      return false;
    }
    if (l3.size() < total) {
      ++counters_.truncated;
      return false;
    }
    f.key.version = 4;
    f.key.proto = l3[9];
    f.header = l3.first(ihl);
    f.data = l3.subspan(ihl, total - ihl);
    return true;
  }

  if (pkt.ip_version == 6) {
    if (l3.size() < kV6HeaderLen || (l3[0] >> 4) != 6) {
      ++counters_.malformed;
      return false;
    }
    const size_t ip_end = kV6HeaderLen + read_be16(l3.data() + 4);
    if (l3.size() < ip_end) {
      ++counters_.truncated;
      return false;
    }
    // The unfragmentable part: the fixed header and any hop-by-hop, routing and
    // destination-options headers before the fragment header.
    uint8_t next = l3[6];
    size_t next_at = 6;
    size_t pos = kV6HeaderLen;
    while (next != kV6Fragment) {
      const bool unfragmentable =
          next == kV6HopByHop || next == kV6Routing || next == kV6DestOptions;
      if (!unfragmentable || pos + 2 > ip_end) {
        ++counters_.malformed;
        return false;
      }
      next_at = pos;
      next = l3[pos];
      pos += (size_t{l3[pos + 1]} + 1) * 8;
    }
    if (pos + kV6FragmentHeaderLen > ip_end) {
      ++counters_.malformed;
      return false;
    }
    f.key.version = 6;
    f.key.proto = l3[pos];
    f.header = l3.first(pos);
    f.v6_next_header_at = next_at;
    f.v6_next_header = l3[pos];
    f.data = l3.subspan(pos + kV6FragmentHeaderLen, ip_end - pos - kV6FragmentHeaderLen);
    return true;
  }

  ++counters_.malformed;
  return false;
}

DefragResult Defragmenter::add(const DecodedPacket& pkt, std::vector<uint8_t>& out) {
  DefragResult result;
  if (!pkt.frag.is_fragment) return result;
  result.status = DefragStatus::kDropped;
  ++counters_.fragments;
  if (pkt.ip_version == 4) ++counters_.ipv4_fragments;
  if (pkt.ip_version == 6) ++counters_.ipv6_fragments;
  on_timeout(pkt.ts_us);

  Fragment f;
  if (!parse(pkt, f)) return result;
  const uint64_t end = uint64_t{f.offset} + f.data.size();
  const uint64_t room = f.key.version == 4 ? kMaxIpLength - f.header.size()
                                           : kMaxIpLength - (f.header.size() - kV6HeaderLen);
  if (end > room) {
    raise(result, DefragAnomaly::too_large);
    ++counters_.rejected;
    return result;
  }
  if (f.data.empty()) {
    ++counters_.empty;
    return result;
  }
  if (f.more && f.data.size() % 8 != 0) raise(result, DefragAnomaly::unaligned_fragment);
  if (f.offset == 0 && f.key.proto == kProtoTcp) {
    // Too short for the fixed TCP header, or for the header length it announces:
    // the ports or flags end up in a later fragment (RFC 1858 tiny fragment attack).
    if (f.data.size() < 20 || f.data.size() < (f.data[12] >> 4) * 4u) {
      raise(result, DefragAnomaly::tiny_first_fragment);
    }
  }

  auto it = find_or_create(f.key, pkt.ts_us);
  if (it == table_.end()) {
    ++counters_.memcap_drops;
    return result;
  }
  Datagram& d = it->second;
  const uint64_t held_end = d.pieces.empty() ? 0 : d.pieces.back().end();
  const bool bad_end = f.more
                           ? (d.have_last && end > d.total)
                           : ((d.have_last && end != d.total) || (!d.have_last && held_end > end));
  if (bad_end) {
    raise(result, DefragAnomaly::conflicting_end);
    ++counters_.rejected;
    if (d.pieces.empty()) drop(it);
    return result;
  }

  // Room for the worst case: one new piece per hole this fragment fills.
  uint64_t need = f.data.size() + kPieceOverhead;
  for (const Piece& p : d.pieces) {
    if (p.start < end && p.end() > f.offset) need += kPieceOverhead;
  }
  const bool first = f.offset == 0 && !d.have_first;
  if (first) need += f.header.size();
  if (!make_room(need, f.key)) {
    ++counters_.memcap_drops;
    drop(it);
    return result;
  }
  if (first) {
    d.header.assign(f.header.begin(), f.header.end());
    d.v6_next_header_at = f.v6_next_header_at;
    d.v6_next_header = f.v6_next_header;
    d.have_first = true;
    d.charged += d.header.size();
    used_ += d.header.size();
  }
  if (!f.more) {
    d.have_last = true;
    d.total = static_cast<uint32_t>(end);
  }
  insert(d, f, result);
  counters_.memory_high_water = std::max(counters_.memory_high_water, used_);
  if (d.pieces.size() > config_.max_fragments) {
    raise(result, DefragAnomaly::too_many_fragments);
    ++counters_.fragment_limit_drops;
    drop(it);
    return result;
  }
  if (!complete(d)) {
    result.status = DefragStatus::kHeld;
    return result;
  }
  build(d, f.key.version, out);
  ++counters_.reassembled;
  if (f.key.version == 4) ++counters_.ipv4_reassembled;
  if (f.key.version == 6) ++counters_.ipv6_reassembled;
  drop(it);
  result.status = DefragStatus::kComplete;
  return result;
}

Defragmenter::Table::iterator Defragmenter::find_or_create(const Key& key, int64_t now_us) {
  auto it = table_.find(key);
  if (it != table_.end()) return it;
  if (table_.size() >= config_.max_datagrams && !age_.empty()) {
    ++counters_.evicted_datagram_limit;
    drop(table_.find(age_.front()));
  }
  if (!make_room(kDatagramOverhead, key)) return table_.end();
  age_.push_back(key);
  Datagram d;
  d.first_us = now_us;
  d.age = std::prev(age_.end());
  d.charged = kDatagramOverhead;
  used_ += kDatagramOverhead;
  it = table_.emplace(key, std::move(d)).first;
  counters_.datagrams_high_water =
      std::max<uint64_t>(counters_.datagrams_high_water, table_.size());
  return it;
}

void Defragmenter::drop(Table::iterator it) {
  if (it == table_.end()) return;
  used_ -= std::min(used_, it->second.charged);
  age_.erase(it->second.age);
  table_.erase(it);
}

bool Defragmenter::make_room(uint64_t bytes, const Key& keep) {
  if (bytes > config_.memcap) return false;
  while (used_ + bytes > config_.memcap) {
    // Oldest first: under pressure the datagram least likely to complete goes.
    auto victim =
        std::find_if(age_.begin(), age_.end(), [&keep](const Key& k) { return !(k == keep); });
    if (victim == age_.end()) return false;
    ++counters_.evicted_memcap;
    drop(table_.find(*victim));
  }
  return true;
}

void Defragmenter::insert(Datagram& d, const Fragment& f, DefragResult& result) {
  const uint32_t start = f.offset;
  const uint32_t end = start + static_cast<uint32_t>(f.data.size());
  auto ends_after = [&d](uint32_t offset) {
    return std::partition_point(d.pieces.begin(), d.pieces.end(),
                                [offset](const Piece& p) { return p.end() <= offset; });
  };

  // Overlaps with held pieces: identical bytes merge, different bytes go by policy.
  bool same = false;
  bool different = false;
  for (auto it = ends_after(start); it != d.pieces.end() && it->start < end; ++it) {
    const uint32_t lo = std::max(start, it->start);
    const uint32_t hi = std::min(end, it->end());
    uint8_t* held = it->data.get() + (lo - it->start);
    const uint8_t* fresh = f.data.data() + (lo - start);
    if (std::memcmp(held, fresh, hi - lo) == 0) {
      same = true;
      continue;
    }
    different = true;
    if (frag_overlap_new_wins(config_.policy, it->start, it->end(), start, end)) {
      std::memcpy(held, fresh, hi - lo);
    }
  }
  if (different) raise(result, DefragAnomaly::overlap_different_data);
  if (same && !different) ++counters_.overlaps_same_data;

  // What no held piece covers becomes new pieces.
  uint32_t cursor = start;
  while (cursor < end) {
    auto it = ends_after(cursor);
    if (it != d.pieces.end() && it->start <= cursor) {
      cursor = std::min(end, it->end());
      continue;
    }
    const uint32_t piece_end = it == d.pieces.end() ? end : std::min(end, it->start);
    const uint32_t len = piece_end - cursor;
    std::unique_ptr<uint8_t[]> data(new (std::nothrow) uint8_t[len]);
    if (!data) return;  // the datagram stays incomplete and times out
    std::memcpy(data.get(), f.data.data() + (cursor - start), len);
    d.pieces.insert(it, Piece{cursor, len, std::move(data)});
    d.charged += len + kPieceOverhead;
    used_ += len + kPieceOverhead;
    cursor = piece_end;
  }
}

bool Defragmenter::complete(const Datagram& d) const {
  if (!d.have_first || !d.have_last || d.pieces.empty()) return false;
  uint32_t reached = 0;
  for (const Piece& p : d.pieces) {
    if (p.start != reached) return false;
    reached = p.end();
  }
  return reached == d.total;
}

void Defragmenter::build(const Datagram& d, uint8_t version, std::vector<uint8_t>& out) const {
  const size_t hlen = d.header.size();
  out.resize(hlen + d.total);
  std::memcpy(out.data(), d.header.data(), hlen);
  for (const Piece& p : d.pieces) std::memcpy(out.data() + hlen + p.start, p.data.get(), p.len);
  if (version == 4) {
    write_be16(out.data() + 2, static_cast<uint16_t>(hlen + d.total));
    // Keep the reserved and DF bits; clear MF and the offset.
    write_be16(out.data() + 6, read_be16(out.data() + 6) & 0xc000);
    write_be16(out.data() + 10, 0);
    write_be16(out.data() + 10, ipv4_header_checksum(out.data(), hlen));
  } else {
    out[d.v6_next_header_at] = d.v6_next_header;
    write_be16(out.data() + 4, static_cast<uint16_t>(hlen - kV6HeaderLen + d.total));
  }
}

void Defragmenter::on_timeout(int64_t now_us) {
  // age_ is in arrival order, so expiry stops at the first datagram still in time.
  while (!age_.empty()) {
    auto it = table_.find(age_.front());
    if (now_us - it->second.first_us < config_.timeout_us) break;
    ++counters_.timeouts;
    drop(it);
  }
}

void Defragmenter::clear() {
  table_.clear();
  age_.clear();
  used_ = 0;
}

}  // namespace ww
