// CEF escaping and mapping, RFC 5424 headers, and the hostile record through
// every format: no record may split or forge another.

#include <boost/test/unit_test.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "sensor/output/cef.h"
#include "sensor/output/record_format.h"
#include "sensor/output/syslog.h"
#include "tests/unit/output/output_test_util.h"

using namespace ww;
using nlohmann::json;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

struct CefParsed {
  std::vector<std::string> header;  // vendor, product, version, signature id, name, severity
  std::map<std::string, std::string> ext;
};

// A small independent CEF reader: unescaped '|' separate the header;
// extension keys are [A-Za-z0-9_] runs before an unescaped '='.
bool parse_cef(const std::string& s, CefParsed& out) {
  size_t pos = 0;
  std::string field;
  std::vector<std::string> fields;
  while (pos < s.size() && fields.size() < 7) {
    char c = s[pos];
    if (c == '\\' && pos + 1 < s.size()) {
      field += s[pos + 1];
      pos += 2;
      continue;
    }
    if (c == '|') {
      fields.push_back(field);
      field.clear();
      ++pos;
      continue;
    }
    field += c;
    ++pos;
  }
  if (fields.size() != 7 || fields[0] != "CEF:0") return false;
  out.header.assign(fields.begin() + 1, fields.end());
  std::string ext = s.substr(pos);
  // Positions of unescaped '='.
  std::vector<size_t> eqs;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (ext[i] == '\\') {
      ++i;
      continue;
    }
    if (ext[i] == '=') eqs.push_back(i);
  }
  auto key_start = [&](size_t eq) {
    size_t k = eq;
    while (k > 0 && (std::isalnum(static_cast<unsigned char>(ext[k - 1])) || ext[k - 1] == '_')) --k;
    return k;
  };
  for (size_t i = 0; i < eqs.size(); ++i) {
    size_t ks = key_start(eqs[i]);
    std::string key = ext.substr(ks, eqs[i] - ks);
    size_t vend = i + 1 < eqs.size() ? key_start(eqs[i + 1]) - 1 : ext.size();
    std::string raw = ext.substr(eqs[i] + 1, vend - eqs[i] - 1), val;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '\\' && k + 1 < raw.size()) {
        char n = raw[++k];
        val += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
      } else {
        val += raw[k];
      }
    }
    out.ext[key] = val;
  }
  return true;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cef_and_syslog)

BOOST_AUTO_TEST_CASE(cef_header_escaping_table) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain", "plain"},
      {"a|b", "a\\|b"},
      {"a\\b", "a\\\\b"},
      {"a=b", "a=b"},  // '=' needs no escape in the header
      {"a\nb", "a" + kFffd + "b"},
      {std::string("a\0b", 3), "a" + kFffd + "b"},
      {"caf\xC3\xA9", "caf\xC3\xA9"},
      {"bad\xFF", "bad" + kFffd},
  };
  for (const auto& c : cases) BOOST_TEST(cef_escape_header(c.in) == c.out, "input " << json(utf8_sanitize(c.in)));
}

BOOST_AUTO_TEST_CASE(cef_extension_escaping_table) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain text", "plain text"},
      {"a=b", "a\\=b"},
      {"a\\b", "a\\\\b"},
      {"a|b", "a|b"},  // '|' needs no escape in the extension
      {"a\nb", "a\\nb"},
      {"a\rb", "a\\rb"},
      {"a\r\nb", "a\\r\\nb"},
      {std::string("a\0b", 3), "a" + kFffd + "b"},
      {"a\tb", "a" + kFffd + "b"},
      {"\x7f", kFffd},
      {"\xC0\xAF", kFffd + kFffd},             // overlong '/'
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},  // UTF-16 surrogate
      {"\xF0\x9F\x90\x9B", "\xF0\x9F\x90\x9B"}, // a worm, valid 4-byte UTF-8
      {"cut\xE2\x82", "cut" + kFffd + kFffd},
      {"k=v\\=x", "k\\=v\\\\\\=x"},
  };
  for (const auto& c : cases) BOOST_TEST(cef_escape_extension(c.in) == c.out, "input " << json(utf8_sanitize(c.in)));
}

BOOST_AUTO_TEST_CASE(cef_golden_alert_line) {
  json rec = json::parse(R"({"timestamp":"2004-01-27T08:00:00.123456+0000","flow_id":1234,
    "event_type":"alert","src_ip":"10.1.1.5","src_port":40000,"dest_ip":"192.0.2.25",
    "dest_port":25,"proto":"TCP","app_proto":"smtp","community_id":"1:abc=",
    "alert":{"action":"allowed","gid":1,"signature_id":1000001,"rev":1,
             "signature":"WORMWATCH attachment detected by ClamAV","category":"Malware","severity":1},
    "fileinfo":{"filename":"a=b.pif","sha256":"00ff"},"smtp":{"mail_from":"x@y"},
    "email":{"from":"ignored@z","subject":"Hi|there\n"}})");
  CefOptions o;
  o.version = "0.1.0";
  BOOST_TEST(eve_to_cef(rec, o) ==
             "CEF:0|wormwatch|wormwatch|0.1.0|1000001|WORMWATCH attachment detected by ClamAV|10|"
             "rt=1075190400123 cat=alert src=10.1.1.5 spt=40000 dst=192.0.2.25 dpt=25 proto=TCP "
             "app=smtp act=allowed cs1Label=flow_id cs1=1234 cs2Label=community_id cs2=1:abc\\= "
             "cs3Label=file_name cs3=a\\=b.pif cs4Label=sha256 cs4=00ff cs5Label=smtp_from cs5=x@y "
             "cs6Label=smtp_subject cs6=Hi|there\\n");
}

BOOST_AUTO_TEST_CASE(cef_severity_mapping) {
  auto alert = [](int sev) {
    return json{{"event_type", "alert"}, {"alert", {{"severity", sev}}}};
  };
  BOOST_TEST(cef_severity(alert(1)) == 10);
  BOOST_TEST(cef_severity(alert(2)) == 7);
  BOOST_TEST(cef_severity(alert(3)) == 4);
  BOOST_TEST(cef_severity(json{{"event_type", "anomaly"}}) == 3);
  BOOST_TEST(cef_severity(json{{"event_type", "fileinfo"}}) == 2);
  BOOST_TEST(cef_severity(json{{"event_type", "flow"}}) == 1);
  BOOST_TEST(cef_severity(json{{"event_type", "stats"}}) == 1);
}

BOOST_AUTO_TEST_CASE(cef_anomaly_and_non_json_lines) {
  CefOptions o;
  std::string a = line_to_cef("anomaly",
                              R"({"event_type":"anomaly","anomaly":{"type":"stream","event":"overlap_different_data"}})",
                              o);
  BOOST_TEST(a.find("|anomaly:stream:overlap_different_data|anomaly stream overlap_different_data|3|") !=
             std::string::npos);
  std::string junk = line_to_cef("flow", "not json\n|=", o);
  BOOST_TEST(junk == "CEF:0|wormwatch|wormwatch|0.1.0|flow|flow|1|cat=flow msg=not json\\n|\\=");
}

BOOST_AUTO_TEST_CASE(eve_timestamp_parsing) {
  int64_t us = 0;
  BOOST_TEST(parse_eve_timestamp("2004-01-27T08:00:00.123456+0000", us));
  BOOST_TEST(us == 1075190400'123456);
  BOOST_TEST(parse_eve_timestamp("2004-01-27T09:00:00.5+01:00", us));
  BOOST_TEST(us == 1075190400'500000);
  BOOST_TEST(parse_eve_timestamp("2004-01-27T08:00:00Z", us));
  BOOST_TEST(!parse_eve_timestamp("2004-01-27 garbage", us));
  BOOST_TEST(!parse_eve_timestamp("2004-01-27T08:00:00.123456+0000x", us));
}

BOOST_AUTO_TEST_CASE(syslog_header_pri_and_fields) {
  SyslogOptions o;
  o.hostname = "sensor 1";  // a space is not allowed in HOSTNAME
  o.procid = "42";
  std::string alert = R"({"timestamp":"2004-01-27T08:00:00.123456+0000","event_type":"alert","alert":{"severity":1}})";
  json rec = json::parse(alert);
  BOOST_TEST(rfc5424_message(o, syslog_severity("alert", &rec), eve_line_timestamp(alert), "alert", "M") ==
             "<170>1 2004-01-27T08:00:00.123456+00:00 sensor_1 wormwatch 42 alert - M");
  json r2 = json{{"alert", {{"severity", 2}}}};
  json r3 = json{{"alert", {{"severity", 3}}}};
  BOOST_TEST(syslog_severity("alert", &r2) == 3);
  BOOST_TEST(syslog_severity("alert", &r3) == 4);
  BOOST_TEST(syslog_severity("anomaly", nullptr) == 5);
  BOOST_TEST(syslog_severity("flow", nullptr) == 6);
  o.facility = syslog_facility_from_name("local0");
  BOOST_TEST(o.facility == 16);
  BOOST_TEST(syslog_facility_from_name("mail") == 2);
  BOOST_TEST(syslog_facility_from_name("local8") == -1);
  std::string m = rfc5424_message(o, 6, "", std::string(40, 'x'), "M");
  BOOST_TEST(m.rfind("<134>1 ", 0) == 0u);
  BOOST_TEST(m.find(" " + std::string(32, 'x') + " - M") != std::string::npos);  // MSGID cut to 32
  BOOST_TEST(m.find(std::string(33, 'x')) == std::string::npos);
  BOOST_TEST(octet_counted("abc") == "3 abc");
  BOOST_TEST(octet_counted("\xC3\xA9") == "2 \xC3\xA9");  // octets, not characters
}

BOOST_AUTO_TEST_CASE(a_body_with_line_breaks_cannot_forge_a_message) {
  SyslogOptions o;
  o.hostname = "h";
  o.procid = "1";
  std::string m = rfc5424_message(o, 6, "", "flow", std::string("a\nb\r<13>1 forged\0x", 18));
  BOOST_TEST(m.find('\n') == std::string::npos);
  BOOST_TEST(m.find('\r') == std::string::npos);
  BOOST_TEST(m.find('\0') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(hostile_record_stays_one_record_in_every_format) {
  const std::string line = test::hostile_record(7);
  const json orig = json::parse(line);
  for (bool syslog : {false, true}) {
    for (RecordFormat f : {RecordFormat::json, RecordFormat::cef}) {
      MessageOptions mo;
      mo.format = f;
      mo.syslog = syslog;
      mo.syslog_options.hostname = "h";
      mo.syslog_options.procid = "1";
      std::string m = build_message(mo, "alert", line);
      BOOST_TEST(m.find('\n') == std::string::npos);
      BOOST_TEST(m.find('\r') == std::string::npos);
      BOOST_TEST(m.find('\0') == std::string::npos);
      BOOST_TEST(utf8_sanitize(m) == m);  // valid UTF-8
      std::string body = m;
      if (syslog) {
        BOOST_TEST(m.rfind("<170>1 2004-01-27T08:00:00.123456+00:00 h wormwatch 1 alert - ", 0) == 0u);
        body = m.substr(m.find(" - ") + 3);
      }
      if (f == RecordFormat::json) {
        BOOST_TEST(json::parse(body) == orig);
      } else {
        CefParsed p;
        BOOST_REQUIRE(parse_cef(body, p));
        BOOST_TEST(p.header[3] == "1000001");
        BOOST_TEST(p.header[4] == "WORMWATCH attachment | detected = by\\ClamAV");
        BOOST_TEST(p.header[5] == "10");
        auto subject = replace_all(orig["email"]["subject"].get<std::string>(), std::string(1, '\0'), kFffd);
        BOOST_TEST(p.ext["cs6"] == subject);
        BOOST_TEST(p.ext["cs5"] == "worm\n@example.com|x=y");
        auto fname = replace_all(orig["fileinfo"]["filename"].get<std::string>(), std::string(1, '\0'), kFffd);
        BOOST_TEST(p.ext["cs3"] == fname);
        BOOST_TEST(p.ext["cs4"] == "ab|=\\cd");
        BOOST_TEST(p.ext["src"] == "10.1.1.5");
        BOOST_TEST(p.ext["dpt"] == "25");
        BOOST_TEST(p.ext.size() == 21u, body);  // no key was forged by a value
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
