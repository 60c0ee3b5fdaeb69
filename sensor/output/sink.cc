#include "sensor/output/sink.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ww {

FileSink::FileSink(std::string path) : path_(std::move(path)), buf_(1 << 20) { open(); }

FileSink::~FileSink() {
  if (f_) std::fclose(f_);
}

void FileSink::open() {
  f_ = std::fopen(path_.c_str(), "a");
  if (!f_) {
    throw std::runtime_error(fmt::format("cannot open output file {}: {} (check that the "
                                         "directory exists and is writable)",
                                         path_, std::strerror(errno)));
  }
  std::setvbuf(f_, buf_.data(), _IOFBF, buf_.size());
}

void FileSink::write(std::string_view, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), f_);
  std::fputc('\n', f_);
  written_.fetch_add(1, std::memory_order_relaxed);
}

SinkCounters FileSink::counters() const {
  SinkCounters c;
  c.written = c.sent = written_.load(std::memory_order_relaxed);
  return c;
}

void FileSink::flush() { std::fflush(f_); }

void FileSink::reopen() {
  std::fclose(f_);
  f_ = nullptr;
  open();
}

void StdoutSink::write(std::string_view, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  written_.fetch_add(1, std::memory_order_relaxed);
}

SinkCounters StdoutSink::counters() const {
  SinkCounters c;
  c.written = c.sent = written_.load(std::memory_order_relaxed);
  return c;
}

void StdoutSink::flush() { std::fflush(stdout); }

void OutputHub::emit(std::string_view event_type, std::string_view line) {
  std::lock_guard lk(mu_);
  for (auto& s : sinks_) s->write(event_type, line);
  auto it = counts_.find(event_type);
  if (it == counts_.end()) it = counts_.emplace(std::string(event_type), 0).first;
  it->second++;
}

void OutputHub::flush() {
  std::lock_guard lk(mu_);
  for (auto& s : sinks_) s->flush();
}

void OutputHub::reopen() {
  std::lock_guard lk(mu_);
  for (auto& s : sinks_) s->reopen();
}

std::map<std::string, uint64_t> OutputHub::counts() const {
  std::lock_guard lk(mu_);
  return {counts_.begin(), counts_.end()};
}

std::vector<std::pair<std::string, SinkCounters>> OutputHub::sink_counters() const {
  std::lock_guard lk(mu_);
  std::vector<std::pair<std::string, SinkCounters>> v;
  for (size_t i = 0; i < sinks_.size(); ++i) {
    std::string n = sinks_[i]->name();
    if (n.empty()) n = fmt::format("sink-{}", i + 1);
    v.emplace_back(std::move(n), sinks_[i]->counters());
  }
  return v;
}

nlohmann::ordered_json OutputHub::sink_stats() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [n, c] : sink_counters()) j[n] = to_json(c);
  return j;
}

void OutputHub::close(std::chrono::milliseconds timeout) {
  // One deadline for all sinks: a dead peer on the first sink cannot make the
  // shutdown take N times the timeout.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::lock_guard lk(mu_);
  for (auto& s : sinks_) s->begin_close(deadline);
  for (auto& s : sinks_) s->close(deadline);
}

}  // namespace ww
