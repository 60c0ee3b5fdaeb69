#include "rules/policy/zip_listing.h"

#include <algorithm>
#include <cstdint>

namespace ww {

namespace {

constexpr std::string_view kLocalSig("PK\x03\x04", 4);
constexpr std::string_view kCentralSig("PK\x01\x02", 4);
constexpr std::string_view kEndSig("PK\x05\x06", 4);
constexpr size_t kLocalHeader = 30;    // APPNOTE 4.3.7
constexpr size_t kCentralHeader = 46;  // APPNOTE 4.3.12
constexpr size_t kEndRecord = 22;      // APPNOTE 4.3.16
constexpr size_t kMaxComment = 65535;
constexpr int kMaxEndRecordTries = 8;

uint16_t u16(std::string_view d, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(d[at]) |
                               static_cast<unsigned char>(d[at + 1]) << 8);
}
uint32_t u32(std::string_view d, size_t at) {
  return static_cast<uint32_t>(u16(d, at)) | static_cast<uint32_t>(u16(d, at + 2)) << 16;
}
bool sig_at(std::string_view d, size_t at, std::string_view sig) {
  return at + 4 <= d.size() && d.substr(at, 4) == sig;
}

// Walks the central directory described by the end record at `end`. Returns
// false (listing untouched) when the record does not describe one inside the data.
bool read_central_directory(std::string_view d, size_t end, size_t max_members, ZipListing* out) {
  const uint16_t entries = u16(d, end + 10);
  const uint32_t cd_size = u32(d, end + 12);
  const uint32_t cd_offset = u32(d, end + 16);
  if (cd_size > end) return false;
  // Self-extracting or prefixed zips: offsets count from the archive start, which
  // is not the attachment start; the directory ends where the end record begins.
  size_t p = cd_offset;
  if (!sig_at(d, p, kCentralSig) || cd_offset + static_cast<size_t>(cd_size) > end)
    p = end - cd_size;
  if (entries > 0 && !sig_at(d, p, kCentralSig)) return false;

  std::vector<std::string> names;
  bool malformed = false, truncated = false;
  for (size_t i = 0; i < entries; ++i) {
    if (names.size() >= max_members) {
      truncated = true;
      break;
    }
    if (p + kCentralHeader > end || !sig_at(d, p, kCentralSig)) {
      malformed = true;
      break;
    }
    const size_t n = u16(d, p + 28), m = u16(d, p + 30), k = u16(d, p + 32);
    if (p + kCentralHeader + n > end) {
      malformed = true;
      break;
    }
    names.emplace_back(d.substr(p + kCentralHeader, n));
    p += kCentralHeader + n + m + k;
  }
  if (names.empty() && entries > 0) return false;
  out->is_zip = true;
  out->from_central_directory = true;
  out->malformed = malformed;
  out->truncated = truncated;
  out->names = std::move(names);
  return true;
}

void read_local_headers(std::string_view d, size_t max_members, ZipListing* out) {
  out->is_zip = true;
  size_t p = 0;
  // Where the next central header is, searched again only once passed: every
  // search then scans each byte once, whatever the member count.
  size_t cd = 0;
  bool cd_known = false;
  while (p < d.size()) {
    if (sig_at(d, p, kCentralSig) || sig_at(d, p, kEndSig)) return;  // the members ended
    if (!sig_at(d, p, kLocalSig)) {
      if (p + 4 > d.size())
        out->truncated = true;
      else
        out->malformed = true;
      return;
    }
    if (out->names.size() >= max_members) {
      out->truncated = true;
      return;
    }
    if (p + kLocalHeader > d.size()) {
      out->truncated = true;
      return;
    }
    const uint16_t flags = u16(d, p + 6);
    const uint32_t csize = u32(d, p + 18);
    const size_t n = u16(d, p + 26), m = u16(d, p + 28);
    if (p + kLocalHeader + n > d.size()) {
      out->truncated = true;
      return;
    }
    out->names.emplace_back(d.substr(p + kLocalHeader, n));
    const size_t data_start = p + kLocalHeader + n + m;
    if ((flags & 0x08) == 0 && csize != 0xFFFFFFFF) {
      p = data_start + csize;  // may run past the end: truncated, next loop says so
      if (p > d.size()) {
        out->truncated = true;
        return;
      }
    } else {
      // Sizes follow the data (streamed zip) or are zip64: find the next header.
      const size_t next = d.find(kLocalSig, data_start);
      if (!cd_known || (cd != std::string_view::npos && cd < data_start)) {
        cd = d.find(kCentralSig, data_start);
        cd_known = true;
      }
      p = std::min(next, cd);
      if (p == std::string_view::npos) {
        out->truncated = true;
        return;
      }
    }
  }
}

}  // namespace

ZipListing list_zip_members(std::string_view data, size_t max_members, size_t max_bytes) {
  ZipListing out;
  bool cut = false;
  if (data.size() > max_bytes) {
    data = data.substr(0, max_bytes);
    cut = true;
  }
  // The end record is in the last 22 + comment bytes.
  // A hostile comment may hold many fake end records: try a few, then fall back.
  if (data.size() >= kEndRecord) {
    const size_t lowest =
        data.size() > kEndRecord + kMaxComment ? data.size() - kEndRecord - kMaxComment : 0;
    size_t e = data.rfind(kEndSig, data.size() - kEndRecord);
    for (int tries = 0; tries < kMaxEndRecordTries && e != std::string_view::npos && e >= lowest;
         ++tries) {
      if (read_central_directory(data, e, max_members, &out)) return out;
      e = e > 0 ? data.rfind(kEndSig, e - 1) : std::string_view::npos;
    }
  }
  if (sig_at(data, 0, kLocalSig)) {
    read_local_headers(data, max_members, &out);
    if (cut) out.truncated = true;
  }
  return out;
}

}  // namespace ww
