#pragma once
// The one list of decode anomalies. Each becomes a counter in `stats` under
// decoder.anomalies.<name>. Add a row here and the counter, its name and its
// description appear everywhere.

#include <array>
#include <cstddef>
#include <cstdint>

namespace ww {

#define WW_DECODE_ANOMALIES(X)                                                        \
  X(link_truncated, "frame shorter than its link-layer header")                       \
  X(link_unknown_family, "loopback header or raw-IP version names an unknown family") \
  X(vlan_truncated, "802.1Q/802.1ad tag truncated")                                   \
  X(vlan_too_many, "more than two VLAN tags")                                         \
  X(ipv4_truncated, "IPv4 header truncated")                                          \
  X(ipv4_bad_version, "IPv4 header with a version other than 4")                      \
  X(ipv4_bad_ihl, "IPv4 header length below 20 bytes or beyond the frame")            \
  X(ipv4_bad_total_len, "IPv4 total length smaller than its header")                  \
  X(ipv4_len_beyond_frame, "IPv4 total length larger than the frame")                 \
  X(ipv4_bad_option, "IPv4 option with an invalid length")                            \
  X(ipv6_truncated, "IPv6 header truncated")                                          \
  X(ipv6_bad_version, "IPv6 header with a version other than 6")                      \
  X(ipv6_len_beyond_frame, "IPv6 payload length larger than the frame")               \
  X(ipv6_exthdr_truncated, "IPv6 extension header truncated")                         \
  X(ipv6_exthdr_too_many, "more IPv6 extension headers than the decoder follows")     \
  X(tcp_truncated, "TCP header truncated")                                            \
  X(tcp_bad_offset, "TCP data offset below 20 bytes or beyond the segment")           \
  X(tcp_bad_option, "TCP option with an invalid length")                              \
  X(udp_truncated, "UDP header truncated")                                            \
  X(udp_bad_len, "UDP length field disagrees with the IP payload")                    \
  X(icmp_truncated, "ICMP header truncated")

enum class DecodeAnomaly : uint8_t {
#define WW_X(name, desc) name,
  WW_DECODE_ANOMALIES(WW_X)
#undef WW_X
      kCount
};

inline constexpr std::size_t kDecodeAnomalyCount = static_cast<size_t>(DecodeAnomaly::kCount);

const char* decode_anomaly_name(DecodeAnomaly a);
const char* decode_anomaly_description(DecodeAnomaly a);

}  // namespace ww
