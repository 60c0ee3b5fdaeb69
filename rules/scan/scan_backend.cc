#include "rules/scan/scan_backend.h"

#include "rules/scan/clam_engine.h"
#include "rules/scan/clamd_client.h"

namespace ww {

std::shared_ptr<const ScanBackend> make_scan_backend(const ScanConfig& config,
                                                     uint64_t generation) {
  if (config.backend == ScanBackendKind::kClamd) return ClamdBackend::connect(config, generation);
  return ClamEngine::load(config, generation);
}

}  // namespace ww
