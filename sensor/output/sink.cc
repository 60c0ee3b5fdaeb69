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

}  // namespace ww
