// libFuzzer: the SMTP session parser on arbitrary two-direction conversations
// (the input format is described in tests/unit/smtp/smtp_fuzz_entry.h).
#include <cstddef>
#include <cstdint>

#include "tests/unit/smtp/smtp_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ww::smtp_test::smtp_fuzz_one(data, size);
}
