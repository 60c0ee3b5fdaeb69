// pcap_split: splits a capture into N captures by the engine's lane hash
// (symmetric_host_pair_hash of the IP address pair, modulo N), so every file
// holds whole host pairs: both directions and every IP fragment. This is what a
// NIC with symmetric RSS on IP addresses does across N queues; the DPDK test
// replays the parts as N net_pcap queues.
//
//   pcap_split IN.pcap N OUT_PREFIX     -> OUT_PREFIX.0.pcap ... OUT_PREFIX.N-1.pcap
//
// Frames without IP go to part 0, as the engine's lanes do.

#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sensor/decode/decoder.h"
#include "sensor/flow/flow_key.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: pcap_split IN.pcap N OUT_PREFIX\n");
    return 2;
  }
  const int n = std::atoi(argv[2]);
  if (n < 1 || n > 64) {
    std::fprintf(stderr, "pcap_split: N must be 1..64\n");
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
  if (!in) {
    std::fprintf(stderr, "pcap_split: %s: %s\n", argv[1], err);
    return 1;
  }
  ww::LinkType link;
  if (!ww::link_type_from_pcap(pcap_datalink(in), link)) {
    std::fprintf(stderr, "pcap_split: %s: link type %d not decoded\n", argv[1], pcap_datalink(in));
    return 1;
  }
  std::vector<pcap_dumper_t*> out;
  for (int i = 0; i < n; ++i) {
    std::string path = std::string(argv[3]) + "." + std::to_string(i) + ".pcap";
    pcap_dumper_t* d = pcap_dump_open(in, path.c_str());
    if (!d) {
      std::fprintf(stderr, "pcap_split: %s: %s\n", path.c_str(), pcap_geterr(in));
      return 1;
    }
    out.push_back(d);
  }
  ww::DecodedPacket pkt;
  ww::DecodeCounters counters;
  pcap_pkthdr* h;
  const u_char* data;
  std::vector<uint64_t> per(n);
  int rc;
  while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
    int64_t ts_us = int64_t(h->ts.tv_sec) * 1'000'000 + h->ts.tv_usec / 1000;
    ww::DecodeResult r = ww::decode_frame(link, std::span<const uint8_t>(data, h->caplen), h->len,
                                          ts_us, pkt, counters);
    size_t part = 0;
    if (r == ww::DecodeResult::kOk || pkt.ip_version != 0)
      part = ww::symmetric_host_pair_hash(pkt.src, pkt.dst) % static_cast<size_t>(n);
    pcap_dump(reinterpret_cast<u_char*>(out[part]), h, data);
    ++per[part];
  }
  for (auto* d : out) pcap_dump_close(d);
  pcap_close(in);
  for (int i = 0; i < n; ++i) std::printf("%s%llu", i ? " " : "", (unsigned long long)per[i]);
  std::printf("\n");
  return 0;
}
