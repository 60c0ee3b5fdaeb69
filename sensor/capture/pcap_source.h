#pragma once
// libpcap sources: offline files (pcap and pcapng, several, or a directory's
// files in name order) and live interfaces.

#include <pcap/pcap.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "sensor/capture/packet_source.h"

namespace ww {

// Expands -r arguments: a directory becomes its regular files in name order.
// Throws CaptureError for a missing path or an empty directory.
std::vector<std::string> expand_capture_paths(const std::vector<std::string>& args);

class PcapFileSource : public PacketSource {
 public:
  // Opens and checks every file up front (exists, readable, a capture, a link
  // type wormwatch decodes, the BPF filter compiles), so a bad operand fails
  // before any record is written. Throws CaptureError.
  PcapFileSource(std::vector<std::string> files, std::string bpf);
  ~PcapFileSource() override;

  size_t next_burst(size_t max, PacketHandler& h) override;
  bool done() const override { return current_ == nullptr && next_file_ >= files_.size(); }
  CaptureStats stats() override { return stats_; }
  bool live() const override { return false; }

  // Called with a one-line warning (truncated file) so main can log it.
  std::function<void(const std::string&)> on_warning;

 private:
  pcap_t* open_checked(const std::string& path, LinkType* link);
  bool open_next();
  std::vector<std::string> files_;
  std::string bpf_;
  size_t next_file_ = 0;
  pcap_t* current_ = nullptr;
  std::string current_path_;
  LinkType link_ = LinkType::kEthernet;
  CaptureStats stats_;
};

struct LiveOptions {
  std::string interface;
  std::string bpf;
  uint32_t snaplen = 65535;
  bool promiscuous = true;
  uint32_t buffer_size_mib = 64;
  int timeout_ms = 100;
};

class PcapLiveSource : public PacketSource {
 public:
  explicit PcapLiveSource(const LiveOptions& opt);   // throws CaptureError with the fix
  ~PcapLiveSource() override;
  size_t next_burst(size_t max, PacketHandler& h) override;
  bool done() const override { return stopped_; }
  CaptureStats stats() override;
  void interrupt() override;
  bool live() const override { return true; }

  // One line for the start-up log: what was asked for and what libpcap applied
  // ("buffer 64 MiB, snaplen 65535, promiscuous, link EN10MB").
  std::string describe() const { return description_; }
  // Non-fatal conditions found at start (no carrier, promiscuous mode refused);
  // main logs them as warnings.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  pcap_t* p_ = nullptr;
  std::string description_;
  std::vector<std::string> warnings_;
  int fd_ = -1;          // pcap's selectable fd (non-blocking mode), -1: let pcap block
  int timeout_ms_ = 100;
  std::atomic<bool> break_requested_{false};  // set by interrupt() (signal handler)
  LinkType link_ = LinkType::kEthernet;
  std::string name_;
  bool stopped_ = false;
  CaptureStats stats_;
  WrappingCounter recv_, drop_, ifdrop_;
};

}  // namespace ww
