#include "reassembly/mime/mime_events.h"

namespace ww {

const char* mime_header_field_name(MimeHeaderField f) {
  switch (f) {
    case MimeHeaderField::from:
      return "from";
    case MimeHeaderField::to:
      return "to";
    case MimeHeaderField::cc:
      return "cc";
    case MimeHeaderField::subject:
      return "subject";
    case MimeHeaderField::message_id:
      return "message-id";
    case MimeHeaderField::date:
      return "date";
    case MimeHeaderField::x_mailer:
      return "x-mailer";
  }
  return "unknown";
}

const char* mime_part_kind_name(MimePartKind k) {
  switch (k) {
    case MimePartKind::leaf:
      return "leaf";
    case MimePartKind::multipart:
      return "multipart";
    case MimePartKind::message:
      return "message";
    case MimePartKind::uuencoded:
      return "uuencoded";
  }
  return "unknown";
}

const char* mime_part_state_name(MimePartState s) {
  switch (s) {
    case MimePartState::complete:
      return "complete";
    case MimePartState::truncated:
      return "truncated";
    case MimePartState::gap:
      return "gap";
  }
  return "unknown";
}

const char* mime_encoding_name(MimeEncoding e) {
  switch (e) {
    case MimeEncoding::none:
      return "";
    case MimeEncoding::seven_bit:
      return "7bit";
    case MimeEncoding::eight_bit:
      return "8bit";
    case MimeEncoding::binary:
      return "binary";
    case MimeEncoding::base64:
      return "base64";
    case MimeEncoding::quoted_printable:
      return "quoted-printable";
    case MimeEncoding::uuencode:
      return "x-uuencode";
    case MimeEncoding::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace ww
