#include "sensor/stats/engine_counters.h"

#include <algorithm>

namespace ww {

void WorkerCounters::merge(const WorkerCounters& o) {
  packets += o.packets;
  bytes += o.bytes;
  decode.merge(o.decode);
  flow.merge(o.flow);
  ndpi.merge(o.ndpi);
  reassembly.merge(o.reassembly);
  reassembly_memory_high_water = std::max(reassembly_memory_high_water, o.reassembly_memory_high_water);
  reassembly_memcap_hits += o.reassembly_memcap_hits;
  reassembly_flows_port += o.reassembly_flows_port;
  reassembly_flows_ndpi += o.reassembly_flows_ndpi;
  reassembly_flows_released += o.reassembly_flows_released;
  defrag.merge(o.defrag);
  smtp_sessions += o.smtp_sessions;
  host_events += o.host_events;
  smtp_records += o.smtp_records;
  smtp.merge(o.smtp);
  mime.merge(o.mime);
  files.merge(o.files);
#define WW_X(name, desc) policy.name += o.policy.name;
  WW_POLICY_COUNTERS(WW_X)
#undef WW_X
  for (const auto& [k, v] : o.app_proto_flows) app_proto_flows[k] += v;
}

Json build_stats_record(int64_t ts_us, int64_t uptime_s, uint32_t workers,
                        const CaptureStats& cap, const WorkerCounters& w) {
  Json j;
  j["timestamp"] = format_eve_timestamp(ts_us);
  j["event_type"] = "stats";
  Json s;
  s["uptime"] = uptime_s;
  s["workers"] = workers;

  Json c;
  c["packets"] = cap.packets;
  c["bytes"] = cap.bytes;
  if (cap.dpdk) {
    // DPDK port counters (rte_eth_stats); drops = imissed + ierrors + rx_nombuf.
    c["dpdk_ipackets"] = cap.dpdk_ipackets;
    c["drops"] = cap.dpdk_drops();
    c["imissed"] = cap.dpdk_imissed;
    c["ierrors"] = cap.dpdk_ierrors;
    c["rx_nombuf"] = cap.dpdk_rx_nombuf;
    c["linearised"] = cap.dpdk_linearised;
  } else if (cap.live) {
    c["kernel_packets"] = cap.kernel_packets;
    c["kernel_drops"] = cap.kernel_drops;
    c["kernel_ifdrops"] = cap.kernel_ifdrops;
  } else {
    c["files_read"] = cap.files_read;
    c["files_truncated"] = cap.files_truncated;
  }
  s["capture"] = std::move(c);

  const DecodeCounters& d = w.decode;
  Json dec;
  dec["pkts"] = w.packets;
  dec["bytes"] = w.bytes;
  dec["ipv4"] = d.ipv4;
  dec["ipv6"] = d.ipv6;
  dec["tcp"] = d.tcp;
  dec["udp"] = d.udp;
  dec["icmp"] = d.icmp;
  dec["other_ip"] = d.other_ip;
  dec["vlan"] = d.vlan;
  dec["fragments"] = d.fragments;
  dec["not_ip"] = d.not_ip;
  dec["truncated_payload"] = d.truncated_payload;
  dec["anomalies_total"] = d.anomaly_total();
  Json an = Json::object();
  for (size_t i = 0; i < kDecodeAnomalyCount; ++i) {
    an[decode_anomaly_name(static_cast<DecodeAnomaly>(i))] = d.anomalies[i];
  }
  dec["anomalies"] = std::move(an);
  s["decoder"] = std::move(dec);

  const FlowCounters& f = w.flow;
  Json fl;
  fl["created"] = f.created;
  fl["tcp"] = f.tcp;
  fl["udp"] = f.udp;
  fl["icmp"] = f.icmp;
  fl["other"] = f.other;
  fl["active"] = f.active;
  fl["max_active"] = f.max_active;
  fl["midstream"] = f.midstream;
  Json end = Json::object();
  for (size_t i = 0; i < f.ended.size(); ++i) {
    end[flow_end_reason_name(static_cast<FlowEndReason>(i))] = f.ended[i];
  }
  fl["end"] = std::move(end);
  s["flow"] = std::move(fl);

  Json app;
  app["ndpi_packets"] = w.ndpi.packets;
  app["detected"] = w.ndpi.detected;
  app["gave_up"] = w.ndpi.gave_up;
  Json byproto = Json::object();
  for (const auto& [k, v] : w.app_proto_flows) byproto[k] = v;
  app["flow"] = std::move(byproto);
  s["app_layer"] = std::move(app);

  // Counter lists name nested values "group.name": write them as nested objects.
  auto put = [](Json& obj, const char* name, uint64_t v) {
    std::string_view n(name);
    auto dot = n.find('.');
    if (dot == std::string_view::npos) {
      obj[std::string(n)] = v;
    } else {
      obj[std::string(n.substr(0, dot))][std::string(n.substr(dot + 1))] = v;
    }
  };
  Json tcp = Json::object();
  w.reassembly.for_each([&](const char* name, uint64_t v, const char*) { put(tcp, name, v); });
  tcp["memory_high_water"] = w.reassembly_memory_high_water;
  tcp["memcap_hits"] = w.reassembly_memcap_hits;
  tcp["flows_by_port"] = w.reassembly_flows_port;
  tcp["flows_by_ndpi"] = w.reassembly_flows_ndpi;
  tcp["flows_released"] = w.reassembly_flows_released;
  s["reassembly"] = std::move(tcp);
  Json df = Json::object();
  w.defrag.for_each([&](const char* name, uint64_t v, const char*) { put(df, name, v); });
  s["defrag"] = std::move(df);

  Json sm = Json::object();
  put(sm, "sessions", w.smtp_sessions);
  put(sm, "transactions_reported", w.smtp_records);
  w.smtp.for_each([&](const char* name, uint64_t v, const char*) { put(sm, name, v); });
  Json sma = Json::object();
  w.smtp.for_each_anomaly([&](const char* name, uint64_t v, const char*) { put(sma, name, v); });
  if (!sma.empty()) sm["anomalies"] = std::move(sma);
  s["smtp"] = std::move(sm);
  Json mi = Json::object();
  w.mime.for_each([&](const char* name, uint64_t v, const char*) { put(mi, name, v); });
  s["mime"] = std::move(mi);
  Json fi = Json::object();
#define WW_X(name, desc) put(fi, #name, w.files.name);
  WW_FILE_COUNTERS(WW_X)
#undef WW_X
  s["files"] = std::move(fi);
  Json st = Json::object();
  put(st, "stored", w.filestore.stored);
  put(st, "duplicates", w.filestore.duplicates);
  put(st, "too_large", w.filestore.too_large);
  put(st, "quota", w.filestore.quota);
  put(st, "errors", w.filestore.errors);
  put(st, "bytes", w.filestore.bytes);
  s["filestore"] = std::move(st);
  Json po = Json::object();
  w.policy.for_each([&](const char* name, uint64_t v, const char*) { put(po, name, v); });
  s["policy"] = std::move(po);
  Json sc = Json::object();
  w.scan.for_each([&](const char* name, uint64_t v, const char*) { put(sc, name, v); });
  s["scan"] = std::move(sc);
  Json al = Json::object();
  uint64_t alerts_total = 0;
  for (const auto& [id, n] : w.alerts) {
    al[std::to_string(id)] = n;
    alerts_total += n;
  }
  s["alerts"] = {{"total", alerts_total}, {"by_signature_id", std::move(al)}};
  Json ho = Json::object();
  put(ho, "events_sent", w.host_events);
#define WW_X(name, desc) put(ho, #name, w.hosts.name);
  WW_HOST_COUNTERS(WW_X)
#undef WW_X
  s["hosts"] = std::move(ho);

  j["stats"] = std::move(s);
  return j;
}

}  // namespace ww
