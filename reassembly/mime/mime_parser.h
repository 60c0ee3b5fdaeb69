#pragma once
// Streaming MIME decoder for one message (one SMTP transaction): a push parser fed
// the message bytes in any split, reporting headers, parts, decoded part data and
// anomalies to an injected MimeEventSink. See NOTES.md for the states, the
// two-readings policy and the limits.
//
//   MimeCounters counters;                     // one per worker
//   MimeParser parser(config, counters, sink); // one per SMTP session
//   parser.feed(bytes); parser.gap(n); ...     // the message, after dot-unstuffing
//   parser.end();                              // message complete (or abandoned)
//   parser.reset();                            // next transaction
//
// Memory is bounded by the config (header field, boundary stack, delimiter
// candidate, two 4 KiB decode buffers), never by the message size. Never throws on
// message content.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reassembly/mime/header_params.h"
#include "reassembly/mime/mime_config.h"
#include "reassembly/mime/mime_counters.h"
#include "reassembly/mime/mime_events.h"
#include "reassembly/mime/transfer_decoder.h"
#include "reassembly/mime/uuencode.h"

namespace ww {

class MimeParser : private mime::UuencodeScanner::Events {
 public:
  // The config, counters and sink must outlive the parser.
  MimeParser(const MimeConfig& config, MimeCounters& counters, MimeEventSink& sink);
  MimeParser(const MimeParser&) = delete;
  MimeParser& operator=(const MimeParser&) = delete;

  // More message bytes. Read during the call only.
  void feed(std::span<const uint8_t> bytes);
  // `length` message bytes are missing here.
  void gap(uint64_t length);
  // The message is complete (or will get no more bytes): open parts are closed and
  // on_message_end is reported. Later feed()/gap() are ignored (data_after_end).
  void end();
  // Ready for the next message; ends the current one first if it got any input.
  void reset();

  bool ended() const { return ended_; }

 private:
  using AnomalyBits = mime::AnomalyBits;

  // Identity of one reported part, and the anomalies already reported for it.
  struct PartTag {
    uint32_t index = kMimeNoPart;
    uint32_t depth = 0;
    std::string id;
    AnomalyBits reported;
  };

  // Where decoded bytes of one part go, with the per-part limit. `tag` is the
  // entity's own tag for a primary reading, `own` for alternates and uuencode.
  struct PartOutput {
    PartTag own;
    PartTag* tag = &own;
    uint64_t delivered = 0;
    uint64_t truncated_bytes = 0;
    uint64_t gap_bytes = 0;
    bool truncated = false;
    bool had_gap = false;
    void start(PartTag* t);
    void start_own(uint32_t index, uint32_t depth, std::string id);
  };

  // One decoded reading of the open leaf: the primary one, or the alternate one
  // (conflicting Content-Transfer-Encodings). A uuencode block found in its text
  // is a part of its own.
  struct Stream {
    PartOutput out;
    mime::TransferDecoder decoder;
    mime::UuencodeScanner uu;
    bool scan_uu = false;
    PartOutput uu_out;
    bool uu_open = false;     // uu_out is a begun part
    bool uu_ignored = false;  // the block was refused (max_parts)
    uint32_t uu_blocks = 0;
    uint64_t produced = 0;  // decoded so far, delivered or not
    std::array<uint8_t, 4096> buf{};
    size_t buf_len = 0;
  };

  enum class Kind : uint8_t { leaf, multipart, message };
  enum class Phase : uint8_t { headers, body, epilogue };

  struct Entity {
    PartTag tag;
    uint32_t parent = kMimeNoPart;
    Kind kind = Kind::leaf;
    Phase phase = Phase::headers;
    bool message_top = false;   // the top entity of a message: headers reported
    bool in_multipart = false;  // a child of a multipart
    bool in_digest = false;     // default type message/rfc822
    bool closed = false;        // multipart: close delimiter seen
    bool overflow = false;      // multipart: max_parts hit, rest is one opaque part
    bool had_gap = false;
    uint8_t seen_fields = 0;  // reported header fields seen (duplicates)
    std::string child_prefix;
    uint32_t next_child = 1;
    mime::ContentFields fields;
  };

  // One boundary of the stack, followed while a line may be a delimiter.
  struct Candidate {
    uint32_t entity = 0;  // stack position of the multipart
    const std::string* boundary = nullptr;
    uint8_t state = 0;
  };

  // line machine (mime_parser.cc)
  void process(const uint8_t* p, const uint8_t* end);
  const uint8_t* body_run(const uint8_t* p, const uint8_t* end);
  const uint8_t* candidate_step(const uint8_t* p, const uint8_t* end);
  void start_candidate();
  void candidate_as_text(bool cr_before_lf);
  bool candidate_delimiter(bool at_line_end, bool padding_overflow);
  bool matched_boundary_padding() const;
  void line_content(std::span<const uint8_t> bytes);
  void line_end(uint8_t eol_len);
  void release_held_eol();
  void flush_line_state();

  // header blocks (mime_parser_headers.cc)
  void header_content(std::span<const uint8_t> bytes);
  void header_line_end(uint8_t eol_len);
  void block_overflow(Entity& e);
  void finish_field();
  void process_field(std::string_view name, std::string_view value);
  void report_message_header(Entity& e, MimeHeaderField f, std::string_view name,
                             std::string_view value);
  void reset_header_state();

  // entities (mime_parser_entity.cc)
  Entity& top() { return stack_[depth_ - 1]; }
  Entity& push_entity(uint32_t parent_pos, bool message_top);
  void end_headers();
  void begin_leaf(Entity& e, std::string_view type, bool opaque);
  MimePartInfo part_info(const Entity& e, std::string_view type) const;
  void emit_begin(MimePartInfo& info);
  void choose_file_names(Entity& e);
  void add_file_name(std::string_view name, bool alternate_only);
  void on_delimiter(uint32_t pos, bool close);
  void enter_overflow(uint32_t pos);
  void close_above(uint32_t pos, bool unterminated);
  void close_top(bool unterminated);
  void emit_end(const PartTag& tag, MimePartState state, uint64_t delivered,
                uint64_t truncated_bytes, uint64_t gap_bytes);
  void end_output(const PartOutput& out, bool entity_gap, bool unterminated);
  bool boundaries_active() const { return active_multiparts_ > 0; }

  // leaf bodies (mime_parser_body.cc)
  void body_bytes(std::span<const uint8_t> bytes);
  void stream_feed(Stream& s, std::span<const uint8_t> bytes);
  void stream_flush(Stream& s);
  void stream_event(Stream& s, MimeAnomaly a);
  void flush_streams();
  void decoded_in_buffer(Stream& s, size_t at, size_t n);
  void decoded(Stream& s, std::span<const uint8_t> bytes, bool buffered);
  void deliver_text(Stream& s, std::span<const uint8_t> bytes);
  void deliver(PartOutput& out, std::span<const uint8_t> bytes, bool report_limit);
  void scan_text(Stream& s, std::span<const uint8_t> text);
  void finish_stream(Stream& s, bool unterminated);
  void gap_streams(uint64_t length);
  void uu_begin(std::string_view name) override;
  void uu_data(std::span<const uint8_t> bytes) override;
  void uu_end(bool complete) override;
  void uu_bad_line() override;

  // events
  void report(PartTag& tag, MimeAnomaly a);
  void report_bits(PartTag& tag, const AnomalyBits& bits);
  uint32_t next_index() { return next_index_++; }

  const MimeConfig* config_;
  MimeCounters* counters_;
  MimeEventSink* sink_;

  // message
  PartTag message_tag_;  // message-level anomalies
  uint32_t next_index_ = 0;
  uint32_t parts_used_ = 0;  // counted against max_parts
  uint64_t bytes_ = 0;
  uint64_t gap_bytes_ = 0;
  bool incomplete_ = false;
  bool ended_ = false;

  // entity stack: slots are reused, never shrunk
  std::vector<Entity> stack_;
  uint32_t depth_ = 0;
  uint32_t active_multiparts_ = 0;

  // line machine
  bool line_start_ = true;
  bool pending_cr_ = false;    // a CR ended the last feed inside a line
  uint8_t held_eol_ = 0;       // line end that may belong to the next delimiter
  bool discard_line_ = false;  // rest of a delimiter line
  uint64_t line_len_ = 0;
  bool in_candidate_ = false;
  std::string cand_;                   // bytes of a possible delimiter line
  std::vector<Candidate> candidates_;  // boundaries it may still match
  size_t cand_cap_ = 0;
  uint32_t cand_blanks_ = 0;  // blanks at the end of cand_
  bool cand_trailing_text_ = false;
  uint32_t cand_trailing_entity_ = 0;

  // header block of the top entity
  std::string field_;
  std::string replay_;
  bool field_active_ = false;
  bool field_cut_ = false;
  bool header_line_start_ = true;
  bool header_first_line_ = true;
  bool header_line_blank_ = true;
  uint64_t header_line_len_ = 0;
  uint64_t header_block_bytes_ = 0;
  bool header_block_cut_ = false;

  // open leaf
  std::array<Stream, 2> streams_;
  uint32_t stream_count_ = 0;
  Stream* uu_stream_ = nullptr;  // the stream whose text the uuencode scanner is reading

  // scratch for part-begin events
  std::string file_name_;
  std::vector<std::string> alt_names_;
  bool file_name_cut_ = false;
  std::string text_;
};

}  // namespace ww
