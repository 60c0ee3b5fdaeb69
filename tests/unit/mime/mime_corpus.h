#pragma once
// Test messages shared by the parser tests and the property tests. Each builder
// returns the message and, where a test checks it, the attachment it carries.

#include <string>
#include <vector>

#include "tests/unit/mime/mime_test_util.h"

namespace ww::mime_test {

inline const std::string& pdf_bytes() {
  static const std::string s = "%PDF-1.4\n" + random_bytes(700, 11);
  return s;
}
inline const std::string& exe_bytes() {
  static const std::string s = "MZ\x90" + random_bytes(500, 12);
  return s;
}

inline std::string msg_headers_only() {
  return crlf(
      "From: =?utf-8?Q?Ren=C3=A9?= <rene@example.com>\n"
      "To: a@example.com,\n"
      " b@example.com\n"
      "Cc: c@example.com\n"
      "Subject: =?iso-8859-1?Q?Caf=E9?= =?utf-8?B?w6k=?=\n"
      "\tand more\n"
      "Message-ID: <id@x>\n"
      "Date: Tue, 27 Jan 2004 10:00:00 +0000\n"
      "X-Mailer: Worm 1.0\n"
      "Received: from x by y\n"
      "\n"
      "body line\n");
}

inline std::string msg_mixed_pdf() {
  return crlf(
             "From: x@example.com\n"
             "Content-Type: multipart/mixed; boundary=\"b1\"\n"
             "\n"
             "This is a multi-part message in MIME format.\n"
             "--b1\n"
             "Content-Type: text/plain; charset=utf-8\n"
             "\n"
             "Hello\n"
             "--b1\n"
             "Content-Type: application/pdf; name=\"doc.pdf\"\n"
             "Content-Disposition: attachment; filename=\"doc.pdf\"\n"
             "Content-Transfer-Encoding: base64\n"
             "\n") +
         base64(pdf_bytes()) + crlf("--b1--\nepilogue\n");
}

inline std::string msg_nested() {
  return crlf(
             "Content-Type: multipart/mixed; boundary=m\n"
             "\n"
             "--m\n"
             "Content-Type: multipart/alternative; boundary=a\n"
             "\n"
             "--a\n"
             "Content-Type: text/plain\n"
             "\n"
             "plain\n"
             "--a\n"
             "Content-Type: text/html\n"
             "Content-Transfer-Encoding: quoted-printable\n"
             "\n"
             "<p>caf=C3=A9</p>\n"
             "--a--\n"
             "--m\n"
             "Content-Type: multipart/related; boundary=r\n"
             "\n"
             "--r\n"
             "Content-Type: text/html\n"
             "\n"
             "<img src=cid:i>\n"
             "--r\n"
             "Content-Type: image/png\n"
             "Content-Transfer-Encoding: base64\n"
             "\n") +
         base64(pdf_bytes(), 64) +
         crlf(
             "--r--\n"
             "--m\n"
             "Content-Type: application/zip\n"
             "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.zip\n"
             "Content-Transfer-Encoding: base64\n"
             "\n") +
         base64(exe_bytes()) + crlf("--m--\n");
}

inline std::string msg_rfc822() {
  return crlf(
             "Content-Type: multipart/mixed; boundary=outer\n"
             "\n"
             "--outer\n"
             "Content-Type: text/plain\n"
             "\n"
             "see attached\n"
             "--outer\n"
             "Content-Type: message/rfc822\n"
             "Content-Disposition: attachment; filename=\"fwd.eml\"\n"
             "\n"
             "From: inner@example.com\n"
             "Subject: inner subject\n"
             "Content-Type: multipart/mixed; boundary=inner\n"
             "\n"
             "--inner\n"
             "Content-Type: text/plain\n"
             "\n"
             "inner body\n"
             "--inner\n"
             "Content-Type: application/octet-stream; name=evil.exe\n"
             "Content-Transfer-Encoding: base64\n"
             "\n") +
         base64(exe_bytes()) + crlf("--inner--\n\n--outer--\n");
}

inline std::string msg_uuencode() {
  return crlf("Subject: old school\n\nHere it is:\n\n") + uuencode(exe_bytes(), "virus.exe") +
         crlf("\nbye\n");
}

inline std::string msg_lf_only() {
  return "Content-Type: multipart/mixed; boundary=\"lf\"\n\n--lf\nContent-Type: text/plain\n\n"
         "text\n--lf\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: "
         "base64\n\n" +
         base64(exe_bytes(), 76, "\n") + "--lf--\n";
}

inline std::string msg_mixed_eol() {
  return "Content-Type: multipart/mixed; boundary=x\r\n\n--x\nContent-Type: text/plain\r\n\r\n"
         "a\r\nb\n--x\r\nContent-Transfer-Encoding: base64\nContent-Type: image/gif\r\n\n" +
         base64(pdf_bytes().substr(0, 120), 76, "\n") + "\r\n--x--\r\n";
}

inline std::string msg_evasion() {
  return crlf(
             "Content-Type: multipart/mixed; boundary=A\n"
             "Content-Type: multipart/mixed; boundary=B\n"
             "\n"
             "--A\n"
             "Content-Type: text/plain\n"
             "\n"
             "cover\n"
             "--B\n"
             "Content-Type: application/octet-stream\n"
             "Content-Disposition: attachment; foo=\"x; filename=evil.exe\"; filename=good.txt\n"
             "Content-Transfer-Encoding: base64\n"
             "Content-Transfer-Encoding: quoted-printable\n"
             "\n") +
         base64(exe_bytes().substr(0, 90)) +
         crlf(
             "--A\n"
             "Content-Type: text/plain; name=\"a.txt\n"
             "\n"
             "QP: =ZZ and B64\n"
             "--B--\n");
}

inline std::string msg_broken() {
  return crlf(
      "Subject: =?utf-8?Q?bad\n"
      "X-Mailer: a\n"
      "X-Mailer: b\n"
      "no colon here\n"
      "   \n"
      "Content-Type: multipart/mixed; boundary=q\n"
      "\n"
      "--q\n"
      "Content-Transfer-Encoding: base64\n"
      "Content-Type: application/x\n"
      "\n"
      "QQ==QUJD*!\n"
      "QUJ\n"
      "DRA\n"
      "--qX not a delimiter\n"
      "--q  \t\n"
      "first line is not a header\n"
      "--q\n"
      "Content-Type: message/partial; id=\"p1\"; number=1; total=2\n"
      "\n"
      "part one\n"
      "--q--\n"
      "--q\n"
      "Content-Type: application/octet-stream\n"
      "\n"
      "after close\n");
}

inline std::string msg_digest() {
  return crlf(
      "Content-Type: multipart/digest; boundary=d\n"
      "\n"
      "--d\n"
      "\n"
      "From: one@x\n"
      "Subject: first\n"
      "\n"
      "body one\n"
      "--d\n"
      "Content-Type: message/rfc822; x=1\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "U3ViamVjdDogZW5jb2RlZA0KDQpoaQ0K\n"
      "--d--\n");
}

struct NamedMessage {
  const char* name;
  std::string text;
};

inline std::vector<NamedMessage> corpus() {
  return {
      {"headers_only", msg_headers_only()},
      {"mixed_pdf", msg_mixed_pdf()},
      {"nested", msg_nested()},
      {"rfc822", msg_rfc822()},
      {"uuencode", msg_uuencode()},
      {"lf_only", msg_lf_only()},
      {"mixed_eol", msg_mixed_eol()},
      {"evasion", msg_evasion()},
      {"broken", msg_broken()},
      {"digest", msg_digest()},
  };
}

}  // namespace ww::mime_test
