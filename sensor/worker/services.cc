#include "sensor/worker/services.h"

namespace ww {

EngineServices::EngineServices(const Config& cfg) {
  if (cfg.files.store_mode != FilestoreMode::none || cfg.files.store_eml) {
    std::string dir = cfg.files.store_dir;
    if (dir.empty()) dir = (cfg.log_dir.empty() ? std::string(".") : cfg.log_dir) + "/filestore";
    store = std::make_unique<Filestore>(dir, cfg.files.store_max_file_bytes,
                                        cfg.files.store_quota_bytes);
  }
}

}  // namespace ww
