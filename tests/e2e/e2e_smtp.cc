// Live SMTP with real peers: swaks (namespace A) mails a clean text file and EICAR inside a zip
// to a real postfix or aiosmtpd (namespace B) while wormwatch captures on vethA with libpcap.
// The smtp, fileinfo and alert records must name the envelope, the hashes the test computed
// from the files it sent, and the EICAR detection. See NOTES.md.

#include "tests/e2e/e2e_support.h"

using namespace e2e;

namespace {

constexpr const char* kFrom = "alice@corp.example.org";
constexpr const char* kTo = "bob@test.example";

struct Attachments {
  fs::path notes, eicar_zip;
  std::string notes_sha256, eicar_zip_sha256;
};

// notes.txt (clean) and eicar.zip (EICAR as a stored member), written by Python's zipfile.
Attachments make_attachments(Env& env) {
  Attachments a;
  a.notes = env.out / "notes.txt";
  a.eicar_zip = env.out / "eicar.zip";
  const std::string script =
      "import sys, zipfile\n"
      "open(sys.argv[1], 'wb').write(b'Minutes of the 27 January meeting.\\r\\nBudget "
      "approved.\\r\\n')\n"
      "e = rb'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'\n"
      "with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED) as z:\n"
      "    z.writestr(zipfile.ZipInfo('eicar.com', date_time=(2004, 1, 27, 8, 0, 0)), e)\n";
  auto p = env.run(env.ns_a, "make-attachments",
                   {kPython, "-I", "-c", script, a.notes.string(), a.eicar_zip.string()});
  BOOST_REQUIRE_MESSAGE(exit_code(*p) == 0, "cannot write the attachments: " + p->report());
  a.notes_sha256 = sha256_file(a.notes);
  a.eicar_zip_sha256 = sha256_file(a.eicar_zip);
  return a;
}

// A real postfix in namespace B on 198.18.0.2:25 that accepts mail for test.example and
// discards it. The master runs in the foreground as a child of this test (killed with it).
class Postfix {
 public:
  explicit Postfix(Env& env) : env_(env) {
    fs::path dir = env.out / "pf";
    fs::create_directories(dir / "conf");
    fs::create_directories(dir / "queue");
    fs::create_directories(dir / "data");
    BOOST_REQUIRE(::chmod(dir.c_str(), 0755) == 0);
    auto chown_postfix = env.run(env.ns_a, "chown-postfix",
                                 {"/bin/chown", "postfix", (dir / "data").string()});
    BOOST_REQUIRE_MESSAGE(exit_code(*chown_postfix) == 0, chown_postfix->report());
    conf_ = (dir / "conf").string();
    std::ofstream(dir / "conf" / "main.cf") << fmt::format(
        "compatibility_level = 3.6\n"
        "queue_directory = {}\n"
        "data_directory = {}\n"
        "command_directory = /usr/sbin\n"
        "daemon_directory = /usr/lib/postfix/sbin\n"
        "mail_owner = postfix\n"
        "setgid_group = postdrop\n"
        "inet_interfaces = {}\n"
        "inet_protocols = ipv4\n"
        "myhostname = mx.test.example\n"
        "mydestination = test.example\n"
        "mynetworks = 198.18.0.0/30\n"
        "local_transport = discard:\n"
        "default_transport = discard:\n"
        "alias_maps =\n"
        "alias_database =\n"
        "local_recipient_maps =\n"
        "smtpd_banner = $myhostname ESMTP Postfix\n"
        "maillog_file = /dev/stdout\n",
        (dir / "queue").string(), (dir / "data").string(), kV4B);
    std::ofstream(dir / "conf" / "master.cf")
        << "smtp      inet  n       -       n       -       -       smtpd\n"
           "pickup    unix  n       -       n       60      1       pickup\n"
           "cleanup   unix  n       -       n       -       0       cleanup\n"
           "qmgr      unix  n       -       n       300     1       qmgr\n"
           "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
           "bounce    unix  -       -       n       -       0       bounce\n"
           "defer     unix  -       -       n       -       0       bounce\n"
           "trace     unix  -       -       n       -       0       bounce\n"
           "verify    unix  -       -       n       -       1       verify\n"
           "flush     unix  n       -       n       1000    0       flush\n"
           "proxymap  unix  -       -       n       -       -       proxymap\n"
           "discard   unix  -       -       n       -       -       discard\n"
           "showq     unix  n       -       n       -       -       showq\n"
           "error     unix  -       -       n       -       -       error\n"
           "retry     unix  -       -       n       -       -       error\n"
           "postlog   unix-dgram n  -       n       -       1       postlogd\n"
           "anvil     unix  -       -       n       -       1       anvil\n"
           "scache    unix  -       -       n       -       1       scache\n";
    // `postfix check` creates the queue directories with the right owners.
    auto check = env.run(env.ns_b, "postfix-check", {"/usr/sbin/postfix", "-c", conf_, "check"});
    BOOST_REQUIRE_MESSAGE(exit_code(*check) == 0, "postfix check failed: " + check->report());
    master_ = env.exec_in(env.ns_b, "postfix-master",
                          {"/usr/lib/postfix/sbin/master", "-c", conf_, "-s"});
    const bool up = wait_until(
        [&] { return !master_->running() || tcp_listening(env, env.ns_b, 25); }, 15s);
    BOOST_REQUIRE_MESSAGE(up && master_->running(), "postfix did not start: " + master_->report());
  }
  ~Postfix() {
    // SIGTERM lets the master stop its children; the Proc destructor SIGKILLs if it lingers.
    master_->signal(SIGTERM);
    master_->wait_for(5s);
  }
  std::string log() { return master_->out() + master_->err(); }

 private:
  Env& env_;
  std::string conf_;
  std::unique_ptr<Proc> master_;
};

// Sends one message with one attachment and requires swaks to succeed (250 to the DATA).
void swaks_send(Env& env, const std::string& name, int port, const std::string& subject,
                const fs::path& file, const std::string& type) {
  auto p = env.run(env.ns_a, name,
                   {"/usr/bin/swaks", "--server", kV4B, "--port", std::to_string(port), "--helo",
                    "pc1.corp.example.org", "--from", kFrom, "--to", kTo, "--header",
                    "Subject: " + subject, "--body", "See the attachment.", "--attach-type",
                    type, "--attach-name", file.filename().string(), "--attach",
                    "@" + file.string()},
                   30s);
  BOOST_REQUIRE_MESSAGE(exit_code(*p) == 0, "swaks failed: " + p->report());
}

// The checks shared by the postfix and aiosmtpd runs.
void check_mail_records(const Eve& eve, const Attachments& a, int port, bool dpdk = false) {
  auto smtp = of_type(eve.records, "smtp");
  BOOST_CHECK_EQUAL(smtp.size(), 2u);
  for (const auto& r : smtp) {
    BOOST_CHECK_EQUAL(r.value("src_ip", ""), kV4A);
    BOOST_CHECK_EQUAL(r.value("dest_ip", ""), kV4B);
    BOOST_CHECK_EQUAL(r.value("dest_port", 0), port);
    BOOST_CHECK_EQUAL(r.value("app_proto", ""), "smtp");
    const Json& s = r.at("smtp");
    BOOST_CHECK_EQUAL(s.value("mail_from", ""), kFrom);
    BOOST_CHECK_MESSAGE(s.value("rcpt_to", Json::array()) == Json::array({kTo}),
                        "rcpt_to: " + r.dump());
    BOOST_CHECK_EQUAL(s.value("helo", ""), "pc1.corp.example.org");
    BOOST_CHECK_EQUAL(s.value("status", ""), "delivered");
  }

  auto files = of_type(eve.records, "fileinfo");
  BOOST_CHECK_EQUAL(files.size(), 2u);
  auto file_named = [&](const std::string& name) -> const Json* {
    for (const auto& f : files)
      if (f.at("fileinfo").value("filename", "") == name) return &f;
    return nullptr;
  };
  const Json* notes = file_named("notes.txt");
  const Json* zip = file_named("eicar.zip");
  BOOST_REQUIRE_MESSAGE(notes && zip, "fileinfo for notes.txt and eicar.zip expected, got " +
                                          Json(files).dump());
  BOOST_CHECK_EQUAL(notes->at("fileinfo").value("sha256", ""), a.notes_sha256);
  BOOST_CHECK_EQUAL(notes->at("fileinfo").value("size", 0u), fs::file_size(a.notes));
  BOOST_CHECK_EQUAL(notes->at("fileinfo").value("state", ""), "CLOSED");
  BOOST_CHECK_EQUAL(notes->at("fileinfo").at("scan").value("status", ""), "clean");
  BOOST_CHECK_EQUAL(zip->at("fileinfo").value("sha256", ""), a.eicar_zip_sha256);
  BOOST_CHECK_EQUAL(zip->at("fileinfo").value("size", 0u), fs::file_size(a.eicar_zip));
  BOOST_CHECK_EQUAL(zip->at("smtp").value("mail_from", ""), kFrom);

  // Exactly one ClamAV alert, for the zip. The attachment policy may add its own alert
  // (eicar.com is an executable inside an archive); every alert must be about the zip.
  auto alerts = of_type(eve.records, "alert");
  std::vector<Json> clam;
  for (const auto& al : alerts) {
    BOOST_CHECK_MESSAGE(al.contains("fileinfo") &&
                            al.at("fileinfo").value("sha256", "") == a.eicar_zip_sha256,
                        "alert not about eicar.zip: " + al.dump());
    if (al.at("alert").value("signature_id", 0) == 1000001) clam.push_back(al);
  }
  BOOST_REQUIRE_MESSAGE(clam.size() == 1, "expected exactly one ClamAV alert (EICAR), got " +
                                              Json(alerts).dump());
  const Json& al = clam[0];
  BOOST_CHECK_EQUAL(al.at("fileinfo").value("filename", ""), "eicar.zip");
  BOOST_CHECK_EQUAL(al.at("fileinfo").at("scan").value("signature", ""),
                    "Wormwatch.Test.EICAR.UNOFFICIAL");
  BOOST_CHECK_EQUAL(al.value("src_ip", ""), kV4A);
  BOOST_CHECK_EQUAL(al.at("smtp").value("mail_from", ""), kFrom);

  const Json& cap = require_final_stats(eve, dpdk).at("stats").at("capture");
  if (dpdk) {
    // The port's own counters: nothing missed, nothing without an mbuf, every frame handed on.
    BOOST_CHECK_EQUAL(cap.at("drops").get<uint64_t>(), 0u);
    BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), cap.at("dpdk_ipackets").get<uint64_t>());
    return;
  }
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), cap.at("kernel_packets").get<uint64_t>());
}

// Mail both attachments through a server on `port` while wormwatch captures; return the EVE.
Eve capture_two_mails(Env& env, const Attachments& a, int port) {
  auto ww = env.sensor();
  swaks_send(env, "swaks-notes", port, "notes", a.notes, "text/plain");
  swaks_send(env, "swaks-eicar", port, "eicar", a.eicar_zip, "application/zip");
  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);
  return read_eve(env.eve_path());
}

// The same two mails, captured through DPDK's af_packet PMD on vethA. That PMD has no RX
// scatter and copies each frame into one mbuf of a 2048-byte frame slot, so the link runs at
// MTU 1500 with segmentation offloads off (a veth otherwise hands over 64 KiB GSO frames).
Eve capture_two_mails_dpdk(Env& env, const Attachments& a, int port) {
  for (const auto& [ns, ifc] : {std::pair{env.ns_a, std::string(kIfA)}, {env.ns_b, "vethB"}}) {
    auto mtu = env.run(ns, "mtu-" + ifc, {kIp, "link", "set", ifc, "mtu", "1500"});
    BOOST_REQUIRE_MESSAGE(exit_code(*mtu) == 0, mtu->report());
    auto off = env.run(ns, "ethtool-" + ifc,
                       {"ethtool", "-K", ifc, "tso", "off", "gso", "off", "gro", "off"});
    BOOST_REQUIRE_MESSAGE(exit_code(*off) == 0, "ethtool (apt-get install ethtool): " + off->report());
  }
  auto ww = env.exec_in(
      env.ns_a, "wormwatch-dpdk",
      {kBinary, "--vdev", fmt::format("net_af_packet0,iface={}", kIfA), "--set",
       "capture.dpdk.eal_args=--no-huge --no-pci --no-shconf -l 0 -m 64 --file-prefix " + env.prefix,
       "-l", (env.out / "log").string()});
  const bool ready = wait_until(
      [&] { return ww->err().find("capturing with DPDK") != std::string::npos || !ww->running(); },
      30s);
  BOOST_REQUIRE_MESSAGE(ready && ww->running(), "wormwatch --dpdk did not start: " + ww->report());
  swaks_send(env, "swaks-notes", port, "notes", a.notes, "text/plain");
  swaks_send(env, "swaks-eicar", port, "eicar", a.eicar_zip, "application/zip");
  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);
  return read_eve(env.eve_path());
}

// aiosmtpd on port 2525 in namespace B, returned once it listens.
std::unique_ptr<Proc> start_aiosmtpd(Env& env) {
  auto srv = env.exec_in(env.ns_b, "aiosmtpd",
                         {kPython, "-m", "aiosmtpd", "-n", "-l", fmt::format("{}:2525", kV4B)});
  const bool up = wait_until(
      [&] { return !srv->running() || tcp_listening(env, env.ns_b, 2525); }, 15s);
  BOOST_REQUIRE_MESSAGE(up && srv->running(), "aiosmtpd did not start: " + srv->report());
  return srv;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_live)

BOOST_AUTO_TEST_CASE(smtp_postfix_live) {
  Env env("smtp_postfix_live");
  Attachments a = make_attachments(env);
  Postfix postfix(env);
  Eve eve = capture_two_mails(env, a, 25);
  check_mail_records(eve, a, 25);
  // The server really accepted both messages (its own log says so).
  const std::string log = postfix.log();
  BOOST_CHECK_MESSAGE(log.find("status=sent") != std::string::npos,
                      "postfix did not deliver: " + tail(log));
}

BOOST_AUTO_TEST_CASE(smtp_aiosmtpd_live) {
  Env env("smtp_aiosmtpd_live");
  Attachments a = make_attachments(env);
  auto srv = start_aiosmtpd(env);
  Eve eve = capture_two_mails(env, a, 2525);
  check_mail_records(eve, a, 2525);
}

BOOST_AUTO_TEST_CASE(smtp_aiosmtpd_dpdk_af_packet) {
  Env env("smtp_aiosmtpd_dpdk_af_packet");
  Attachments a = make_attachments(env);
  auto srv = start_aiosmtpd(env);
  Eve eve = capture_two_mails_dpdk(env, a, 2525);
  check_mail_records(eve, a, 2525, /*dpdk=*/true);
}

BOOST_AUTO_TEST_SUITE_END()
