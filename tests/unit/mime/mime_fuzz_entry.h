#pragma once
// Header-only fuzz entry for the MIME decoder. A libFuzzer harness is one line:
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
//     return ww::mime_fuzz_one(d, n);
//   }
//
// The first bytes choose small limits; the rest is the message. It is parsed in one
// feed, then in pieces chosen by the input, then with gaps; the first two must give
// the same event log (split invariance), and every run must keep the sink contract
// and the limits (CheckingLogSink). A violation aborts.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/mime_config.h"
#include "reassembly/mime/mime_counters.h"
#include "reassembly/mime/mime_events.h"
#include "reassembly/mime/mime_parser.h"

namespace ww::mime_fuzz {

// Records a canonical log (every event but data, each with the byte count its part
// had delivered at that moment), the data of each part, and the first violation of
// the sink contract or of the configured limits.
class CheckingLogSink : public MimeEventSink {
 public:
  explicit CheckingLogSink(const MimeConfig& config) : config_(config) {}

  struct Part {
    MimePartInfo info;  // views reset; the strings below own the text
    std::string id;
    std::string content_type;
    std::string charset;
    std::string disposition;
    std::string encoding_token;
    std::string file_name;
    std::vector<std::string> alternate_names;
    std::string partial_id;
    std::string data;
    uint64_t gaps = 0;
    bool open = true;
    MimePartEnd end;
  };

  void on_header(const MimeHeader& h) override {
    check(!message_ended_, "header after message end");
    check(valid_utf8(h.decoded), "decoded header is not valid UTF-8");
    log_ += "H " + std::to_string(h.part) + " " + std::string(h.part_id) + " " +
            mime_header_field_name(h.field) + " [" + std::string(h.name) + "] [" +
            std::string(h.raw) + "] [" + std::string(h.decoded) + "]" +
            (h.truncated ? " cut" : "") + "\n";
    headers.push_back(h.field);
    header_decoded.emplace_back(h.decoded);
  }

  void on_part_begin(const MimePartInfo& p) override {
    check(!message_ended_, "part begin after message end");
    check(!parts.contains(p.part), "part begins twice");
    check(p.parent == kMimeNoPart ? parts.empty() : is_open(p.parent), "parent not open");
    check(!p.id.empty(), "empty part id");
    check(p.depth <= config_.max_depth + 1, "part deeper than max_depth allows");
    check(p.file_name.size() <= config_.max_file_name_bytes, "file name over the limit");
    check(valid_utf8(p.file_name), "file name not valid UTF-8");
    check(p.alternate_names.size() + (p.file_name.empty() ? 0 : 1) <= config_.max_file_names,
          "too many file names");
    for (const std::string& n : p.alternate_names) {
      check(n.size() <= config_.max_file_name_bytes && valid_utf8(n), "bad alternate name");
    }
    check(parts.size() < 4 * static_cast<size_t>(config_.max_parts) + 8, "parts unbounded");
    Part& part = parts[p.part];
    part.info = p;
    part.id = p.id;
    part.content_type = p.content_type;
    part.charset = p.charset;
    part.disposition = p.disposition;
    part.encoding_token = p.encoding_token;
    part.file_name = p.file_name;
    part.alternate_names.assign(p.alternate_names.begin(), p.alternate_names.end());
    part.partial_id = p.partial_id;
    part.info.id = {};
    part.info.content_type = {};
    part.info.charset = {};
    part.info.disposition = {};
    part.info.encoding_token = {};
    part.info.file_name = {};
    part.info.alternate_names = {};
    part.info.partial_id = {};
    order.push_back(p.part);
    std::string alts;
    for (const std::string& n : p.alternate_names) alts += "|" + n;
    log_ += "B " + std::to_string(p.part) + " " + std::string(p.id) +
            " parent=" + (p.parent == kMimeNoPart ? std::string("-") : std::to_string(p.parent)) +
            " depth=" + std::to_string(p.depth) + " " + mime_part_kind_name(p.kind) + " [" +
            std::string(p.content_type) + "] cs=" + std::string(p.charset) +
            " disp=" + std::string(p.disposition) + " enc=" + mime_encoding_name(p.encoding) + "/" +
            std::string(p.encoding_token) + " name=[" + std::string(p.file_name) + "] alts=[" +
            alts + "]" + (p.file_name_truncated ? " name_cut" : "") +
            (p.is_attachment ? " attachment" : "") + (p.is_file ? " file" : "") +
            (p.alternate_reading ? " alternate" : "") + (p.opaque ? " opaque" : "") +
            (p.partial_id.empty() && p.partial_number == 0
                 ? std::string()
                 : " partial=" + std::string(p.partial_id) + "/" +
                       std::to_string(p.partial_number) + "/" + std::to_string(p.partial_total)) +
            "\n";
  }

  void on_part_data(uint32_t part, std::span<const uint8_t> bytes) override {
    check(!bytes.empty(), "empty data");
    check(is_open(part), "data for a part that is not open");
    if (!is_open(part)) return;
    Part& p = parts[part];
    check(p.info.kind == MimePartKind::leaf || p.info.kind == MimePartKind::uuencoded,
          "data for a container");
    p.data.append(bytes.begin(), bytes.end());
    check(config_.max_part_bytes == 0 || p.data.size() <= config_.max_part_bytes,
          "part over max_part_bytes");
  }

  void on_part_gap(uint32_t part, uint64_t lost) override {
    check(lost > 0, "gap of 0");
    check(is_open(part), "gap for a part that is not open");
    if (!is_open(part)) return;
    ++parts[part].gaps;
    log_ += "G " + std::to_string(part) + " " + std::to_string(lost) + " at " +
            std::to_string(parts[part].data.size()) + "\n";
  }

  void on_part_end(const MimePartEnd& e) override {
    check(is_open(e.part), "end for a part that is not open");
    if (!is_open(e.part)) return;
    for (const auto& [index, p] : parts) {
      if (p.open && index != e.part && descends_from(index, e.part)) {
        error_once("part ends before its descendant " + p.id);
      }
    }
    Part& p = parts[e.part];
    p.open = false;
    p.end = e;
    p.end.id = {};
    check(e.decoded_bytes == p.data.size(), "decoded_bytes differs from the data delivered");
    check(e.state != MimePartState::gap || p.gaps > 0 || e.gap_bytes == 0 ||
              p.info.kind != MimePartKind::leaf,
          "gap state without a gap");
    log_ += "E " + std::to_string(e.part) + " " + std::string(e.id) + " " +
            mime_part_state_name(e.state) + " " + std::to_string(e.decoded_bytes) + " " +
            std::to_string(e.truncated_bytes) + " " + std::to_string(e.gap_bytes) + "\n";
  }

  void on_anomaly(const MimeAnomalyEvent& a) override {
    check(a.kind < MimeAnomaly::kCount, "anomaly out of range");
    const std::pair<uint32_t, MimeAnomaly> key{a.part, a.kind};
    check(!reported_.contains(key), "anomaly reported twice for one part");
    reported_.insert(key);
    anomalies.insert(a.kind);
    anomaly_list.push_back(a.kind);
    const auto it = parts.find(a.part);
    const size_t at = it == parts.end() ? 0 : it->second.data.size();
    log_ += "A " + std::string(mime_anomaly_name(a.kind)) + " " +
            (a.part == kMimeNoPart ? std::string("-") : std::to_string(a.part)) + " " +
            std::string(a.part_id) + " at " + std::to_string(at) + "\n";
  }

  void on_message_end(const MimeMessageEnd& m) override {
    check(!message_ended_, "message ends twice");
    for (const auto& [index, p] : parts) {
      if (p.open) error_once("part " + p.id + " still open at message end");
    }
    message_ended_ = true;
    message_end = m;
    log_ += "M " + std::to_string(m.parts) + " " + std::to_string(m.bytes) + " " +
            std::to_string(m.gap_bytes) + (m.complete ? " complete" : " incomplete") + "\n";
  }

  // The log with every part's data appended.
  std::string full_log() const {
    std::string out = log_;
    for (const auto& [index, p] : parts) {
      out += "D " + std::to_string(index) + " " + std::to_string(p.data.size()) + " [" + p.data +
             "]\n";
    }
    return out;
  }
  const std::string& log() const { return log_; }
  const std::string& error() const { return error_; }
  bool message_ended() const { return message_ended_; }

  bool has(MimeAnomaly a) const { return anomalies.contains(a); }
  // The part with the given id, or nullptr.
  const Part* find(std::string_view id) const {
    for (const auto& [index, p] : parts) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
  // Data of every part marked is_file, in begin order.
  std::vector<const Part*> files() const {
    std::vector<const Part*> out;
    for (uint32_t i : order) {
      if (parts.at(i).info.is_file) out.push_back(&parts.at(i));
    }
    return out;
  }

  std::map<uint32_t, Part> parts;
  std::vector<uint32_t> order;
  std::set<MimeAnomaly> anomalies;
  std::vector<MimeAnomaly> anomaly_list;
  std::vector<MimeHeaderField> headers;
  std::vector<std::string> header_decoded;
  MimeMessageEnd message_end;

 private:
  static bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      const size_t n = mime::utf8_sequence_length(s, i);
      if (n == 0) return false;
      i += n;
    }
    return true;
  }
  bool is_open(uint32_t part) const {
    const auto it = parts.find(part);
    return it != parts.end() && it->second.open;
  }
  bool descends_from(uint32_t part, uint32_t ancestor) const {
    for (int hops = 0; hops < 10000; ++hops) {
      const auto it = parts.find(part);
      if (it == parts.end() || it->second.info.parent == kMimeNoPart) return false;
      part = it->second.info.parent;
      if (part == ancestor) return true;
    }
    return false;
  }
  void check(bool ok, const char* what) {
    if (!ok) error_once(what);
  }
  void error_once(const std::string& what) {
    if (error_.empty()) error_ = what;
  }

  const MimeConfig& config_;
  std::string log_;
  std::string error_;
  std::set<std::pair<uint32_t, MimeAnomaly>> reported_;
  bool message_ended_ = false;
};

// Feeds `msg` in pieces whose sizes come from `sizes` (cycled; 0 → whole rest).
inline void feed_in_pieces(MimeParser& parser, std::span<const uint8_t> msg,
                           std::span<const size_t> sizes) {
  size_t at = 0;
  size_t k = 0;
  while (at < msg.size()) {
    size_t n = sizes.empty() ? msg.size() : sizes[k++ % sizes.size()];
    if (n == 0 || n > msg.size() - at) n = msg.size() - at;
    parser.feed(msg.subspan(at, n));
    at += n;
  }
}

// Limits small enough for a fuzzer to reach, chosen by two bytes.
inline MimeConfig fuzz_config(uint8_t a, uint8_t b) {
  MimeConfig c;
  c.max_depth = 1 + (a & 7);
  c.max_parts = 1 + ((a >> 3) & 31);
  c.max_header_line_bytes = 78 + (b & 15) * 16;
  c.max_header_block_bytes = c.max_header_line_bytes * (1 + ((b >> 4) & 3));
  c.max_part_bytes = (b & 64) ? 0 : 64 + (a & 0x0F) * 64;
  c.max_boundary_bytes = 70;
  c.max_boundaries_per_part = 1 + (b & 1) * 2;
  c.max_delimiter_padding = (a & 0x80) ? 4 : 256;
  c.max_file_name_bytes = 16 + (b & 3) * 8;
  c.max_file_names = 1 + ((a >> 6) & 1) * 2;
  c.max_line_bytes = 78;
  return c;
}

}  // namespace ww::mime_fuzz

namespace ww {

// Runs one fuzz input; returns the first problem found, empty when none.
inline std::string mime_fuzz_check(const uint8_t* data, size_t size) {
  if (size < 2) return {};
  const MimeConfig config = mime_fuzz::fuzz_config(data[0], data[1]);
  if (const std::string bad = validate(config); !bad.empty()) return "fuzz config: " + bad;
  const std::span<const uint8_t> msg(data + 2, size - 2);
  MimeCounters counters;

  mime_fuzz::CheckingLogSink whole(config);
  {
    MimeParser parser(config, counters, whole);
    parser.feed(msg);
    parser.end();
  }
  // Piece sizes derived from the input itself (1..16 bytes).
  std::vector<size_t> sizes;
  for (size_t i = 0; i < msg.size() && sizes.size() < 64; i += 7) {
    sizes.push_back(1 + (msg[i] & 15));
  }
  mime_fuzz::CheckingLogSink pieces(config);
  {
    MimeParser parser(config, counters, pieces);
    mime_fuzz::feed_in_pieces(parser, msg, sizes);
    parser.end();
  }
  // Gaps instead of some pieces: only the contract is checked.
  mime_fuzz::CheckingLogSink gappy(config);
  {
    MimeParser parser(config, counters, gappy);
    size_t at = 0;
    size_t k = 0;
    while (at < msg.size()) {
      const size_t piece = sizes.empty() ? msg.size() : sizes[k % sizes.size()];
      const size_t n = std::min(msg.size() - at, piece);
      if (k % 5 == 3) {
        parser.gap(n);
      } else {
        parser.feed(msg.subspan(at, n));
      }
      at += n;
      ++k;
    }
    parser.end();
  }
  for (const auto* s : {&whole, &pieces, &gappy}) {
    if (!s->error().empty()) return "contract: " + s->error() + "\n" + s->log();
    if (!s->message_ended()) return "no message end";
  }
  if (whole.full_log() != pieces.full_log()) {
    return "split changed the events:\n" + whole.full_log() + "----\n" + pieces.full_log();
  }
  return {};
}

inline int mime_fuzz_one(const uint8_t* data, size_t size) {
  if (!mime_fuzz_check(data, size).empty()) std::abort();
  return 0;
}

}  // namespace ww
