#pragma once
// Streaming Content-Transfer-Encoding decoders. State is carried across calls, so
// the encoded bytes may be cut anywhere. A decoder stops early and names the event
// when it meets something to report, so the caller can deliver the bytes decoded
// before it first and keep the sink's order exact whatever the input split.
//
// base64: table-driven; whole 4-character groups are decoded in a tight loop, the
// slow path handles line ends, characters outside the alphabet (skipped, counted)
// and padding. '=' closes the current group (1 or 2 bytes out); base64 data after it
// is decoded as a new group (base64_padding_mid_stream) rather than dropped, so the
// sensor never sees less than a lenient client would.
// quoted-printable: "=XX" (either case), soft line breaks "=\r\n" and "=\n"; an '='
// not followed by two hex digits is kept literally (qp_invalid_escape).
// 7bit, 8bit, binary, uuencode (the block is found later in the decoded text) and
// unknown encodings pass through.

#include <cstddef>
#include <cstdint>
#include <span>

#include "reassembly/mime/header_params.h"
#include "reassembly/mime/mime_counters.h"

namespace ww::mime {

struct DecodeStep {
  size_t consumed = 0;
  size_t produced = 0;
  MimeAnomaly event = MimeAnomaly::kCount;  // kCount: none
};

class TransferDecoder {
 public:
  // Output room decode() needs to make progress.
  static constexpr size_t kMinOutput = 4;

  void reset(Encoding e);
  bool passthrough() const { return kind_ == Kind::passthrough; }

  // Decodes from `in` into `out` (out.size() >= kMinOutput). Returns when `in` is
  // used up, `out` is nearly full, or right after the byte that caused `event`.
  DecodeStep decode(std::span<const uint8_t> in, std::span<uint8_t> out);
  // End of the encoded data: flushes what a partial group or escape still holds.
  DecodeStep finish(std::span<uint8_t> out);
  // `lost` encoded bytes are missing here: drop the partial group and resynchronise
  // (base64: on the group position if no line end has been seen yet, one-long-line
  // base64; otherwise at the next line end).
  void gap(uint64_t lost);

 private:
  enum class Kind : uint8_t { passthrough, base64, qp };
  enum class QpState : uint8_t { normal, eq, eq_hex, eq_cr };

  DecodeStep decode_base64(std::span<const uint8_t> in, std::span<uint8_t> out);
  DecodeStep decode_qp(std::span<const uint8_t> in, std::span<uint8_t> out);

  Kind kind_ = Kind::passthrough;
  // base64
  uint32_t acc_ = 0;
  uint8_t have_ = 0;        // characters of the current group
  uint8_t skip_chars_ = 0;  // alphabet characters to drop to realign after a gap
  bool padded_ = false;     // the last group was closed by '='
  bool skip_to_eol_ = false;
  bool seen_eol_ = false;
  // quoted-printable
  QpState qp_ = QpState::normal;
  uint8_t qp_hex_ = 0;  // the first hex digit as written
};

}  // namespace ww::mime
