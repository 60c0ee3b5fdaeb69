#include "tools/gen/app_payloads.h"

#include <algorithm>
#include <array>

#include "tools/gen/time_format.h"

namespace ww::gen::app {
namespace {

constexpr std::string_view kDomains[] = {
    "www.example.com",    "intranet.example.org", "news.example.net",   "download.example.com",
    "mail.example.org",   "www.example.net",      "update.example.com", "files.example.org",
    "search.example.com", "portal.example.net",
};

constexpr std::string_view kPaths[] = {
    "/",
    "/index.html",
    "/news/today.html",
    "/images/logo.gif",
    "/download/setup.exe",
    "/cgi-bin/search?q=outbreak",
    "/docs/report.pdf",
    "/styles/main.css",
};

constexpr std::string_view kUserAgents[] = {
    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)",
    "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.6) Gecko/20040113",
    "Mozilla/4.0 (compatible; MSIE 5.5; Windows NT 5.0)",
};

void be16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
void be24(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x >> 16));
  be16(v, static_cast<uint16_t>(x));
}
void be32(std::vector<uint8_t>& v, uint32_t x) {
  be16(v, static_cast<uint16_t>(x >> 16));
  be16(v, static_cast<uint16_t>(x));
}
void random_bytes(Rng& rng, std::vector<uint8_t>& v, size_t n) {
  const size_t at = v.size();
  v.resize(at + n);
  rng.fill({v.data() + at, n});
}
void put_string(std::vector<uint8_t>& v, std::string_view s) {
  v.insert(v.end(), s.begin(), s.end());
}

// --- TLS helpers ---
constexpr uint8_t kTlsHandshake = 22;
constexpr uint8_t kTlsChangeCipherSpec = 20;
constexpr uint8_t kTlsApplicationData = 23;
constexpr uint16_t kTls10 = 0x0301;
constexpr size_t kTlsMaxRecord = 16384;

void tls_record(std::vector<uint8_t>& out, uint8_t type, const std::vector<uint8_t>& body) {
  out.push_back(type);
  be16(out, kTls10);
  be16(out, static_cast<uint16_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}
void tls_handshake(std::vector<uint8_t>& out, uint8_t msg, const std::vector<uint8_t>& body) {
  out.push_back(msg);
  be24(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// Random "ciphertext" cut into records: generated on demand so a download of
// any size costs no memory.
class RecordStream {
 public:
  RecordStream(Rng rng, uint64_t total, uint8_t type, size_t header_bytes, size_t max_body,
               size_t min_tail)
      : rng_(rng),
        left_(total),
        type_(type),
        header_bytes_(header_bytes),
        max_body_(max_body),
        min_tail_(min_tail) {}

  void operator()(std::span<uint8_t> out) {
    size_t i = 0;
    while (i < out.size()) {
      if (hdr_pos_ < hdr_len_) {
        const size_t n = std::min(out.size() - i, hdr_len_ - hdr_pos_);
        std::copy_n(hdr_.begin() + static_cast<ptrdiff_t>(hdr_pos_), n,
                    out.begin() + static_cast<ptrdiff_t>(i));
        hdr_pos_ += n;
        i += n;
      } else if (body_left_ > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - i, body_left_));
        rng_.fill(out.subspan(i, n));
        body_left_ -= n;
        i += n;
      } else {
        start_record();
      }
    }
  }

 private:
  void start_record() {
    // Body so that what is left after this record is either nothing or at
    // least one more minimal record.
    uint64_t body = std::min<uint64_t>(max_body_, left_ - header_bytes_);
    const uint64_t rest = left_ - header_bytes_ - body;
    if (rest > 0 && rest < min_tail_) body -= min_tail_ - rest;
    left_ -= header_bytes_ + body;
    body_left_ = body;
    hdr_pos_ = 0;
    hdr_len_ = header_bytes_;
    if (header_bytes_ == 5) {  // TLS: type, version, length
      hdr_ = {type_, kTls10 >> 8, kTls10 & 0xff, static_cast<uint8_t>(body >> 8),
              static_cast<uint8_t>(body)};
    } else {  // NBSS: type 0 (session message), 17-bit length
      hdr_ = {0, static_cast<uint8_t>((body >> 16) & 1), static_cast<uint8_t>(body >> 8),
              static_cast<uint8_t>(body), 0};
    }
  }

  RandomBytes rng_;
  uint64_t left_;
  uint8_t type_;
  size_t header_bytes_;
  size_t max_body_;
  size_t min_tail_;
  std::array<uint8_t, 5> hdr_{};
  size_t hdr_pos_ = 0;
  size_t hdr_len_ = 0;
  uint64_t body_left_ = 0;
};

// --- SSH helpers ---
std::vector<uint8_t> ssh_packet(Rng& rng, const std::vector<uint8_t>& payload) {
  // packet_length, padding_length, payload, padding; total a multiple of 8,
  // padding at least 4 bytes (RFC 4253 section 6).
  size_t pad = 8 - (5 + payload.size()) % 8;
  if (pad < 4) pad += 8;
  std::vector<uint8_t> p;
  be32(p, static_cast<uint32_t>(1 + payload.size() + pad));
  p.push_back(static_cast<uint8_t>(pad));
  p.insert(p.end(), payload.begin(), payload.end());
  random_bytes(rng, p, pad);
  return p;
}
void ssh_name_list(std::vector<uint8_t>& v, std::string_view s) {
  be32(v, static_cast<uint32_t>(s.size()));
  put_string(v, s);
}

// --- DNS helpers ---
void dns_name(std::vector<uint8_t>& v, std::string_view name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    v.push_back(static_cast<uint8_t>(dot - start));
    put_string(v, name.substr(start, dot - start));
    start = dot + 1;
  }
  v.push_back(0);
}

}  // namespace

std::string_view pick_domain(Rng& rng) { return kDomains[rng.index(std::size(kDomains))]; }

// --- HTTP ---

Payload http_request(Rng& rng, std::string_view host, uint64_t body_bytes) {
  std::string h;
  const std::string_view path = kPaths[rng.index(std::size(kPaths))];
  h += body_bytes ? "POST " : "GET ";
  h += path;
  h += " HTTP/1.1\r\nHost: ";
  h += host;
  h += "\r\nUser-Agent: ";
  h += kUserAgents[rng.index(std::size(kUserAgents))];
  h += "\r\nAccept: */*\r\nConnection: keep-alive\r\n";
  if (body_bytes) {
    h += "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(body_bytes) +
         "\r\n";
  }
  h += "\r\n";
  return Payload::text(h).append_random(body_bytes, rng.next());
}

Payload http_response(Rng& rng, uint64_t body_bytes) {
  std::string h =
      "HTTP/1.1 200 OK\r\nServer: Apache/1.3.29 (Unix)\r\n"
      "Content-Type: application/octet-stream\r\nContent-Length: " +
      std::to_string(body_bytes) + "\r\n\r\n";
  return Payload::text(h).append_random(body_bytes, rng.next());
}

// --- TLS ---

Payload tls_client_hello(Rng& rng, std::string_view server_name) {
  std::vector<uint8_t> hello;
  be16(hello, kTls10);
  random_bytes(rng, hello, 32);
  hello.push_back(0);  // no session id
  static constexpr uint16_t kSuites[] = {0x0035, 0x002f, 0x000a, 0x0005, 0x0004};
  be16(hello, static_cast<uint16_t>(2 * std::size(kSuites)));
  for (uint16_t s : kSuites) be16(hello, s);
  hello.push_back(1);  // compression methods: null
  hello.push_back(0);
  std::vector<uint8_t> sni;
  be16(sni, static_cast<uint16_t>(3 + server_name.size()));  // server_name_list
  sni.push_back(0);                                          // host_name
  be16(sni, static_cast<uint16_t>(server_name.size()));
  put_string(sni, server_name);
  be16(hello, static_cast<uint16_t>(4 + sni.size()));  // extensions length
  be16(hello, 0x0000);                                 // server_name
  be16(hello, static_cast<uint16_t>(sni.size()));
  hello.insert(hello.end(), sni.begin(), sni.end());

  std::vector<uint8_t> hs, rec;
  tls_handshake(hs, 1, hello);
  tls_record(rec, kTlsHandshake, hs);
  return Payload::bytes(std::move(rec));
}

Payload tls_server_hello(Rng& rng) {
  std::vector<uint8_t> hello;
  be16(hello, kTls10);
  random_bytes(rng, hello, 32);
  hello.push_back(32);  // session id
  random_bytes(rng, hello, 32);
  be16(hello, 0x002f);  // TLS_RSA_WITH_AES_128_CBC_SHA
  hello.push_back(0);
  std::vector<uint8_t> hs, rec;
  tls_handshake(hs, 2, hello);
  tls_handshake(hs, 14, {});  // ServerHelloDone
  tls_record(rec, kTlsHandshake, hs);
  return Payload::bytes(std::move(rec));
}

Payload tls_client_finish(Rng& rng) {
  std::vector<uint8_t> cke;
  be16(cke, 128);  // RSA-encrypted premaster secret (TLS 1.0 length prefix)
  random_bytes(rng, cke, 128);
  std::vector<uint8_t> hs, rec, fin;
  tls_handshake(hs, 16, cke);
  tls_record(rec, kTlsHandshake, hs);
  tls_record(rec, kTlsChangeCipherSpec, {1});
  random_bytes(rng, fin, 48);  // encrypted Finished
  tls_record(rec, kTlsHandshake, fin);
  return Payload::bytes(std::move(rec));
}

Payload tls_server_finish(Rng& rng) {
  std::vector<uint8_t> rec, fin;
  tls_record(rec, kTlsChangeCipherSpec, {1});
  random_bytes(rng, fin, 48);
  tls_record(rec, kTlsHandshake, fin);
  return Payload::bytes(std::move(rec));
}

Payload tls_application_data(Rng& rng, uint64_t bytes) {
  bytes = std::max<uint64_t>(bytes, 6);
  return Payload().append_generated(
      bytes, RecordStream(rng.fork(), bytes, kTlsApplicationData, 5, kTlsMaxRecord, 6));
}

// --- SSH ---

Payload ssh_banner(bool server) {
  return Payload::text(server ? "SSH-2.0-OpenSSH_3.7.1p2\r\n" : "SSH-2.0-OpenSSH_3.6.1p1\r\n");
}

Payload ssh_kexinit(Rng& rng) {
  std::vector<uint8_t> p;
  p.push_back(20);  // SSH_MSG_KEXINIT
  random_bytes(rng, p, 16);
  ssh_name_list(p, "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1");
  ssh_name_list(p, "ssh-rsa,ssh-dss");
  ssh_name_list(p, "aes128-cbc,3des-cbc,blowfish-cbc");
  ssh_name_list(p, "aes128-cbc,3des-cbc,blowfish-cbc");
  ssh_name_list(p, "hmac-md5,hmac-sha1");
  ssh_name_list(p, "hmac-md5,hmac-sha1");
  ssh_name_list(p, "none,zlib");
  ssh_name_list(p, "none,zlib");
  ssh_name_list(p, "");
  ssh_name_list(p, "");
  p.push_back(0);  // first_kex_packet_follows
  be32(p, 0);
  return Payload::bytes(ssh_packet(rng, p));
}

Payload ssh_newkeys(Rng& rng) { return Payload::bytes(ssh_packet(rng, {21})); }

Payload ssh_encrypted(Rng& rng, uint64_t bytes) { return Payload::random(bytes, rng.next()); }

// --- NBSS ---

Payload nbss_messages(Rng& rng, uint64_t bytes) {
  bytes = std::max<uint64_t>(bytes, 5);
  return Payload().append_generated(bytes, RecordStream(rng.fork(), bytes, 0, 4, 0xffff, 5));
}

// --- DNS ---

std::vector<uint8_t> dns_query(uint16_t id, std::string_view name, DnsType type) {
  std::vector<uint8_t> v;
  be16(v, id);
  be16(v, 0x0100);  // standard query, recursion desired
  be16(v, 1);
  be16(v, 0);
  be16(v, 0);
  be16(v, 0);
  dns_name(v, name);
  be16(v, static_cast<uint16_t>(type));
  be16(v, 1);  // IN
  return v;
}

std::vector<uint8_t> dns_response(Rng& rng, uint16_t id, std::string_view name, DnsType type) {
  std::vector<uint8_t> v;
  be16(v, id);
  be16(v, 0x8180);  // response, RD, RA, no error
  be16(v, 1);
  be16(v, 1);
  be16(v, 0);
  be16(v, 0);
  dns_name(v, name);
  be16(v, static_cast<uint16_t>(type));
  be16(v, 1);
  be16(v, 0xc00c);  // pointer to the question name
  be16(v, static_cast<uint16_t>(type));
  be16(v, 1);
  be32(v, static_cast<uint32_t>(rng.uniform(60, 86400)));
  switch (type) {
    case DnsType::kA:
      be16(v, 4);
      v.push_back(static_cast<uint8_t>(rng.pick({192, 198, 203})));
      random_bytes(rng, v, 3);
      break;
    case DnsType::kAaaa:
      be16(v, 16);
      be32(v, 0x20010db8);
      random_bytes(rng, v, 12);
      break;
    case DnsType::kMx: {
      std::vector<uint8_t> rdata;
      be16(rdata, static_cast<uint16_t>(rng.pick({5, 10, 20})));
      dns_name(rdata, "mail." + std::string(name));
      be16(v, static_cast<uint16_t>(rdata.size()));
      v.insert(v.end(), rdata.begin(), rdata.end());
      break;
    }
  }
  return v;
}

// --- NTP ---

std::vector<uint8_t> ntp_packet(Rng& rng, bool server, int64_t ts_us) {
  constexpr uint64_t kNtpEpochOffset = 2208988800ULL;  // 1900 -> 1970
  const uint64_t secs = static_cast<uint64_t>(ts_us / 1000000) + kNtpEpochOffset;
  const uint64_t frac = (static_cast<uint64_t>(ts_us % 1000000) << 32) / 1000000;
  const uint64_t ntp_ts = secs << 32 | frac;
  std::vector<uint8_t> v;
  v.push_back(server ? 0x24 : 0x23);  // LI 0, version 4, mode 4 / 3
  v.push_back(server ? 2 : 0);        // stratum
  v.push_back(6);                     // poll
  v.push_back(0xec);                  // precision
  be32(v, server ? 0x00000200 : 0);   // root delay
  be32(v, server ? 0x00000400 : 0);   // root dispersion
  be32(v, server ? 0xc000027b : 0);   // reference id 192.0.2.123
  auto ts64 = [&](uint64_t t) {
    be32(v, static_cast<uint32_t>(t >> 32));
    be32(v, static_cast<uint32_t>(t));
  };
  ts64(server ? ntp_ts - (uint64_t{rng.uniform(1, 900)} << 32) : 0);  // reference
  ts64(0);                                                            // origin (unused here)
  ts64(server ? ntp_ts : 0);                                          // receive
  ts64(ntp_ts);                                                       // transmit
  return v;
}

// --- syslog ---

std::string syslog_line(Rng& rng, int64_t ts_us, std::string_view host) {
  static constexpr std::string_view kMessages[] = {
      "sshd[412]: Accepted password for admin from 10.1.2.3 port 1066 ssh2",
      "kernel: eth0: link up, 100Mbps, full-duplex",
      "postfix/smtpd[2231]: connect from unknown[10.1.7.22]",
      "crond[880]: (root) CMD (run-parts /etc/cron.hourly)",
      "named[301]: client 10.1.4.9#1034: query (cache) denied",
  };
  const int facility = static_cast<int>(rng.uniform(0, 23));
  const int severity = static_cast<int>(rng.uniform(0, 7));
  const int pri = facility * 8 + severity;
  return "<" + std::to_string(pri) + ">" + syslog_date(ts_us) + " " + std::string(host) + " " +
         std::string(kMessages[rng.index(std::size(kMessages))]);
}

}  // namespace ww::gen::app
