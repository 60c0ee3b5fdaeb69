// wwgen: deterministic traffic generator. Wiring only: parse the command line,
// build a scenario, write FILE and FILE.json.

#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/gen/scenario.h"
#include "tools/gen/scenario_evasion.h"
#include "tools/gen/scenario_mixed.h"
#include "tools/gen/scenario_outbreak.h"
#include "tools/gen/scenario_smtp.h"
#include "tools/gen/scenario_tcp_abuse.h"

namespace {

using ww::gen::ScenarioOptions;

// "1073741824", "512k", "64M", "1G" (binary multiples).
bool parse_size(const std::string& text, uint64_t& out) {
  if (text.empty()) return false;
  size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &pos);
  } catch (...) {
    return false;
  }
  uint64_t mult = 1;
  if (pos < text.size()) {
    if (pos + 1 != text.size() &&
        !(pos + 2 == text.size() && (text[pos + 1] == 'B' || text[pos + 1] == 'b'))) {
      return false;
    }
    switch (text[pos]) {
      case 'k':
      case 'K':
        mult = uint64_t{1} << 10;
        break;
      case 'm':
      case 'M':
        mult = uint64_t{1} << 20;
        break;
      case 'g':
      case 'G':
        mult = uint64_t{1} << 30;
        break;
      default:
        return false;
    }
  }
  out = v * mult;
  return true;
}

struct CommonArgs {
  uint64_t seed = 1;
  std::string out;
  int64_t start = ww::gen::kDefaultStartUs / 1000000;
  std::string link = "ethernet";
  bool vlan = false;
  bool nanosecond = false;
  uint32_t snaplen = 262144;
  double reorder_percent = 0;
};

// smtp, office and outbreak only: the other scenarios have no use for it.
void add_reorder(CLI::App* sub, CommonArgs& a) {
  sub->add_option("--reorder-percent", a.reorder_percent,
                  "percent of mail data segments sent after their successor (benchmarks)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
}

void add_common(CLI::App* sub, CommonArgs& a) {
  sub->add_option("--seed", a.seed, "PRNG seed; the same seed gives the same bytes")
      ->capture_default_str();
  sub->add_option("--out", a.out, "capture file to write (the manifest goes to FILE.json)")
      ->required();
  sub->add_option("--start", a.start, "time of the first packet, Unix seconds (UTC)")
      ->capture_default_str();
  sub->add_option("--link", a.link, "link type: ethernet (1) or raw (101)")
      ->check(CLI::IsMember({"ethernet", "raw"}))
      ->capture_default_str();
  sub->add_flag("--vlan", a.vlan, "tag frames with 802.1Q (some 802.1ad QinQ); ethernet only");
  sub->add_flag("--nanosecond", a.nanosecond, "write a nanosecond-resolution pcap");
  sub->add_option("--snaplen", a.snaplen, "snapshot length in the file header")
      ->capture_default_str()
      ->check(CLI::Range(64u, 262144u));
}

ScenarioOptions to_options(const CommonArgs& a) {
  ScenarioOptions o;
  o.seed = a.seed;
  o.start_us = a.start * 1000000;
  o.link = a.link == "raw" ? ww::LinkType::kRaw : ww::LinkType::kEthernet;
  o.vlan = a.vlan;
  o.nanosecond = a.nanosecond;
  o.snaplen = a.snaplen;
  o.reorder_percent = a.reorder_percent;
  return o;
}

int generate(ww::gen::Scenario& scenario, const std::string& path) {
  const auto t0 = std::chrono::steady_clock::now();
  const ww::gen::Manifest m = ww::gen::write_scenario(scenario, path);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto j = m.to_json();
  std::fprintf(
      stderr, "wwgen: %s: %llu packets, %llu bytes, %zu flows in %.2f s; manifest %s.json\n",
      path.c_str(), static_cast<unsigned long long>(j["capture"]["packets"].get<uint64_t>()),
      static_cast<unsigned long long>(j["capture"]["bytes"].get<uint64_t>()), m.flows().size(),
      secs, path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wwgen: deterministic traffic generator for wormwatch tests and benchmarks"};
  app.require_subcommand(1);

  CommonArgs mixed_args;
  ww::gen::MixedConfig mixed;
  std::string size_text;
  auto* m = app.add_subcommand("mixed", "many concurrent TCP/UDP/ICMP flows (clean background)");
  add_common(m, mixed_args);
  auto* flows_opt = m->add_option("--flows", mixed.flows, "number of flows")->capture_default_str();
  auto* size_opt = m->add_option("--size", size_text,
                                 "stop when the capture reaches BYTES (suffix k, M, G allowed)");
  flows_opt->excludes(size_opt);
  m->add_option("--concurrency", mixed.concurrency, "flows active at the same time")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  m->add_option("--max-flow-bytes", mixed.max_flow_bytes,
                "largest TCP flow (application bytes, both directions)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{64}, uint64_t{1} << 40));
  m->add_option("--ipv6-percent", mixed.ipv6_percent, "share of IPv6 flows")
      ->capture_default_str()
      ->check(CLI::Range(0u, 100u));

  CommonArgs smtp_args;
  ww::gen::SmtpConfig smtp;
  auto* s = app.add_subcommand("smtp", "plain SMTP sessions, one short mail each");
  add_common(s, smtp_args);
  add_reorder(s, smtp_args);
  s->add_option("--port", smtp.port, "server TCP port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  s->add_option("--sessions", smtp.sessions, "number of sessions")->capture_default_str();
  s->add_option("--concurrency", smtp.concurrency, "sessions active at the same time")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  std::vector<std::string> attach_infected, attach_clean;
  auto* att_opt = s->add_option(
      "--attach", attach_infected,
      "PATH[:ENCODING[:NAME]]: one session mailing this file, truth infected (repeatable); "
      "ENCODING base64 (default), quoted-printable, 7bit, binary or zip");
  auto* clean_opt = s->add_option("--attach-clean", attach_clean,
                                  "as --attach, truth not infected (sessions after --attach ones)");
  s->get_option("--sessions")->excludes(att_opt)->excludes(clean_opt);

  CommonArgs abuse_args;
  ww::gen::TcpAbuseConfig abuse;
  auto* t = app.add_subcommand(
      "tcp-abuse", "TCP reassembly edge cases with expected stream hashes in the manifest");
  add_common(t, abuse_args);
  t->add_option("--flows-per-case", abuse.flows_per_case, "conversations per case")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}));
  t->add_option("--case", abuse.cases, "only this case (repeatable)")
      ->check(CLI::IsMember(ww::gen::tcp_abuse_case_names()));

  // office and outbreak share their options (office has no infected hosts).
  struct MailArgs {
    CommonArgs common;
    ww::gen::OutbreakConfig cfg;
    std::string size_text;
  };
  MailArgs office_args, outbreak_args;
  office_args.cfg.outbreak = false;
  auto add_mail_options = [](CLI::App* sub, MailArgs& a, bool outbreak) {
    add_common(sub, a.common);
    add_reorder(sub, a.common);
    sub->add_option("--hosts", a.cfg.hosts, "internal mail clients")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{2}, uint64_t{60000}));
    auto* msgs = sub->add_option("--messages", a.cfg.messages, "mail transactions in the capture")
                     ->capture_default_str()
                     ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
    auto* size = sub->add_option("--size", a.size_text,
                                 "stop when the capture reaches BYTES (suffix k, M, G allowed)");
    msgs->excludes(size);
    sub->add_option("--duration", a.cfg.duration_s, "about how long the capture lasts, seconds")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{1}, uint64_t{30} * 86400));
    sub->add_option("--background-percent", a.cfg.background_percent,
                    "share of flows that are non-mail background")
        ->capture_default_str()
        ->check(CLI::Range(0u, 95u));
    sub->add_option("--concurrency", a.cfg.concurrency, "flows active at the same time")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{100000}));
    sub->add_option("--max-background-bytes", a.cfg.max_background_bytes,
                    "largest background TCP flow")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{400}, uint64_t{1} << 40));
    if (outbreak) {
      sub->add_option("--infected-hosts", a.cfg.infected_hosts,
                      "infected internal hosts (0: a tenth of --hosts)")
          ->capture_default_str()
          ->check(CLI::Range(uint64_t{0}, uint64_t{60000}));
      sub->add_option("--infected-share", a.cfg.infected_share,
                      "share of all mail transactions that are worm mail")
          ->capture_default_str()
          ->check(CLI::Range(0.0, 0.9));
      sub->add_option("--scanners", a.cfg.scanners, "outside hosts sweeping port 3127")
          ->capture_default_str()
          ->check(CLI::Range(uint64_t{0}, uint64_t{50}));
    }
  };
  auto* o = app.add_subcommand("office", "office mail through an internal relay, with background");
  add_mail_options(o, office_args, false);
  auto* ob = app.add_subcommand(
      "outbreak", "the office plus MyDoom-like mass mailers, backdoor listeners and scanners");
  add_mail_options(ob, outbreak_args, true);

  CommonArgs evasion_args;
  ww::gen::EvasionConfig evasion;
  auto* ev = app.add_subcommand("evasion", "one SMTP transaction per MIME/SMTP evasion case");
  add_common(ev, evasion_args);
  ev->add_option("--case", evasion.cases, "only this case (repeatable)")
      ->check(CLI::IsMember(ww::gen::evasion_case_names()));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every bad argument exits 2, as NOTES.md says.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (*m) {
      if (!size_text.empty() && !parse_size(size_text, mixed.size_bytes)) {
        std::fprintf(stderr, "wwgen: --size '%s' is not a byte count (e.g. 1073741824 or 1G)\n",
                     size_text.c_str());
        return 2;
      }
      if (!size_text.empty() && mixed.size_bytes == 0) {
        std::fprintf(stderr, "wwgen: --size must be greater than zero\n");
        return 2;
      }
      if (mixed_args.vlan && mixed_args.link != "ethernet") {
        std::fprintf(stderr, "wwgen: --vlan needs --link ethernet (raw IP frames carry no tags)\n");
        return 2;
      }
      ww::gen::MixedScenario scenario(to_options(mixed_args), mixed);
      return generate(scenario, mixed_args.out);
    }
    if (*s) {
      if (smtp_args.vlan && smtp_args.link != "ethernet") {
        std::fprintf(stderr, "wwgen: --vlan needs --link ethernet (raw IP frames carry no tags)\n");
        return 2;
      }
      try {
        for (const auto& a : attach_infected) smtp.attach.push_back(ww::gen::parse_attach_spec(a, true));
        for (const auto& a : attach_clean) smtp.attach.push_back(ww::gen::parse_attach_spec(a, false));
      } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "wwgen: %s\n", e.what());
        return 2;
      }
      ww::gen::SmtpScenario scenario(to_options(smtp_args), smtp);
      return generate(scenario, smtp_args.out);
    }
    for (auto* mail_sub : {o, ob}) {
      if (!*mail_sub) continue;
      MailArgs& a = mail_sub == o ? office_args : outbreak_args;
      if (!a.size_text.empty() && (!parse_size(a.size_text, a.cfg.size_bytes) || a.cfg.size_bytes == 0)) {
        std::fprintf(stderr, "wwgen: --size '%s' is not a positive byte count (e.g. 1073741824 or 1G)\n",
                     a.size_text.c_str());
        return 2;
      }
      if (a.common.vlan && a.common.link != "ethernet") {
        std::fprintf(stderr, "wwgen: --vlan needs --link ethernet (raw IP frames carry no tags)\n");
        return 2;
      }
      if (a.cfg.outbreak && a.cfg.infected_hosts >= a.cfg.hosts) {
        std::fprintf(stderr, "wwgen: --infected-hosts must be smaller than --hosts\n");
        return 2;
      }
      ww::gen::OutbreakScenario scenario(to_options(a.common), a.cfg);
      return generate(scenario, a.common.out);
    }
    if (*ev) {
      if (evasion_args.vlan && evasion_args.link != "ethernet") {
        std::fprintf(stderr, "wwgen: --vlan needs --link ethernet (raw IP frames carry no tags)\n");
        return 2;
      }
      ww::gen::EvasionScenario scenario(to_options(evasion_args), evasion);
      return generate(scenario, evasion_args.out);
    }
    if (*t) {
      if (abuse_args.vlan) {
        std::fprintf(stderr, "wwgen: tcp-abuse does not support --vlan\n");
        return 2;
      }
      ww::gen::TcpAbuseScenario scenario(to_options(abuse_args), abuse);
      return generate(scenario, abuse_args.out);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wwgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
