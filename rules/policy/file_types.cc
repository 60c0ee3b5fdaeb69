#include "rules/policy/file_types.h"

#include <string>

#include "rules/policy/file_name.h"

namespace ww {

namespace {

struct MimeRow {
  std::string_view type;  // exact, or a prefix when it ends in '/' or '.'
  FileKind kind;
};

constexpr MimeRow kMimeTable[] = {
    {"application/octet-stream", FileKind::kGeneric},
    {"application/binary", FileKind::kGeneric},
    {"application/x-dosexec", FileKind::kExecutable},
    {"application/x-msdownload", FileKind::kExecutable},
    {"application/x-msdos-program", FileKind::kExecutable},
    {"application/vnd.microsoft.portable-executable", FileKind::kExecutable},
    {"application/x-executable", FileKind::kExecutable},
    {"application/x-pie-executable", FileKind::kExecutable},
    {"application/x-sharedlib", FileKind::kExecutable},
    {"application/x-mach-binary", FileKind::kExecutable},
    {"application/x-elf", FileKind::kExecutable},
    {"application/exe", FileKind::kExecutable},
    {"application/x-exe", FileKind::kExecutable},
    {"application/zip", FileKind::kArchive},
    {"application/x-zip", FileKind::kArchive},
    {"application/x-zip-compressed", FileKind::kArchive},
    {"application/x-rar", FileKind::kArchive},
    {"application/x-rar-compressed", FileKind::kArchive},
    {"application/vnd.rar", FileKind::kArchive},
    {"application/x-7z-compressed", FileKind::kArchive},
    {"application/gzip", FileKind::kArchive},
    {"application/x-gzip", FileKind::kArchive},
    {"application/x-bzip2", FileKind::kArchive},
    {"application/x-xz", FileKind::kArchive},
    {"application/x-tar", FileKind::kArchive},
    {"application/vnd.ms-cab-compressed", FileKind::kArchive},
    {"application/x-arj", FileKind::kArchive},
    {"application/x-lzh-compressed", FileKind::kArchive},
    {"application/vnd.openxmlformats-officedocument.", FileKind::kContainer},
    {"application/vnd.oasis.opendocument.", FileKind::kContainer},
    {"application/java-archive", FileKind::kContainer},
    {"application/vnd.android.package-archive", FileKind::kContainer},
    {"application/epub+zip", FileKind::kContainer},
    {"application/pdf", FileKind::kDocument},
    {"application/rtf", FileKind::kDocument},
    {"application/msword", FileKind::kDocument},
    {"application/vnd.ms-excel", FileKind::kDocument},
    {"application/vnd.ms-powerpoint", FileKind::kDocument},
    {"application/vnd.ms-office", FileKind::kDocument},
    {"application/x-ole-storage", FileKind::kDocument},
    {"application/cdfv2", FileKind::kDocument},
    {"image/", FileKind::kImage},
    {"text/", FileKind::kText},
    {"audio/", FileKind::kAudio},
    {"video/", FileKind::kVideo},
};

struct ExtRow {
  std::string_view ext;
  FileKind kind;
};

constexpr ExtRow kExtensionTable[] = {
    {"exe", FileKind::kExecutable}, {"scr", FileKind::kExecutable}, {"pif", FileKind::kExecutable},
    {"com", FileKind::kExecutable}, {"dll", FileKind::kExecutable}, {"cpl", FileKind::kExecutable},
    {"sys", FileKind::kExecutable}, {"bat", FileKind::kExecutable}, {"cmd", FileKind::kExecutable},
    {"vbs", FileKind::kExecutable}, {"js", FileKind::kExecutable},  {"zip", FileKind::kArchive},
    {"rar", FileKind::kArchive},    {"7z", FileKind::kArchive},     {"gz", FileKind::kArchive},
    {"tgz", FileKind::kArchive},    {"bz2", FileKind::kArchive},    {"tar", FileKind::kArchive},
    {"cab", FileKind::kArchive},    {"arj", FileKind::kArchive},    {"lzh", FileKind::kArchive},
    {"docx", FileKind::kContainer}, {"xlsx", FileKind::kContainer}, {"pptx", FileKind::kContainer},
    {"docm", FileKind::kContainer}, {"xlsm", FileKind::kContainer}, {"odt", FileKind::kContainer},
    {"ods", FileKind::kContainer},  {"odp", FileKind::kContainer},  {"jar", FileKind::kContainer},
    {"apk", FileKind::kContainer},  {"epub", FileKind::kContainer}, {"doc", FileKind::kDocument},
    {"xls", FileKind::kDocument},   {"ppt", FileKind::kDocument},   {"pdf", FileKind::kDocument},
    {"rtf", FileKind::kDocument},   {"jpg", FileKind::kImage},      {"jpeg", FileKind::kImage},
    {"gif", FileKind::kImage},      {"png", FileKind::kImage},      {"bmp", FileKind::kImage},
    {"tif", FileKind::kImage},      {"tiff", FileKind::kImage},     {"ico", FileKind::kImage},
    {"webp", FileKind::kImage},     {"txt", FileKind::kText},       {"csv", FileKind::kText},
    {"log", FileKind::kText},       {"htm", FileKind::kText},       {"html", FileKind::kText},
    {"xml", FileKind::kText},       {"eml", FileKind::kText},       {"mp3", FileKind::kAudio},
    {"wav", FileKind::kAudio},      {"wma", FileKind::kAudio},      {"ogg", FileKind::kAudio},
    {"avi", FileKind::kVideo},      {"mpg", FileKind::kVideo},      {"mpeg", FileKind::kVideo},
    {"mp4", FileKind::kVideo},      {"wmv", FileKind::kVideo},      {"mov", FileKind::kVideo},
};

struct MagicRow {
  std::string_view prefix;
  FileKind kind;
};

constexpr MagicRow kMagicTable[] = {
    {std::string_view("MZ", 2), FileKind::kExecutable},
    {std::string_view("\x7f"
                      "ELF",
                      4),
     FileKind::kExecutable},
    {std::string_view("PK\x03\x04", 4), FileKind::kArchive},
    {std::string_view("PK\x05\x06", 4), FileKind::kArchive},
    {std::string_view("Rar!\x1a\x07", 6), FileKind::kArchive},
    {std::string_view("7z\xbc\xaf\x27\x1c", 6), FileKind::kArchive},
    {std::string_view("\x1f\x8b", 2), FileKind::kArchive},
    {std::string_view("BZh", 3), FileKind::kArchive},
    {std::string_view("MSCF", 4), FileKind::kArchive},
    {std::string_view("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8), FileKind::kDocument},
    {std::string_view("%PDF-", 5), FileKind::kDocument},
    {std::string_view("{\\rtf", 5), FileKind::kDocument},
    {std::string_view("\xff\xd8\xff", 3), FileKind::kImage},
    {std::string_view("\x89PNG\r\n\x1a\n", 8), FileKind::kImage},
    {std::string_view("GIF87a", 6), FileKind::kImage},
    {std::string_view("GIF89a", 6), FileKind::kImage},
};

// {sniffed, claimed}: content of the first kind presented as the second.
struct Contradiction {
  FileKind sniffed, claimed;
};

constexpr Contradiction kContradictions[] = {
    {FileKind::kExecutable, FileKind::kImage},     {FileKind::kExecutable, FileKind::kText},
    {FileKind::kExecutable, FileKind::kAudio},     {FileKind::kExecutable, FileKind::kVideo},
    {FileKind::kExecutable, FileKind::kDocument},  {FileKind::kExecutable, FileKind::kArchive},
    {FileKind::kExecutable, FileKind::kContainer}, {FileKind::kArchive, FileKind::kImage},
    {FileKind::kArchive, FileKind::kText},         {FileKind::kArchive, FileKind::kAudio},
    {FileKind::kArchive, FileKind::kVideo},        {FileKind::kArchive, FileKind::kDocument},
    {FileKind::kContainer, FileKind::kImage},      {FileKind::kContainer, FileKind::kText},
    {FileKind::kContainer, FileKind::kAudio},      {FileKind::kContainer, FileKind::kVideo},
};

}  // namespace

const char* file_kind_name(FileKind k) {
  switch (k) {
    case FileKind::kUnknown:
      return "unknown";
    case FileKind::kGeneric:
      return "generic";
    case FileKind::kExecutable:
      return "executable";
    case FileKind::kArchive:
      return "archive";
    case FileKind::kContainer:
      return "zip-based document";
    case FileKind::kDocument:
      return "document";
    case FileKind::kImage:
      return "image";
    case FileKind::kText:
      return "text";
    case FileKind::kAudio:
      return "audio";
    case FileKind::kVideo:
      return "video";
  }
  return "unknown";
}

FileKind kind_of_mime(std::string_view mime) {
  if (const auto semi = mime.find(';'); semi != std::string_view::npos) mime = mime.substr(0, semi);
  while (!mime.empty() && (mime.front() == ' ' || mime.front() == '\t')) mime.remove_prefix(1);
  while (!mime.empty() && (mime.back() == ' ' || mime.back() == '\t')) mime.remove_suffix(1);
  if (mime.empty()) return FileKind::kUnknown;
  const std::string m = ascii_lower(mime);
  for (const MimeRow& r : kMimeTable) {
    const bool prefix = r.type.back() == '/' || r.type.back() == '.';
    if (prefix ? std::string_view(m).starts_with(r.type) : m == r.type) return r.kind;
  }
  return FileKind::kUnknown;
}

FileKind kind_of_extension(std::string_view ext) {
  for (const ExtRow& r : kExtensionTable)
    if (r.ext == ext) return r.kind;
  return FileKind::kUnknown;
}

FileKind sniff_kind(std::string_view data) {
  for (const MagicRow& r : kMagicTable)
    if (data.starts_with(r.prefix)) return r.kind;
  return FileKind::kUnknown;
}

bool kinds_contradict(FileKind sniffed, FileKind claimed) {
  for (const Contradiction& c : kContradictions)
    if (c.sniffed == sniffed && c.claimed == claimed) return true;
  return false;
}

}  // namespace ww
