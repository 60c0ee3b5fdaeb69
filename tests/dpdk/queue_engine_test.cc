// The engine's multi-queue mode (what --dpdk runs) without DPDK: a fake
// MultiQueueSource hands each queue the packets of its host pairs (split by
// symmetric_host_pair_hash, as symmetric RSS would) from its own thread. Records
// must equal those of the inline single-worker run, for 1-3 queues, and also when
// one queue runs far ahead of another (the packet-time rule across queues).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "sensor/capture/pcap_source.h"
#include "sensor/decode/decoder.h"
#include "sensor/flow/flow_key.h"
#include "sensor/output/sink.h"
#include "sensor/worker/engine.h"

namespace ww {
namespace {

struct Pkt {
  LinkType link;
  int64_t ts_us;
  uint32_t wire;
  std::vector<uint8_t> data;
};

std::vector<Pkt> read_capture(const std::string& path) {
  struct Collect : PacketHandler {
    std::vector<Pkt> pkts;
    void on_packet(const CapturedPacket& p) override {
      pkts.push_back({p.link, p.ts_us, p.wire_len, {p.data, p.data + p.cap_len}});
    }
  } c;
  PcapFileSource src({path}, "");
  while (!src.done()) src.next_burst(64, c);
  return std::move(c.pkts);
}

class FakeQueues : public MultiQueueSource {
 public:
  // skew: queue q starts only when every queue after it is exhausted, so the
  // last queue's time runs far ahead of the others.
  FakeQueues(const std::vector<Pkt>& all, uint32_t n, bool skew) : q_(n), skew_(skew) {
    DecodedPacket d;
    DecodeCounters c;
    for (const auto& p : all) {
      size_t i = 0;
      auto r = decode_frame(p.link, std::span<const uint8_t>(p.data.data(), p.data.size()),
                            p.wire, p.ts_us, d, c);
      if (r == DecodeResult::kOk || d.ip_version != 0)
        i = symmetric_host_pair_hash(d.src, d.dst) % n;
      q_[i].push_back(&p);
    }
    pos_ = std::vector<size_t>(n, 0);
    exhausted_ = std::vector<std::atomic<bool>>(n);
  }
  uint32_t queue_count() const override { return static_cast<uint32_t>(q_.size()); }
  size_t next_burst(uint32_t q, size_t max, PacketHandler& h) override {
    if (skew_) {
      for (uint32_t later = q + 1; later < q_.size(); ++later)
        while (!exhausted_[later].load()) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    size_t n = 0;
    // One packet per burst: the worker ticks after every packet, so a wrong time
    // rule shows even on these small captures.
    while (n < std::min<size_t>(max, 1) && pos_[q] < q_[q].size()) {
      const Pkt& p = *q_[q][pos_[q]++];
      h.on_packet({p.link, p.ts_us, static_cast<uint32_t>(p.data.size()), p.wire, p.data.data()});
      ++n;
    }
    packets_ += n;
    if (n == 0) exhausted_[q].store(true);
    return n;
  }
  using MultiQueueSource::next_burst;
  void run_on_queues(const std::function<void(uint32_t)>& fn) override {
    std::vector<std::thread> t;
    for (uint32_t q = 1; q < q_.size(); ++q) t.emplace_back([&fn, q] { fn(q); });
    fn(0);
    for (auto& th : t) th.join();
  }
  bool done() const override {
    return std::all_of(exhausted_.begin(), exhausted_.end(), [](const auto& e) { return e.load(); });
  }
  CaptureStats stats() override {
    CaptureStats s;
    s.packets = packets_.load();
    return s;
  }
  bool live() const override { return false; }

 private:
  std::vector<std::vector<const Pkt*>> q_;
  std::vector<size_t> pos_;
  std::vector<std::atomic<bool>> exhausted_;
  std::atomic<uint64_t> packets_{0};
  bool skew_;
};

Config test_config() {
  Config cfg;
  cfg.scan.enabled = false;  // verdicts are not what this test is about
  cfg.stats_interval_s = 0;
  return cfg;
}

std::vector<std::string> without_stats(const std::vector<std::string>& lines) {
  std::vector<std::string> v;
  for (const auto& l : lines)
    if (l.find("\"event_type\":\"stats\"") == std::string::npos) v.push_back(l);
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> inline_records(const std::string& path) {
  Config cfg = test_config();
  cfg.workers = 1;
  OutputHub hub;
  auto s = std::make_unique<MemorySink>();
  MemorySink* sink = s.get();
  hub.add(std::move(s));
  PcapFileSource src({path}, "");
  {
    Engine e(cfg, hub);
    e.run(src);
  }
  return without_stats(sink->lines);
}

std::vector<std::string> queue_records(const std::vector<Pkt>& pkts, uint32_t queues, bool skew) {
  Config cfg = test_config();
  OutputHub hub;
  auto s = std::make_unique<MemorySink>();
  MemorySink* sink = s.get();
  hub.add(std::move(s));
  FakeQueues src(pkts, queues, skew);
  {
    Engine e(cfg, hub, queues);
    BOOST_TEST(e.worker_count() == queues);
    e.run(src);
  }
  return without_stats(sink->lines);
}

const char* kCaptures[] = {"pcaps/timeouts.pcap", "pcaps/linktype-ethernet.pcap",
                           "pcaps/real-postfix.pcap", "pcaps/real-aiosmtpd.pcap",
                           "pcaps/smtp-2525.pcap", "pcaps/vlan-qinq.pcap",
                           "pcaps/ipv6-exthdr.pcap", "pcaps/malformed.pcap"};

BOOST_AUTO_TEST_CASE(queue_mode_records_equal_inline_records) {
  for (const char* rel : kCaptures) {
    const std::string path = std::string(WW_SOURCE_DIR) + "/" + rel;
    auto ref = inline_records(path);
    BOOST_TEST_REQUIRE(!ref.empty(), rel);
    auto pkts = read_capture(path);
    for (uint32_t q : {1u, 2u, 3u}) {
      for (bool skew : {false, true}) {
        if (q == 1 && skew) continue;
        auto got = queue_records(pkts, q, skew);
        BOOST_TEST(got == ref, rel << ": " << q << " queues" << (skew ? ", skewed" : "") << ": "
                                   << got.size() << " records, inline " << ref.size());
      }
    }
  }
}

// Ethernet + IPv4 + UDP with a valid IP header checksum (UDP checksum 0).
Pkt udp_frame(const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
              int64_t ts_us) {
  std::vector<uint8_t> f(14 + 20 + 8 + 16, 0);
  f[12] = 0x08;  // IPv4
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  const uint16_t ip_len = 20 + 8 + 16;
  ip[2] = ip_len >> 8;
  ip[3] = ip_len & 0xff;
  ip[8] = 64;
  ip[9] = 17;
  std::memcpy(ip + 12, src, 4);
  std::memcpy(ip + 16, dst, 4);
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = static_cast<uint8_t>(~sum >> 8);
  ip[11] = static_cast<uint8_t>(~sum & 0xff);
  uint8_t* udp = ip + 20;
  udp[0] = sport >> 8;
  udp[1] = sport & 0xff;
  udp[2] = dport >> 8;
  udp[3] = dport & 0xff;
  udp[5] = 8 + 16;
  return {LinkType::kEthernet, ts_us, static_cast<uint32_t>(f.size()), f};
}

// Host pair A (one queue) talks every 20 s for 400 s; host pair B (the other
// queue) every 20 s for 2000 s. In packet-time order A's flow never idles past
// the UDP timeouts. With queue B delivered completely before queue A starts, a
// worker that expired by the newest time over all queues would cut A's flow into
// pieces; the rule "own queue's time while it delivers" must not.
BOOST_AUTO_TEST_CASE(a_fast_queue_does_not_expire_a_slow_queues_flows) {
  const uint8_t a1[4] = {10, 0, 0, 1}, a2[4] = {10, 0, 0, 2};
  uint8_t b1[4] = {10, 0, 1, 1}, b2[4] = {10, 0, 1, 2};
  auto pair_queue = [](const uint8_t x[4], const uint8_t y[4]) {
    return symmetric_host_pair_hash(IpAddress::v4(x), IpAddress::v4(y)) % 2;
  };
  while (pair_queue(b1, b2) == pair_queue(a1, a2)) ++b2[3];
  const int64_t t0 = 1075190400000000;  // 2004-01-27
  std::vector<Pkt> pkts;
  for (int64_t s = 0; s <= 2000; s += 20) {
    if (s <= 400) pkts.push_back(udp_frame(a1, a2, 5000, 53, t0 + s * 1'000'000));
    pkts.push_back(udp_frame(b1, b2, 6000, 53, t0 + s * 1'000'000 + 1));
  }
  auto flows = [](const std::vector<std::string>& recs) {
    return std::count_if(recs.begin(), recs.end(), [](const std::string& l) {
      return l.find("\"event_type\":\"flow\"") != std::string::npos;
    });
  };
  auto one = queue_records(pkts, 1, false);
  BOOST_TEST(flows(one) == 2);  // one flow per host pair, in packet-time order
  auto two = queue_records(pkts, 2, false);
  BOOST_TEST(two == one);
  auto skewed = queue_records(pkts, 2, true);
  BOOST_TEST(flows(skewed) == 2);
  BOOST_TEST(skewed == one);
}

// The engine refuses a source whose queue count differs from its workers.
BOOST_AUTO_TEST_CASE(queue_count_must_match_workers) {
  auto pkts = read_capture(std::string(WW_SOURCE_DIR) + "/pcaps/linktype-ethernet.pcap");
  Config cfg = test_config();
  OutputHub hub;
  hub.add(std::make_unique<MemorySink>());
  FakeQueues src(pkts, 2, false);
  Engine e(cfg, hub, 3);
  BOOST_CHECK_THROW(e.run(src), CaptureError);
}

}  // namespace
}  // namespace ww
