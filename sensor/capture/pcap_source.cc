#include "sensor/capture/pcap_source.h"

#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <system_error>

#include <fmt/format.h>

namespace ww {
namespace fs = std::filesystem;

namespace {

struct Trampoline {
  PacketHandler* h;
  LinkType link;
  CaptureStats* stats;
};

void on_pcap_packet(u_char* user, const struct pcap_pkthdr* hdr, const u_char* data) {
  auto* t = reinterpret_cast<Trampoline*>(user);
  CapturedPacket p{t->link,
                   static_cast<int64_t>(hdr->ts.tv_sec) * 1'000'000 + hdr->ts.tv_usec,
                   hdr->caplen, hdr->len, data};
  t->stats->packets++;
  t->stats->bytes += hdr->len;
  t->h->on_packet(p);
}

void apply_bpf(pcap_t* p, const std::string& bpf, const std::string& what) {
  if (bpf.empty()) return;
  struct bpf_program prog;
  if (pcap_compile(p, &prog, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw CaptureError(fmt::format("BPF filter '{}' does not compile for {}: {}", bpf, what,
                                   pcap_geterr(p)));
  }
  int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) {
    throw CaptureError(fmt::format("cannot apply BPF filter to {}: {}", what, pcap_geterr(p)));
  }
}

std::string supported_link_types() {
  return "Ethernet (1), raw IP (101/12/14/228/229), BSD loopback (0/108), Linux cooked SLL (113) "
         "and SLL2 (276)";
}

}  // namespace

std::vector<std::string> expand_capture_paths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    auto st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      throw CaptureError(fmt::format("capture file {} does not exist (check the path given to -r)",
                                     a));
    }
    if (fs::is_directory(st)) {
      std::vector<std::string> inside;
      for (const auto& e : fs::directory_iterator(a, ec)) {
        if (e.is_regular_file()) inside.push_back(e.path().string());
      }
      if (ec) {
        throw CaptureError(fmt::format("cannot list capture directory {}: {}", a, ec.message()));
      }
      std::sort(inside.begin(), inside.end());
      if (inside.empty()) {
        throw CaptureError(fmt::format("capture directory {} holds no files", a));
      }
      out.insert(out.end(), inside.begin(), inside.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

PcapFileSource::PcapFileSource(std::vector<std::string> files, std::string bpf)
    : files_(std::move(files)), bpf_(std::move(bpf)) {
  if (files_.empty()) throw CaptureError("no capture file given");
  for (size_t i = 0; i < files_.size(); ++i) {
    LinkType lt;
    pcap_t* p = open_checked(files_[i], &lt);
    if (i > 0) {
      pcap_close(p);
      continue;
    }
    // The first file stays open: a fifo (a capture piped in) can be read only once.
    current_ = p;
    current_path_ = files_[0];
    link_ = lt;
    next_file_ = 1;
    stats_.files_read++;
  }
}

PcapFileSource::~PcapFileSource() {
  if (current_) pcap_close(current_);
}

pcap_t* PcapFileSource::open_checked(const std::string& path, LinkType* link) {
  char err[PCAP_ERRBUF_SIZE] = {};
  errno = 0;
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO,
                                                      err);
  if (!p) {
    std::string why = err;
    if (why.find("unknown file format") != std::string::npos ||
        why.find("bad dump file format") != std::string::npos ||
        why.find("truncated dump file") != std::string::npos) {
      throw CaptureError(fmt::format("{} is not a pcap or pcapng capture ({}); give a file "
                                     "written by tcpdump, tshark or wormwatch's generator",
                                     path, why));
    }
    throw CaptureError(fmt::format("cannot open capture file {}: {}", path, why));
  }
  int dlt = pcap_datalink(p);
  if (!link_type_from_pcap(dlt, *link)) {
    const char* name = pcap_datalink_val_to_name(dlt);
    pcap_close(p);
    throw CaptureError(fmt::format("{} has link type {} ({}), which wormwatch does not decode; "
                                   "supported: {}",
                                   path, dlt, name ? name : "unknown", supported_link_types()));
  }
  apply_bpf(p, bpf_, path);
  return p;
}

bool PcapFileSource::open_next() {
  while (!current_ && next_file_ < files_.size()) {
    current_path_ = files_[next_file_++];
    current_ = open_checked(current_path_, &link_);
    stats_.files_read++;
  }
  return current_ != nullptr;
}

size_t PcapFileSource::next_burst(size_t max, PacketHandler& h) {
  size_t got = 0;
  while (got < max) {
    if (!current_ && !open_next()) return got;
    Trampoline t{&h, link_, &stats_};
    int rc = pcap_dispatch(current_, static_cast<int>(max - got), on_pcap_packet,
                           reinterpret_cast<u_char*>(&t));
    if (rc > 0) {
      got += static_cast<size_t>(rc);
      continue;
    }
    if (rc == PCAP_ERROR) {
      // libpcap reports a file cut off mid-record here; what came before is kept.
      std::string why = pcap_geterr(current_);
      stats_.files_truncated++;
      if (on_warning) {
        on_warning(fmt::format("{}: capture ends mid-record after {} packets ({}); processed up "
                               "to the cut",
                               current_path_, stats_.packets, why));
      }
    }
    // 0 = end of file (or PCAP_ERROR_BREAK): move to the next file.
    pcap_close(current_);
    current_ = nullptr;
  }
  return got;
}

namespace {

// Interface flags (IFF_UP, IFF_RUNNING) through a throw-away socket; false when
// the interface cannot be queried.
bool interface_flags(const std::string& name, unsigned* flags) {
  if (name.size() >= IFNAMSIZ) return false;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct ifreq ifr {};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  ::close(fd);
  if (ok) *flags = static_cast<unsigned short>(ifr.ifr_flags);
  return ok;
}

std::string link_down_message(const std::string& ifname) {
  return fmt::format("interface {} is down; bring it up with 'ip link set {} up' (a span port "
                     "also needs its mirror session configured on the switch)",
                     ifname, ifname);
}

}  // namespace

PcapLiveSource::PcapLiveSource(const LiveOptions& opt) : name_(opt.interface) {
  char err[PCAP_ERRBUF_SIZE] = {};
  if (opt.interface.empty()) throw CaptureError("no interface given (-i INTERFACE)");
  // libpcap opens "any" and unknown names lazily; name a missing interface before
  // it turns into a less clear activation error.
  if (opt.interface != "any" && if_nametoindex(opt.interface.c_str()) == 0 && errno == ENODEV) {
    throw CaptureError(fmt::format("interface {} not found; list interfaces with 'ip link' and "
                                   "pass one with -i",
                                   opt.interface));
  }
  p_ = pcap_create(opt.interface.c_str(), err);
  if (!p_) throw CaptureError(fmt::format("cannot capture on {}: {}", opt.interface, err));
  pcap_set_snaplen(p_, static_cast<int>(opt.snaplen));
  pcap_set_promisc(p_, opt.promiscuous ? 1 : 0);
  pcap_set_timeout(p_, opt.timeout_ms);
  pcap_set_immediate_mode(p_, 1);
  pcap_set_buffer_size(p_, static_cast<int>(opt.buffer_size_mib) * 1024 * 1024);
  int rc = pcap_activate(p_);
  if (rc < 0) {
    std::string detail = pcap_geterr(p_);
    pcap_close(p_);
    p_ = nullptr;
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE:
        throw CaptureError(fmt::format("interface {} not found ({}); list interfaces with "
                                       "'ip link' and pass one with -i",
                                       opt.interface, detail));
      case PCAP_ERROR_PERM_DENIED:
      case PCAP_ERROR_PROMISC_PERM_DENIED:
        throw CaptureError(fmt::format("no permission to capture on {} ({}); run as root or "
                                       "grant the binary CAP_NET_RAW and CAP_NET_ADMIN "
                                       "(setcap cap_net_raw,cap_net_admin=eip wormwatch)",
                                       opt.interface, detail));
      case PCAP_ERROR_IFACE_NOT_UP:
        throw CaptureError(link_down_message(opt.interface));
      default:
        throw CaptureError(fmt::format("cannot capture on {}: {}", opt.interface, detail));
    }
  }
  if (rc == PCAP_WARNING_PROMISC_NOTSUP) {
    warnings_.push_back(fmt::format("interface {} does not support promiscuous mode ({}); only "
                                    "traffic addressed to it is seen",
                                    opt.interface, pcap_geterr(p_)));
  } else if (rc > 0) {
    warnings_.push_back(fmt::format("capture on {}: {}", opt.interface, pcap_geterr(p_)));
  }
  // Linux binds a packet socket to a down interface without complaint and then
  // sees nothing: refuse it here, with the fix.
  unsigned flags = 0;
  if (opt.interface != "any" && interface_flags(opt.interface, &flags)) {
    if (!(flags & IFF_UP)) {
      pcap_close(p_);
      p_ = nullptr;
      throw CaptureError(link_down_message(opt.interface));
    }
    if (!(flags & IFF_RUNNING)) {
      warnings_.push_back(fmt::format("interface {} is up but has no carrier (cable, SFP or the "
                                      "switch's mirror session?); capturing anyway",
                                      opt.interface));
    }
  }
  int dlt = pcap_datalink(p_);
  if (!link_type_from_pcap(dlt, link_)) {
    const char* n = pcap_datalink_val_to_name(dlt);
    pcap_close(p_);
    p_ = nullptr;
    throw CaptureError(fmt::format("interface {} has link type {} ({}), which wormwatch does not "
                                   "decode; supported: {}",
                                   opt.interface, dlt, n ? n : "unknown", supported_link_types()));
  }
  try {
    apply_bpf(p_, opt.bpf, "interface " + opt.interface);
  } catch (...) {
    pcap_close(p_);
    p_ = nullptr;
    throw;
  }
  // Our own poll() with the timeout: libpcap may block in poll() until a packet
  // arrives (TPACKET_V3 retires no empty block), and an idle live link must still
  // return to the engine so that stats records come out on wall time.
  fd_ = pcap_get_selectable_fd(p_);
  if (fd_ >= 0 && pcap_setnonblock(p_, 1, err) != 0) fd_ = -1;
  timeout_ms_ = opt.timeout_ms;
  const char* dlt_name = pcap_datalink_val_to_name(dlt);
  description_ = fmt::format("buffer {} MiB, snaplen {}, {}, link {}{}{}", opt.buffer_size_mib,
                             pcap_snapshot(p_), opt.promiscuous ? "promiscuous" : "not promiscuous",
                             dlt_name ? dlt_name : std::to_string(dlt),
                             opt.bpf.empty() ? "" : ", filter '", opt.bpf.empty() ? "" : opt.bpf + "'");
  stats_.live = true;
}

PcapLiveSource::~PcapLiveSource() {
  if (p_) pcap_close(p_);
}

size_t PcapLiveSource::next_burst(size_t max, PacketHandler& h) {
  if (stopped_) return 0;
  if (break_requested_.load(std::memory_order_relaxed)) {
    stopped_ = true;
    return 0;
  }
  if (fd_ >= 0) {
    struct pollfd pfd {fd_, POLLIN, 0};
    int pr = ::poll(&pfd, 1, timeout_ms_);
    if (pr == 0 || (pr < 0 && errno == EINTR)) return 0;  // idle, or a signal: back to the engine
    // POLLIN, or POLLERR (link gone): pcap_dispatch reads or reports the error.
  }
  Trampoline t{&h, link_, &stats_};
  int rc = pcap_dispatch(p_, static_cast<int>(max), on_pcap_packet, reinterpret_cast<u_char*>(&t));
  if (rc == PCAP_ERROR_BREAK) {
    stopped_ = true;
    return 0;
  }
  if (rc == PCAP_ERROR) {
    std::string why = pcap_geterr(p_);
    stopped_ = true;
    throw CaptureError(fmt::format("capture on {} failed: {} (is the link still up?)", name_, why));
  }
  return rc > 0 ? static_cast<size_t>(rc) : 0;
}

CaptureStats PcapLiveSource::stats() {
  struct pcap_stat ps {};
  if (p_ && pcap_stats(p_, &ps) == 0) {
    recv_.update(ps.ps_recv);
    drop_.update(ps.ps_drop);
    ifdrop_.update(ps.ps_ifdrop);
    stats_.kernel_packets = recv_.total;
    stats_.kernel_drops = drop_.total;
    stats_.kernel_ifdrops = ifdrop_.total;
  }
  return stats_;
}

void PcapLiveSource::interrupt() {
  break_requested_.store(true, std::memory_order_relaxed);
  if (p_) pcap_breakloop(p_);
}

}  // namespace ww
