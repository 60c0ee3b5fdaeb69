// Live-capture end-to-end tests: wormwatch captures with libpcap on a veth link between two
// network namespaces while real TCP/UDP peers (tests/e2e/peer.py) talk across it; the EVE
// output it writes on SIGTERM/SIGINT is checked record by record. See NOTES.md.
//
// Needs root (CAP_NET_ADMIN to create namespaces, CAP_NET_RAW to capture). Without it every case
// FAILS with a message saying so; it never skips.

#include "tests/e2e/e2e_support.h"

using namespace e2e;

// =============================================================================================

BOOST_AUTO_TEST_SUITE(e2e_live)

// TCP over IPv4 (100 000 bytes up, 4 000 down), UDP over IPv4 (5 echoed datagrams) and TCP over
// IPv6 cross the veth while wormwatch captures on it; tcpdump records the IPv4 TCP connection
// independently as the reference for packet and byte counts.
BOOST_AUTO_TEST_CASE(live_capture_records_tcp_and_udp_flows) {
  Env env("live_capture_records_tcp_and_udp_flows");

  // Independent reference capture of the IPv4 TCP connection.
  auto ref = env.exec_in(env.ns_a, "tcpdump",
                         {find_tcpdump(), "-i", kIfA, "-nn", "--immediate-mode", "-U", "-Z", "root", "-w",
                          (env.out / "ref.pcap").string(), "tcp port 5001"});
  // (Conditions are computed before the assertion: Boost may build the message first.)
  const bool ref_up = wait_until(
      [&] { return ref->err().find("listening on") != std::string::npos || !ref->running(); },
      15s);
  BOOST_REQUIRE_MESSAGE(ref_up && ref->running(), "tcpdump did not start: " + ref->report());

  auto ww = env.sensor();

  // IPv4 TCP: 100000 bytes to the server, 4000 back, orderly close.
  constexpr int kUp = 100000, kDown = 4000;
  auto srv4 = env.server("tcp4-server", {"tcp-server", kV4B, "5001", "1", std::to_string(kDown)});
  auto cli4 = env.peer(env.ns_a, "tcp4-client",
                       {"tcp-client", kV4B, "5001", std::to_string(kUp), std::to_string(kDown)});
  require_clean_exit(*cli4, 20s);
  require_clean_exit(*srv4, 20s);
  BOOST_CHECK_MESSAGE(srv4->out().find(fmt::format("received {}", kUp)) != std::string::npos,
                      "server did not receive every byte: " + srv4->report());
  const int cport4 = peer_port(*cli4);

  // IPv4 UDP: 5 datagrams of 200 bytes, each echoed.
  constexpr int kDgrams = 5;
  auto usrv = env.server("udp4-server", {"udp-server", kV4B, "41000", std::to_string(kDgrams)});
  auto ucli = env.peer(env.ns_a, "udp4-client",
                       {"udp-client", kV4B, "41000", std::to_string(kDgrams), "200"});
  require_clean_exit(*ucli, 20s);
  require_clean_exit(*usrv, 20s);
  const int uport4 = peer_port(*ucli);

  // IPv6 TCP: 20000 bytes up, 3000 down.
  auto srv6 = env.server("tcp6-server", {"tcp-server", kV6B, "5002", "1", "3000"});
  auto cli6 = env.peer(env.ns_a, "tcp6-client", {"tcp-client", kV6B, "5002", "20000", "3000"});
  require_clean_exit(*cli6, 20s);
  require_clean_exit(*srv6, 20s);
  const int cport6 = peer_port(*cli6);

  // Let both captures read the last packets, then stop them.
  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);
  ref->signal(SIGINT);
  require_clean_exit(*ref, 20s);

  const std::string ww_err = ww->err();
  BOOST_CHECK_MESSAGE(ww_err.find("wormwatch summary") != std::string::npos &&
                          ww_err.find("kernel       received=") != std::string::npos,
                      "no live summary on stderr: " + tail(ww_err));

  Eve eve = read_eve(env.eve_path());
  const Json& stats = require_final_stats(eve);
  const Json& cap = stats.at("stats").at("capture");
  BOOST_CHECK_MESSAGE(cap.at("kernel_packets").get<uint64_t>() > 0, "kernel_packets is 0");
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
  BOOST_CHECK_EQUAL(cap.at("kernel_ifdrops").get<uint64_t>(), 0u);
  // Every packet the kernel delivered reached the engine (none left behind at shutdown).
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), cap.at("kernel_packets").get<uint64_t>());

  // --- IPv4 TCP
  auto t4 = find_flows(eve, "TCP", kV4A, kV4B, 5001, cport4);
  BOOST_REQUIRE_MESSAGE(t4.size() == 1,
                        fmt::format("expected 1 flow {}:{} -> {}:5001, got {}; flows:{}", kV4A,
                                    cport4, kV4B, t4.size(), flow_list(eve)));
  {
    const Json& f = t4[0];
    const Json& fl = f.at("flow");
    BOOST_CHECK_GE(fl.at("bytes_toserver").get<uint64_t>(), uint64_t(kUp));
    BOOST_CHECK_GE(fl.at("bytes_toclient").get<uint64_t>(), uint64_t(kDown));
    BOOST_CHECK_GE(fl.at("pkts_toserver").get<uint64_t>(), 3u);  // SYN, data, FIN at least
    BOOST_CHECK_GE(fl.at("pkts_toclient").get<uint64_t>(), 3u);  // SYN-ACK, data, FIN at least
    BOOST_CHECK_MESSAGE(f.at("tcp").value("syn", false), "tcp.syn not set: " + f.dump());
    BOOST_CHECK_MESSAGE(f.at("tcp").value("fin", false), "tcp.fin not set: " + f.dump());
    BOOST_CHECK_MESSAGE(!f.at("tcp").value("rst", false), "tcp.rst set: " + f.dump());
    BOOST_CHECK_MESSAGE(!f.at("tcp").value("midstream", false), "flow picked up midstream");
    BOOST_CHECK_EQUAL(fl.value("state", ""), "closed");
    BOOST_CHECK_MESSAGE(f.contains("flow_id") && f.contains("community_id"),
                        "flow_id/community_id missing: " + f.dump());
    BOOST_CHECK_MESSAGE(f.contains("app_proto"), "app_proto missing: " + f.dump());

    // Exactly what the independent capture saw, packet for packet and byte for byte. First make
    // sure the reference itself is complete: tcpdump wrote every packet the kernel gave it.
    const std::string ref_err = ref->err();
    long captured = -1, by_filter = -1;
    if (auto p = ref_err.find(" packets captured"); p != std::string::npos)
      captured = std::stol(ref_err.substr(ref_err.rfind('\n', p) + 1));
    if (auto p = ref_err.find(" packets received by filter"); p != std::string::npos)
      by_filter = std::stol(ref_err.substr(ref_err.rfind('\n', p) + 1));
    BOOST_REQUIRE_MESSAGE(captured > 0 && captured == by_filter,
                          "reference capture (tcpdump) is incomplete: " + ref->report());
    DirCounts r = count_pcap_v4(env.out / "ref.pcap", kV4A);
    BOOST_CHECK_EQUAL(r.pkts_from_a + r.pkts_from_b, uint64_t(captured));
    BOOST_TEST_MESSAGE(fmt::format("tcpdump reference: {} pkts/{} B to server, {} pkts/{} B back",
                                   r.pkts_from_a, r.bytes_from_a, r.pkts_from_b, r.bytes_from_b));
    BOOST_CHECK_EQUAL(fl.at("pkts_toserver").get<uint64_t>(), r.pkts_from_a);
    BOOST_CHECK_EQUAL(fl.at("bytes_toserver").get<uint64_t>(), r.bytes_from_a);
    BOOST_CHECK_EQUAL(fl.at("pkts_toclient").get<uint64_t>(), r.pkts_from_b);
    BOOST_CHECK_EQUAL(fl.at("bytes_toclient").get<uint64_t>(), r.bytes_from_b);
  }

  // --- IPv4 UDP
  auto u4 = find_flows(eve, "UDP", kV4A, kV4B, 41000, uport4);
  BOOST_REQUIRE_MESSAGE(u4.size() == 1, fmt::format("expected 1 UDP flow to {}:41000, got {}; "
                                                    "flows:{}", kV4B, u4.size(), flow_list(eve)));
  {
    const Json& fl = u4[0].at("flow");
    BOOST_CHECK_EQUAL(fl.at("pkts_toserver").get<uint64_t>(), uint64_t(kDgrams));
    BOOST_CHECK_EQUAL(fl.at("pkts_toclient").get<uint64_t>(), uint64_t(kDgrams));
    // 200 B payload + 8 UDP + 20 IPv4 + 14 Ethernet per datagram.
    BOOST_CHECK_EQUAL(fl.at("bytes_toserver").get<uint64_t>(), uint64_t(kDgrams) * 242);
    BOOST_CHECK_EQUAL(fl.at("bytes_toclient").get<uint64_t>(), uint64_t(kDgrams) * 242);
    BOOST_CHECK_EQUAL(fl.value("reason", ""), "shutdown");
    BOOST_CHECK_MESSAGE(!u4[0].contains("tcp"), "UDP flow carries a tcp object");
  }

  // --- IPv6 TCP
  auto t6 = find_flows(eve, "TCP", kV6A, kV6B, 5002, cport6);
  BOOST_REQUIRE_MESSAGE(t6.size() == 1, fmt::format("expected 1 IPv6 TCP flow to [{}]:5002, got "
                                                    "{}; flows:{}", kV6B, t6.size(),
                                                    flow_list(eve)));
  {
    const Json& f = t6[0];
    BOOST_CHECK_GE(f.at("flow").at("bytes_toserver").get<uint64_t>(), 20000u);
    BOOST_CHECK_GE(f.at("flow").at("bytes_toclient").get<uint64_t>(), 3000u);
    BOOST_CHECK_GE(f.at("flow").at("pkts_toclient").get<uint64_t>(), 3u);
    BOOST_CHECK_MESSAGE(f.at("tcp").value("syn", false) && f.at("tcp").value("fin", false),
                        "IPv6 flow lacks syn/fin: " + f.dump());
  }

  // The decoder saw both IP versions.
  const Json& dec = stats.at("stats").at("decoder");
  BOOST_CHECK_GT(dec.value("ipv4", 0u), 0u);
  BOOST_CHECK_GT(dec.value("ipv6", 0u), 0u);
  BOOST_CHECK_EQUAL(dec.value("anomalies_total", 1u), 0u);
}

// A TCP connection still open (no FIN, no RST) when SIGINT arrives: its flow must be ended with
// reason "shutdown" and written, and the final stats record must be the last line.
BOOST_AUTO_TEST_CASE(sigint_flushes_every_record) {
  Env env("sigint_flushes_every_record");
  auto ww = env.sensor();

  auto sink = env.server("tcp-sink", {"tcp-sink", kV4B, "5003"});
  auto hold = env.peer(env.ns_a, "tcp-hold", {"tcp-hold", kV4B, "5003", "30000", "60"});
  const bool connected = wait_until(
      [&] { return hold->out().find("holding") != std::string::npos || !hold->running(); }, 15s);
  BOOST_REQUIRE_MESSAGE(connected && hold->running(), "client did not connect: " + hold->report());
  const int cport = peer_port(*hold);

  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGINT);
  // The connection really was open across the signal.
  BOOST_CHECK_MESSAGE(hold->running() && sink->running(),
                      "the long-lived connection ended before SIGINT: " + hold->report());

  const std::string ww_err = ww->err();
  BOOST_CHECK_MESSAGE(ww_err.find("wormwatch summary") != std::string::npos,
                      "no summary on stderr: " + tail(ww_err));

  Eve eve = read_eve(env.eve_path());
  require_final_stats(eve);
  size_t stats_records = 0;
  for (const auto& r : eve.records) stats_records += r.value("event_type", "") == "stats";
  BOOST_CHECK_GE(stats_records, 1u);

  auto f = find_flows(eve, "TCP", kV4A, kV4B, 5003, cport);
  BOOST_REQUIRE_MESSAGE(f.size() == 1, fmt::format("open connection {}:{} -> {}:5003 has {} flow "
                                                   "records; flows:{}", kV4A, cport, kV4B,
                                                   f.size(), flow_list(eve)));
  const Json& fl = f[0].at("flow");
  BOOST_CHECK_EQUAL(fl.value("reason", ""), "shutdown");
  BOOST_CHECK_EQUAL(fl.value("state", ""), "established");
  BOOST_CHECK_GE(fl.at("bytes_toserver").get<uint64_t>(), 30000u);
  BOOST_CHECK_GE(fl.at("pkts_toclient").get<uint64_t>(), 1u);
  BOOST_CHECK_MESSAGE(f[0].at("tcp").value("syn", false), "tcp.syn not set: " + f[0].dump());
  BOOST_CHECK_MESSAGE(!f[0].at("tcp").value("fin", false), "tcp.fin set on an open connection");
  // Every flow still open at shutdown is ended by shutdown (nothing timed out in ~2 s).
  for (const auto& r : eve.flows)
    BOOST_CHECK_MESSAGE(r.at("flow").value("reason", "") == "shutdown",
                        "flow ended for another reason: " + r.dump());
}

// --bpf "udp": the kernel filter lets only UDP through, so TCP (IPv4) and ICMPv6 neighbour
// discovery leave no record while UDP over IPv4 and IPv6 does.
BOOST_AUTO_TEST_CASE(bpf_filter_live) {
  Env env("bpf_filter_live");
  auto ww = env.sensor({"--bpf", "udp"});

  auto srv = env.server("tcp4-server", {"tcp-server", kV4B, "5001", "1", "1000"});
  auto cli = env.peer(env.ns_a, "tcp4-client", {"tcp-client", kV4B, "5001", "10000", "1000"});
  require_clean_exit(*cli, 20s);
  require_clean_exit(*srv, 20s);

  auto usrv4 = env.server("udp4-server", {"udp-server", kV4B, "41000", "4"});
  auto ucli4 = env.peer(env.ns_a, "udp4-client", {"udp-client", kV4B, "41000", "4", "100"});
  require_clean_exit(*ucli4, 20s);
  require_clean_exit(*usrv4, 20s);
  const int uport4 = peer_port(*ucli4);

  auto usrv6 = env.server("udp6-server", {"udp-server", kV6B, "41001", "3"});
  auto ucli6 = env.peer(env.ns_a, "udp6-client", {"udp-client", kV6B, "41001", "3", "100"});
  require_clean_exit(*ucli6, 20s);
  require_clean_exit(*usrv6, 20s);
  const int uport6 = peer_port(*ucli6);

  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);

  Eve eve = read_eve(env.eve_path());
  const Json& stats = require_final_stats(eve);

  for (const auto& f : eve.flows)
    BOOST_CHECK_MESSAGE(f.value("proto", "") == "UDP",
                        "non-UDP flow recorded through --bpf udp: " + f.dump());
  auto u4 = find_flows(eve, "UDP", kV4A, kV4B, 41000, uport4);
  auto u6 = find_flows(eve, "UDP", kV6A, kV6B, 41001, uport6);
  BOOST_REQUIRE_MESSAGE(u4.size() == 1 && u6.size() == 1,
                        fmt::format("expected one IPv4 and one IPv6 UDP flow, got {} and {}; "
                                    "flows:{}", u4.size(), u6.size(), flow_list(eve)));
  BOOST_CHECK_EQUAL(u4[0].at("flow").at("pkts_toserver").get<uint64_t>(), 4u);
  BOOST_CHECK_EQUAL(u4[0].at("flow").at("pkts_toclient").get<uint64_t>(), 4u);
  BOOST_CHECK_EQUAL(u6[0].at("flow").at("pkts_toserver").get<uint64_t>(), 3u);
  BOOST_CHECK_EQUAL(u6[0].at("flow").at("pkts_toclient").get<uint64_t>(), 3u);
  BOOST_CHECK_EQUAL(eve.flows.size(), 2u);

  // The filter ran in the kernel: no TCP reached the decoder, and only the 14 UDP packets were
  // delivered at all.
  const Json& dec = stats.at("stats").at("decoder");
  BOOST_CHECK_EQUAL(dec.value("tcp", 1u), 0u);
  BOOST_CHECK_EQUAL(dec.value("udp", 0u), 14u);
  const Json& cap = stats.at("stats").at("capture");
  BOOST_CHECK_EQUAL(cap.at("kernel_packets").get<uint64_t>(), 14u);
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), 14u);
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
}

BOOST_AUTO_TEST_SUITE_END()
