#pragma once
// Settings of the attachment policy: parsed once (sensor/config maps the
// `policy.*` keys), validated, then shared read-only by every worker.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ww {

struct PolicyConfig {
  bool enabled = true;
  // One switch per rule (event ids 1001001..1001004).
  bool executable_extension = true;   // kPolicyExecutableExtension
  bool double_extension = true;       // kPolicyDoubleExtension
  bool executable_in_archive = true;  // kPolicyExecutableInArchive
  bool type_mismatch = true;          // kPolicyTypeMismatch
  // Extensions that run when opened, in addition to the built-in
  // .pif .scr .exe .com .bat .cmd .vbs .js (lower case, without the dot;
  // matched case-insensitively). E.g. {"hta", "wsf", "lnk", "cpl", "msi", "ps1"}.
  std::vector<std::string> extra_executable_extensions;
  // Extensions a worm puts before the real one to look like a document
  // (document.txt.exe). Replaces the built-in list when not empty.
  std::vector<std::string> decoy_extensions;
  // This many spaces (or more) right before an executable extension count as
  // hiding it ("readme.doc                    .pif"), whatever precedes them.
  uint32_t padding_spaces = 4;
  // Archive listing bounds: members read from one zip, and bytes of the
  // attachment looked at. The rest is not listed (counted in PolicyStats).
  uint32_t max_archive_members = 4096;
  size_t max_archive_bytes = size_t{64} << 20;
  // Longest file name (or member name) examined, in bytes; a longer one is
  // judged by its last max_name_bytes bytes (where the extension is).
  uint32_t max_name_bytes = 1024;
  // Longest name quoted in a hit's detail, in bytes (cut on a UTF-8 boundary,
  // the end kept).
  uint32_t max_detail_name_bytes = 128;
};

// The built-in lists.
const std::vector<std::string>& default_executable_extensions();
const std::vector<std::string>& default_decoy_extensions();

// Empty when usable, otherwise one message naming the field and what it accepts.
std::string validate(const PolicyConfig& config);

}  // namespace ww
