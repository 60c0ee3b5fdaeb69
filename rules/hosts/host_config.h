#pragma once
// Host-behaviour detection settings: parsed and validated once, then
// immutable (the tracker keeps its own copy). Defaults are argued in docs/hosts.md.

#include <cstdint>
#include <string>

#include "rules/hosts/cidr_set.h"
#include "rules/hosts/port_set.h"

namespace ww {

struct HostConfig {
  // Which hosts are ours; only they can be listeners, mass mailers or infected.
  CidrSet home_net = default_home_net();
  // Legitimate mail servers (addresses or CIDRs): never mass mailers, and an
  // infected attachment relayed by them is not a sign against them.
  CidrSet mail_relays;
  // Home hosts that listen on a backdoor port for a good reason (a Squid proxy on 3128):
  // no listener alert and no infection sign for them. Uploads and sweeps still count.
  CidrSet listener_allow;
  // MyDoom.A listens on the first free port of 3127-3198.
  PortSet backdoor_ports = default_backdoor_ports();

  // A repeated alert on the same key (listener host+port, upload client+server+port,
  // sweep source, mass-mailing host) waits this long in packet time.
  int64_t suppression_s = 3600;

  // Sweep: a source that probes this many distinct hosts on backdoor ports within the window.
  uint32_t sweep_targets = 10;
  int64_t sweep_window_s = 300;

  // Mass mailing: any one threshold reached within the sliding window raises the alert.
  int64_t burst_window_s = 60;
  uint32_t burst_distinct_servers = 10;         // distinct SMTP servers outside home_net
  uint32_t burst_sessions = 60;                 // SMTP sessions (to any server)
  uint32_t burst_messages_or_recipients = 100;  // recipients, a message counting at least 1

  // Bounds.
  uint32_t max_hosts = 65536;          // host table cap; the least recently active is evicted
  uint32_t max_listener_ports = 8;     // listener ports remembered per host
  uint32_t sample_size = 10;           // addresses in an alert's samples
  int64_t inventory_interval_s = 600;  // periodic host inventory (packet time); 0 = final only
  uint32_t queue_capacity = 16384;     // events per worker queue (rounded up to a power of two)

  static CidrSet default_home_net();
  static PortSet default_backdoor_ports();

  // Empty when valid; otherwise one message naming the field, its value and the accepted range.
  std::string validate() const;
};

// Upper bound for the window thresholds: the exact sliding-window structures keep
// one entry per unit of threshold, so this bounds memory per host (docs/hosts.md).
inline constexpr uint32_t kMaxWindowThreshold = 4096;

}  // namespace ww
