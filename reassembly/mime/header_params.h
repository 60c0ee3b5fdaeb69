#pragma once
// The structured Content-* fields of one MIME entity: Content-Type with its
// parameters, Content-Disposition, Content-Transfer-Encoding. Parameters follow
// RFC 2045 (token or quoted-string with backslash escapes) and RFC 2231
// (name*=charset'lang'%xx, name*0*=..., name*1=...), leniently: an unquoted value
// runs to the next ';' (file names with blanks are common), RFC 2047 words in file
// names are decoded. Where the text allows two readings, the second one is kept as
// an alternate file name (see NOTES.md "two readings").

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/mime/mime_counters.h"
#include "reassembly/mime/mime_events.h"

namespace ww::mime {

using AnomalyBits = std::bitset<kMimeAnomalyCount>;

using Encoding = MimeEncoding;

const char* encoding_name(Encoding e);
Encoding encoding_from_token(std::string_view token);
// Encodings that decode differently (7bit, 8bit, binary and unknown all pass through).
int encoding_class(Encoding e);

// A file name candidate. Lower rank wins; alternate_only names come from a second
// reading of malformed text and are never chosen, only reported.
struct NameCandidate {
  std::string name;  // UTF-8
  uint8_t rank = 0;  // 0 CD filename*, 1 CD filename, 2 CT name*, 3 CT name
  bool alternate_only = false;
};

struct ContentFields {
  bool ct_seen = false;
  bool ct_invalid = false;  // a Content-Type without type/subtype was seen
  std::string type;         // "type/subtype", lower case; first valid one, multipart wins
  std::string charset;      // lower case
  std::vector<std::string> boundaries;  // distinct, in order of appearance
  bool boundary_too_long = false;
  bool cd_seen = false;
  std::string disposition;          // lower-case token ("attachment", "inline")
  std::vector<Encoding> encodings;  // distinct decoding classes, in order
  std::string encoding_token;       // the first Content-Transfer-Encoding, lower case
  std::vector<NameCandidate> names;
  // message/partial
  std::string partial_id;
  uint32_t partial_number = 0;
  uint32_t partial_total = 0;

  void clear();
  Encoding encoding() const { return encodings.empty() ? Encoding::none : encodings.front(); }
};

struct ParamLimits {
  size_t max_boundary_bytes = 254;
  size_t max_boundaries = 4;
};

// Each parses one field value (after the colon, unfolded) into `cf`, adding the
// anomalies found to `issues`. Repeated fields merge as NOTES.md describes.
void parse_content_type(std::string_view value, const ParamLimits& limits, ContentFields& cf,
                        AnomalyBits& issues);
void parse_content_disposition(std::string_view value, ContentFields& cf, AnomalyBits& issues);
void parse_content_transfer_encoding(std::string_view value, ContentFields& cf,
                                     AnomalyBits& issues);

// Trims blanks (SP, HT, CR, LF) at both ends.
std::string_view trim_blanks(std::string_view s);

}  // namespace ww::mime
