#pragma once
// Attachment policy: rules on an attachment's name, declared type and content
// that flag what mass-mailing worms send (executables, names hiding an
// executable extension, executables zipped, content that is not what it says).
// Pure functions: no state, no I/O, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/events.h"
#include "rules/policy/policy_config.h"

namespace ww {

struct AttachmentFacts {
  std::string_view file_name;      // UTF-8 as the MIME layer decoded it; may be empty
  std::string_view declared_type;  // Content-Type ("image/jpeg; name=..."); may be empty
  std::string_view sniffed_type;   // libmagic MIME type ("application/x-dosexec"); empty =
                                   // unknown, then the leading bytes are used
  std::string_view data;           // the file bytes; may be truncated
};

struct PolicyHit {
  EventId event;
  std::string detail;  // one sentence for alert metadata; names shown safely (printable_name)
};

// Per-worker counters (plain integers; the caller sums them across workers).
#define WW_POLICY_COUNTERS(X)                                                     \
  X(evaluated, "attachments evaluated")                                           \
  X(hits, "policy hits of any rule")                                              \
  X(archives_listed, "attachments listed as zip archives")                        \
  X(archive_members, "zip members listed")                                        \
  X(archives_malformed, "zip listings that met a broken header (partial)")        \
  X(archives_truncated, "zip listings cut by a limit or by the end of the bytes") \
  X(names_cut, "file or member names longer than max_name_bytes (tail examined)")

struct PolicyCounters {
#define WW_X(name, desc) uint64_t name = 0;
  WW_POLICY_COUNTERS(WW_X)
#undef WW_X
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, desc) f(#name, name, desc);
    WW_POLICY_COUNTERS(WW_X)
#undef WW_X
  }
};

// The rules that fire, in rule order (each at most once per attachment).
std::vector<PolicyHit> evaluate(const AttachmentFacts& facts, const PolicyConfig& config,
                                PolicyCounters* counters = nullptr);

}  // namespace ww
