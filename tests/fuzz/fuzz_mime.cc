// libFuzzer: the streaming MIME decoder (input format and checks in
// tests/unit/mime/mime_fuzz_entry.h: limits from the first bytes, one feed
// against pieces, gaps, the sink contract).
#include <cstddef>
#include <cstdint>

#include "tests/unit/mime/mime_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ww::mime_fuzz_one(data, size);
}
