// Scan throughput of ScanService (embedded libclamav), MB/s with libclamav's
// cache and the verdict cache off, for 1 and 2 scanner threads.
//
//   scan_bench [--mib N] [--file-kib K] [--dir DIR]...
//
// Data: K-KiB attachments, alternately text-like and binary-like, generated
// from a fixed seed (each one distinct, so nothing is cached). Signatures:
// <source>/rules/signatures plus every --dir (e.g. /var/lib/clamav for the
// official databases, which is what a real deployment scans with).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "rules/scan/scan_service.h"

namespace {

std::vector<std::string> make_files(size_t total, size_t each) {
  std::mt19937_64 rng(42);
  std::vector<std::string> files;
  static const char* words[] = {"the ", "report ",    "is ",      "attached ", "please ",
                                "see ", "quarterly ", "numbers ", "\r\n",      "invoice "};
  for (size_t made = 0; made < total; made += each) {
    std::string f;
    f.reserve(each);
    if (files.size() % 2 == 0) {
      while (f.size() < each) f += words[rng() % 10];
    } else {
      while (f.size() < each) {
        const uint64_t v = rng();
        f.append(reinterpret_cast<const char*>(&v), sizeof v);
      }
    }
    f.resize(each);
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = 256, file_kib = 256;
  std::vector<std::string> dirs = {std::string(WW_SOURCE_DIR) + "/rules/signatures"};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mib") && i + 1 < argc)
      mib = std::strtoul(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--file-kib") && i + 1 < argc)
      file_kib = std::strtoul(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dirs.emplace_back(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--mib N] [--file-kib K] [--dir DIR]...\n", argv[0]);
      return 2;
    }
  }
  const auto files = make_files(mib << 20, file_kib << 10);
  std::printf("%zu files of %zu KiB, %zu MiB; signatures from", files.size(), file_kib, mib);
  for (const auto& d : dirs) std::printf(" %s", d.c_str());
  std::printf("\n");

  for (unsigned threads : {1u, 2u}) {
    ww::ScanConfig cfg;
    cfg.signature_dirs = dirs;
    cfg.optional_dirs.clear();
    cfg.threads = threads;
    cfg.on_full = ww::QueueFullPolicy::kWait;
    cfg.engine_cache = false;
    cfg.cache_entries = 0;
    cfg.watch_dirs = false;
    try {
      ww::ScanService svc(cfg, [](ww::ScanJob&&, const ww::ScanVerdict&) {});
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& f : files) svc.submit(ww::ScanJob{"", f, "bench", nullptr});
      svc.drain();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const auto c = svc.counters();
      std::printf("threads %u: %.1f MB/s (%.2f s, %llu scanned, %llu errors, %llu signatures)\n",
                  threads, static_cast<double>(c.bytes_scanned) / 1e6 / s, s,
                  static_cast<unsigned long long>(c.scanned),
                  static_cast<unsigned long long>(c.errors),
                  static_cast<unsigned long long>(c.signatures_loaded));
    } catch (const ww::ScanSetupError& e) {
      std::fprintf(stderr, "scan_bench: %s\n", e.what());
      return 1;
    }
  }
  return 0;
}
