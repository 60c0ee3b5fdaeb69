#pragma once
// What scans one attachment: the embedded libclamav engine (clam_engine.h) or a
// clamd daemon (clamd_client.h). A backend is immutable once built; the service
// swaps a whole new one in at a reload and frees the old one when its last
// in-flight scan ends (shared_ptr).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rules/scan/scan_config.h"
#include "rules/scan/scan_verdict.h"

namespace ww {

// Bad operator input or an unusable environment: the message names the
// directory, file or address and the fix, and is meant to be printed as is.
class ScanSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScanBackend {
 public:
  virtual ~ScanBackend() = default;
  // Thread-safe; never throws: failures are kError verdicts. `data` is the whole
  // file. The verdict's engine_generation is this backend's generation.
  virtual ScanVerdict scan(std::string_view data) const noexcept = 0;
  virtual uint64_t generation() const = 0;
  // Signatures loaded (embedded); 0 when unknown (clamd).
  virtual unsigned signatures() const = 0;
  // One line for logs: "libclamav 1.4.1, 5 signatures from rules/signatures".
  virtual std::string describe() const = 0;
};

// Builds the backend the config names (config already validated). Throws
// ScanSetupError with an operator message.
std::shared_ptr<const ScanBackend> make_scan_backend(const ScanConfig& config, uint64_t generation);

}  // namespace ww
