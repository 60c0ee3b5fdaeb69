#include "sensor/capture/dpdk_source.h"

#include <fmt/format.h>

#if WW_HAVE_DPDK

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <sstream>

namespace ww {
namespace {

// Toeplitz with this repeating 16-bit key hashes (a, b) and (b, a) alike, so
// both directions of a host pair land on the same queue (Woo and Park, "Scalable
// TCP Session Monitoring with Symmetric Receive-side Scaling").
constexpr uint8_t kSymmetricKeyPattern[2] = {0x6d, 0x5a};
constexpr size_t kDefaultKeyBytes = 40;
constexpr uint16_t kMaxBurst = 512;
constexpr uint64_t kNanosecondThreshold = 100'000'000'000'000'000ull;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t wall_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

std::vector<std::string> split_args(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  std::string a;
  while (in >> a) v.push_back(a);
  return v;
}

struct alignas(64) RxQueue {
  uint16_t port = 0;
  uint16_t queue = 0;
  unsigned lcore = 0;
  bool file_time = false;   // net_pcap: the mbuf timestamp is the capture's time
  std::vector<uint8_t> linear;
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> linearised{0};
  // When this queue's own thread first found it empty since its last packet; 0
  // while it delivers. Set by the polling thread itself, so a worker that is
  // merely not scheduled (loaded machine) never looks idle.
  std::atomic<int64_t> empty_since_ns{0};
};

struct Port {
  uint16_t id = 0;
  std::string name;
  std::string driver;
  uint16_t queues = 0;
  rte_mempool* pool = nullptr;
};

class DpdkSource final : public MultiQueueSource {
 public:
  DpdkSource(const DpdkOptions& opt, std::vector<std::string>* log);
  ~DpdkSource() override;

  uint32_t queue_count() const override { return static_cast<uint32_t>(queues_.size()); }
  size_t next_burst(uint32_t q, size_t max, PacketHandler& h) override;
  using MultiQueueSource::next_burst;
  void run_on_queues(const std::function<void(uint32_t)>& fn) override;
  bool done() const override;
  CaptureStats stats() override;
  bool live() const override { return live_; }

 private:
  void open_port(uint16_t port, uint32_t want_queues, std::vector<std::string>* log);

  DpdkOptions opt_;
  std::vector<Port> ports_;
  std::vector<std::unique_ptr<RxQueue>> queues_;
  bool eal_ = false;
  bool live_ = true;
  int ts_offset_ = -1;
  uint64_t ts_flag_ = 0;
  // Idle-exit rule state (done() runs on the control thread only).
  mutable uint64_t seen_nombuf_ = 0;
  mutable int64_t nombuf_changed_ns_ = 0;
};

DpdkSource::DpdkSource(const DpdkOptions& opt, std::vector<std::string>* log) : opt_(opt) {
  std::vector<std::string> args{"wormwatch"};
  for (auto& a : split_args(opt.eal_args)) args.push_back(a);
  for (auto& v : opt.vdevs) args.push_back("--vdev=" + v);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string joined;
  for (size_t i = 1; i < args.size(); ++i) joined += (i > 1 ? " " : "") + args[i];
  rte_openlog_stream(stderr);  // EVE may go to standard output (--stdout)
  // EAL pins the calling thread to the main lcore, and every thread started later
  // (scan service, host tracker, output sinks) would inherit that one CPU. Keep
  // the process's CPU set for them; run_on_queues pins queue 0's loop only.
  cpu_set_t before;
  CPU_ZERO(&before);
  const bool have_before = pthread_getaffinity_np(pthread_self(), sizeof before, &before) == 0;
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0) {
    throw CaptureError(fmt::format(
        "DPDK EAL initialisation failed ({}) with arguments '{}'; check capture.dpdk.eal_args "
        "(the default '--no-huge --no-pci --no-shconf -l 0 -m 64' needs no hugepages or NIC "
        "binding) and capture.dpdk.vdevs",
        rte_strerror(rte_errno), joined));
  }
  eal_ = true;
  if (have_before) pthread_setaffinity_np(pthread_self(), sizeof before, &before);
  if (log) log->push_back("EAL: " + joined);

  std::vector<uint16_t> ids;
  if (opt.ports.empty()) {
    uint16_t p;
    RTE_ETH_FOREACH_DEV(p) ids.push_back(p);
  } else {
    for (const auto& name : opt.ports) {
      uint16_t p = 0;
      if (rte_eth_dev_get_port_by_name(name.c_str(), &p) != 0) {
        char* end = nullptr;
        unsigned long n = std::strtoul(name.c_str(), &end, 10);
        if (name.empty() || *end || !rte_eth_dev_is_valid_port(static_cast<uint16_t>(n)))
          throw CaptureError(fmt::format(
              "capture.dpdk.ports: no DPDK port '{}' (give a port name such as net_pcap0 or a "
              "port number; {} ports were probed)",
              name, rte_eth_dev_count_avail()));
        p = static_cast<uint16_t>(n);
      }
      ids.push_back(p);
    }
  }
  if (ids.empty()) {
    throw CaptureError(
        "DPDK found no ports: bind a NIC to vfio-pci/uio (and drop --no-pci from "
        "capture.dpdk.eal_args) or add a virtual device, e.g. --vdev "
        "net_pcap0,rx_pcap=FILE or capture.dpdk.vdevs");
  }
  const unsigned lcores = rte_lcore_count();
  uint32_t auto_share = std::max(1u, lcores / static_cast<unsigned>(ids.size()));
  for (uint16_t id : ids) open_port(id, opt.rx_queues ? opt.rx_queues : auto_share, log);

  if (queues_.size() > lcores) {
    uint32_t q = static_cast<uint32_t>(queues_.size());
    throw CaptureError(fmt::format(
        "DPDK: {} RX queues need {} lcores (one worker per queue, the main lcore polls queue 0) "
        "but EAL has {}; list more in capture.dpdk.eal_args (e.g. -l 0-{}) or lower "
        "capture.dpdk.rx_queues",
        q, q, lcores, q - 1));
  }
  // Queue 0 runs on the main lcore, the others on worker lcores in order.
  unsigned next = 0;
  unsigned worker_lcores[RTE_MAX_LCORE];
  unsigned nworkers = 0;
  RTE_LCORE_FOREACH_WORKER(next) worker_lcores[nworkers++] = next;
  for (size_t i = 0; i < queues_.size(); ++i)
    queues_[i]->lcore = i == 0 ? rte_get_main_lcore() : worker_lcores[i - 1];

  ts_offset_ = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
  int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
  ts_flag_ = bit >= 0 ? (uint64_t(1) << bit) : 0;
  bool all_pcap = std::all_of(ports_.begin(), ports_.end(),
                              [](const Port& p) { return p.driver == "net_pcap"; });
  live_ = !(all_pcap && opt.idle_exit_ms > 0);
  nombuf_changed_ns_ = steady_ns();
  if (log) {
    std::string where;
    for (auto& q : queues_) {
      auto p = std::find_if(ports_.begin(), ports_.end(),
                            [&](const Port& x) { return x.id == q->port; });
      where += fmt::format("{}{}:{}@lcore{}", where.empty() ? "" : " ", p->name, q->queue,
                           q->lcore);
    }
    log->push_back(fmt::format("{} workers, one per RX queue: {}", queues_.size(), where));
    if (opt.idle_exit_ms)
      log->push_back(fmt::format("ends after {} ms without packets on every queue "
                                 "(capture.dpdk.idle_exit_ms)",
                                 opt.idle_exit_ms));
  }
}

void DpdkSource::open_port(uint16_t id, uint32_t want, std::vector<std::string>* log) {
  Port port;
  port.id = id;
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(id, name);
  port.name = name;
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(id, &info); rc != 0)
    throw CaptureError(fmt::format("DPDK port {}: cannot read device info ({})", port.name,
                                   rte_strerror(-rc)));
  port.driver = info.driver_name ? info.driver_name : "";
  uint32_t queues = want;
  if (port.driver == "net_pcap" && opt_.rx_queues == 0) {
    // net_pcap has one queue per rx_pcap/rx_iface; fewer would leave files unread.
    queues = info.max_rx_queues;
  }
  if (queues > info.max_rx_queues) {
    if (opt_.rx_queues)
      throw CaptureError(fmt::format(
          "DPDK port {} ({}) has at most {} RX queues; capture.dpdk.rx_queues is {}", port.name,
          port.driver, info.max_rx_queues, opt_.rx_queues));
    queues = info.max_rx_queues;
  }
  queues = std::max<uint32_t>(queues, 1);
  port.queues = static_cast<uint16_t>(queues);

  rte_eth_conf conf{};
  std::vector<uint8_t> key;
  std::string rss = "none (one queue)";
  const uint64_t ip_types = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
  if (queues > 1 && ip_types) {
    // IP-only hash types: TCP ports stay out of the hash, so IP fragments (no
    // ports) and both directions of a host pair share a queue, as the engine's
    // symmetric_host_pair_hash does for its lanes.
    key.resize(info.hash_key_size ? info.hash_key_size : kDefaultKeyBytes);
    for (size_t i = 0; i < key.size(); ++i) key[i] = kSymmetricKeyPattern[i % 2];
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = key.data();
    conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(key.size());
    conf.rx_adv_conf.rss_conf.rss_hf = ip_types;
    rss = fmt::format("RSS on IP addresses (rss_hf 0x{:x}), symmetric key 0x6d5a x {}", ip_types,
                      key.size() / 2);
  } else if (queues > 1) {
    rss = "none: the device cannot hash (flow_type_rss_offloads has no IP types); each queue "
          "gets what the device puts there (net_pcap: one file per queue)";
  }
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
  // net_pcap stamps mbufs with the capture record's time: DPDK 22.11 always (in
  // microseconds, no offload flag offered), later releases when the RX timestamp
  // offload is on (nanoseconds). Other devices' hardware clocks are not the epoch.
  bool file_time = port.driver == "net_pcap";
  if (file_time && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  if ((conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER) && info.max_mtu >= 9000)
    conf.rxmode.mtu = 9000;

  int rc = rte_eth_dev_configure(id, port.queues, 0, &conf);
  if (rc != 0)
    throw CaptureError(fmt::format("DPDK port {} ({}): configure with {} RX queues failed: {}",
                                   port.name, port.driver, port.queues, rte_strerror(-rc)));
  uint16_t nb_rxd = static_cast<uint16_t>(std::min<uint32_t>(opt_.rx_descriptors, 32768));
  uint16_t nb_txd = 0;
  rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd);

  int socket = rte_eth_dev_socket_id(id);
  if (socket < 0) socket = SOCKET_ID_ANY;
  unsigned cache = std::min<unsigned>(256, opt_.mbufs / 4);
  std::string pool_name = fmt::format("ww_rx_{}", id);
  port.pool = rte_pktmbuf_pool_create(pool_name.c_str(), opt_.mbufs, cache, 0,
                                      static_cast<uint16_t>(opt_.mbuf_size + RTE_PKTMBUF_HEADROOM),
                                      socket);
  if (!port.pool)
    throw CaptureError(fmt::format(
        "DPDK port {}: cannot create a pool of {} mbufs of {} bytes ({}); lower "
        "capture.dpdk.mbufs or give EAL more memory (-m in capture.dpdk.eal_args)",
        port.name, opt_.mbufs, opt_.mbuf_size, rte_strerror(rte_errno)));
  rte_eth_rxconf rxconf = info.default_rxconf;
  rxconf.offloads = conf.rxmode.offloads;
  for (uint16_t q = 0; q < port.queues; ++q) {
    rc = rte_eth_rx_queue_setup(id, q, nb_rxd, static_cast<unsigned>(socket), &rxconf, port.pool);
    if (rc != 0)
      throw CaptureError(fmt::format("DPDK port {}: RX queue {} setup failed: {}", port.name, q,
                                     rte_strerror(-rc)));
    auto rq = std::make_unique<RxQueue>();
    rq->port = id;
    rq->queue = q;
    rq->file_time = file_time;
    rq->linear.resize(opt_.linear_bytes);
    queues_.push_back(std::move(rq));
  }
  rc = rte_eth_dev_start(id);
  if (rc != 0)
    throw CaptureError(fmt::format("DPDK port {} ({}): start failed: {}", port.name, port.driver,
                                   rte_strerror(-rc)));
  rte_eth_promiscuous_enable(id);  // not every device can; a span port usually needs it
  if (file_time && rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr) < 0) {
    file_time = false;
    for (auto& q : queues_)
      if (q->port == id) q->file_time = false;
  }
  if (log) {
    log->push_back(fmt::format(
        "port {} ({}): {} RX queues x {} descriptors, {} mbufs of {} bytes, scatter {}, "
        "timestamps {}, RSS {} (rx_offload_capa 0x{:x})",
        port.name, port.driver, port.queues, nb_rxd, opt_.mbufs, opt_.mbuf_size,
        (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER) ? "on" : "not offered",
        file_time ? "from the capture file" : "wall clock per burst", rss, info.rx_offload_capa));
  }
  ports_.push_back(std::move(port));
}

DpdkSource::~DpdkSource() {
  for (auto& p : ports_) {
    rte_eth_dev_stop(p.id);
    rte_eth_dev_close(p.id);
  }
  for (auto& p : ports_)
    if (p.pool) rte_mempool_free(p.pool);
  if (eal_) rte_eal_cleanup();
}

size_t DpdkSource::next_burst(uint32_t qi, size_t max, PacketHandler& h) {
  RxQueue& q = *queues_[qi];
  rte_mbuf* mbufs[kMaxBurst];
  const uint16_t want = static_cast<uint16_t>(std::min<size_t>({max, opt_.burst, kMaxBurst}));
  const uint16_t n = rte_eth_rx_burst(q.port, q.queue, mbufs, want);
  if (n == 0) {
    if (q.empty_since_ns.load(std::memory_order_relaxed) == 0)
      q.empty_since_ns.store(steady_ns(), std::memory_order_relaxed);
    return 0;
  }
  q.empty_since_ns.store(0, std::memory_order_relaxed);
  const int64_t now_us = q.file_time ? 0 : wall_us();
  uint64_t bytes = 0, linearised = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = mbufs[i];
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(mbufs[i + 1], void*));
    int64_t ts = now_us;
    if (q.file_time && ts_offset_ >= 0 && (m->ol_flags & ts_flag_)) {
      // Microseconds (DPDK 22.11) or nanoseconds (later): an epoch time in
      // nanoseconds is above 1e17 after 1973, one in microseconds not before 5138.
      const uint64_t t = *RTE_MBUF_DYNFIELD(m, ts_offset_, rte_mbuf_timestamp_t*);
      ts = static_cast<int64_t>(t >= kNanosecondThreshold ? t / 1000 : t);
    } else if (q.file_time)
      ts = wall_us();
    const uint32_t wire = rte_pktmbuf_pkt_len(m);
    uint32_t cap = wire;
    const uint8_t* data;
    if (m->nb_segs == 1) {
      data = rte_pktmbuf_mtod(m, const uint8_t*);
      cap = rte_pktmbuf_data_len(m);
    } else {
      // Chained mbufs (frame larger than the data room): the decoders want one
      // contiguous frame, so copy it into this queue's buffer.
      cap = std::min<uint32_t>(wire, static_cast<uint32_t>(q.linear.size()));
      data = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, cap, q.linear.data()));
      ++linearised;
    }
    bytes += wire;
    h.on_packet(CapturedPacket{LinkType::kEthernet, ts, cap, wire, data});
  }
  rte_pktmbuf_free_bulk(mbufs, n);
  q.packets.fetch_add(n, std::memory_order_relaxed);
  q.bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (linearised) q.linearised.fetch_add(linearised, std::memory_order_relaxed);
  return n;
}

namespace {
struct LaunchCtx {
  const std::function<void(uint32_t)>* fn;
  uint32_t q;
};
int launch_trampoline(void* arg) {
  auto* c = static_cast<LaunchCtx*>(arg);
  (*c->fn)(c->q);
  return 0;
}
}  // namespace

void DpdkSource::run_on_queues(const std::function<void(uint32_t)>& fn) {
  std::vector<LaunchCtx> ctx(queues_.size());
  for (uint32_t q = 1; q < queues_.size(); ++q) {
    ctx[q] = {&fn, q};
    int rc = rte_eal_remote_launch(launch_trampoline, &ctx[q], queues_[q]->lcore);
    if (rc != 0) {
      rte_eal_mp_wait_lcore();
      throw CaptureError(fmt::format("DPDK: cannot start the worker for queue {} on lcore {}: {}",
                                     q, queues_[q]->lcore, rte_strerror(-rc)));
    }
  }
  // Queue 0 runs here, pinned to the main lcore for the run only (see the constructor).
  cpu_set_t saved;
  CPU_ZERO(&saved);
  const bool restore = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
  rte_cpuset_t main_set = rte_lcore_cpuset(rte_get_main_lcore());
  rte_thread_set_affinity(&main_set);
  try {
    fn(0);
  } catch (...) {
    rte_eal_mp_wait_lcore();
    if (restore) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    throw;
  }
  rte_eal_mp_wait_lcore();
  if (restore) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
}

// net_pcap has no end-of-file signal: rx_burst simply returns 0 once the file is
// read. The run ends when every queue's own thread has polled it empty, without a
// packet since, for idle_exit_ms AND no port counted an mbuf shortage in that time
// (a pool shortage also makes rx_burst return 0 before the input is exhausted).
bool DpdkSource::done() const {
  if (opt_.idle_exit_ms == 0) return false;
  const int64_t now = steady_ns();
  const int64_t idle = int64_t(opt_.idle_exit_ms) * 1'000'000;
  uint64_t nombuf = 0;
  for (const auto& p : ports_) {
    rte_eth_stats st{};
    if (rte_eth_stats_get(p.id, &st) == 0) nombuf += st.rx_nombuf;
  }
  if (nombuf != seen_nombuf_) {
    seen_nombuf_ = nombuf;
    nombuf_changed_ns_ = now;
  }
  if (now - nombuf_changed_ns_ < idle) return false;
  for (const auto& q : queues_) {
    const int64_t since = q->empty_since_ns.load(std::memory_order_relaxed);
    if (since == 0 || now - since < idle) return false;
  }
  return true;
}

CaptureStats DpdkSource::stats() {
  CaptureStats s;
  s.dpdk = true;
  for (const auto& q : queues_) {
    s.packets += q->packets.load(std::memory_order_relaxed);
    s.bytes += q->bytes.load(std::memory_order_relaxed);
    s.dpdk_linearised += q->linearised.load(std::memory_order_relaxed);
  }
  for (const auto& p : ports_) {
    rte_eth_stats st{};
    if (rte_eth_stats_get(p.id, &st) != 0) continue;
    s.dpdk_ipackets += st.ipackets;
    s.dpdk_imissed += st.imissed;
    s.dpdk_ierrors += st.ierrors;
    s.dpdk_rx_nombuf += st.rx_nombuf;
  }
  return s;
}

}  // namespace

bool dpdk_built() { return true; }

std::unique_ptr<MultiQueueSource> open_dpdk_source(const DpdkOptions& opt,
                                                   std::vector<std::string>* setup_log) {
  static std::atomic<bool> opened{false};
  if (opened.exchange(true))
    throw CaptureError("DPDK: EAL can be initialised only once per process");
  return std::make_unique<DpdkSource>(opt, setup_log);
}

}  // namespace ww

#else  // !WW_HAVE_DPDK

namespace ww {

bool dpdk_built() { return false; }

std::unique_ptr<MultiQueueSource> open_dpdk_source(const DpdkOptions&, std::vector<std::string>*) {
  throw CaptureError(
      "--dpdk: this build has no DPDK support (install libdpdk-dev, e.g. "
      "scripts/install-deps.sh, and rebuild with -DWW_WITH_DPDK=ON)");
}

}  // namespace ww

#endif
