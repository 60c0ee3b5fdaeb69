#include "rules/policy/policy_config.h"

#include <algorithm>
#include <cctype>

namespace ww {

const std::vector<std::string>& default_executable_extensions() {
  // The MyDoom / Netsky / Bagle / Sobig set: what Outlook ran on a double click.
  static const std::vector<std::string> v = {"pif", "scr", "exe", "com", "bat", "cmd", "vbs", "js"};
  return v;
}

const std::vector<std::string>& default_decoy_extensions() {
  // What 2004-era worms put first: documents, pictures, web pages, archives.
  static const std::vector<std::string> v = {
      "txt", "doc",  "docx", "rtf",  "pdf", "xls", "xlsx", "ppt", "pptx", "csv",
      "htm", "html", "jpg",  "jpeg", "gif", "png", "bmp",  "tif", "tiff", "mp3",
      "wav", "avi",  "mpg",  "mpeg", "zip", "rar", "eml",  "msg", "log",  "dat"};
  return v;
}

namespace {

bool valid_extension(const std::string& e) {
  return !e.empty() && e.size() <= 16 && std::all_of(e.begin(), e.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '_' || c == '-';
  });
}

std::string check_list(const char* field, const std::vector<std::string>& list) {
  for (const std::string& e : list)
    if (!valid_extension(e))
      return std::string("policy ") + field + ": '" + e +
             "' is not an extension (1 to 16 lower-case letters, digits, '_' or '-', no dot)";
  return {};
}

}  // namespace

std::string validate(const PolicyConfig& c) {
  if (auto e = check_list("extra_executable_extensions", c.extra_executable_extensions); !e.empty())
    return e;
  if (auto e = check_list("decoy_extensions", c.decoy_extensions); !e.empty()) return e;
  struct Range {
    const char* field;
    uint64_t value, lo, hi;
  };
  const Range ranges[] = {
      {"padding_spaces", c.padding_spaces, 1, 4096},
      {"max_archive_members", c.max_archive_members, 1, 1u << 20},
      {"max_archive_bytes", c.max_archive_bytes, 22, uint64_t{4} << 30},
      {"max_name_bytes", c.max_name_bytes, 16, 65536},
      {"max_detail_name_bytes", c.max_detail_name_bytes, 8, 65536},
  };
  for (const Range& r : ranges)
    if (r.value < r.lo || r.value > r.hi)
      return std::string("policy ") + r.field + " must be between " + std::to_string(r.lo) +
             " and " + std::to_string(r.hi) + " (got " + std::to_string(r.value) + ")";
  return {};
}

}  // namespace ww
