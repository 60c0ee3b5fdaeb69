#include "sensor/decode/decoder.h"

#include <algorithm>
#include <cstddef>

namespace ww {
namespace {

static_assert(kDecodeAnomalyCount <= 32, "DecodedPacket::anomalies is a 32-bit mask");

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;  // 802.1Q
constexpr uint16_t kEtherQinQ = 0x88a8;  // 802.1ad
constexpr uint16_t kEtherQinQLegacy = 0x9100;

constexpr size_t kEthernetHeader = 14;
constexpr size_t kVlanTag = 4;
constexpr size_t kSllHeader = 16;
constexpr size_t kSll2Header = 20;
constexpr size_t kLoopbackHeader = 4;
constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpv6Header = 40;
constexpr size_t kTcpMinHeader = 20;
constexpr size_t kUdpHeader = 8;
constexpr size_t kIcmpHeader = 8;  // type, code, checksum and the 4-byte rest of header

constexpr size_t kMaxVlanTags = 2;
constexpr size_t kMaxIpv6ExtHeaders = 8;

// BSD address families as they appear in loopback headers.
constexpr uint32_t kBsdAfInet = 2;
constexpr uint32_t kBsdAfInet6NetBsd = 24;  // also OpenBSD
constexpr uint32_t kBsdAfInet6FreeBsd = 28;
constexpr uint32_t kBsdAfInet6Darwin = 30;

constexpr uint8_t kProtoHopByHop = 0;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoRouting = 43;
constexpr uint8_t kProtoFragment = 44;
constexpr uint8_t kProtoAh = 51;
constexpr uint8_t kProtoIcmpv6 = 58;
constexpr uint8_t kProtoNoNext = 59;
constexpr uint8_t kProtoDstOpts = 60;

constexpr uint8_t kTcpOptEol = 0;
constexpr uint8_t kTcpOptNop = 1;
constexpr uint8_t kTcpOptMss = 2;
constexpr uint8_t kTcpOptWscale = 3;
constexpr uint8_t kTcpOptSackPermitted = 4;
constexpr uint8_t kTcpOptTimestamp = 8;

// Byte loads: the frame has no alignment guarantee, so no struct casts.
inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint32_t load_le32(const uint8_t* p) {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[0]};
}
inline uint32_t byteswap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

bool is_ipv6_extension(uint8_t proto) {
  return proto == kProtoHopByHop || proto == kProtoRouting || proto == kProtoFragment ||
         proto == kProtoAh || proto == kProtoDstOpts;
}

// Walks the type-length-value list shared by IPv4 and TCP options. Calls
// on_option(kind, body) for each complete option; returns false at the first
// option whose length byte is missing, below 2, or runs past the list.
template <typename OnOption>
bool walk_options(std::span<const uint8_t> opts, OnOption&& on_option) {
  size_t i = 0;
  while (i < opts.size()) {
    const uint8_t kind = opts[i];
    if (kind == 0) return true;  // end of option list; the rest is padding
    if (kind == 1) {             // no-operation
      ++i;
      continue;
    }
    if (opts.size() - i < 2) return false;
    const size_t len = opts[i + 1];
    if (len < 2 || len > opts.size() - i) return false;
    if (!on_option(kind, opts.subspan(i + 2, len - 2))) return false;
    i += len;
  }
  return true;
}

// One decode. Holds the frame and the output so the layer functions stay small;
// lives on the stack for the duration of decode_frame().
class FrameDecoder {
 public:
  FrameDecoder(std::span<const uint8_t> frame, uint32_t wire_len, DecodedPacket& out,
               DecodeCounters& counters)
      : frame_(frame),
        wire_len_(std::max<size_t>(wire_len, frame.size())),
        out_(out),
        counters_(counters) {}

  DecodeResult run(LinkType link);
  // What decode_frame() reports through its `anomaly` argument.
  DecodeAnomaly reported() const { return fatal_ != DecodeAnomaly::kCount ? fatal_ : first_; }

 private:
  // Captured bytes from `off` to the end of the frame.
  size_t captured_from(size_t off) const { return off < frame_.size() ? frame_.size() - off : 0; }
  // Bytes that were on the wire from `off` on (at least the captured ones).
  size_t wire_from(size_t off) const { return off < wire_len_ ? wire_len_ - off : 0; }

  // Records an anomaly: once per kind per frame.
  void note(DecodeAnomaly a) {
    const uint32_t bit = 1u << static_cast<unsigned>(a);
    if (out_.anomalies & bit) return;
    out_.anomalies |= bit;
    ++counters_.anomalies[static_cast<size_t>(a)];
    if (first_ == DecodeAnomaly::kCount) first_ = a;
  }
  DecodeResult fail(DecodeAnomaly a) {
    note(a);
    fatal_ = a;
    return DecodeResult::kAnomaly;
  }
  // In the first fragment of a datagram the L4 header is read for information
  // only: its faults are judged when the reassembled datagram is decoded.
  void note_l4(DecodeAnomaly a) {
    if (!l4_info_only_) note(a);
  }
  DecodeResult fail_l4(DecodeAnomaly a) { return l4_info_only_ ? DecodeResult::kOk : fail(a); }
  DecodeResult ok_l4(uint64_t& counter) {
    if (!l4_info_only_) ++counter;
    return DecodeResult::kOk;
  }

  DecodeResult link_loopback(uint32_t family);
  DecodeResult by_ethertype(size_t off, uint16_t type);
  DecodeResult ipv4(size_t off);
  DecodeResult ipv6(size_t off);
  // `seg` is the captured part of the IP payload after all IP headers,
  // `seg_len` its length according to the IP header (>= seg.size()).
  DecodeResult l4(uint8_t proto, std::span<const uint8_t> seg, size_t seg_len);
  void ports(std::span<const uint8_t> seg);
  DecodeResult tcp(std::span<const uint8_t> seg, size_t seg_len);
  DecodeResult udp(std::span<const uint8_t> seg, size_t seg_len);
  DecodeResult icmp(std::span<const uint8_t> seg);
  bool tcp_options(std::span<const uint8_t> opts);

  std::span<const uint8_t> frame_;
  size_t wire_len_;
  DecodedPacket& out_;
  DecodeCounters& counters_;
  DecodeAnomaly first_ = DecodeAnomaly::kCount;
  DecodeAnomaly fatal_ = DecodeAnomaly::kCount;
  bool l4_info_only_ = false;
};

DecodeResult FrameDecoder::run(LinkType link) {
  switch (link) {
    case LinkType::kEthernet:
      if (frame_.size() < kEthernetHeader) return fail(DecodeAnomaly::link_truncated);
      return by_ethertype(kEthernetHeader, load_be16(frame_.data() + 12));
    case LinkType::kLinuxSll:
      if (frame_.size() < kSllHeader) return fail(DecodeAnomaly::link_truncated);
      return by_ethertype(kSllHeader, load_be16(frame_.data() + 14));
    case LinkType::kLinuxSll2:
      if (frame_.size() < kSll2Header) return fail(DecodeAnomaly::link_truncated);
      return by_ethertype(kSll2Header, load_be16(frame_.data()));
    case LinkType::kNull: {
      if (frame_.size() < kLoopbackHeader) return fail(DecodeAnomaly::link_truncated);
      // Host order of the capturing machine, which need not be ours. Families
      // are small numbers, so a value with high bits set was written in the
      // other byte order (tcpdump's rule).
      uint32_t family = load_le32(frame_.data());
      if (family & 0xffff0000u) family = byteswap32(family);
      return link_loopback(family);
    }
    case LinkType::kLoop:
      if (frame_.size() < kLoopbackHeader) return fail(DecodeAnomaly::link_truncated);
      return link_loopback(load_be32(frame_.data()));
    case LinkType::kRaw:
      if (frame_.empty()) return fail(DecodeAnomaly::link_truncated);
      switch (frame_[0] >> 4) {
        case 4:
          return ipv4(0);
        case 6:
          return ipv6(0);
        default:
          return fail(DecodeAnomaly::link_unknown_family);
      }
    case LinkType::kIpv4:
      return ipv4(0);
    case LinkType::kIpv6:
      return ipv6(0);
  }
  // A LinkType value outside the enum: nothing we can read.
  return fail(DecodeAnomaly::link_unknown_family);
}

DecodeResult FrameDecoder::link_loopback(uint32_t family) {
  switch (family) {
    case kBsdAfInet:
      return ipv4(kLoopbackHeader);
    case kBsdAfInet6NetBsd:
    case kBsdAfInet6FreeBsd:
    case kBsdAfInet6Darwin:
      return ipv6(kLoopbackHeader);
    default:
      return fail(DecodeAnomaly::link_unknown_family);
  }
}

DecodeResult FrameDecoder::by_ethertype(size_t off, uint16_t type) {
  while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQLegacy) {
    if (out_.vlan_count == kMaxVlanTags) return fail(DecodeAnomaly::vlan_too_many);
    if (captured_from(off) < kVlanTag) return fail(DecodeAnomaly::vlan_truncated);
    const uint8_t* tag = frame_.data() + off;
    out_.vlan[out_.vlan_count] = load_be16(tag) & 0x0fff;
    if (out_.vlan_count++ == 0) ++counters_.vlan;
    type = load_be16(tag + 2);
    off += kVlanTag;
  }
  if (type == kEtherIpv4) return ipv4(off);
  if (type == kEtherIpv6) return ipv6(off);
  // 802.3 length fields (LLC/SNAP below 0x0600), ARP, LLDP, MPLS, PPPoE, ...
  return DecodeResult::kNotIp;
}

DecodeResult FrameDecoder::ipv4(size_t off) {
  const size_t cap = captured_from(off);
  if (cap < kIpv4MinHeader) return fail(DecodeAnomaly::ipv4_truncated);
  const uint8_t* p = frame_.data() + off;
  if ((p[0] >> 4) != 4) return fail(DecodeAnomaly::ipv4_bad_version);

  out_.ip_version = 4;
  out_.ttl = p[8];
  out_.l4_proto = p[9];
  out_.src = IpAddress::v4(p + 12);
  out_.dst = IpAddress::v4(p + 16);

  const size_t ihl = size_t{p[0] & 0x0fu} * 4;
  const size_t total = load_be16(p + 2);
  if (ihl < kIpv4MinHeader) return fail(DecodeAnomaly::ipv4_bad_ihl);
  if (total < ihl) return fail(DecodeAnomaly::ipv4_bad_total_len);
  if (ihl > cap) return fail(DecodeAnomaly::ipv4_bad_ihl);
  // Shorter than the total length on the wire is a lie; shorter only in the
  // capture is snaplen doing its job.
  if (total > wire_from(off)) return fail(DecodeAnomaly::ipv4_len_beyond_frame);

  // Using the total length (not the frame end) drops Ethernet padding and FCS.
  const size_t ip_cap = std::min(total, cap);
  out_.l3 = frame_.subspan(off, ip_cap);
  out_.payload_truncated = ip_cap < total;

  const bool options_ok = walk_options(out_.l3.subspan(kIpv4MinHeader, ihl - kIpv4MinHeader),
                                       [](uint8_t, std::span<const uint8_t>) { return true; });
  if (!options_ok) note(DecodeAnomaly::ipv4_bad_option);
  ++counters_.ipv4;

  const uint16_t flags_offset = load_be16(p + 6);
  FragmentInfo& frag = out_.frag;
  frag.more_fragments = (flags_offset & 0x2000) != 0;
  frag.offset = uint32_t{flags_offset & 0x1fffu} * 8;
  frag.id = load_be16(p + 4);
  frag.is_fragment = frag.more_fragments || frag.offset != 0;

  const std::span<const uint8_t> seg = out_.l3.subspan(ihl);
  out_.l3_payload = seg;
  return l4(p[9], seg, total - ihl);
}

DecodeResult FrameDecoder::ipv6(size_t off) {
  const size_t cap = captured_from(off);
  if (cap < kIpv6Header) return fail(DecodeAnomaly::ipv6_truncated);
  const uint8_t* p = frame_.data() + off;
  if ((p[0] >> 4) != 6) return fail(DecodeAnomaly::ipv6_bad_version);

  out_.ip_version = 6;
  out_.ttl = p[7];
  out_.l4_proto = p[6];
  out_.src = IpAddress::v6(p + 8);
  out_.dst = IpAddress::v6(p + 24);

  // Jumbograms (payload length 0 plus a hop-by-hop jumbo option) are not
  // followed: they cannot occur on Ethernet.
  const size_t total = kIpv6Header + load_be16(p + 4);
  if (total > wire_from(off)) return fail(DecodeAnomaly::ipv6_len_beyond_frame);
  const size_t ip_cap = std::min(total, cap);
  const std::span<const uint8_t> ip = frame_.subspan(off, ip_cap);
  out_.l3 = ip;
  out_.payload_truncated = ip_cap < total;
  ++counters_.ipv6;

  uint8_t next = p[6];
  size_t pos = kIpv6Header;  // invariant: pos <= ip_cap
  size_t headers = 0;
  size_t fragmentable = 0;  // where the fragment's payload starts, when there is one
  while (is_ipv6_extension(next)) {
    if (headers == kMaxIpv6ExtHeaders) return fail(DecodeAnomaly::ipv6_exthdr_too_many);
    ++headers;
    if (ip_cap - pos < 2) return fail(DecodeAnomaly::ipv6_exthdr_truncated);
    const uint8_t* h = ip.data() + pos;
    size_t len;
    if (next == kProtoFragment) {
      len = 8;
    } else if (next == kProtoAh) {
      len = (size_t{h[1]} + 2) * 4;
    } else {
      len = (size_t{h[1]} + 1) * 8;
    }
    if (len > ip_cap - pos) return fail(DecodeAnomaly::ipv6_exthdr_truncated);
    const uint8_t this_header = next;
    next = h[0];
    pos += len;
    if (this_header == kProtoFragment) {
      FragmentInfo& frag = out_.frag;
      const uint16_t offset_flags = load_be16(h + 2);
      frag.is_fragment = true;
      frag.more_fragments = (offset_flags & 0x0001) != 0;
      frag.offset = offset_flags & 0xfff8u;  // 8-byte units in the top 13 bits
      frag.id = load_be32(h + 4);
      fragmentable = pos;
      // Headers after this one belong to the first fragment only.
      if (frag.offset != 0) break;
    }
  }

  out_.l4_proto = next;
  out_.l3_payload = ip.subspan(out_.frag.is_fragment ? fragmentable : pos);
  return l4(next, ip.subspan(pos), total - pos);
}

DecodeResult FrameDecoder::l4(uint8_t proto, std::span<const uint8_t> seg, size_t seg_len) {
  if (out_.frag.is_fragment) {
    ++counters_.fragments;
    if (out_.frag.offset != 0) return DecodeResult::kOk;  // no L4 header here
    l4_info_only_ = true;
  }
  switch (proto) {
    case kProtoTcp:
      return tcp(seg, seg_len);
    case kProtoUdp:
      return udp(seg, seg_len);
    case kProtoIcmp:
    case kProtoIcmpv6:
      return icmp(seg);
    case kProtoNoNext:
      return ok_l4(counters_.other_ip);  // nothing follows, whatever the length says
    default:
      out_.payload = seg;
      return ok_l4(counters_.other_ip);
  }
}

// Ports come first in TCP and UDP: keep them even when the rest is missing
// (a tiny first fragment, a truncated header).
void FrameDecoder::ports(std::span<const uint8_t> seg) {
  if (seg.size() < 4) return;
  out_.src_port = load_be16(seg.data());
  out_.dst_port = load_be16(seg.data() + 2);
}

DecodeResult FrameDecoder::tcp(std::span<const uint8_t> seg, size_t seg_len) {
  ports(seg);
  if (seg.size() < kTcpMinHeader) return fail_l4(DecodeAnomaly::tcp_truncated);
  const uint8_t* p = seg.data();
  TcpInfo& t = out_.tcp;
  t.seq = load_be32(p + 4);
  t.ack = load_be32(p + 8);
  t.flags = p[13];
  t.window = load_be16(p + 14);
  t.urgent = load_be16(p + 18);
  const size_t header_len = static_cast<size_t>(p[12] >> 4) * 4;
  t.header_len = static_cast<uint8_t>(header_len);
  if (header_len < kTcpMinHeader || header_len > seg_len) {
    return fail_l4(DecodeAnomaly::tcp_bad_offset);
  }
  if (header_len > seg.size()) return fail_l4(DecodeAnomaly::tcp_truncated);
  // A bad option costs the options, never the segment: reassembly needs it.
  if (!tcp_options(seg.subspan(kTcpMinHeader, header_len - kTcpMinHeader))) {
    note_l4(DecodeAnomaly::tcp_bad_option);
  }
  out_.payload = seg.subspan(header_len);
  return ok_l4(counters_.tcp);
}

bool FrameDecoder::tcp_options(std::span<const uint8_t> opts) {
  TcpInfo& t = out_.tcp;
  return walk_options(opts, [&t](uint8_t kind, std::span<const uint8_t> body) {
    switch (kind) {
      case kTcpOptMss:
        if (body.size() != 2) return false;
        t.has_mss = true;
        t.mss = load_be16(body.data());
        return true;
      case kTcpOptWscale:
        if (body.size() != 1) return false;
        t.has_wscale = true;
        t.wscale = body[0];
        return true;
      case kTcpOptSackPermitted:
        if (!body.empty()) return false;
        t.sack_permitted = true;
        return true;
      case kTcpOptTimestamp:
        if (body.size() != 8) return false;
        t.has_timestamp = true;
        t.ts_val = load_be32(body.data());
        t.ts_ecr = load_be32(body.data() + 4);
        return true;
      default:
        return true;  // SACK blocks, MD5, TFO, ...: skipped by length
    }
  });
}

DecodeResult FrameDecoder::udp(std::span<const uint8_t> seg, size_t seg_len) {
  ports(seg);
  if (seg.size() < kUdpHeader) return fail_l4(DecodeAnomaly::udp_truncated);
  const uint8_t* p = seg.data();
  size_t datagram_len = seg_len;
  if (!l4_info_only_) {
    // In a fragment the UDP length covers the whole datagram, not this piece.
    const size_t udp_len = load_be16(p + 4);
    if (udp_len != seg_len) {
      note(DecodeAnomaly::udp_bad_len);
      datagram_len = std::min(udp_len, seg_len);
    }
  }
  const size_t payload_len = datagram_len > kUdpHeader ? datagram_len - kUdpHeader : 0;
  const size_t captured = std::min(payload_len, seg.size() - kUdpHeader);
  out_.payload = seg.subspan(kUdpHeader, captured);
  out_.payload_truncated = captured < payload_len;
  return ok_l4(counters_.udp);
}

DecodeResult FrameDecoder::icmp(std::span<const uint8_t> seg) {
  if (seg.size() < kIcmpHeader) return fail_l4(DecodeAnomaly::icmp_truncated);
  out_.icmp_type = seg[0];
  out_.icmp_code = seg[1];
  out_.payload = seg.subspan(kIcmpHeader);
  return ok_l4(counters_.icmp);
}

}  // namespace

DecodeResult decode_frame(LinkType link, std::span<const uint8_t> frame, uint32_t wire_len,
                          int64_t ts_us, DecodedPacket& out, DecodeCounters& counters,
                          DecodeAnomaly* anomaly) {
  out = DecodedPacket{};
  out.ts_us = ts_us;
  out.wire_len = wire_len;
  out.cap_len = static_cast<uint32_t>(frame.size());
  ++counters.packets;

  FrameDecoder decoder(frame, wire_len, out, counters);
  const DecodeResult result = decoder.run(link);
  if (result == DecodeResult::kNotIp) ++counters.not_ip;
  if (result == DecodeResult::kOk && out.payload_truncated) ++counters.truncated_payload;
  if (anomaly != nullptr) *anomaly = decoder.reported();
  return result;
}

}  // namespace ww
