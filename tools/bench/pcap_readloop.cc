// Reads a capture with libpcap and does nothing but count: the upper bound for
// any sensor that reads files through libpcap. Prints one JSON line:
// {"packets":N,"bytes":N,"seconds":S,"pps":X,"gbps":Y}
#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace {
struct Totals {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;   // touch the first byte so the data is really read
};
void count(u_char* user, const pcap_pkthdr* h, const u_char* data) {
  auto* t = reinterpret_cast<Totals*>(user);
  t->packets++;
  t->bytes += h->len;
  if (h->caplen) t->checksum += data[0];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pcap_readloop FILE\n");
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  auto t0 = std::chrono::steady_clock::now();
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (!p) {
    std::fprintf(stderr, "pcap_readloop: %s\n", err);
    return 1;
  }
  Totals t;
  while (pcap_dispatch(p, 256, count, reinterpret_cast<u_char*>(&t)) > 0) {
  }
  pcap_close(p);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"pps\":%.0f,\"gbps\":%.3f,"
              "\"checksum\":%llu}\n",
              (unsigned long long)t.packets, (unsigned long long)t.bytes, s, t.packets / s,
              t.bytes * 8.0 / s / 1e9, (unsigned long long)t.checksum);
  return 0;
}
