#pragma once
// The counters a worker keeps, merged across workers for `stats` records.

#include <cstdint>
#include <map>
#include <string>

#include "sensor/capture/packet_source.h"
#include "sensor/decode/decoder.h"
#include "sensor/flow/flow_table.h"
#include "sensor/flow/ndpi_detector.h"
#include "sensor/output/eve.h"

namespace ww {

struct WorkerCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  DecodeCounters decode;
  FlowCounters flow;
  NdpiCounters ndpi;
  std::map<std::string, uint64_t> app_proto_flows;   // ended flows by identified protocol
  void merge(const WorkerCounters& o);
};

// The EVE `stats` record: capture, decoder, flow and app-layer sections.
Json build_stats_record(int64_t ts_us, int64_t uptime_s, uint32_t workers,
                        const CaptureStats& cap, const WorkerCounters& w);

}  // namespace ww
