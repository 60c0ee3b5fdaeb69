// libFuzzer: the decoder on arbitrary frames of every link type. The first
// byte picks the link type; the rest is the frame.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sensor/decode/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr ww::LinkType kLinks[] = {
      ww::LinkType::kEthernet, ww::LinkType::kRaw,      ww::LinkType::kNull,
      ww::LinkType::kLoop,     ww::LinkType::kLinuxSll, ww::LinkType::kLinuxSll2,
      ww::LinkType::kIpv4,     ww::LinkType::kIpv6};
  if (size < 1) return 0;
  ww::LinkType link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  // Copy into an exact-size buffer so ASan sees any read past the frame.
  std::vector<uint8_t> frame(data + 1, data + size);
  ww::DecodedPacket p;
  ww::DecodeCounters c;
  auto span = std::span<const uint8_t>(frame.data(), frame.size());
  // Once as captured in full, once as if the snap length had cut a longer frame.
  ww::decode_frame(link, span, static_cast<uint32_t>(frame.size()), 0, p, c);
  ww::decode_frame(link, span, static_cast<uint32_t>(frame.size()) + 100, 0, p, c);
  if (!p.payload.empty()) {
    volatile uint8_t sink = p.payload.front() ^ p.payload.back();
    (void)sink;
  }
  return 0;
}
