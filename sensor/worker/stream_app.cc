#include "sensor/worker/stream_app.h"

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
  for (auto& d : dirs_)
    if (d.sha) EVP_MD_CTX_free(d.sha);
}

void TcpStreamApp::on_data(Direction dir, std::span<const uint8_t> bytes) {
  auto& d = dirs_[index_of(dir)];
  d.bytes += bytes.size();
  if (d.sha) EVP_DigestUpdate(d.sha, bytes.data(), bytes.size());
}

void TcpStreamApp::on_gap(Direction dir, uint64_t length) {
  auto& d = dirs_[index_of(dir)];
  d.gaps++;
  d.gap_bytes += length;
}

void TcpStreamApp::on_end(Direction dir) {
  auto& d = dirs_[index_of(dir)];
  d.ended = true;
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
