#include "sensor/capture/pcap_source.h"

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
  for (const auto& f : files_) {
    LinkType lt;
    pcap_t* p = open_checked(f, &lt);
    pcap_close(p);
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

PcapLiveSource::PcapLiveSource(const LiveOptions& opt) : name_(opt.interface) {
  char err[PCAP_ERRBUF_SIZE] = {};
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
        throw CaptureError(fmt::format("interface {} is down; bring it up with "
                                       "'ip link set {} up'",
                                       opt.interface, opt.interface));
      default:
        throw CaptureError(fmt::format("cannot capture on {}: {}", opt.interface, detail));
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
  stats_.live = true;
}

PcapLiveSource::~PcapLiveSource() {
  if (p_) pcap_close(p_);
}

size_t PcapLiveSource::next_burst(size_t max, PacketHandler& h) {
  if (stopped_) return 0;
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
  if (p_) pcap_breakloop(p_);
}

}  // namespace ww
