#pragma once
// Application payloads plausible enough that Wireshark dissects them cleanly
// and a protocol identifier (nDPI) recognises them: HTTP/1.1, TLS 1.0 record
// framing, SSH-2, NetBIOS session service, DNS, NTP, syslog. Bulk content is
// random bytes from the caller's Rng (seeded per flow), generated on demand.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gen/payload.h"
#include "tools/gen/rng.h"

namespace ww::gen::app {

// --- HTTP/1.1 ---
// GET when body_bytes == 0, otherwise a POST with a body of that size.
Payload http_request(Rng& rng, std::string_view host, uint64_t body_bytes);
// 200 OK with Content-Length and a random application/octet-stream body.
Payload http_response(Rng& rng, uint64_t body_bytes);

// --- TLS 1.0 (no real cryptography: the handshake is well-formed, the
// "encrypted" parts are random) ---
Payload tls_client_hello(Rng& rng, std::string_view server_name);
Payload tls_server_hello(Rng& rng);   // ServerHello + ServerHelloDone
Payload tls_client_finish(Rng& rng);  // ClientKeyExchange, CCS, Finished
Payload tls_server_finish(Rng& rng);  // CCS, Finished
// Application-data records totalling exactly `bytes` (at least 6).
Payload tls_application_data(Rng& rng, uint64_t bytes);

// --- SSH-2 ---
Payload ssh_banner(bool server);
Payload ssh_kexinit(Rng& rng);
Payload ssh_newkeys(Rng& rng);
// Random bytes standing for encrypted binary packets.
Payload ssh_encrypted(Rng& rng, uint64_t bytes);

// --- NetBIOS session service (TCP 139/445) ---
// Session messages totalling exactly `bytes` (at least 5) of random content.
Payload nbss_messages(Rng& rng, uint64_t bytes);

// --- DNS ---
enum class DnsType : uint16_t { kA = 1, kMx = 15, kAaaa = 28 };
std::vector<uint8_t> dns_query(uint16_t id, std::string_view name, DnsType type);
// Answer to dns_query(id, name, type) with one record: an address from `rng`
// (A/AAAA) or "mail.<name>" (MX).
std::vector<uint8_t> dns_response(Rng& rng, uint16_t id, std::string_view name, DnsType type);

// --- NTP (mode 3 client request, mode 4 server reply) ---
std::vector<uint8_t> ntp_packet(Rng& rng, bool server, int64_t ts_us);

// --- syslog (RFC 3164 line) ---
std::string syslog_line(Rng& rng, int64_t ts_us, std::string_view host);

// A host name from a fixed list of plausible 2004-era sites.
std::string_view pick_domain(Rng& rng);

}  // namespace ww::gen::app
