#include "rules/scan/clam_engine.h"

#include <clamav.h>
#include <dirent.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

namespace ww {

namespace {

// libclamav reports why a database or a scan failed only through its message
// callback. The callback is process-wide, so each thread collects the errors it
// produced; load() and scan() read and clear their own thread's copy. "Can't
// load X: <code>" only repeats what the caller already says.
thread_local std::string t_clam_errors;
constexpr size_t kMaxErrorText = 512;

void clam_message(enum cl_msg severity, const char* /*fullmsg*/, const char* msg, void*) {
  if (severity < CL_MSG_ERROR || msg == nullptr) return;  // warnings and chatter: dropped
  std::string_view m(msg);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.remove_suffix(1);
  if (m.empty() || m.starts_with("Can't load ") || t_clam_errors.size() >= kMaxErrorText) return;
  if (!t_clam_errors.empty()) t_clam_errors += "; ";
  t_clam_errors.append(m.substr(0, kMaxErrorText));
}

std::string take_clam_error() {
  std::string m = std::move(t_clam_errors);
  t_clam_errors.clear();
  return m;
}

constexpr const char* kSignatureDirHint =
    "point scan.signature_dirs at a directory of ClamAV databases (the shipped ones are in "
    "<source>/rules/signatures)";

// CLI_DBEXT of libclamav/readdb.h: the names cl_load() takes from a directory.
constexpr std::string_view kDatabaseExtensions[] = {
    "db",  "hdb", "hdu", "hsb", "hsu", "mdb",  "mdu",  "msb", "msu",  "ndb", "ndu",  "ldb", "ldu",
    "sdb", "zmd", "rmd", "pdb", "gdb", "wdb",  "cbc",  "ftm", "cfg",  "cvd", "cld",  "cud", "cdb",
    "cat", "crb", "idb", "ioc", "yar", "yara", "pwdb", "ign", "ign2", "imp", "info", "fp",  "sfp"};

struct DirState {
  std::vector<std::string> files;
  std::string problem;  // empty = usable
  bool exists = false;
};

DirState inspect_dir(const std::string& dir) {
  DirState s;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    s.problem =
        fmt::format("signature directory '{}' cannot be used: {}", dir, std::strerror(errno));
    return s;
  }
  s.exists = true;
  if (!S_ISDIR(st.st_mode)) {
    s.problem = fmt::format("signature directory '{}' is not a directory", dir);
    return s;
  }
  std::string err;
  s.files = clam_database_files(dir, &err);
  if (!err.empty()) {
    s.problem = err;
  } else if (s.files.empty()) {
    s.problem = fmt::format(
        "signature directory '{}' holds no ClamAV databases (.ndb, .hdb, .hsb, .ldb, .yara, "
        ".cvd, .cld ...)",
        dir);
  }
  return s;
}

// cl_load() on a directory does not say which file it refused: load each file
// into a scratch engine until one fails, so the message can name it.
std::string explain_load_failure(const std::string& dir, const std::vector<std::string>& files,
                                 cl_error_t dir_rc, const std::string& dir_msg) {
  for (const std::string& f : files) {
    const std::string path = dir + "/" + f;
    cl_engine* scratch = cl_engine_new();
    if (scratch == nullptr) break;
    unsigned n = 0;
    take_clam_error();
    const cl_error_t rc = cl_load(path.c_str(), scratch, &n, CL_DB_STDOPT);
    const std::string msg = take_clam_error();
    cl_engine_free(scratch);
    if (rc != CL_SUCCESS)
      return fmt::format("cannot load signature file '{}': {}{}{}", path, cl_strerror(rc),
                         msg.empty() ? "" : ": ", msg);
  }
  return fmt::format("cannot load signatures from '{}': {}{}{}", dir, cl_strerror(dir_rc),
                     dir_msg.empty() ? "" : ": ", dir_msg);
}

[[noreturn]] void fail(const std::string& what, const std::string& fix) {
  throw ScanSetupError("scan: " + what + ": " + fix);
}

// libclamav makes (and removes) a directory of its own for every scan, and
// writes PDF objects and archive members into it: on ext4 that was a third of
// the CPU of scanning a small attachment (bench/results.md, issue 6). A tmpfs
// makes those file-system calls cheap.
constexpr const char* kDefaultTempDir = "/dev/shm";

bool usable_tmpfs(const char* dir) {
  struct statfs fs {};
  return ::statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC && ::access(dir, W_OK | X_OK) == 0;
}

}  // namespace

void clam_global_init() {
  static std::once_flag once;
  static cl_error_t rc = CL_SUCCESS;
  std::call_once(once, [] {
    cl_set_clcb_msg(clam_message);  // before cl_init: it may already log
    rc = cl_init(CL_INIT_DEFAULT);
  });
  if (rc != CL_SUCCESS)
    fail(fmt::format("libclamav initialisation failed: {}", cl_strerror(rc)),
         "check the libclamav installation (package libclamav12)");
}

std::string clam_temp_dir(const ScanConfig& config) {
  if (!config.temp_dir.empty()) return config.temp_dir;
  return usable_tmpfs(kDefaultTempDir) ? kDefaultTempDir : std::string();
}

bool is_clam_database_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;  // editors' and freshclam's temp files
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view ext = name.substr(dot + 1);
  return std::find(std::begin(kDatabaseExtensions), std::end(kDatabaseExtensions), ext) !=
         std::end(kDatabaseExtensions);
}

std::vector<std::string> clam_database_files(const std::string& dir, std::string* error) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (error)
      *error =
          fmt::format("signature directory '{}' cannot be read: {}", dir, std::strerror(errno));
    return out;
  }
  while (const dirent* e = ::readdir(d)) {
    if (is_clam_database_name(e->d_name)) out.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<const ClamEngine> ClamEngine::load(const ScanConfig& config, uint64_t generation) {
  clam_global_init();

  std::vector<std::pair<std::string, std::vector<std::string>>> dirs;
  for (const std::string& dir : config.signature_dirs) {
    DirState s = inspect_dir(dir);
    if (!s.problem.empty()) fail(s.problem, kSignatureDirHint);
    dirs.emplace_back(dir, std::move(s.files));
  }
  for (const std::string& dir : config.optional_dirs) {
    DirState s = inspect_dir(dir);
    if (s.problem.empty()) dirs.emplace_back(dir, std::move(s.files));
  }

  std::shared_ptr<ClamEngine> self(new ClamEngine());
  self->generation_ = generation;
  self->engine_ = cl_engine_new();
  if (self->engine_ == nullptr)
    fail("cl_engine_new failed", "the machine is out of memory; lower other memory limits");

  struct NumSetting {
    cl_engine_field field;
    long long value;
    const char* name;
  };
  const NumSetting settings[] = {
      {CL_ENGINE_MAX_FILESIZE, static_cast<long long>(config.max_filesize), "max_filesize"},
      {CL_ENGINE_MAX_SCANSIZE, static_cast<long long>(config.max_scansize), "max_scansize"},
      {CL_ENGINE_MAX_RECURSION, config.max_recursion, "max_recursion"},
      {CL_ENGINE_MAX_FILES, config.max_files, "max_files"},
      {CL_ENGINE_MAX_SCANTIME, config.max_scantime_ms, "max_scantime_ms"},
      {CL_ENGINE_DISABLE_CACHE, config.engine_cache ? 0 : 1, "engine_cache"},
  };
  for (const NumSetting& s : settings) {
    const cl_error_t rc = cl_engine_set_num(self->engine_, s.field, s.value);
    if (rc != CL_SUCCESS)
      fail(fmt::format("libclamav refused scan.{} = {}: {}", s.name, s.value, cl_strerror(rc)),
           "choose another value");
  }
  self->temp_dir_ = clam_temp_dir(config);
  if (!self->temp_dir_.empty()) {
    if (!config.temp_dir.empty()) {  // the operator's choice: say now if it cannot work
      struct stat st {};
      if (::stat(config.temp_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
          ::access(config.temp_dir.c_str(), W_OK | X_OK) != 0)
        fail(fmt::format("scan.temp_dir '{}' is not a writable directory", config.temp_dir),
             "create it, or leave scan.temp_dir empty (/dev/shm when writable, else /tmp)");
    }
    const cl_error_t rc =
        cl_engine_set_str(self->engine_, CL_ENGINE_TMPDIR, self->temp_dir_.c_str());
    if (rc != CL_SUCCESS)
      fail(
          fmt::format("libclamav refused scan.temp_dir '{}': {}", self->temp_dir_, cl_strerror(rc)),
          "give an existing writable directory");
  }

  for (const auto& [dir, files] : dirs) {
    unsigned n = 0;
    take_clam_error();
    const cl_error_t rc = cl_load(dir.c_str(), self->engine_, &n, CL_DB_STDOPT);
    if (rc != CL_SUCCESS) {
      const std::string msg = take_clam_error();
      fail(explain_load_failure(dir, files, rc, msg), "fix or remove the file, then reload");
    }
    self->signatures_ += n;
    self->loaded_dirs_.push_back(dir);
  }

  take_clam_error();
  const cl_error_t rc = cl_engine_compile(self->engine_);
  if (rc != CL_SUCCESS) {
    const std::string msg = take_clam_error();
    fail(fmt::format("cannot compile the signatures of {}: {}{}{}",
                     fmt::join(self->loaded_dirs_, ", "), cl_strerror(rc), msg.empty() ? "" : ": ",
                     msg),
         "fix or remove the offending database, then reload");
  }

  if (config.alert_encrypted_archive)
    self->heuristic_options_ |=
        CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE | CL_SCAN_HEURISTIC_ENCRYPTED_DOC;
  if (config.alert_broken_executable) self->heuristic_options_ |= CL_SCAN_HEURISTIC_BROKEN;
  if (config.alert_macros) self->heuristic_options_ |= CL_SCAN_HEURISTIC_MACROS;
  if (config.alert_exceeds_max) self->heuristic_options_ |= CL_SCAN_HEURISTIC_EXCEEDS_MAX;
  return self;
}

ClamEngine::~ClamEngine() {
  if (engine_ != nullptr) cl_engine_free(engine_);
}

std::string ClamEngine::describe() const {
  return fmt::format("libclamav {}, {} signatures from {} (generation {}, temp dir {})",
                     cl_retver(), signatures_, fmt::join(loaded_dirs_, ", "), generation_,
                     temp_dir_.empty() ? "$TMPDIR or /tmp" : temp_dir_);
}

ScanVerdict ClamEngine::scan(std::string_view data) const noexcept {
  ScanVerdict v;
  v.engine_generation = generation_;
  try {
    if (data.empty()) {  // nothing to match; libclamav refuses an empty map
      v.status = ScanVerdict::Status::kClean;
      return v;
    }
    cl_fmap_t* map = cl_fmap_open_memory(data.data(), data.size());
    if (map == nullptr) {
      v.status = ScanVerdict::Status::kError;
      v.error = cl_strerror(CL_EMAP);
      return v;
    }
    cl_scan_options opts{};
    opts.general = CL_SCAN_GENERAL_HEURISTICS;
    opts.parse = CL_SCAN_PARSE_ARCHIVE | CL_SCAN_PARSE_ELF | CL_SCAN_PARSE_PDF | CL_SCAN_PARSE_SWF |
                 CL_SCAN_PARSE_HWP3 | CL_SCAN_PARSE_XMLDOCS | CL_SCAN_PARSE_MAIL |
                 CL_SCAN_PARSE_OLE2 | CL_SCAN_PARSE_HTML | CL_SCAN_PARSE_PE |
                 CL_SCAN_PARSE_ONENOTE | CL_SCAN_PARSE_IMAGE | CL_SCAN_PARSE_IMAGE_FUZZY_HASH;
    opts.heuristic = heuristic_options_;
    const char* virname = nullptr;
    unsigned long scanned = 0;
    take_clam_error();
    // No file name: names come off the wire and libclamav would only log them.
    const cl_error_t rc =
        cl_scanmap_callback(map, nullptr, &virname, &scanned, engine_, &opts, nullptr);
    cl_fmap_close(map);
    if (rc == CL_VIRUS) {
      v.status = ScanVerdict::Status::kInfected;
      v.signature = virname ? virname : "unknown";
      v.heuristic = is_heuristic_signature(v.signature);
    } else if (rc == CL_CLEAN) {
      v.status = ScanVerdict::Status::kClean;
    } else {
      v.status = ScanVerdict::Status::kError;
      const std::string msg = take_clam_error();
      v.error = cl_strerror(rc);
      if (!msg.empty()) v.error += ": " + msg;
    }
  } catch (...) {  // std::bad_alloc building strings
    v.status = ScanVerdict::Status::kError;
    v.signature.clear();
    v.error = "out of memory";
  }
  return v;
}

}  // namespace ww
