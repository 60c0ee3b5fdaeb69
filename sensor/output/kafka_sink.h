#pragma once
// Kafka through librdkafka. The sender thread takes records from the spool
// and produces them; librdkafka batches, retries and reconnects to brokers
// itself. A record counts as sent when its delivery report says the broker
// has it (acks=all by default). Failed deliveries go back to the front of the
// queue; at shutdown, what librdkafka still holds after the deadline is purged
// and handed back, and lands in the disk spool with the rest.

#include <string>
#include <utility>
#include <vector>

#include "sensor/output/async_sink.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;
struct rd_kafka_message_s;

namespace ww {

struct KafkaOptions {
  std::string brokers;  // bootstrap.servers
  std::string topic;
  // Any librdkafka property, applied after wormwatch's defaults
  // (message.timeout.ms=0: never expire; queue.buffering.max.kbytes=16384).
  std::vector<std::pair<std::string, std::string>> properties;
};

class KafkaSink : public AsyncSinkBase {
 public:
  // Throws std::runtime_error naming a property librdkafka rejects.
  KafkaSink(AsyncSinkOptions opts, KafkaOptions kopts);
  ~KafkaSink() override;

 private:
  struct Message;
  void run() override;
  void produce_pending();
  static void on_delivery(rd_kafka_s* rk, const rd_kafka_message_s* m, void* opaque);
  static void on_error(rd_kafka_s* rk, int err, const char* reason, void* opaque);

  KafkaOptions kopts_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_topic_s* rkt_ = nullptr;
  std::deque<SpoolRecord> retry_;  // delivery failed; filled by callbacks on the sender thread
  uint64_t in_librdkafka_ = 0;
  bool brokers_down_ = false;
};

}  // namespace ww
