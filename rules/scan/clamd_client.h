#pragma once
// The clamd backend: each scan opens one connection to clamd and streams the
// attachment with zINSTREAM (4-byte big-endian chunk lengths, a zero-length
// terminator), then reads one NUL-terminated reply. clamd's own configuration
// (its databases, limits, StreamMaxLength) decides; this side only bounds the
// time with send/receive timeouts.

#include <optional>
#include <string>
#include <string_view>

#include "rules/scan/scan_backend.h"

namespace ww {

struct ClamdAddress {
  bool unix_socket = false;
  std::string path;  // unix socket
  std::string host;  // TCP
  std::string port;
  std::string text;  // as configured, for messages
};

// "/run/clamav/clamd.ctl", "unix:/path", "host:port", "[v6]:port". Sets *error
// and returns nullopt for anything else.
std::optional<ClamdAddress> parse_clamd_address(std::string_view text, std::string* error);

// Interprets one INSTREAM reply (terminator already stripped or not):
// "stream: OK" clean, "stream: <name> FOUND" infected, anything else an error
// carrying clamd's text ("INSTREAM size limit exceeded. ERROR").
ScanVerdict parse_clamd_reply(std::string_view reply);

class ClamdBackend final : public ScanBackend {
 public:
  // Sends zPING and expects PONG. Throws ScanSetupError naming the address and
  // the fix when clamd cannot be reached or does not answer.
  static std::shared_ptr<const ClamdBackend> connect(const ScanConfig& config, uint64_t generation);

  ScanVerdict scan(std::string_view data) const noexcept override;
  uint64_t generation() const override { return generation_; }
  unsigned signatures() const override { return 0; }
  std::string describe() const override;

  // One command ("zPING", "zVERSION") and its reply; sets *error on failure.
  std::optional<std::string> command(std::string_view cmd, std::string* error) const;

 private:
  ClamdBackend(ClamdAddress address, uint32_t timeout_ms, uint64_t generation)
      : address_(std::move(address)), timeout_ms_(timeout_ms), generation_(generation) {}
  int open_connection(std::string* error) const;  // -1 on failure

  ClamdAddress address_;
  uint32_t timeout_ms_;
  uint64_t generation_;
  std::string version_;
};

}  // namespace ww
