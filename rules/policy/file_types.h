#pragma once
// What kind of file a MIME type, an extension or the leading bytes say an
// attachment is, and which pairs contradict each other. All tables.

#include <string_view>

namespace ww {

enum class FileKind : uint8_t {
  kUnknown,     // nothing known (no type, unknown extension)
  kGeneric,     // application/octet-stream and friends: claims nothing
  kExecutable,  // PE, ELF, Mach-O; scripts by extension
  kArchive,     // zip, rar, 7z, gzip, cab ...
  kContainer,   // zip-based formats: OOXML, ODF, jar, apk, epub
  kDocument,    // pdf, rtf, OLE2 (doc/xls/ppt)
  kImage,
  kText,
  kAudio,
  kVideo,
};

const char* file_kind_name(FileKind k);
// "image/jpeg; name=x.jpg" -> kImage. Case-insensitive, parameters ignored.
FileKind kind_of_mime(std::string_view mime);
// Lower-case extension without the dot.
FileKind kind_of_extension(std::string_view ext);
// From the first bytes (used when the caller has no libmagic answer).
FileKind sniff_kind(std::string_view data);
// True when content of kind `sniffed` must not be presented as `claimed`.
bool kinds_contradict(FileKind sniffed, FileKind claimed);

}  // namespace ww
