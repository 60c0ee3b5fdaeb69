#include "sensor/output/kafka_sink.h"

#include <librdkafka/rdkafka.h>

#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ww {
namespace {

using Clock = std::chrono::steady_clock;

void set_prop(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(fmt::format("kafka property '{}': {}", k, err));
  }
}

void log_to_spdlog(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // Connection errors reach on_error (rate-limited); librdkafka's own log is detail.
  if (level <= 3)
    spdlog::debug("librdkafka {}: {}", fac, buf);
  else
    spdlog::trace("librdkafka {}: {}", fac, buf);
}

bool retriable(rd_kafka_resp_err_t e) {
  switch (e) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return false;
    default:
      return true;
  }
}

}  // namespace

struct KafkaSink::Message {
  SpoolRecord rec;
  std::string payload;  // librdkafka points at this until the delivery report
};

KafkaSink::KafkaSink(AsyncSinkOptions opts, KafkaOptions kopts)
    : AsyncSinkBase(std::move(opts)), kopts_(std::move(kopts)) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set_prop(conf, "bootstrap.servers", kopts_.brokers);
  set_prop(conf, "message.timeout.ms", "0");
  set_prop(conf, "queue.buffering.max.kbytes", "16384");
  set_prop(conf, "client.id", "wormwatch");
  for (const auto& [k, v] : kopts_.properties) set_prop(conf, k, v);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* o) {
    on_delivery(rk, m, o);
  });
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* reason, void* o) {
    on_error(rk, err, reason, o);
  });
  rd_kafka_conf_set_log_cb(conf, log_to_spdlog);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(fmt::format("kafka producer for {}: {}", kopts_.brokers, err));
  }
  rkt_ = rd_kafka_topic_new(rk_, kopts_.topic.c_str(), nullptr);
  if (!rkt_) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error(fmt::format("kafka topic '{}': {}", kopts_.topic,
                                         rd_kafka_err2str(rd_kafka_last_error())));
  }
  start();
}

KafkaSink::~KafkaSink() {
  close_from_destructor();
  if (rkt_) rd_kafka_topic_destroy(rkt_);
  if (rk_) rd_kafka_destroy(rk_);
}

void KafkaSink::on_delivery(rd_kafka_s* rk, const rd_kafka_message_s* m, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  std::unique_ptr<Message> msg(static_cast<Message*>(m->_private));
  --self->in_librdkafka_;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->c_.sent.fetch_add(1, std::memory_order_relaxed);
    if (self->brokers_down_) {
      self->brokers_down_ = false;
      self->c_.reconnects.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("output {}: kafka brokers reachable again", self->opts_.name);
    }
    return;
  }
  if (retriable(m->err)) {
    self->retry_.push_back(std::move(msg->rec));
    return;
  }
  self->c_.dropped.fetch_add(1, std::memory_order_relaxed);
  self->warn_limited(fmt::format("kafka rejected a {} record: {}", msg->rec.event_type,
                                 rd_kafka_err2str(m->err)));
}

void KafkaSink::on_error(rd_kafka_s* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->brokers_down_ = true;
  self->warn_limited(fmt::format("kafka {}: {}; records wait in the spool",
                                 rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
                                 reason));
}

void KafkaSink::produce_pending() {
  while (!pending_.empty()) {
    auto msg = std::make_unique<Message>();
    msg->payload = build_message(opts_.message, pending_.front().event_type, pending_.front().line);
    msg->rec = std::move(pending_.front());
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
        RD_KAFKA_V_VALUE(msg->payload.data(), msg->payload.size()),
        RD_KAFKA_V_OPAQUE(msg.get()), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      msg.release();
      ++in_librdkafka_;
      pending_.pop_front();
      continue;
    }
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      // librdkafka's own bound: the record stays first in line.
      pending_.front() = std::move(msg->rec);
      rd_kafka_poll(rk_, 100);
      return;
    }
    c_.dropped.fetch_add(1, std::memory_order_relaxed);
    warn_limited(fmt::format("kafka cannot take a {} record: {}", msg->rec.event_type,
                             rd_kafka_err2str(e)));
    pending_.pop_front();
  }
}

void KafkaSink::run() {
  for (;;) {
    rd_kafka_poll(rk_, 0);  // delivery reports and errors, on this thread
    while (!retry_.empty()) {
      pending_.push_front(std::move(retry_.back()));
      retry_.pop_back();
    }
    report_drops();
    if (stopping() && past_deadline()) break;
    if (!have_work()) {
      if (stopping()) break;
      spool_.wait(std::chrono::milliseconds(100));
      continue;
    }
    if (pending_.empty()) spool_.take(pending_, opts_.batch_records, opts_.batch_bytes);
    produce_pending();
  }
  // Give librdkafka the rest of the time, then take back what it still holds.
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline() - Clock::now());
  if (in_librdkafka_ > 0)
    rd_kafka_flush(rk_, static_cast<int>(std::max<int64_t>(0, left.count())));
  if (in_librdkafka_ > 0) {
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    auto until = Clock::now() + std::chrono::seconds(1);
    while (in_librdkafka_ > 0 && Clock::now() < until) rd_kafka_poll(rk_, 50);
  }
  rd_kafka_poll(rk_, 0);
  while (!retry_.empty()) {
    pending_.push_front(std::move(retry_.back()));
    retry_.pop_back();
  }
}

}  // namespace ww
