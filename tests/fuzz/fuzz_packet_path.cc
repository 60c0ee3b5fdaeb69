// libFuzzer: a sequence of packets through decode -> IP defragmentation -> TCP
// reassembly, as the worker will drive them. Input: records of
// [1 byte flags][2 bytes length][length bytes raw IP packet]; flags bit 0 picks
// the direction of the flow the packet is filed under.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "reassembly/ip/defragmenter.h"
#include "reassembly/tcp/tcp_reassembler.h"
#include "sensor/decode/decoder.h"

namespace {
class CountingSink : public ww::StreamSink {
 public:
  void on_data(ww::Direction, std::span<const uint8_t> b) override {
    for (uint8_t x : b) sum += x;
  }
  void on_gap(ww::Direction, uint64_t len) override { gaps += len; }
  void on_end(ww::Direction) override { ++ends; }
  void on_anomaly(ww::Direction, ww::TcpAnomaly) override { ++anomalies; }
  uint64_t sum = 0, gaps = 0, ends = 0, anomalies = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ww::TcpReassemblyConfig cfg;
  cfg.ooo_max_bytes = 64 * 1024;
  cfg.ooo_max_segments = 64;
  cfg.memcap = 1 << 20;
  ww::ReassemblyMemory mem(cfg.memcap);
  ww::ReassemblyCounters counters;
  CountingSink sink;
  ww::TcpReassembler tcp(cfg, mem, counters, sink);
  ww::DefragConfig dcfg;
  dcfg.memcap = 1 << 20;
  ww::Defragmenter defrag(dcfg);
  ww::DecodeCounters dc;
  std::vector<uint8_t> whole;
  int64_t ts = 1'000'000;
  size_t off = 0;
  while (off + 3 <= size) {
    uint8_t flags = data[off];
    size_t len = (size_t{data[off + 1]} << 8) | data[off + 2];
    off += 3;
    if (len > size - off) len = size - off;
    std::vector<uint8_t> frame(data + off, data + off + len);
    off += len;
    ts += (flags >> 1) * 1000;
    ww::DecodedPacket p;
    auto r = ww::decode_frame(ww::LinkType::kRaw, {frame.data(), frame.size()},
                              static_cast<uint32_t>(frame.size()), ts, p, dc);
    if (r != ww::DecodeResult::kOk) continue;
    ww::DecodedPacket q;
    if (p.frag.is_fragment) {
      auto dr = defrag.add(p, whole);
      if (dr.status != ww::DefragStatus::kComplete) continue;
      if (ww::decode_frame(ww::LinkType::kRaw, {whole.data(), whole.size()},
                           static_cast<uint32_t>(whole.size()), ts, q, dc) != ww::DecodeResult::kOk)
        continue;
    } else {
      q = p;
    }
    if (q.l4_proto != 6 || q.frag.is_fragment) continue;
    tcp.on_packet((flags & 1) ? ww::Direction::to_client : ww::Direction::to_server, q);
  }
  tcp.on_timeout(ts + 60'000'000);
  tcp.finish();
  return 0;
}
