#pragma once
// The counters a worker keeps, merged across workers for `stats` records.

#include <cstdint>
#include <map>
#include <string>

#include "reassembly/files/file_counters.h"
#include "reassembly/files/filestore.h"
#include "reassembly/ip/defrag_counters.h"
#include "reassembly/mime/mime_counters.h"
#include "reassembly/smtp/smtp_counters.h"
#include "reassembly/tcp/tcp_reassembly_counters.h"
#include "rules/hosts/host_tracker.h"
#include "rules/policy/attachment_policy.h"
#include "rules/scan/scan_counters.h"
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
  ReassemblyCounters reassembly;
  uint64_t reassembly_memory_high_water = 0;   // bytes, max over workers
  uint64_t reassembly_memcap_hits = 0;
  uint64_t reassembly_flows_port = 0;       // flows reassembled because of their server port
  uint64_t reassembly_flows_ndpi = 0;       // flows kept because nDPI called them SMTP
  uint64_t reassembly_flows_released = 0;   // speculative reassembly dropped: not SMTP
  DefragCounters defrag;
  uint64_t smtp_sessions = 0;      // flows handed to the SMTP parser
  uint64_t smtp_records = 0;       // smtp records (transactions) written
  SmtpCounters smtp;
  MimeCounters mime;
  FileCounters files;
  FilestoreCounters filestore;     // engine-wide (not merged: one store)
  PolicyCounters policy;
  ScanCounters scan;               // engine-wide (one service)
  std::map<uint32_t, uint64_t> alerts;  // alerts written, by signature_id (engine-wide)
  HostCounters hosts;              // engine-wide (one tracker)
  uint64_t host_events = 0;        // connection events sent by the workers
  std::map<std::string, uint64_t> app_proto_flows;   // ended flows by identified protocol
  void merge(const WorkerCounters& o);
};

// The EVE `stats` record: capture, decoder, flow and app-layer sections.
Json build_stats_record(int64_t ts_us, int64_t uptime_s, uint32_t workers,
                        const CaptureStats& cap, const WorkerCounters& w);

}  // namespace ww
