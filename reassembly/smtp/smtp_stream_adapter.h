#pragma once
// Glue for when the flow wires SMTP in: a StreamSink that forwards TCP
// reassembly's push calls to an SmtpSession. Header-only, no state of its own.

#include "reassembly/smtp/smtp_session.h"
#include "reassembly/tcp/stream_sink.h"

namespace ww {

class SmtpStreamAdapter final : public StreamSink {
 public:
  explicit SmtpStreamAdapter(SmtpSession& session) : session_(session) {}
  void on_data(Direction dir, std::span<const uint8_t> bytes) override {
    session_.feed(dir, bytes);
  }
  void on_gap(Direction dir, uint64_t length) override { session_.gap(dir, length); }
  void on_end(Direction dir) override { session_.end(dir); }
  // Midstream pickup needs no hint: the session recognises a body or a reply
  // stream it joined late from the bytes themselves (see NOTES.md).
  void on_anomaly(Direction, TcpAnomaly) override {}

 private:
  SmtpSession& session_;
};

}  // namespace ww
