// `wormwatch report`: an EVE file in, an HTML page out.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "sensor/report/report.h"

namespace ww {

bool write_report_html(const ReportAggregator& aggregator, const std::string& path,
                       std::string* error) {
  if (path == "-") {
    aggregator.write_html(std::cout);
    std::cout.flush();
    if (!std::cout) {
      if (error) *error = "cannot write the report to standard output";
      return false;
    }
    return true;
  }
  // A temporary file beside the target, then rename: a reader never sees half
  // a page, and a failed write leaves the previous report in place.
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      if (error)
        *error = fmt::format(
            "cannot write the report {}: {} (check the directory exists and is "
            "writable)",
            path, std::strerror(errno));
      return false;
    }
    aggregator.write_html(f);
    f.flush();
    if (!f) {
      const int e = errno;
      f.close();
      std::remove(tmp.c_str());
      if (error) *error = fmt::format("cannot write the report {}: {}", path, std::strerror(e));
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    if (error) *error = fmt::format("cannot write the report {}: {}", path, std::strerror(e));
    return false;
  }
  return true;
}

bool report_path_writable(const std::string& path, std::string* error) {
  if (path == "-") return true;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty() || fs::is_directory(path, ec)) {
    if (error)
      *error = fmt::format(
          "report file '{}' is a directory or empty: give a file name such as report.html", path);
    return false;
  }
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) {
    if (error)
      *error = fmt::format(
          "cannot write the report {}: directory {} does not exist (create it or choose another "
          "path)",
          path, dir.string());
    return false;
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    if (error)
      *error = fmt::format("cannot write the report {}: directory {} is not writable ({})", path,
                           dir.string(), std::strerror(errno));
    return false;
  }
  return true;
}

int report_main(const std::string& eve_path, const std::string& html_out,
                const ReportOptions& opts) {
  if (auto err = validate_report_options(opts); !err.empty()) {
    std::fprintf(stderr, "wormwatch report: %s\n", err.c_str());
    return 1;
  }
  if (eve_path != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(eve_path, ec)) {
      std::fprintf(stderr,
                   "wormwatch report: %s is a directory; give the EVE file (for example "
                   "%s/eve.json)\n",
                   eve_path.c_str(), eve_path.c_str());
      return 1;
    }
  }
  if (html_out.empty()) {
    std::fprintf(stderr,
                 "wormwatch report: no output file: give -o report.html (or -o - for "
                 "standard output)\n");
    return 1;
  }
  ReportAggregator agg(opts);
  auto r = agg.feed_file(eve_path);
  if (!r.opened) {
    std::fprintf(stderr, "wormwatch report: %s\n", r.error.c_str());
    return 1;
  }
  if (r.bad_lines) {
    if (!opts.quiet) {
      for (const auto& m : r.bad_line_messages)
        std::fprintf(stderr, "wormwatch report: %s: skipped %s\n", eve_path.c_str(), m.c_str());
      if (r.bad_lines > r.bad_line_messages.size())
        std::fprintf(stderr, "wormwatch report: %s: %llu more bad lines skipped\n",
                     eve_path.c_str(),
                     static_cast<unsigned long long>(r.bad_lines - r.bad_line_messages.size()));
    }
    std::fprintf(stderr,
                 "wormwatch report: %s: %llu of %llu lines were not EVE records and were "
                 "skipped\n",
                 eve_path.c_str(), static_cast<unsigned long long>(r.bad_lines),
                 static_cast<unsigned long long>(r.lines));
  }
  if (r.lines == r.bad_lines) {
    std::fprintf(stderr,
                 "wormwatch report: %s holds no EVE record (%s); give the eve.json a wormwatch "
                 "run wrote\n",
                 eve_path.c_str(), r.lines ? "no line parsed" : "the file is empty");
    return 1;
  }
  std::string err;
  if (!write_report_html(agg, html_out, &err)) {
    std::fprintf(stderr, "wormwatch report: %s\n", err.c_str());
    return 1;
  }
  if (!opts.quiet) {
    std::fputs(agg.terminal_summary().c_str(), stderr);
    if (html_out != "-") std::fprintf(stderr, "  report       %s\n", html_out.c_str());
  }
  return 0;
}

}  // namespace ww
