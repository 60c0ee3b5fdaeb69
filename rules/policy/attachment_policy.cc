#include "rules/policy/attachment_policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "rules/policy/file_name.h"
#include "rules/policy/file_types.h"
#include "rules/policy/zip_listing.h"

namespace ww {

namespace {

// What one evaluation knows, computed once and shared by the rules.
struct Context {
  const AttachmentFacts& facts;
  const PolicyConfig& config;
  PolicyCounters& counters;
  FileNameParts name;
  ZipListing zip;

  bool in(const std::vector<std::string>& list, std::string_view ext) const {
    return std::find(list.begin(), list.end(), ext) != list.end();
  }
  bool executable(std::string_view ext) const {
    return !ext.empty() && (in(default_executable_extensions(), ext) ||
                            in(config.extra_executable_extensions, ext));
  }
  bool decoy(std::string_view ext) const {
    if (ext.empty()) return false;
    return in(
        config.decoy_extensions.empty() ? default_decoy_extensions() : config.decoy_extensions,
        ext);
  }
  std::string shown(std::string_view raw) const {
    return printable_name(raw, config.max_detail_name_bytes);
  }
};

using Rule = void (*)(Context&, std::vector<PolicyHit>&);

void executable_extension(Context& c, std::vector<PolicyHit>& hits) {
  if (!c.executable(c.name.extension)) return;
  hits.push_back({EventId::kPolicyExecutableExtension,
                  fmt::format("file name '{}' ends in the executable extension .{}",
                              c.shown(c.facts.file_name), c.name.extension)});
}

// Why `parts` hides an executable extension, or "" if it does not.
std::string hidden_extension_reason(const Context& c, const FileNameParts& parts) {
  if (!c.executable(parts.extension)) return {};
  std::vector<std::string> why;
  if (c.decoy(parts.inner_extension))
    why.push_back(fmt::format(".{} before .{}", parts.inner_extension, parts.extension));
  if (parts.padding >= c.config.padding_spaces)
    why.push_back(fmt::format("{} spaces before .{}", parts.padding, parts.extension));
  if (parts.bidi_control) why.push_back("a bidirectional control character reorders the name");
  return fmt::format("{}", fmt::join(why, ", "));
}

void double_extension(Context& c, std::vector<PolicyHit>& hits) {
  const std::string why = hidden_extension_reason(c, c.name);
  if (why.empty()) return;
  hits.push_back({EventId::kPolicyDoubleExtension,
                  fmt::format("file name '{}' hides an executable extension: {}",
                              c.shown(c.facts.file_name), why)});
}

void executable_in_archive(Context& c, std::vector<PolicyHit>& hits) {
  if (!c.zip.is_zip) return;
  const std::string* first = nullptr;
  std::string first_ext;
  size_t count = 0;
  for (const std::string& member : c.zip.names) {
    const FileNameParts p = split_file_name(member, c.config.max_name_bytes);
    if (p.cut) ++c.counters.names_cut;
    if (!c.executable(p.extension)) continue;
    if (count++ == 0) {
      first = &member;
      first_ext = p.extension;
    }
  }
  if (count == 0) return;
  std::string detail = fmt::format("archive member '{}' has the executable extension .{}",
                                   c.shown(*first), first_ext);
  if (count > 1)
    detail += fmt::format(" ({} of {} members are executable)", count, c.zip.names.size());
  if (c.zip.truncated || c.zip.malformed) detail += " (partial listing)";
  hits.push_back({EventId::kPolicyExecutableInArchive, std::move(detail)});
}

// Zip-based documents carry these members; plain zips do not.
bool looks_like_container(const ZipListing& zip) {
  for (const std::string& n : zip.names)
    if (n == "[Content_Types].xml" || n == "mimetype" || n.starts_with("META-INF/") ||
        n == "AndroidManifest.xml")
      return true;
  return false;
}

void type_mismatch(Context& c, std::vector<PolicyHit>& hits) {
  FileKind sniffed = kind_of_mime(c.facts.sniffed_type);
  std::string sniffed_text(c.facts.sniffed_type.substr(0, c.facts.sniffed_type.find(';')));
  if (sniffed == FileKind::kUnknown || sniffed == FileKind::kGeneric) {
    sniffed = sniff_kind(c.facts.data);
    sniffed_text = "its first bytes";
  }
  if (sniffed == FileKind::kArchive && c.zip.is_zip && looks_like_container(c.zip))
    sniffed = FileKind::kContainer;
  if (sniffed == FileKind::kUnknown) return;

  std::vector<std::string> claims;
  const FileKind declared = kind_of_mime(c.facts.declared_type);
  if (kinds_contradict(sniffed, declared)) {
    const std::string_view t = c.facts.declared_type.substr(0, c.facts.declared_type.find(';'));
    claims.push_back(fmt::format("declared type {} ({})", c.shown(t), file_kind_name(declared)));
  }
  const FileKind by_name = kind_of_extension(c.name.extension);
  if (kinds_contradict(sniffed, by_name))
    claims.push_back(fmt::format("extension .{} ({})", c.name.extension, file_kind_name(by_name)));
  if (claims.empty()) return;
  hits.push_back(
      {EventId::kPolicyTypeMismatch,
       fmt::format("{} contradicts the content, sniffed as {} ({})", fmt::join(claims, " and "),
                   c.shown(sniffed_text), file_kind_name(sniffed))});
}

struct RuleRow {
  bool PolicyConfig::*enabled;
  Rule rule;
};

constexpr RuleRow kRules[] = {
    {&PolicyConfig::executable_extension, executable_extension},
    {&PolicyConfig::double_extension, double_extension},
    {&PolicyConfig::executable_in_archive, executable_in_archive},
    {&PolicyConfig::type_mismatch, type_mismatch},
};

}  // namespace

std::vector<PolicyHit> evaluate(const AttachmentFacts& facts, const PolicyConfig& config,
                                PolicyCounters* counters) {
  std::vector<PolicyHit> hits;
  if (!config.enabled) return hits;
  PolicyCounters scratch;
  PolicyCounters& n = counters ? *counters : scratch;
  ++n.evaluated;

  Context c{facts, config, n, split_file_name(facts.file_name, config.max_name_bytes), {}};
  if (c.name.cut) ++n.names_cut;
  if (config.executable_in_archive || config.type_mismatch) {
    c.zip = list_zip_members(facts.data, config.max_archive_members, config.max_archive_bytes);
    if (c.zip.is_zip) {
      ++n.archives_listed;
      n.archive_members += c.zip.names.size();
      if (c.zip.malformed) ++n.archives_malformed;
      if (c.zip.truncated) ++n.archives_truncated;
    }
  }
  for (const RuleRow& r : kRules)
    if (config.*r.enabled) r.rule(c, hits);
  n.hits += hits.size();
  return hits;
}

}  // namespace ww
