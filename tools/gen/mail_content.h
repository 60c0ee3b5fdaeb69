#pragma once
// What the outbreak scenarios mail: the harmless test payload standing in
// for a worm body, fake executables and zips that carry it, EICAR, benign
// attachments of many types (which never contain the payload), office mail
// and MyDoom-like worm mail, each with the ground truth of its attachments.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gen/mime_builder.h"
#include "tools/gen/rng.h"

namespace ww::gen::mail {

// The project's ClamAV signature matches the prefix "WORMWATCH-TEST-PAYLOAD:7f3a9c1e".
inline constexpr std::string_view kTestPayload =
    "WORMWATCH-TEST-PAYLOAD:7f3a9c1e:harmless stand-in for a mass-mailing worm body";
inline constexpr std::string_view kTestPayloadPrefix = "WORMWATCH-TEST-PAYLOAD:7f3a9c1e";
// The EICAR anti-virus test file (68 bytes).
inline constexpr std::string_view kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

// "MZ" + DOS stub padding + the test payload + 2-24 KiB of random bytes.
mime::Bytes fake_executable(Rng& r);
// True when `data` contains the test payload prefix or the EICAR string.
bool is_infected(std::span<const uint8_t> data);

struct File {
  std::string name;  // UTF-8
  std::string content_type;
  mime::Bytes data;
  std::vector<std::string> members;  // zip entry names
  bool infected = false;
};
// A benign file: text, pdf-like, jpeg-like, png-like, docx-like zip or csv,
// sometimes with a non-ASCII name.
File benign_file(Rng& r);

// The first-line subjects and bodies MyDoom.A used.
extern const std::vector<std::string_view> kWormSubjects;
extern const std::vector<std::string_view> kWormBodies;

struct Message {
  std::string text;     // the message as sent (line ends included)
  std::string subject;  // decoded UTF-8
  std::vector<mime::Attachment> attachments;
  bool infected = false;
};

// A MyDoom-like message: short text body, one attachment carrying the test
// payload (or EICAR) as a plain binary, base64, quoted-printable or zipped
// executable.
Message worm_message(Rng& r, const std::string& from, const std::string& to, int64_t date_us,
                     const std::string& message_id);
// An office message: text body, 0-3 benign attachments (sometimes a
// forwarded message/rfc822), names in plain, RFC 2047 or RFC 2231 form.
Message office_message(Rng& r, const std::string& from, const std::vector<std::string>& to,
                       int64_t date_us, const std::string& message_id);

}  // namespace ww::gen::mail
