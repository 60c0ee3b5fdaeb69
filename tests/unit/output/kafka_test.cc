// Kafka through librdkafka's in-process mock cluster (rdkafka_mock.h): every
// record reaches the topic, also when the broker is down for a while.

#include <boost/test/unit_test.hpp>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>

#include <nlohmann/json.hpp>

#include "sensor/output/kafka_sink.h"
#include "tests/unit/output/output_test_util.h"

using namespace ww;
using namespace ww::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Owns a producer handle whose only job is to host the mock cluster.
struct MockCluster {
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* mc = nullptr;
  std::string bootstraps;
  explicit MockCluster(const char* topic) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    BOOST_REQUIRE(host);
    mc = rd_kafka_mock_cluster_new(host, 1);
    BOOST_REQUIRE(mc);
    bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
    BOOST_REQUIRE(rd_kafka_mock_topic_create(mc, topic, 1, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
  }
};

// Reads partition 0 from the beginning until `want` messages or the timeout.
std::vector<std::string> consume(const std::string& bootstraps, const char* topic, size_t want,
                                 std::chrono::milliseconds timeout) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "wwtest", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  BOOST_REQUIRE_MESSAGE(c, err);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(c, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  std::vector<std::string> out;
  auto end = Clock::now() + timeout;
  while (out.size() < want && Clock::now() < end) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (!m) continue;
    if (!m->err) out.emplace_back(static_cast<const char*>(m->payload), m->len);
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return out;
}

AsyncSinkOptions kafka_options(const std::vector<std::string>& types = {}) {
  AsyncSinkOptions o;
  o.name = "kafka";
  o.filter = EventFilter(types);
  o.shutdown_timeout = std::chrono::milliseconds(5000);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka)

BOOST_AUTO_TEST_CASE(every_record_reaches_the_topic) {
  MockCluster mock("wormwatch");
  KafkaOptions k;
  k.brokers = mock.bootstraps;
  k.topic = "wormwatch";
  k.properties = {{"linger.ms", "5"}, {"log_level", "0"}};
  const int n = 1000;
  {
    KafkaSink sink(kafka_options(), k);
    for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));
    sink.write("alert", hostile_record(n));
    BOOST_REQUIRE(wait_until([&] { return sink.counters().sent >= n + 1u; }, 20s));
    sink.close(Clock::now() + 5s);
    BOOST_TEST(sink.counters().dropped == 0u);
  }
  auto msgs = consume(mock.bootstraps, "wormwatch", n + 1, 20s);
  BOOST_REQUIRE_EQUAL(msgs.size(), n + 1u);
  for (int i = 0; i < n; ++i) BOOST_REQUIRE_EQUAL(json::parse(msgs[i])["test_id"].get<int>(), i);
  BOOST_TEST(json::parse(msgs[n]) == json::parse(hostile_record(n)));
}

BOOST_AUTO_TEST_CASE(broker_down_then_up_loses_nothing) {
  MockCluster mock("ww2");
  KafkaOptions k;
  k.brokers = mock.bootstraps;
  k.topic = "ww2";
  k.properties = {{"log_level", "0"}};
  const int n = 300;
  {
    KafkaSink sink(kafka_options({"alerts"}), k);
    for (int i = 0; i < n / 2; ++i) sink.write("alert", plain_record(i, "alert"));
    BOOST_REQUIRE(wait_until([&] { return sink.counters().sent >= n / 2u; }, 20s));
    rd_kafka_mock_broker_set_down(mock.mc, 1);
    for (int i = n / 2; i < n; ++i) {
      sink.write("alert", plain_record(i, "alert"));
      sink.write("flow", plain_record(100000 + i));  // filtered out
    }
    std::this_thread::sleep_for(500ms);
    rd_kafka_mock_broker_set_up(mock.mc, 1);
    BOOST_REQUIRE(wait_until([&] { return sink.counters().sent >= static_cast<uint64_t>(n); }, 30s));
    sink.close(Clock::now() + 5s);
    auto c = sink.counters();
    BOOST_TEST(c.written == static_cast<uint64_t>(n));
    BOOST_TEST(c.dropped == 0u);
  }
  auto msgs = consume(mock.bootstraps, "ww2", n, 20s);
  std::map<int, int> ids;
  for (const auto& m : msgs) ids[json::parse(m)["test_id"].get<int>()]++;
  for (int i = 0; i < n; ++i) BOOST_TEST(ids[i] >= 1, "id " << i);
  BOOST_TEST(ids.size() == static_cast<size_t>(n));
}

BOOST_AUTO_TEST_CASE(unreachable_brokers_persist_to_disk_at_shutdown) {
  TempDir d;
  KafkaOptions k;
  k.brokers = "127.0.0.1:1";  // nothing listens there
  k.topic = "t";
  k.properties = {{"log_level", "0"}};
  auto o = kafka_options();
  o.spool.disk_path = d.str("kafka.spool");
  {
    KafkaSink sink(o, k);
    for (int i = 0; i < 50; ++i) sink.write("flow", plain_record(i));
    std::this_thread::sleep_for(200ms);
    sink.close(Clock::now() + 500ms);
    auto c = sink.counters();
    BOOST_TEST(c.sent == 0u);
    BOOST_TEST(c.dropped == 0u);
    BOOST_TEST(c.disk_spooled == 50u);
  }
  SpoolLimits lim;
  lim.disk_path = d.str("kafka.spool");
  Spool replay(lim);
  BOOST_TEST(replay.replayed() == 50u);
}

BOOST_AUTO_TEST_CASE(bad_property_is_named) {
  KafkaOptions k;
  k.brokers = "127.0.0.1:9092";
  k.topic = "t";
  k.properties = {{"no.such.property", "1"}};
  try {
    KafkaSink sink(kafka_options(), k);
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("no.such.property") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
