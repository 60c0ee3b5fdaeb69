// wormwatch: wiring only. Parse options and config, open the capture source
// and outputs, run the engine, print a summary.

#include <net/if.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "rules/events.h"
#include "rules/scan/scan_backend.h"
#include "sensor/capture/dpdk_source.h"
#include "sensor/capture/pcap_source.h"
#include "sensor/capture/privdrop.h"
#include "sensor/config/config.h"
#include "sensor/output/sink.h"
#include "sensor/output/sink_spec.h"
#include "sensor/report/report.h"
#include "sensor/worker/engine.h"

namespace {

// The signal handler needs to reach the running engine; main owns both.
std::atomic<ww::Engine*> g_engine{nullptr};
std::atomic<ww::PacketSource*> g_source{nullptr};

extern "C" void on_hup_signal(int) {
  if (auto* e = g_engine.load()) e->request_reload();
}

extern "C" void on_stop_signal(int) {
  if (auto* e = g_engine.load()) e->stop();
  if (auto* s = g_source.load()) s->interrupt();
}

void print_summary(const ww::EngineTotals& t, const ww::OutputHub& out, const ww::Config& cfg,
                   const std::string& where) {
  const auto& w = t.workers;
  std::string apps;
  for (const auto& [k, v] : w.app_proto_flows) apps += fmt::format(" {}={}", k, v);
  uint64_t ended = 0;
  for (auto v : w.flow.ended) ended += v;
  auto counts = out.counts();
  std::string recs;
  for (const auto& [k, v] : counts) recs += fmt::format(" {}={}", k, v);
  double secs = t.wall_seconds > 0 ? t.wall_seconds : 1e-9;
  std::fprintf(stderr,
               "wormwatch summary\n"
               "  packets      %llu (%.1f MB) in %.2f s: %.0f packets/s, %.3f Gbit/s\n"
               "  decode       ipv4=%llu ipv6=%llu tcp=%llu udp=%llu icmp=%llu not_ip=%llu "
               "anomalies=%llu\n"
               "  flows        %llu (tcp=%llu udp=%llu icmp=%llu), max active %llu, evicted %llu\n"
               "  protocols   %s\n"
               "  records     %s\n"
               "  output       %s\n",
               (unsigned long long)t.capture.packets, t.capture.bytes / 1e6, secs,
               t.capture.packets / secs, t.capture.bytes * 8.0 / secs / 1e9,
               (unsigned long long)w.decode.ipv4, (unsigned long long)w.decode.ipv6,
               (unsigned long long)w.decode.tcp, (unsigned long long)w.decode.udp,
               (unsigned long long)w.decode.icmp, (unsigned long long)w.decode.not_ip,
               (unsigned long long)w.decode.anomaly_total(), (unsigned long long)ended,
               (unsigned long long)w.flow.tcp, (unsigned long long)w.flow.udp,
               (unsigned long long)w.flow.icmp, (unsigned long long)w.flow.max_active,
               (unsigned long long)w.flow.ended[static_cast<size_t>(ww::FlowEndReason::evicted)],
               apps.empty() ? " none" : apps.c_str(), recs.empty() ? " none" : recs.c_str(),
               where.c_str());
  if (w.smtp_sessions) {
    std::fprintf(stderr,
                 "  mail         sessions=%llu transactions=%llu files=%llu (%.1f MB decoded, "
                 "%llu truncated, %llu with gaps)\n",
                 (unsigned long long)w.smtp_sessions, (unsigned long long)w.smtp_records,
                 (unsigned long long)w.files.files, w.files.bytes / 1e6,
                 (unsigned long long)w.files.truncated, (unsigned long long)w.files.with_gaps);
  }
  if (const uint64_t msgs = t.mail.total_messages()) {
    const uint64_t inf = t.mail.total_infected();
    std::string by;
    for (size_t d = 0; d < ww::kMailDirections; ++d)
      if (t.mail.messages[d])
        by += fmt::format(" {}={}/{}", ww::mail_direction_name(static_cast<ww::MailDirection>(d)),
                          t.mail.infected[d], t.mail.messages[d]);
    std::fprintf(stderr, "  messages     %llu, %llu with an infected attachment (%.1f %%); infected/all:%s\n",
                 (unsigned long long)msgs, (unsigned long long)inf, 100.0 * inf / msgs, by.c_str());
  }
  if (w.scan.submitted) {
    std::fprintf(stderr,
                 "  scan         files=%llu scanned=%llu infected=%llu cache_hits=%llu "
                 "skipped=%llu errors=%llu\n",
                 (unsigned long long)w.scan.submitted, (unsigned long long)w.scan.scanned,
                 (unsigned long long)w.scan.infected, (unsigned long long)w.scan.cache_hits,
                 (unsigned long long)(w.scan.skipped_queue_full + w.scan.skipped_too_large +
                                      w.scan.skipped_disabled),
                 (unsigned long long)w.scan.errors);
  }
  if (!w.alerts.empty()) {
    std::string by;
    uint64_t total = 0;
    for (const auto& [id, n] : w.alerts) {
      total += n;
      for (const auto& e : ww::kEventCatalogue)
        if (e.id == id) by += fmt::format(" {}={}", e.key.substr(1), n);
    }
    std::fprintf(stderr, "  alerts       %llu:%s\n", (unsigned long long)total, by.c_str());
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::fprintf(stderr, "  memory       peak resident %.1f MiB\n", ru.ru_maxrss / 1024.0);
  if (t.capture.live) {
    std::fprintf(stderr, "  kernel       received=%llu dropped=%llu ifdropped=%llu\n",
                 (unsigned long long)t.capture.kernel_packets,
                 (unsigned long long)t.capture.kernel_drops,
                 (unsigned long long)t.capture.kernel_ifdrops);
  }
  if (t.capture.dpdk) {
    std::fprintf(stderr,
                 "  dpdk         ports received=%llu, drops=%llu (imissed=%llu ierrors=%llu "
                 "rx_nombuf=%llu), chained mbufs linearised=%llu\n",
                 (unsigned long long)t.capture.dpdk_ipackets,
                 (unsigned long long)t.capture.dpdk_drops(),
                 (unsigned long long)t.capture.dpdk_imissed,
                 (unsigned long long)t.capture.dpdk_ierrors,
                 (unsigned long long)t.capture.dpdk_rx_nombuf,
                 (unsigned long long)t.capture.dpdk_linearised);
  }
  (void)cfg;
}

// --test-config: everything a start would check, without capturing or writing a
// record. Prints "configuration OK: ..." (stdout, exit 0) or "configuration
// error: ..." (stdout, and the log line on stderr; exit 1).
int test_configuration(const ww::Config& cfg, const std::string& user, const std::string& group,
                       const std::string& report_path) {
  auto fail = [](const std::string& msg) {
    spdlog::error("{}", msg);
    std::printf("configuration error: %s\n", msg.c_str());
    return 1;
  };
  std::vector<std::string> notes;
  try {
    if (cfg.dpdk) {
      // The EAL is not started here (it would claim the ports): the settings are reported.
      notes.push_back(fmt::format("DPDK, EAL '{}', {} vdev(s), {} port(s){}",
                                  cfg.dpdk_eal_args, cfg.dpdk_vdevs.size(),
                                  cfg.dpdk_ports.empty() ? std::string("every probed")
                                                         : std::to_string(cfg.dpdk_ports.size()),
                                  ww::dpdk_built() ? "" : " (this build has no DPDK support)"));
    } else if (!cfg.read_paths.empty()) {
      ww::PcapFileSource check(ww::expand_capture_paths(cfg.read_paths), cfg.bpf);
      notes.push_back(fmt::format("read {} path(s)", cfg.read_paths.size()));
    } else if (!cfg.interface.empty()) {
      // The config may be checked on another machine than the sensor: a missing
      // interface is reported, not an error.
      if (if_nametoindex(cfg.interface.c_str()) == 0) {
        spdlog::warn("interface {} does not exist on this machine", cfg.interface);
        notes.push_back(fmt::format("interface {} (not present here)", cfg.interface));
      } else {
        notes.push_back(fmt::format("interface {}", cfg.interface));
      }
    } else {
      notes.push_back("no capture source yet (-r or -i/capture.interface)");
    }
    if (!user.empty()) {
      auto r = ww::resolve_run_as(user, group);
      notes.push_back(fmt::format("runs as {}:{}", r.user_name, r.group_name));
    }
    if (!cfg.log_dir.empty() && cfg.eve_enabled) {
      std::error_code ec;
      if (!std::filesystem::is_directory(cfg.log_dir, ec))
        return fail(fmt::format("log directory {} does not exist (create it or pass another "
                                "with -l)",
                                cfg.log_dir));
      notes.push_back(fmt::format("eve {}", (std::filesystem::path(cfg.log_dir) /
                                             cfg.eve_filename).string()));
    }
    if (cfg.eve_enabled && !cfg.sinks_yaml.empty()) {
      auto specs = ww::parse_outputs(YAML::Load(cfg.sinks_yaml), cfg.log_dir);
      notes.push_back(fmt::format("{} further sink(s)", specs.size()));
    }
    if (!report_path.empty()) {
      std::string err;
      if (!ww::report_path_writable(report_path, &err)) return fail(err);
    }
    if (cfg.smtp_enabled && cfg.scan.enabled) {
      auto backend = ww::make_scan_backend(cfg.scan, 1);  // the scan service's engine build
      notes.push_back(backend->describe());
    } else {
      notes.push_back("scanning off");
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::string all;
  for (const auto& n : notes) all += (all.empty() ? "" : "; ") + n;
  std::printf("configuration OK: %s\n", all.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto log = spdlog::stderr_color_mt("wormwatch");
  spdlog::set_default_logger(log);
  spdlog::set_pattern("wormwatch: %^%l%$: %v");

  CLI::App app{"wormwatch: passive sensor for mass-mailing worms, backdoors and malicious "
               "attachments"};
  app.set_version_flag("--version", std::string("wormwatch ") + "0.1.0");
  std::vector<std::string> read_paths;
  std::string iface, config_path, log_dir, bpf;
  std::vector<std::string> sets;
  int workers = -1;
  bool to_stdout = false, quiet = false, list_keys = false, list_events = false;
  app.add_option("-r,--read", read_paths,
                 "pcap or pcapng file, or a directory of them (repeatable, read in order)");
  app.add_option("-i,--interface", iface, "capture live from this interface (libpcap)");
  app.add_option("-c,--config", config_path, "YAML configuration file");
  app.add_option("-l,--log-dir", log_dir, "write eve.json into this directory");
  app.add_option("-F,--bpf", bpf, "BPF filter (overrides capture.bpf)");
  app.add_option("--workers", workers, "worker threads (0 = one per core; 1 = deterministic)")
      ->check(CLI::Range(0, 256));
  bool dpdk = false;
  std::vector<std::string> vdevs;
  app.add_flag("--dpdk", dpdk,
               "capture with DPDK (ports and RX queues from capture.dpdk.*; one worker per queue)");
  app.add_option("--vdev", vdevs,
                 "DPDK virtual device, e.g. net_pcap0,rx_pcap=FILE (repeatable; implies --dpdk)");
  app.add_option("--set", sets, "override a config key: --set flow.max_flows=100000");
  app.add_flag("--stdout", to_stdout, "write EVE records to standard output");
  app.add_flag("-q,--quiet", quiet, "no summary on standard error");
  app.add_flag("--list-config-keys", list_keys,
               "print every config key: key, type, default, meaning (tab-separated)");
  std::string report_path;
  app.add_option("--report", report_path,
                 "write the HTML outbreak report to FILE at the end of the run");
  auto* rep = app.add_subcommand("report", "HTML outbreak report and terminal summary from an EVE file");
  std::string rep_eve, rep_out;
  int64_t rep_interval = 3600;
  std::vector<std::string> rep_home;
  rep->add_option("eve", rep_eve, "EVE JSON file (- = stdin)")->required();
  rep->add_option("-o,--output", rep_out, "HTML file (- = stdout)")->required();
  rep->add_option("--interval", rep_interval, "seconds per interval (packet time, UTC-aligned)")
      ->check(CLI::Range(int64_t(1), int64_t(366 * 86400)));
  rep->add_option("--home-net", rep_home, "home CIDRs for the direction split (comma-separated)")
      ->delimiter(',');
  app.add_flag("--list-events", list_events,
               "print the event catalogue: id, name, severity, category, signature, description");
  std::string run_user, run_group;
  bool test_config = false;
  app.add_option("--user", run_user,
                 "after opening the capture, drop root and run as this user (outputs are opened "
                 "as this user: the log directory must be writable by it)");
  app.add_option("--group", run_group, "group to run as with --user (default: the user's group)");
  app.add_flag("--test-config", test_config,
               "check the configuration (-c, --set, options) and load the signatures, print OK "
               "or the error, exit 0/1 without capturing");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*rep) {
    ww::ReportOptions ro;
    ro.interval_s = rep_interval;
    ro.home_net = rep_home;
    ro.quiet = quiet;
    return ww::report_main(rep_eve, rep_out, ro);
  }

  if (list_keys) {
    for (const auto& k : ww::config_keys())
      std::printf("%s\t%s\t%s\t%s\n", k.key.c_str(), k.type.c_str(),
                  k.default_value.c_str(), k.description.c_str());
    return 0;
  }

  if (list_events) {
    for (const auto& e : ww::kEventCatalogue)
      std::printf("%u\t%.*s\t%d\t%.*s\t%.*s\t%.*s\n", e.id, int(e.key.size()) - 1,
                  e.key.data() + 1, e.severity, int(e.category.size()), e.category.data(),
                  int(e.signature.size()), e.signature.data(), int(e.description.size()),
                  e.description.data());
    return 0;
  }

  ww::Config cfg;
  try {
    if (!config_path.empty()) ww::load_config_file(config_path, cfg);
    for (const auto& s : sets) ww::apply_config_override(s, cfg);
    // The command line names the source: it replaces one named in the config file.
    if (!read_paths.empty() && !iface.empty())
      throw ww::ConfigError("choose one capture source: -r FILE or -i INTERFACE, not both");
    if (!read_paths.empty()) {
      cfg.read_paths = read_paths;
      cfg.interface.clear();
    }
    if (!iface.empty()) {
      cfg.interface = iface;
      cfg.read_paths.clear();
    }
    if (!log_dir.empty()) cfg.log_dir = log_dir;
    if (!bpf.empty()) cfg.bpf = bpf;
    if (workers >= 0) cfg.workers = static_cast<uint32_t>(workers);
    if (dpdk || !vdevs.empty()) {
      cfg.dpdk = true;
      // --dpdk alone replaces a source the config file named (the span sample's interface).
      if (read_paths.empty() && iface.empty()) {
        cfg.interface.clear();
        cfg.read_paths.clear();
      }
    } else if (!read_paths.empty() || !iface.empty()) {
      cfg.dpdk = false;  // -r / -i on the command line replace capture.dpdk.enabled
    }
    for (const auto& v : vdevs) cfg.dpdk_vdevs.push_back(v);
    if (to_stdout) cfg.eve_stdout = true;
    ww::validate_config(cfg);
  } catch (const ww::ConfigError& e) {
    spdlog::error("{}", e.what());
    if (test_config) std::printf("configuration error: %s\n", e.what());
    return 1;
  }
  if (!run_group.empty() && run_user.empty()) {
    spdlog::error("--group needs --user (the user to run as after the capture is open)");
    return 1;
  }
  if (test_config) return test_configuration(cfg, run_user, run_group, report_path);
  std::optional<ww::RunAs> run_as;
  if (!run_user.empty()) {
    try {
      run_as = ww::resolve_run_as(run_user, run_group);
    } catch (const ww::PrivDropError& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }
  if (cfg.dpdk && (!cfg.read_paths.empty() || !cfg.interface.empty())) {
    spdlog::error("choose one capture source: --dpdk, -r FILE or -i INTERFACE");
    return 1;
  }
  if (cfg.read_paths.empty() && cfg.interface.empty() && !cfg.dpdk) {
    spdlog::error("no capture source: give -r FILE (pcap/pcapng or a directory) or -i INTERFACE; "
                  "see --help");
    return 1;
  }

  std::unique_ptr<ww::PacketSource> src;
  std::string capture_desc;
  uint32_t queue_workers = 0;  // DPDK: one worker per RX queue
  try {
    if (cfg.dpdk) {
      ww::DpdkOptions d;
      d.eal_args = cfg.dpdk_eal_args;
      d.vdevs = cfg.dpdk_vdevs;
      d.ports = cfg.dpdk_ports;
      d.rx_queues = cfg.dpdk_rx_queues;
      d.mbufs = cfg.dpdk_mbufs;
      d.mbuf_size = cfg.dpdk_mbuf_size;
      d.rx_descriptors = cfg.dpdk_rx_descriptors;
      d.burst = cfg.dpdk_burst;
      d.idle_exit_ms = cfg.dpdk_idle_exit_ms;
      d.linear_bytes = std::max<uint32_t>(cfg.snaplen, 65535);
      std::vector<std::string> setup;
      auto mq = ww::open_dpdk_source(d, &setup);
      for (const auto& line : setup) spdlog::info("dpdk: {}", line);
      queue_workers = mq->queue_count();
      if (!cfg.bpf.empty()) spdlog::warn("capture.bpf/--bpf is not applied to DPDK ports");
      if (workers >= 0 && static_cast<uint32_t>(workers) != queue_workers)
        spdlog::warn("--workers {} ignored with --dpdk: one worker per RX queue ({})", workers,
                     queue_workers);
      src = std::move(mq);
    } else if (!cfg.read_paths.empty()) {
      auto files = ww::expand_capture_paths(cfg.read_paths);
      auto fs = std::make_unique<ww::PcapFileSource>(files, cfg.bpf);
      fs->on_warning = [](const std::string& m) { spdlog::warn("{}", m); };
      src = std::move(fs);
    } else {
      ww::LiveOptions lo;
      lo.interface = cfg.interface;
      lo.bpf = cfg.bpf;
      lo.snaplen = cfg.snaplen;
      lo.promiscuous = cfg.promiscuous;
      lo.buffer_size_mib = cfg.buffer_size_mib;
      auto live = std::make_unique<ww::PcapLiveSource>(lo);
      for (const auto& w : live->warnings()) spdlog::warn("{}", w);
      capture_desc = live->describe();
      src = std::move(live);
    }
  } catch (const ww::CaptureError& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  if (run_as) {
    try {
      ww::drop_privileges(*run_as);
      spdlog::info("running as user {} group {} (uid {}, gid {}, no capabilities)",
                   run_as->user_name, run_as->group_name, run_as->uid, run_as->gid);
    } catch (const ww::PrivDropError& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }

  // Outputs after the capture is open and root is dropped, so every file wormwatch
  // writes (eve.json and its reopen on SIGHUP, filestore, spools, report) belongs to
  // the --user; still before the engine reads a packet.
  std::unique_ptr<ww::ReportAggregator> report;  // outlives the hub that feeds it
  ww::OutputHub out;
  std::string where;
  try {
    if (!cfg.log_dir.empty() && cfg.eve_enabled) {
      std::error_code ec;
      if (!std::filesystem::is_directory(cfg.log_dir, ec)) {
        spdlog::error("log directory {} does not exist (create it or pass another with -l)",
                      cfg.log_dir);
        return 1;
      }
      if (run_as && ::access(cfg.log_dir.c_str(), W_OK | X_OK) != 0) {
        spdlog::error("log directory {} is not writable by user {} (wormwatch runs as {} after "
                      "opening the capture); fix with: chown {}:{} {}",
                      cfg.log_dir, run_as->user_name, run_as->user_name, run_as->user_name,
                      run_as->group_name, cfg.log_dir);
        return 1;
      }
      auto path = (std::filesystem::path(cfg.log_dir) / cfg.eve_filename).string();
      out.add(std::make_unique<ww::FileSink>(path));
      where = path;
    }
    if (cfg.eve_enabled && (cfg.eve_stdout || (cfg.log_dir.empty() && cfg.sinks_yaml.empty()))) {
      out.add(std::make_unique<ww::StdoutSink>());
      where += where.empty() ? "stdout" : " and stdout";
    }
    if (!report_path.empty()) {
      std::string err;
      if (!ww::report_path_writable(report_path, &err)) {
        spdlog::error("{}", err);
        return 1;
      }
      ww::ReportOptions ro;
      ro.home_net = cfg.hosts.home_net.entries();
      report = std::make_unique<ww::ReportAggregator>(ro);
      out.add(ww::make_report_sink(*report));
    }
    if (cfg.eve_enabled && !cfg.sinks_yaml.empty()) {
      // outputs.sinks: syslog, CEF, sockets, Kafka; a peer that is down is not an
      // error (the sink spools and reconnects), a bad setting is.
      for (const auto& spec : ww::parse_outputs(YAML::Load(cfg.sinks_yaml), cfg.log_dir)) {
        out.add(ww::make_sink(spec));
        where += (where.empty() ? "" : ", ") + std::string(ww::sink_type_name(spec.type)) +
                 (spec.name.empty() ? "" : " " + spec.name);
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }


  int rc = 0;
  try {
    ww::Engine engine(cfg, out, queue_workers);
    g_engine = &engine;
    g_source = src.get();
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    struct sigaction hup {};
    hup.sa_handler = on_hup_signal;
    sigemptyset(&hup.sa_mask);
    // A reload or log rotation must not interrupt a blocked read of a piped
    // capture (EINTR would end the capture as if the file were cut).
    hup.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &hup, nullptr);
    if (src->live() && !cfg.dpdk) {
      spdlog::info("capturing on {}{}{}{}", cfg.interface, capture_desc.empty() ? "" : " (",
                   capture_desc, capture_desc.empty() ? "" : ")");
    } else if (cfg.dpdk) {
      spdlog::info("capturing with DPDK: {} RX queue(s), one worker each", queue_workers);
    }
    ww::EngineTotals t;
    try {
      t = engine.run(*src);
    } catch (const ww::CaptureError& e) {
      spdlog::error("{}", e.what());
      rc = 1;
    }
    g_source = nullptr;
    g_engine = nullptr;
    // Network sinks drain their spools (or persist them to disk) within the timeout.
    out.close(std::chrono::seconds(10));
    if (!quiet && rc == 0) print_summary(t, out, cfg, where);
    if (report && rc == 0) {
      std::string err;
      if (!ww::write_report_html(*report, report_path, &err)) {
        spdlog::error("{}", err);
        rc = 1;
      } else if (!quiet) {
        std::fprintf(stderr, "%s  report       %s\n", report->terminal_summary().c_str(),
                     report_path.c_str());
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    out.flush();
    return 1;
  }
  return rc;
}
