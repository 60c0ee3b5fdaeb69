#pragma once
// What a MimeParser reports, and the sink it reports to. The SMTP layer (through the
// file assembler) implements MimeEventSink and injects it.
//
// Contract, per message (between construction or reset() and end()):
//   * Parts are numbered by `part` (0, 1, 2, ... in the order they are first seen)
//     and named by `id`: the message itself is "0"; the children of a multipart
//     with id P are "P.1", "P.2", ... except for a message's top multipart, whose
//     children are "1", "2", ... ("N.1" inside an embedded message with id N,
//     whose own top entity is "N.0"); an alternate reading of part P is "P.alt";
//     the k-th uuencode block in part P is "P.uuk".
//   * on_part_begin comes once per part, after the part's header block;
//     on_part_end once, after all its data and after its children ended. Begin/end
//     nest like the parts do. Headers and anomalies of a header block come before
//     that part's on_part_begin (with the part number it is about to get).
//   * on_part_data carries DECODED bytes, consecutive and never repeated. The
//     chunking is not meaningful: one byte at a time or one big feed give the same
//     bytes per part, and the same sequence of all other events. Data decoded
//     before a gap or an anomaly is delivered before it.
//   * on_part_gap says encoded bytes were lost at this point of the part.
//   * Spans and string_views are valid during the call only.
//   * Callbacks must not call back into the parser.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "reassembly/mime/mime_counters.h"

namespace ww {

inline constexpr uint32_t kMimeNoPart = UINT32_MAX;

enum class MimeEncoding : uint8_t {
  none,  // no Content-Transfer-Encoding field (7bit)
  seven_bit,
  eight_bit,
  binary,
  base64,
  quoted_printable,
  uuencode,  // x-uuencode and friends: passed through, the uuencode block extracted
  unknown,   // passed through
};

enum class MimePartKind : uint8_t {
  leaf,       // data delivered (decoded)
  multipart,  // container; its children follow
  message,    // message/rfc822 (message/global) container; its message follows
  uuencoded,  // a uuencode block found in the text of its parent
};

enum class MimePartState : uint8_t {
  complete,
  truncated,  // max_part_bytes reached, or the message ended before the part did
  gap,        // bytes were lost inside the part
};

enum class MimeHeaderField : uint8_t { from, to, cc, subject, message_id, date, x_mailer };

const char* mime_header_field_name(MimeHeaderField f);
const char* mime_part_kind_name(MimePartKind k);
const char* mime_part_state_name(MimePartState s);
const char* mime_encoding_name(MimeEncoding e);

// A reported header of a message (the top one or an embedded message/rfc822).
struct MimeHeader {
  uint32_t part = 0;  // the message's top entity ("0", or "N.0" when embedded)
  std::string_view part_id;
  uint32_t depth = 0;
  MimeHeaderField field = MimeHeaderField::from;
  std::string_view name;     // as written
  std::string_view raw;      // unfolded value as sent (any bytes)
  std::string_view decoded;  // RFC 2047 decoded; always valid UTF-8
  bool truncated = false;    // cut at max_header_line_bytes
};

struct MimePartInfo {
  uint32_t part = 0;
  uint32_t parent = kMimeNoPart;
  std::string_view id;
  uint32_t depth = 0;
  MimePartKind kind = MimePartKind::leaf;
  std::string_view content_type;  // lower-case "type/subtype" as declared; "" when none/invalid
  std::string_view charset;       // lower case
  std::string_view disposition;   // lower case ("attachment", "inline", "")
  MimeEncoding encoding = MimeEncoding::none;  // the one decoding this part's data
  std::string_view encoding_token;             // as declared, lower case
  std::string_view file_name;                  // UTF-8, "" when none
  // Other file names the part declares (another reading, or conflicting fields).
  std::span<const std::string> alternate_names;
  bool file_name_truncated = false;
  bool is_attachment = false;      // Content-Disposition: attachment
  bool is_file = false;            // hand to the file assembler (see NOTES.md)
  bool alternate_reading = false;  // same bytes as part `parent`, other decoding
  bool opaque = false;             // a container not descended into (limits): raw body as data
  // message/partial
  std::string_view partial_id;
  uint32_t partial_number = 0;
  uint32_t partial_total = 0;
};

struct MimePartEnd {
  uint32_t part = 0;
  std::string_view id;
  MimePartState state = MimePartState::complete;
  uint64_t decoded_bytes = 0;    // delivered through on_part_data
  uint64_t truncated_bytes = 0;  // decoded but not delivered (max_part_bytes)
  uint64_t gap_bytes = 0;        // encoded bytes lost in gaps
};

struct MimeAnomalyEvent {
  MimeAnomaly kind = MimeAnomaly::kCount;
  uint32_t part = kMimeNoPart;  // kMimeNoPart: about the message as a whole
  std::string_view part_id;
};

struct MimeMessageEnd {
  uint32_t parts = 0;
  uint64_t bytes = 0;      // fed
  uint64_t gap_bytes = 0;  // declared missing
  bool complete = false;   // no gap, every multipart closed, nothing truncated
};

class MimeEventSink {
 public:
  virtual ~MimeEventSink() = default;
  virtual void on_header(const MimeHeader& header) = 0;
  virtual void on_part_begin(const MimePartInfo& part) = 0;
  virtual void on_part_data(uint32_t part, std::span<const uint8_t> bytes) = 0;
  virtual void on_part_gap(uint32_t part, uint64_t lost_bytes) = 0;
  virtual void on_part_end(const MimePartEnd& end) = 0;
  virtual void on_anomaly(const MimeAnomalyEvent& anomaly) = 0;
  virtual void on_message_end(const MimeMessageEnd& end) = 0;
};

}  // namespace ww
