#pragma once
// Member names of a zip attachment, read from the bytes alone (no inflating, no
// file system): the central directory when the end record is there, else the
// local headers from the start (a truncated attachment still lists what it
// holds). Bounded by member count and bytes; hostile or broken zips give a
// partial listing and a flag, never a crash.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ww {

struct ZipListing {
  bool is_zip = false;                  // a local header at the start or a usable end record
  bool from_central_directory = false;  // names came from the central directory
  bool truncated = false;               // member limit hit, or the bytes ended inside the zip
  bool malformed = false;               // a header pointed outside the data or was not one
  std::vector<std::string> names;       // member names (raw bytes: CP437 or UTF-8), in order
};

ZipListing list_zip_members(std::string_view data, size_t max_members, size_t max_bytes);

}  // namespace ww
