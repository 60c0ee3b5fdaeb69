#pragma once
// What every worker shares, owned by the engine: the filestore (thread-safe).
// The scan service and the host tracker join here.

#include <memory>

#include "reassembly/files/filestore.h"
#include "sensor/config/config.h"

namespace ww {

struct EngineServices {
  std::unique_ptr<Filestore> store;  // null: filestore off

  // Builds what the config turns on. Throws std::runtime_error with an operator
  // message (a filestore directory that cannot be created, ...).
  explicit EngineServices(const Config& cfg);
};

}  // namespace ww
