#include "tools/gen/frame_builder.h"

#include <algorithm>
#include <stdexcept>

#include "tools/gen/checksum.h"

namespace ww::gen {
namespace {

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}
void set16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}

constexpr size_t kIpv4HeaderBytes = 20;
constexpr size_t kIpv6HeaderBytes = 40;

}  // namespace

// --- link layer ---

FrameBuilder& FrameBuilder::link(LinkType type) {
  if (type != LinkType::kEthernet && type != LinkType::kRaw && type != LinkType::kIpv4 &&
      type != LinkType::kIpv6) {
    throw std::invalid_argument("FrameBuilder: unsupported link type");
  }
  link_ = type;
  return *this;
}

FrameBuilder& FrameBuilder::ethernet(const MacAddress& src, const MacAddress& dst) {
  link_ = LinkType::kEthernet;
  src_mac_ = src;
  dst_mac_ = dst;
  return *this;
}

FrameBuilder& FrameBuilder::vlan(uint16_t id, uint8_t pcp) {
  return vlan_tag({ethertype::kVlan, id, pcp});
}

FrameBuilder& FrameBuilder::qinq(uint16_t outer_id, uint16_t inner_id) {
  vlan_tag({ethertype::kQinQ, outer_id, 0});
  return vlan_tag({ethertype::kVlan, inner_id, 0});
}

FrameBuilder& FrameBuilder::vlan_tag(const VlanTag& tag) {
  vlans_.push_back(tag);
  return *this;
}

FrameBuilder& FrameBuilder::link_spec(const LinkSpec& spec) {
  link(spec.type);
  vlans_ = spec.vlans;
  return *this;
}

FrameBuilder& FrameBuilder::ethertype_override(uint16_t type) {
  ethertype_ = type;
  return *this;
}

// --- IP ---

FrameBuilder& FrameBuilder::ipv4(const IpAddress& src, const IpAddress& dst) {
  ip_version_ = 4;
  src_ = src;
  dst_ = dst;
  return *this;
}

FrameBuilder& FrameBuilder::ipv6(const IpAddress& src, const IpAddress& dst) {
  ip_version_ = 6;
  src_ = src;
  dst_ = dst;
  return *this;
}

FrameBuilder& FrameBuilder::ip(const IpAddress& src, const IpAddress& dst) {
  return src.family == 6 ? ipv6(src, dst) : ipv4(src, dst);
}

FrameBuilder& FrameBuilder::ip_id(uint16_t id) {
  ip_id_ = id;
  return *this;
}
FrameBuilder& FrameBuilder::ttl(uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}
FrameBuilder& FrameBuilder::tos(uint8_t tos) {
  tos_ = tos;
  return *this;
}
FrameBuilder& FrameBuilder::flow_label(uint32_t label) {
  flow_label_ = label & 0xfffff;
  return *this;
}
FrameBuilder& FrameBuilder::ip_dont_fragment(bool df) {
  dont_fragment_ = df;
  return *this;
}
FrameBuilder& FrameBuilder::ip_fragment(uint16_t offset_bytes, bool more_fragments) {
  frag_offset_ = offset_bytes;
  more_fragments_ = more_fragments;
  return *this;
}

FrameBuilder& FrameBuilder::ip_options(std::span<const uint8_t> options) {
  ip_options_.assign(options.begin(), options.end());
  while (ip_options_.size() % 4) ip_options_.push_back(0);
  if (ip_options_.size() > 40) throw std::length_error("FrameBuilder: IPv4 options > 40 bytes");
  return *this;
}

FrameBuilder& FrameBuilder::ip_protocol(uint8_t proto) {
  ip_proto_ = proto;
  return *this;
}

FrameBuilder& FrameBuilder::ipv6_extension(uint8_t type, std::span<const uint8_t> body) {
  Ext e{type, {}};
  size_t padded = std::max<size_t>(6, body.size());
  while ((padded - 6) % 8) ++padded;
  if ((padded - 6) / 8 > 255) throw std::length_error("FrameBuilder: extension header too long");
  e.bytes.push_back(static_cast<uint8_t>((padded - 6) / 8));
  e.bytes.insert(e.bytes.end(), body.begin(), body.end());
  e.bytes.resize(1 + padded, 0);
  ext_.push_back(std::move(e));
  return *this;
}

FrameBuilder& FrameBuilder::ipv6_fragment(uint16_t offset_bytes, bool more_fragments, uint32_t id) {
  Ext e{ip_proto::kFragment, {}};
  const uint16_t off = static_cast<uint16_t>((offset_bytes & ~7u) | (more_fragments ? 1 : 0));
  e.bytes = {0,
             static_cast<uint8_t>(off >> 8),
             static_cast<uint8_t>(off),
             static_cast<uint8_t>(id >> 24),
             static_cast<uint8_t>(id >> 16),
             static_cast<uint8_t>(id >> 8),
             static_cast<uint8_t>(id)};
  ext_.push_back(std::move(e));
  return *this;
}

FrameBuilder& FrameBuilder::ip_checksum_override(uint16_t sum) {
  ip_checksum_ = sum;
  return *this;
}
FrameBuilder& FrameBuilder::ip_length_override(uint16_t length) {
  ip_length_ = length;
  return *this;
}

// --- TCP ---

FrameBuilder& FrameBuilder::tcp(uint16_t src_port, uint16_t dst_port) {
  l4_ = L4::kTcp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  return *this;
}
FrameBuilder& FrameBuilder::seq(uint32_t v) {
  seq_ = v;
  return *this;
}
FrameBuilder& FrameBuilder::ack(uint32_t v) {
  ack_ = v;
  return *this;
}
FrameBuilder& FrameBuilder::flags(uint8_t v) {
  flags_ = v;
  return *this;
}
FrameBuilder& FrameBuilder::window(uint16_t v) {
  window_ = v;
  return *this;
}
FrameBuilder& FrameBuilder::urgent(uint16_t v) {
  urgent_ = v;
  return *this;
}
FrameBuilder& FrameBuilder::nop() {
  tcp_options_.push_back(1);
  return *this;
}
FrameBuilder& FrameBuilder::mss(uint16_t v) {
  const uint8_t o[4] = {2, 4, static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return tcp_option(o);
}
FrameBuilder& FrameBuilder::wscale(uint8_t shift) {
  const uint8_t o[3] = {3, 3, shift};
  return tcp_option(o);
}
FrameBuilder& FrameBuilder::sack_permitted() {
  const uint8_t o[2] = {4, 2};
  return tcp_option(o);
}
FrameBuilder& FrameBuilder::timestamps(uint32_t ts_val, uint32_t ts_ecr) {
  const uint8_t o[10] = {8,
                         10,
                         static_cast<uint8_t>(ts_val >> 24),
                         static_cast<uint8_t>(ts_val >> 16),
                         static_cast<uint8_t>(ts_val >> 8),
                         static_cast<uint8_t>(ts_val),
                         static_cast<uint8_t>(ts_ecr >> 24),
                         static_cast<uint8_t>(ts_ecr >> 16),
                         static_cast<uint8_t>(ts_ecr >> 8),
                         static_cast<uint8_t>(ts_ecr)};
  return tcp_option(o);
}
FrameBuilder& FrameBuilder::tcp_option(std::span<const uint8_t> raw) {
  tcp_options_.insert(tcp_options_.end(), raw.begin(), raw.end());
  if (tcp_options_.size() > 40) throw std::length_error("FrameBuilder: TCP options > 40 bytes");
  return *this;
}
FrameBuilder& FrameBuilder::tcp_data_offset_override(uint8_t words) {
  data_offset_ = words;
  return *this;
}

// --- UDP / ICMP ---

FrameBuilder& FrameBuilder::udp(uint16_t src_port, uint16_t dst_port) {
  l4_ = L4::kUdp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  return *this;
}

FrameBuilder& FrameBuilder::icmp(uint8_t type, uint8_t code, uint32_t rest) {
  l4_ = L4::kIcmp;
  icmp_echo_ = false;
  icmp_type_ = type;
  icmp_code_ = code;
  icmp_rest_ = rest;
  return *this;
}

FrameBuilder& FrameBuilder::icmp_echo(bool reply, uint16_t id, uint16_t sequence) {
  // Type numbers depend on the IP version; resolved at build time.
  l4_ = L4::kIcmp;
  icmp_echo_ = true;
  icmp_echo_reply_ = reply;
  icmp_code_ = 0;
  icmp_rest_ = uint32_t{id} << 16 | sequence;
  return *this;
}

FrameBuilder& FrameBuilder::l4_checksum_override(uint16_t sum) {
  l4_checksum_ = sum;
  return *this;
}

FrameBuilder& FrameBuilder::payload(std::span<const uint8_t> bytes) {
  payload_.assign(bytes.begin(), bytes.end());
  return *this;
}
FrameBuilder& FrameBuilder::payload(std::string_view text) {
  payload_.assign(text.begin(), text.end());
  return *this;
}

// --- build ---

size_t FrameBuilder::link_header_bytes() const {
  return link_ == LinkType::kEthernet ? 14 + 4 * vlans_.size() : 0;
}

size_t FrameBuilder::write_link(std::vector<uint8_t>& out, uint16_t type) const {
  if (link_ != LinkType::kEthernet) return 0;
  out.insert(out.end(), dst_mac_.begin(), dst_mac_.end());
  out.insert(out.end(), src_mac_.begin(), src_mac_.end());
  for (const auto& t : vlans_) {
    put16(out, t.tpid);
    put16(out, static_cast<uint16_t>((t.pcp & 7) << 13 | (t.id & 0x0fff)));
  }
  put16(out, ethertype_.value_or(type));
  return out.size();
}

void FrameBuilder::write_l4(std::vector<uint8_t>& out) const {
  switch (l4_) {
    case L4::kTcp: {
      const size_t opt = (tcp_options_.size() + 3) / 4 * 4;
      const uint8_t words = data_offset_.value_or(static_cast<uint8_t>((20 + opt) / 4));
      put16(out, src_port_);
      put16(out, dst_port_);
      put32(out, seq_);
      put32(out, ack_);
      out.push_back(static_cast<uint8_t>(words << 4));
      out.push_back(flags_);
      put16(out, window_);
      put16(out, 0);  // checksum
      put16(out, urgent_);
      out.insert(out.end(), tcp_options_.begin(), tcp_options_.end());
      out.resize(out.size() + (opt - tcp_options_.size()), 0);
      break;
    }
    case L4::kUdp:
      put16(out, src_port_);
      put16(out, dst_port_);
      put16(out, 0);  // length, set in finish_l4()
      put16(out, 0);
      break;
    case L4::kIcmp: {
      uint8_t type = icmp_type_;
      if (icmp_echo_) {  // 8/0 for ICMP, 128/129 for ICMPv6
        type = ip_version_ == 6 ? (icmp_echo_reply_ ? 129 : 128) : (icmp_echo_reply_ ? 0 : 8);
      }
      out.push_back(type);
      out.push_back(icmp_code_);
      put16(out, 0);
      put32(out, icmp_rest_);
      break;
    }
    case L4::kNone:
      break;
  }
  out.insert(out.end(), payload_.begin(), payload_.end());
}

void FrameBuilder::finish_l4(std::vector<uint8_t>& out, size_t l4_start) const {
  const size_t l4_len = out.size() - l4_start;
  const std::span<const uint8_t> l4(out.data() + l4_start, l4_len);
  size_t sum_at = 0;
  uint32_t sum = 0;
  switch (l4_) {
    case L4::kTcp:
      sum_at = l4_start + 16;
      sum = pseudo_header_sum(src_, dst_, ip_proto::kTcp, static_cast<uint32_t>(l4_len));
      break;
    case L4::kUdp:
      set16(out, l4_start + 4, static_cast<uint16_t>(l4_len));
      sum_at = l4_start + 6;
      sum = pseudo_header_sum(src_, dst_, ip_proto::kUdp, static_cast<uint32_t>(l4_len));
      break;
    case L4::kIcmp:
      sum_at = l4_start + 2;
      if (ip_version_ == 6) {
        sum = pseudo_header_sum(src_, dst_, ip_proto::kIcmpv6, static_cast<uint32_t>(l4_len));
      }
      break;
    case L4::kNone:
      return;
  }
  uint16_t value = checksum_finish(checksum_add(sum, l4));
  if (l4_ == L4::kUdp && value == 0) value = 0xffff;  // 0 means "no checksum" in UDP
  set16(out, sum_at, l4_checksum_.value_or(value));
}

void FrameBuilder::build_into(std::vector<uint8_t>& out) const {
  out.clear();
  out.reserve(64 + ip_options_.size() + tcp_options_.size() + payload_.size() + 8 * ext_.size());
  uint8_t l4_proto = ip_proto_.value_or(0);
  if (l4_ == L4::kTcp) l4_proto = ip_proto::kTcp;
  if (l4_ == L4::kUdp) l4_proto = ip_proto::kUdp;
  if (l4_ == L4::kIcmp) l4_proto = ip_version_ == 6 ? ip_proto::kIcmpv6 : ip_proto::kIcmp;

  const size_t ip_start = write_link(out, ip_version_ == 6 ? ethertype::kIpv6 : ethertype::kIpv4);
  size_t l4_start = 0;
  if (ip_version_ == 4) {
    const size_t hlen = kIpv4HeaderBytes + ip_options_.size();
    out.push_back(static_cast<uint8_t>(0x40 | hlen / 4));
    out.push_back(tos_);
    put16(out, 0);  // total length
    put16(out, ip_id_);
    put16(out,
          static_cast<uint16_t>((dont_fragment_ ? 0x4000 : 0) | (more_fragments_ ? 0x2000 : 0) |
                                ((frag_offset_ / 8) & 0x1fff)));
    out.push_back(ttl_);
    out.push_back(l4_proto);
    put16(out, 0);  // checksum
    out.insert(out.end(), src_.bytes.begin(), src_.bytes.begin() + 4);
    out.insert(out.end(), dst_.bytes.begin(), dst_.bytes.begin() + 4);
    out.insert(out.end(), ip_options_.begin(), ip_options_.end());
    l4_start = out.size();
    write_l4(out);
    finish_l4(out, l4_start);
    set16(out, ip_start + 2, ip_length_.value_or(static_cast<uint16_t>(out.size() - ip_start)));
    const uint16_t sum = internet_checksum({out.data() + ip_start, hlen});
    set16(out, ip_start + 10, ip_checksum_.value_or(sum));
  } else {
    put32(out, 0x60000000u | uint32_t{tos_} << 20 | flow_label_);
    put16(out, 0);  // payload length
    out.push_back(ext_.empty() ? l4_proto : ext_.front().type);
    out.push_back(ttl_);
    out.insert(out.end(), src_.bytes.begin(), src_.bytes.end());
    out.insert(out.end(), dst_.bytes.begin(), dst_.bytes.end());
    for (size_t i = 0; i < ext_.size(); ++i) {
      out.push_back(i + 1 < ext_.size() ? ext_[i + 1].type : l4_proto);
      out.insert(out.end(), ext_[i].bytes.begin(), ext_[i].bytes.end());
    }
    l4_start = out.size();
    write_l4(out);
    finish_l4(out, l4_start);
    set16(out, ip_start + 4,
          ip_length_.value_or(static_cast<uint16_t>(out.size() - ip_start - kIpv6HeaderBytes)));
  }
}

std::vector<uint8_t> FrameBuilder::build() const {
  std::vector<uint8_t> out;
  build_into(out);
  return out;
}

std::vector<std::vector<uint8_t>> FrameBuilder::build_fragments(size_t max_fragment_payload) const {
  FrameBuilder whole = *this;
  whole.frag_offset_ = 0;
  whole.more_fragments_ = false;
  whole.dont_fragment_ = false;
  whole.ip_length_.reset();
  whole.ip_checksum_.reset();
  const std::vector<uint8_t> full = whole.build();

  const size_t chunk = std::max<size_t>(8, max_fragment_payload / 8 * 8);
  const size_t ip_start = link_header_bytes();
  // Unfragmentable part: the IPv4 header, or the IPv6 header plus the extension
  // headers already present.
  size_t unfrag = 0;
  if (ip_version_ == 4) {
    unfrag = kIpv4HeaderBytes + ip_options_.size();
  } else {
    unfrag = kIpv6HeaderBytes;
    for (const auto& e : ext_) unfrag += 1 + e.bytes.size();
  }
  const size_t data_start = ip_start + unfrag;
  const size_t data_len = full.size() - data_start;
  // The protocol after the unfragmentable part (for the IPv6 fragment header).
  const uint8_t inner_proto =
      ip_version_ == 6
          ? (ext_.empty() ? full[ip_start + 6] : full[data_start - 1 - ext_.back().bytes.size()])
          : 0;

  std::vector<std::vector<uint8_t>> frags;
  for (size_t off = 0; off < data_len || (off == 0 && data_len == 0); off += chunk) {
    const size_t n = std::min(chunk, data_len - off);
    const bool more = off + n < data_len;
    std::vector<uint8_t> f(full.begin(), full.begin() + static_cast<ptrdiff_t>(data_start));
    if (ip_version_ == 4) {
      f.insert(f.end(), full.begin() + static_cast<ptrdiff_t>(data_start + off),
               full.begin() + static_cast<ptrdiff_t>(data_start + off + n));
      set16(f, ip_start + 2, static_cast<uint16_t>(f.size() - ip_start));
      set16(f, ip_start + 6, static_cast<uint16_t>((more ? 0x2000 : 0) | ((off / 8) & 0x1fff)));
      set16(f, ip_start + 10, 0);
      set16(f, ip_start + 10, internet_checksum({f.data() + ip_start, unfrag}));
    } else {
      // Point the last unfragmentable header at the fragment header.
      if (ext_.empty()) {
        f[ip_start + 6] = ip_proto::kFragment;
      } else {
        f[data_start - 1 - ext_.back().bytes.size()] = ip_proto::kFragment;
      }
      const uint16_t offword = static_cast<uint16_t>((off & ~size_t{7}) | (more ? 1 : 0));
      const uint32_t id = ip_id_;
      const uint8_t fh[8] = {inner_proto,
                             0,
                             static_cast<uint8_t>(offword >> 8),
                             static_cast<uint8_t>(offword),
                             static_cast<uint8_t>(id >> 24),
                             static_cast<uint8_t>(id >> 16),
                             static_cast<uint8_t>(id >> 8),
                             static_cast<uint8_t>(id)};
      f.insert(f.end(), fh, fh + 8);
      f.insert(f.end(), full.begin() + static_cast<ptrdiff_t>(data_start + off),
               full.begin() + static_cast<ptrdiff_t>(data_start + off + n));
      set16(f, ip_start + 4, static_cast<uint16_t>(f.size() - ip_start - kIpv6HeaderBytes));
    }
    frags.push_back(std::move(f));
    if (data_len == 0) break;
  }
  return frags;
}

}  // namespace ww::gen
