#include "reassembly/files/filestore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace ww {

namespace fs = std::filesystem;

const char* filestore_mode_name(FilestoreMode m) {
  switch (m) {
    case FilestoreMode::none: return "none";
    case FilestoreMode::all: return "all";
    case FilestoreMode::alerted: return "alerted";
  }
  return "none";
}

bool parse_filestore_mode(const std::string& s, FilestoreMode& out) {
  if (s == "none") out = FilestoreMode::none;
  else if (s == "all") out = FilestoreMode::all;
  else if (s == "alerted") out = FilestoreMode::alerted;
  else return false;
  return true;
}

Filestore::Filestore(std::string dir, uint64_t max_file_bytes, uint64_t quota_bytes)
    : dir_(std::move(dir)), max_file_bytes_(max_file_bytes), quota_bytes_(quota_bytes) {
  std::error_code ec;
  fs::create_directories(fs::path(dir_) / "tmp", ec);
  if (ec)
    throw std::runtime_error(fmt::format("filestore directory '{}': {} (set filestore.dir to a "
                                         "writable directory)", dir_, ec.message()));
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / "tmp", ec)) fs::remove(e.path(), ec);
  ec.clear();
  for (auto it = fs::recursive_directory_iterator(dir_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) used_bytes_ += it->file_size(ec);
  }
}

Filestore::~Filestore() = default;

std::string Filestore::path_for(const std::string& sha256, const char* ext) const {
  return fmt::format("{}/{}/{}{}", dir_, sha256.substr(0, 2), sha256, ext);
}

Filestore::Writer Filestore::open() {
  Writer w;
  w.temp = fmt::format("{}/tmp/{}-{}", dir_, ::getpid(), next_temp_.fetch_add(1));
  w.fd = ::open(w.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (w.fd < 0) {
    w.failed = true;
    std::lock_guard lk(mu_);
    c_.errors++;
  }
  return w;
}

void Filestore::write(Writer& w, std::span<const uint8_t> b) {
  if (!w.open() || w.too_large || w.failed || b.empty()) return;
  if (w.bytes + b.size() > max_file_bytes_) {
    w.too_large = true;
    return;
  }
  const uint8_t* p = b.data();
  size_t n = b.size();
  while (n) {
    ssize_t k = ::write(w.fd, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      w.failed = true;
      return;
    }
    p += k;
    n -= static_cast<size_t>(k);
  }
  w.bytes += b.size();
}

void Filestore::discard(Writer& w) {
  if (w.fd >= 0) ::close(w.fd);
  w.fd = -1;
  if (!w.temp.empty()) ::unlink(w.temp.c_str());
  w.temp.clear();
}

Filestore::Commit Filestore::commit(Writer& w, const std::string& sha256, const char* ext,
                                    const std::string& sidecar) {
  Commit result;
  if (w.fd >= 0 && ::close(w.fd) != 0) w.failed = true;
  w.fd = -1;
  std::lock_guard lk(mu_);
  const std::string final_path = path_for(sha256, ext);
  struct stat st {};
  if (w.too_large) {
    result = Commit::too_large;
    c_.too_large++;
  } else if (w.failed || w.temp.empty() || sha256.size() != 64) {
    result = Commit::error;
    c_.errors++;
  } else if (::stat(final_path.c_str(), &st) == 0) {
    result = Commit::duplicate;
    c_.duplicates++;
  } else if (used_bytes_ + w.bytes + sidecar.size() > quota_bytes_) {
    result = Commit::quota;
    c_.quota++;
  } else {
    std::error_code ec;
    fs::create_directories(fs::path(final_path).parent_path(), ec);
    if (ec || ::rename(w.temp.c_str(), final_path.c_str()) != 0) {
      result = Commit::error;
      c_.errors++;
    } else {
      w.temp.clear();
      used_bytes_ += w.bytes;
      c_.bytes += w.bytes;
      c_.stored++;
      result = Commit::stored;
    }
  }
  if ((result == Commit::stored || result == Commit::duplicate) && !sidecar.empty()) {
    // The sidecar describes the latest sighting; written via a temp name too.
    std::string side = fmt::format("{}/{}/{}{}.json", dir_, sha256.substr(0, 2), sha256, ext);
    std::string tmp = fmt::format("{}/tmp/side-{}", dir_, next_temp_.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    bool ok = fd >= 0;
    if (ok) {
      std::string line = sidecar + "\n";
      ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
      ok = ::close(fd) == 0 && ok;
    }
    if (!ok || ::rename(tmp.c_str(), side.c_str()) != 0) {
      ::unlink(tmp.c_str());
      c_.errors++;
    }
  }
  if (!w.temp.empty()) ::unlink(w.temp.c_str());
  w.temp.clear();
  return result;
}

FilestoreCounters Filestore::counters() const {
  std::lock_guard lk(mu_);
  return c_;
}

}  // namespace ww
