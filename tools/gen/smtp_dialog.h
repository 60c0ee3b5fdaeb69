#pragma once
// ESMTP sessions with the features mail traffic of 2004 and evasive clients
// use: PIPELINING (RFC 2920), CHUNKING/BDAT (RFC 3030, including BDAT 0
// LAST), RSET, rejected recipients, a message rejected after its data. The
// simple lock-step dialogue of smtp_session.h stays as it is for the "smtp"
// scenario; outbreak scenarios use this one.
//
// Each transaction marks the segment that carries its MAIL FROM
// (TcpFlow::mark), so the scenario can put its time in the ground truth.

#include <cstdint>
#include <string>
#include <vector>

#include "tools/gen/rng.h"
#include "tools/gen/tcp_flow.h"

namespace ww::gen {

struct SmtpDialogTransaction {
  std::string mail_from;                    // without angle brackets
  std::vector<std::string> rcpt_to;         // accepted recipients (at least one)
  std::vector<std::string> rejected_rcpts;  // answered 550 (sent before the accepted ones)
  std::string message;                      // exact message bytes, not dot-stuffed
  bool pipelined = false;    // MAIL, RCPTs and DATA in one segment burst, replies together
  bool rset_before = false;  // an aborted MAIL/RCPT first, then RSET
  bool bdat = false;         // BDAT chunks instead of DATA
  std::vector<size_t> bdat_chunks;  // chunk sizes (the rest goes in a last chunk)
  bool bdat_zero_last = false;      // end with "BDAT 0 LAST" instead of a LAST chunk
  bool rejected = false;            // the server answers 554 after the data
};

struct SmtpDialog {
  std::string server_name = "mail.example.com";
  std::string banner = "ESMTP Postfix";
  std::string client_name = "client.example.org";
  bool esmtp = true;
  bool chunking = false;  // advertise CHUNKING
  std::vector<SmtpDialogTransaction> transactions;
  bool quit = true;
};

void add_smtp_dialog(TcpFlow& flow, const SmtpDialog& dialog, Rng& rng);

}  // namespace ww::gen
