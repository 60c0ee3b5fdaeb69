#include "sensor/flow/ndpi_detector.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace ww {

NdpiDetector::NdpiDetector(uint32_t max_packets) : max_packets_(max_packets) {
  mod_ = ndpi_init_detection_module(ndpi_no_prefs);
  if (!mod_) throw std::runtime_error("nDPI: cannot initialise the detection module");
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(mod_, &all);
  ndpi_finalize_initialization(mod_);
}

NdpiDetector::~NdpiDetector() {
  if (mod_) ndpi_exit_detection_module(mod_);
}

void NdpiDetector::decide(Flow& f, uint16_t master, uint16_t app) {
  f.app_done = true;
  f.ndpi_master = master;
  f.ndpi_app = app;
  uint16_t id = app != NDPI_PROTOCOL_UNKNOWN ? app : master;
  // Mail protocols keep their master name ("SMTP" for SMTPS's STARTTLS cousin
  // is nDPI's "SMTPS"); we report the most specific one nDPI gives.
  if (id == NDPI_PROTOCOL_UNKNOWN) {
    std::strcpy(f.app_proto, "failed");
  } else {
    const char* name = ndpi_get_proto_name(mod_, id);
    size_t n = std::min(std::strlen(name), sizeof(f.app_proto) - 1);
    for (size_t i = 0; i < n; ++i)
      f.app_proto[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    f.app_proto[n] = 0;
    counters_.detected++;
  }
  if (f.ndpi) {
    ndpi_free_flow(f.ndpi);
    f.ndpi = nullptr;
  }
}

void NdpiDetector::process(Flow& f, const DecodedPacket& p) {
  if (f.app_done || p.frag.is_fragment) return;
  if (p.l3.empty() || p.l3.size() > 0xffff) return;
  if (!f.ndpi) {
    f.ndpi = static_cast<ndpi_flow_struct*>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT));
    if (!f.ndpi) return;
    std::memset(f.ndpi, 0, SIZEOF_FLOW_STRUCT);
  }
  counters_.packets++;
  ndpi_protocol r = ndpi_detection_process_packet(
      mod_, f.ndpi, p.l3.data(), static_cast<unsigned short>(p.l3.size()),
      static_cast<uint64_t>(p.ts_us / 1000));
  if (!p.payload.empty()) f.app_packets++;
  const bool known = r.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
                     r.master_protocol != NDPI_PROTOCOL_UNKNOWN;
  if (known) {
    decide(f, r.master_protocol, r.app_protocol);
  } else if (f.app_packets >= max_packets_) {
    uint8_t guessed = 0;
    ndpi_protocol g = ndpi_detection_giveup(mod_, f.ndpi, 0, &guessed);
    counters_.gave_up++;
    decide(f, g.master_protocol, g.app_protocol);
  }
}

void NdpiDetector::release(Flow& f) {
  if (!f.ndpi) return;
  if (!f.app_done && f.app_packets > 0) {
    uint8_t guessed = 0;
    ndpi_protocol g = ndpi_detection_giveup(mod_, f.ndpi, 0, &guessed);
    decide(f, g.master_protocol, g.app_protocol);
  }
  if (f.ndpi) {
    ndpi_free_flow(f.ndpi);
    f.ndpi = nullptr;
  }
}

}  // namespace ww
