#include "sensor/worker/stream_app.h"

#include <cstring>

namespace ww {

TcpStreamApp::TcpStreamApp(const TcpReassemblyConfig& cfg, ReassemblyMemory& mem,
                           ReassemblyCounters& counters, bool hash_streams)
    : reasm_(cfg, mem, counters, *this) {
  if (hash_streams) {
    for (auto& d : dirs_) {
      d.sha = EVP_MD_CTX_new();
      if (d.sha) EVP_DigestInit_ex(d.sha, EVP_sha256(), nullptr);
    }
  }
}

TcpStreamApp::~TcpStreamApp() {
  reasm_.release();
  upper_.reset();
  for (auto& d : dirs_)
    if (d.sha) EVP_MD_CTX_free(d.sha);
}

void TcpStreamApp::on_data(Direction dir, std::span<const uint8_t> bytes) {
  auto& d = dirs_[index_of(dir)];
  d.bytes += bytes.size();
  if (d.sha) EVP_DigestUpdate(d.sha, bytes.data(), bytes.size());
  if (upper_) {
    upper_->on_data(dir, bytes);
  } else if (speculative) {
    const auto i = index_of(dir);
    if (replay_dropped_[i] || replay_.size() + 5 + bytes.size() > kReplayMax) {
      replay_dropped_[i] += bytes.size();
    } else {
      const uint32_t n = static_cast<uint32_t>(bytes.size());
      replay_.push_back(static_cast<uint8_t>(i));
      const auto* p = reinterpret_cast<const uint8_t*>(&n);
      replay_.insert(replay_.end(), p, p + 4);
      replay_.insert(replay_.end(), bytes.begin(), bytes.end());
    }
  }
}

void TcpStreamApp::attach(std::unique_ptr<StreamSink> upper) {
  upper_ = std::move(upper);
  size_t pos = 0;
  while (pos < replay_.size()) {
    const uint8_t tag = replay_[pos];
    const Direction dir = (tag & 1) ? Direction::to_client : Direction::to_server;
    if (tag & 0x80) {
      uint64_t g;
      std::memcpy(&g, &replay_[pos + 1], 8);
      upper_->on_gap(dir, g);
      pos += 9;
    } else {
      uint32_t n;
      std::memcpy(&n, &replay_[pos + 1], 4);
      upper_->on_data(dir, {replay_.data() + pos + 5, n});
      pos += 5 + n;
    }
  }
  for (Direction dir : {Direction::to_server, Direction::to_client}) {
    const auto i = index_of(dir);
    if (replay_dropped_[i]) upper_->on_gap(dir, replay_dropped_[i]);
    if (replay_ended_[i]) upper_->on_end(dir);
  }
  drop_replay();
}

void TcpStreamApp::drop_replay() {
  std::vector<uint8_t>().swap(replay_);
  replay_dropped_ = {};
}

void TcpStreamApp::on_gap(Direction dir, uint64_t length) {
  auto& d = dirs_[index_of(dir)];
  d.gaps++;
  d.gap_bytes += length;
  if (upper_) {
    upper_->on_gap(dir, length);
  } else if (speculative) {
    const auto i = index_of(dir);
    if (replay_dropped_[i] || replay_.size() + 9 > kReplayMax) {
      replay_dropped_[i] += length;
    } else {
      replay_.push_back(static_cast<uint8_t>(0x80 | i));
      const auto* p = reinterpret_cast<const uint8_t*>(&length);
      replay_.insert(replay_.end(), p, p + 8);
    }
  }
}

void TcpStreamApp::on_end(Direction dir) {
  auto& d = dirs_[index_of(dir)];
  d.ended = true;
  if (upper_) upper_->on_end(dir);
  else if (speculative) replay_ended_[index_of(dir)] = true;
  if (d.sha) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(d.sha, md, &n);
    static constexpr char kHex[] = "0123456789abcdef";
    d.sha256.clear();
    for (unsigned i = 0; i < n; ++i) {
      d.sha256 += kHex[md[i] >> 4];
      d.sha256 += kHex[md[i] & 15];
    }
    EVP_MD_CTX_free(d.sha);
    d.sha = nullptr;
  }
}

void TcpStreamApp::on_anomaly(Direction dir, TcpAnomaly kind) {
  uint32_t bit = 1u << static_cast<unsigned>(kind);
  auto i = index_of(dir);
  if (!(anomaly_bits_[i] & bit)) new_bits_[i] |= bit;   // report each kind once per direction
  anomaly_bits_[i] |= bit;
}

}  // namespace ww
