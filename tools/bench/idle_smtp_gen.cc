// Writes a capture of N SMTP sessions that are all open at the same time and
// sit idle in the middle of an attachment: handshake, banner, EHLO, MAIL,
// RCPT, DATA, headers and the first KiB of a base64 attachment (cut mid-line),
// then a long pause, then the rest of the message, QUIT and FIN. The sessions
// open within a few seconds of packet time and the pause outlasts the last
// opening, so the sensor holds all N reassembled flows (and their SMTP, MIME
// and hashing state) at once. scripts/bench/reassembly.sh compares peak RSS at
// two values of N to get the memory cost of one idle flow.
//
//   idle_smtp_gen --sessions N --out FILE [--pause-s 120] [--seed 1]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "tools/gen/flow_mixer.h"
#include "tools/gen/manifest.h"
#include "tools/gen/pcap_writer.h"
#include "tools/gen/rng.h"
#include "tools/gen/tcp_flow.h"

using namespace ww::gen;
using ww::IpAddress;

namespace {

std::string base64_line(Rng& r, size_t n) {
  static const char kAlpha[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlpha[r.index(64)];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t sessions = 10000;
  uint64_t pause_s = 120;
  uint64_t seed = 1;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    auto need = [&](const char* opt) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "idle_smtp_gen: %s needs a value\n", opt);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--sessions"))
      sessions = std::strtoull(need("--sessions"), nullptr, 10);
    else if (!std::strcmp(argv[i], "--pause-s"))
      pause_s = std::strtoull(need("--pause-s"), nullptr, 10);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(need("--seed"), nullptr, 10);
    else if (!std::strcmp(argv[i], "--out"))
      out_path = need("--out");
    else {
      std::fprintf(stderr, "usage: idle_smtp_gen --sessions N --out FILE [--pause-s S] [--seed N]\n");
      return 2;
    }
  }
  if (out_path.empty() || sessions == 0 || sessions > 60000) {
    std::fprintf(stderr, "idle_smtp_gen: --out is required and --sessions must be 1..60000\n");
    return 2;
  }
  Rng rng(seed);
  // Sessions open 200 us apart: 60000 sessions open within 12 s, well inside the pause.
  const int64_t gap_us = 200;
  const IpAddress relay = ip4(10, 1, 0, 25);
  auto factory = [&](uint64_t id, int64_t start_us) -> std::unique_ptr<Flow> {
    Rng r = rng.fork();
    TcpFlowConfig tc;
    // One client port per session on 250 client hosts: unique 5-tuples.
    const IpAddress client = ip4(10, 2, static_cast<uint8_t>(id / 250 % 250),
                                 static_cast<uint8_t>(2 + id % 250));
    const uint16_t cport = static_cast<uint16_t>(1025 + id / 62500);
    tc.client = {client, cport, mac_for(client)};
    tc.server = {relay, 25, mac_for(relay)};
    tc.link = {ww::LinkType::kEthernet, {}};
    tc.client_isn = r.next_u32();
    tc.server_isn = r.next_u32();
    tc.start_us = start_us;
    tc.rtt_us = 1000;
    tc.bandwidth_bps = 100'000'000;
    tc.seed = r.next();
    auto f = std::make_unique<TcpFlow>(tc);
    const auto C = Direction::kToServer;
    const auto S = Direction::kToClient;
    std::string head =
        "From: user" + std::to_string(id) + "@corp.example.org\r\n"
        "To: someone@example.com\r\nSubject: report " + std::to_string(id) +
        "\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
        "Content-Type: text/plain\r\n\r\nsee attached\r\n--b1\r\n"
        "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n";
    for (int l = 0; l < 13; ++l) head += base64_line(r, 76) + "\r\n";
    head += base64_line(r, 40);  // cut mid-line: the decoder holds a partial quantum
    std::string tail = base64_line(r, 36) + "\r\n--b1--\r\n.\r\n";
    f->send(S, "220 relay.corp.example.org ESMTP\r\n")
        .send(C, "EHLO pc" + std::to_string(id) + ".corp.example.org\r\n")
        .send(S, "250-relay.corp.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        .send(C, "MAIL FROM:<user" + std::to_string(id) + "@corp.example.org>\r\n")
        .send(S, "250 2.1.0 Ok\r\n")
        .send(C, "RCPT TO:<someone@example.com>\r\n")
        .send(S, "250 2.1.5 Ok\r\n")
        .send(C, "DATA\r\n")
        .send(S, "354 End data with <CR><LF>.<CR><LF>\r\n")
        .send(C, head)
        .pause(static_cast<int64_t>(pause_s) * 1'000'000)
        .send(C, tail)
        .send(S, "250 2.0.0 Ok: queued\r\n")
        .send(C, "QUIT\r\n")
        .send(S, "221 2.0.0 Bye\r\n")
        .close(C);
    f->truth().app = "smtp";
    return f;
  };
  MixerLimits limits;
  limits.max_flows = sessions;
  limits.concurrency = sessions;
  FlowMixer mixer(factory, [] { return gap_us; }, limits);
  try {
    PcapWriter::Options o;
    PcapWriter out(out_path, o);
    Manifest m;
    m.scenario = "idle-smtp";
    m.seed = seed;
    mixer.run(int64_t{1075190400} * 1000000, out, m);
    out.close();
    std::fprintf(stderr, "idle_smtp_gen: %s: %llu sessions, %llu packets\n", out_path.c_str(),
                 static_cast<unsigned long long>(sessions),
                 static_cast<unsigned long long>(out.packets_written()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "idle_smtp_gen: %s\n", e.what());
    return 1;
  }
  return 0;
}
