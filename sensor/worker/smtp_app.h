#pragma once
// The SMTP application of one reassembled TCP flow: the session parser on both
// byte streams, the streaming MIME decoder on each message body, and the file
// assembler on its parts. It turns their events into EVE records: one `smtp`
// record per transaction (envelope, email headers, attachment names, the
// server's final reply), one `fileinfo` per file (handed to the worker, which
// scans it or writes it), and `anomaly` records.
//
// Memory: the session, the MIME parser and the open files are bounded by their
// configs; per transaction the envelope and headers are kept until its record is
// written (recipients capped by smtp.max_recipients, header values by
// mime.max_header_line_bytes).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reassembly/files/file_assembler.h"
#include "reassembly/mime/mime_parser.h"
#include "reassembly/smtp/smtp_session.h"
#include "reassembly/tcp/stream_sink.h"
#include "sensor/config/config.h"
#include "sensor/flow/flow.h"
#include "sensor/output/eve.h"
#include "sensor/output/sink.h"
#include "sensor/stats/mail_stats.h"

namespace ww {

// A finished file with the record that describes it (everything but the scan).
struct ExtractedFile {
  Json record;  // EVE fileinfo record (header, smtp, email, fileinfo objects)
  FileReport file;
  IpAddress sender;  // the SMTP client
  IpAddress server;
  uint16_t sender_port = 0;
  uint16_t server_port = 0;
  int64_t ts_us = 0;
  std::shared_ptr<MailTally> message;  // the message it came in (mail statistics), or null
};

class ExtractedFileHandler {
 public:
  virtual ~ExtractedFileHandler() = default;
  virtual void on_extracted(ExtractedFile&& f) = 0;
};

// What a worker shares with all its SMTP flows.
struct SmtpAppEnv {
  const Config& cfg;
  OutputHub& out;
  const int64_t& now_us;  // packet time of the packet being handled
  SmtpCounters smtp;
  MimeCounters mime;
  FileCounters files;
  uint64_t smtp_records = 0;
  uint64_t sessions = 0;
  Sniffer sniffer;
  Filestore* store = nullptr;  // filestore on (mode all or alerted)
  ExtractedFileHandler* files_out = nullptr;
  MailStats* mail = nullptr;  // mail statistics (engine-wide), or null
  // Told about every message sent (the host tracker counts them).
  std::function<void(const Flow&, uint32_t recipients)> on_message;
  SmtpAppEnv(const Config& c, OutputHub& o, const int64_t& now) : cfg(c), out(o), now_us(now) {}
};

class SmtpFlowApp final : public StreamSink,
                          private SmtpEventSink,
                          private MimeEventSink,
                          private FileReportHandler {
 public:
  SmtpFlowApp(SmtpAppEnv& env, const Flow& flow);
  ~SmtpFlowApp() override;

  // StreamSink: the reassembled streams.
  void on_data(Direction dir, std::span<const uint8_t> bytes) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Direction dir) override;
  void on_anomaly(Direction, TcpAnomaly) override {}

  const SmtpSession& session() const { return session_; }

 private:
  struct Txn {
    uint32_t id = 0;
    int64_t ts_us = 0;
    std::string mail_from;
    bool mail_from_seen = true;
    bool midstream = false;
    std::vector<std::string> rcpt_to;
    std::vector<std::string> rcpt_rejected;
    bool data_began = false;
    SmtpDataKind data_kind = SmtpDataKind::data;
    Json email = Json::object();        // from, to, cc, subject, ... as they come
    std::vector<std::string> attachments;
    uint32_t files = 0;
    uint32_t files_not_reported = 0;
    bool body_ended = false;
    bool body_complete = false;
    uint64_t body_bytes = 0;
    uint64_t body_gap_bytes = 0;
    bool mime_complete = false;
    uint16_t reply_code = 0;
    std::string reply_text;
    std::string eml_sha256;
    Filestore::Writer eml;
    std::unique_ptr<FileHasher> eml_hash;
    std::shared_ptr<MailTally> tally;  // mail statistics: held until the transaction ends
  };

  // SmtpEventSink
  void on_greeting(const SmtpGreeting& g) override;
  void on_helo(const SmtpHelo& h) override;
  void on_auth(const SmtpAuth& a) override;
  void on_tls_started(uint16_t reply_code) override;
  void on_transaction_began(const SmtpTransactionBegan& t) override;
  void on_recipient(const SmtpRecipient& r) override;
  void on_data_began(const SmtpDataBegan& d) override;
  void on_body(uint32_t transaction, std::span<const uint8_t> bytes) override;
  void on_body_gap(uint32_t transaction, uint64_t length) override;
  void on_body_end(const SmtpBodyEnd& b) override;
  void on_data_ended(const SmtpDataEnded& d) override;
  void on_transaction_ended(const SmtpTransactionEnded& t) override;
  void on_anomaly(const SmtpAnomalyEvent& a) override;
  // MimeEventSink
  void on_header(const MimeHeader& h) override;
  void on_part_begin(const MimePartInfo& p) override;
  void on_part_data(uint32_t part, std::span<const uint8_t> bytes) override;
  void on_part_gap(uint32_t part, uint64_t lost) override;
  void on_part_end(const MimePartEnd& e) override;
  void on_anomaly(const MimeAnomalyEvent& a) override;
  void on_message_end(const MimeMessageEnd& e) override;
  // FileReportHandler
  void on_file(FileReport&& r) override;

  Txn* txn(uint32_t id);
  Json header(const char* event_type) const;
  Json smtp_object(const Txn& t) const;
  void emit_anomaly(const char* type, const char* event, const char* direction, uint32_t txn_id,
                    std::string_view part_id = {});

  SmtpAppEnv& env_;
  const Flow& flow_;
  EveEndpoints ep_;
  std::string helo_;
  bool tls_ = false;
  std::string auth_mechanism_;
  std::vector<Txn> txns_;  // open transactions (bounded by the session's queue)
  uint32_t body_txn_ = 0;  // transaction whose body the MIME parser is reading
  SmtpSession session_;
  MimeParser mime_;
  FileAssembler files_;
};

// "a@b, \"Doe, J\" <j@d>" -> ["a@b", "\"Doe, J\" <j@d>"]: commas inside quotes
// or angle brackets do not split; items are trimmed, empty ones dropped.
std::vector<std::string> split_address_list(std::string_view s);

}  // namespace ww
