#include "rules/scan/scan_verdict.h"

namespace ww {

const char* scan_status_name(ScanVerdict::Status s) {
  switch (s) {
    case ScanVerdict::Status::kClean:
      return "clean";
    case ScanVerdict::Status::kInfected:
      return "infected";
    case ScanVerdict::Status::kError:
      return "error";
    case ScanVerdict::Status::kSkipped:
      return "skipped";
  }
  return "unknown";
}

bool is_heuristic_signature(std::string_view name) {
  // libclamav names every heuristic detection "Heuristics.<what>" (Encrypted.Zip,
  // Broken.Executable, Limits.Exceeded, OLE2.ContainsMacros, Phishing.*).
  return name.starts_with("Heuristics.");
}

}  // namespace ww
