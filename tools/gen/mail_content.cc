#include "tools/gen/mail_content.h"

#include <algorithm>

#include "tools/gen/time_format.h"
#include "tools/gen/zip_writer.h"

namespace ww::gen::mail {
namespace {

using mime::Bytes;
using mime::Encoding;
using mime::NameStyle;

constexpr std::string_view kCrlf = "\r\n";

Bytes random_bytes(Rng& r, size_t n) {
  Bytes b(n);
  r.fill(b);
  return b;
}

void append(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }

std::string boundary(Rng& r) {
  const uint64_t style = r.uniform(0, 2);
  if (style == 0) return "----=_NextPart_000_0001_" + r.text(8, "0123456789ABCDEF") + "." +
                         r.text(8, "0123456789ABCDEF");
  if (style == 1) return "------------" + r.text(24, "0123456789");
  return "=_" + r.text(20, "abcdefghijklmnopqrstuvwxyz0123456789");
}

const char* const kWords[] = {"budget", "meeting", "report",  "schedule", "client", "project",
                              "review", "numbers", "contract", "office",  "travel", "update",
                              "invoice", "summary", "draft",  "figures", "plan",   "quarter"};

std::string prose(Rng& r, size_t lines) {
  std::string out;
  for (size_t l = 0; l < lines; ++l) {
    const uint64_t words = r.uniform(4, 12);
    for (uint64_t w = 0; w < words; ++w) {
      if (w) out += ' ';
      out += kWords[r.index(std::size(kWords))];
    }
    out += ".\n";
  }
  return out;
}

File text_file(Rng& r) {
  File f;
  f.content_type = "text/plain";
  const uint64_t lines = r.uniform(3, 60);
  f.data = mime::to_bytes(mime::with_eol(prose(r, lines), kCrlf));
  return f;
}

File csv_file(Rng& r) {
  File f;
  f.content_type = "text/csv";
  std::string s = "date,account,amount,currency\r\n";
  const uint64_t rows = r.uniform(5, 200);
  for (uint64_t i = 0; i < rows; ++i) {
    const uint64_t day = r.uniform(1, 27);
    const uint64_t acct = r.uniform(1000, 9999);
    const uint64_t cents = r.uniform(100, 999999);
    s += "2004-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "," +
         std::to_string(acct) + "," + std::to_string(cents / 100) + "." +
         std::to_string(cents % 100 / 10) + std::to_string(cents % 10) + ",EUR\r\n";
  }
  f.data = mime::to_bytes(s);
  return f;
}

File pdf_file(Rng& r) {
  File f;
  f.content_type = "application/pdf";
  append(f.data, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  append(f.data, "2 0 obj\n<< /Length 4 0 R /Filter /FlateDecode >>\nstream\n");
  const uint64_t n = r.log_uniform(2000, 60000);
  const Bytes body = random_bytes(r, n);
  f.data.insert(f.data.end(), body.begin(), body.end());
  append(f.data, "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
  return f;
}

File jpeg_file(Rng& r) {
  File f;
  f.content_type = "image/jpeg";
  const uint8_t head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
                          0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00};
  f.data.assign(std::begin(head), std::end(head));
  const uint64_t n = r.log_uniform(4000, 120000);
  const Bytes body = random_bytes(r, n);
  f.data.insert(f.data.end(), body.begin(), body.end());
  f.data.push_back(0xff);
  f.data.push_back(0xd9);
  return f;
}

void png_chunk(Bytes& out, std::string_view type, const Bytes& data) {
  const uint32_t len = static_cast<uint32_t>(data.size());
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  Bytes td(type.begin(), type.end());
  td.insert(td.end(), data.begin(), data.end());
  out.insert(out.end(), td.begin(), td.end());
  const uint32_t c = crc32(td);
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(c >> (8 * i)));
}

File png_file(Rng& r) {
  File f;
  f.content_type = "image/png";
  f.data = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  const uint64_t w = r.uniform(16, 800);
  const uint64_t h = r.uniform(16, 600);
  Bytes ihdr;
  for (uint64_t v : {w, h}) {
    for (int i = 3; i >= 0; --i) ihdr.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  for (uint8_t b : {8, 2, 0, 0, 0}) ihdr.push_back(b);
  png_chunk(f.data, "IHDR", ihdr);
  const uint64_t n = r.log_uniform(1000, 80000);
  png_chunk(f.data, "IDAT", random_bytes(r, n));
  png_chunk(f.data, "IEND", {});
  return f;
}

File docx_file(Rng& r) {
  File f;
  f.content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  ZipWriter z;
  z.add("[Content_Types].xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>\n");
  z.add("_rels/.rels", "<?xml version=\"1.0\"?>\n<Relationships/>\n");
  const uint64_t lines = r.uniform(5, 80);
  z.add("word/document.xml", "<?xml version=\"1.0\"?>\n<w:document><w:body><w:p>" +
                                 prose(r, lines) + "</w:p></w:body></w:document>\n");
  f.data = z.finish();
  f.members = z.names();
  return f;
}

struct NamePick {
  std::string_view stem;
  bool utf8;
};
constexpr NamePick kStems[] = {
    {"report", false},          {"minutes", false},       {"Q4-figures", false},
    {"invoice_2004-0117", false}, {"photo", false},       {"scan0001", false},
    {"Pr\xc3\xa4sentation", true}, {"\xc3\x9c" "berweisung", true},
    {"r\xc3\xa9sum\xc3\xa9", true}, {"\xe4\xbc\x9a\xe8\xae\xae\xe7\xba\xaa\xe8\xa6\x81", true},
    {"budget 2004 (final)", false}, {"Angebot f\xc3\xbcr Kunde", true}};

}  // namespace

const std::vector<std::string_view> kWormSubjects = {
    "test", "hi", "hello", "Mail Delivery System", "Mail Transaction Failed",
    "Server Report", "Status", "Error"};
const std::vector<std::string_view> kWormBodies = {
    "The message contains Unicode characters and has been sent as a binary attachment.",
    "The message cannot be represented in 7-bit ASCII encoding and has been sent as a binary "
    "attachment.",
    "Mail transaction failed. Partial message is available."};

Bytes fake_executable(Rng& r) {
  Bytes b = {'M', 'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff};
  b.resize(0x3c, 0);
  b.push_back(0x80);  // e_lfanew
  b.resize(0x40, 0);
  append(b, "This program cannot be run in DOS mode.\r\r\n$");
  b.resize(0x80, 0);
  append(b, "PE");
  b.resize(0x100, 0);
  append(b, kTestPayload);
  const uint64_t n = r.uniform(2048, 24576);
  const Bytes tail = random_bytes(r, n);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

bool is_infected(std::span<const uint8_t> d) {
  auto has = [&](std::string_view needle) {
    return std::search(d.begin(), d.end(), needle.begin(), needle.end()) != d.end();
  };
  return has(kTestPayloadPrefix) || has(kEicar);
}

File benign_file(Rng& r) {
  const uint64_t k = r.uniform(0, 5);
  File f = k == 0   ? text_file(r)
           : k == 1 ? pdf_file(r)
           : k == 2 ? jpeg_file(r)
           : k == 3 ? png_file(r)
           : k == 4 ? docx_file(r)
                    : csv_file(r);
  static constexpr const char* kExt[] = {".txt", ".pdf", ".jpg", ".png", ".docx", ".csv"};
  const NamePick& s = kStems[r.index(std::size(kStems))];
  f.name = std::string(s.stem) + kExt[k];
  return f;
}

Message worm_message(Rng& r, const std::string& from, const std::string& to, int64_t date_us,
                     const std::string& message_id) {
  static constexpr const char* kStemsW[] = {"document", "readme", "doc",  "text",
                                            "file",     "data",   "test", "message", "body"};
  static constexpr const char* kExtW[] = {".pif", ".scr", ".exe", ".cmd", ".bat", ".zip"};
  Message m;
  m.subject = std::string(kWormSubjects[r.index(kWormSubjects.size())]);
  const std::string body_text(kWormBodies[r.index(kWormBodies.size())]);
  const std::string stem = kStemsW[r.index(std::size(kStemsW))];
  std::string ext = kExtW[r.index(std::size(kExtW))];
  const bool eicar = r.chance(0.1);
  Bytes exe = eicar ? mime::to_bytes(kEicar) : fake_executable(r);
  const uint64_t carrier = r.uniform(0, 9);  // 0-1 binary, 2-5 base64, 6 QP, 7-9 zip (if .zip)
  mime::AttachmentSpec a;
  a.infected = true;
  if (ext == ".zip" || carrier >= 7) {
    ext = ".zip";
    static constexpr const char* kInnerExt[] = {".exe", ".scr", ".pif"};
    const char* inner_ext = kInnerExt[r.index(std::size(kInnerExt))];
    const std::string inner = stem + (eicar ? ".com" : inner_ext);
    ZipWriter z;
    z.add(inner, exe);
    a.data = z.finish();
    a.members = z.names();
    a.content_type = "application/octet-stream";
    a.encoding = Encoding::kBase64;
  } else {
    a.data = std::move(exe);
    a.content_type = "application/octet-stream";
    a.encoding = carrier <= 1 ? Encoding::kBinary
                 : carrier == 6 ? Encoding::kQuotedPrintable
                                : Encoding::kBase64;
  }
  a.name = stem + ext;
  std::vector<mime::Attachment> atts;
  mime::Part body = mime::multipart(
      "mixed", boundary(r),
      {mime::text_part(body_text + "\n", kCrlf), mime::attachment_part(a, kCrlf, &atts)});
  body.preamble = "This is a multi-part message in MIME format.";
  mime::Envelope env;
  env.from = from;
  env.to = {to};
  env.subject = m.subject;
  env.date = rfc5322_date(date_us);
  env.message_id = message_id;
  // MyDoom set X-Priority/X-MSMail-Priority like Outlook Express.
  mime::Part msg = mime::message(env, std::move(body));
  msg.header("X-Priority", "3");
  msg.header("X-MSMail-Priority", "Normal");
  m.text = mime::render(msg, kCrlf);
  m.attachments = std::move(atts);
  m.infected = true;
  return m;
}

Message office_message(Rng& r, const std::string& from, const std::vector<std::string>& to,
                       int64_t date_us, const std::string& message_id) {
  static constexpr const char* kSubjects[] = {
      "Meeting notes", "Quarterly report", "Lunch on Friday?", "Re: server upgrade",
      "Invoice 2004-0117", "Travel plans", "Fwd: photos", "Budget draft"};
  static constexpr const char* kUtf8Subjects[] = {"Besprechung \xc3\xbc" "ber das Budget",
                                                  "R\xc3\xa9union de lundi",
                                                  "\xe6\x8a\xa5\xe5\x91\x8a 2004"};
  Message m;
  const bool utf8_subject = r.chance(0.2);
  m.subject = utf8_subject ? kUtf8Subjects[r.index(std::size(kUtf8Subjects))]
                           : kSubjects[r.index(std::size(kSubjects))];
  const uint64_t lines = r.uniform(2, 25);
  const std::string text = "Hello,\n\n" + prose(r, lines) + "\n.dot line for dot-stuffing\nRegards\n";
  const uint64_t natt = r.uniform(0, 3);
  std::vector<mime::Attachment> atts;
  const bool qp_body = r.chance(0.3);
  mime::Part body_text = mime::text_part(text, kCrlf, qp_body ? Encoding::kQuotedPrintable
                                                              : Encoding::k7bit);
  mime::Part body;
  if (natt == 0) {
    body = std::move(body_text);
  } else {
    std::vector<mime::Part> parts;
    if (r.chance(0.25)) {  // multipart/alternative text + html
      mime::Part html = mime::text_part("<html><body><p>" + prose(r, 3) + "</p></body></html>\n",
                                        kCrlf, Encoding::kQuotedPrintable, "us-ascii", "html");
      const std::string b = boundary(r);
      parts.push_back(mime::multipart("alternative", b, {std::move(body_text), std::move(html)}));
    } else {
      parts.push_back(std::move(body_text));
    }
    for (uint64_t i = 0; i < natt; ++i) {
      if (r.chance(0.1)) {  // a forwarded message with its own attachment
        File f = benign_file(r);
        mime::AttachmentSpec s;
        s.name = f.name;
        s.content_type = f.content_type;
        s.data = f.data;
        s.members = f.members;
        std::vector<mime::Attachment> inner_atts;
        mime::Envelope ie;
        ie.from = "<partner@example.net>";
        ie.to = {"<" + from + ">"};
        ie.subject = "Original message";
        ie.date = rfc5322_date(date_us - 86'400'000'000);
        ie.message_id = r.text(12, "0123456789abcdef") + "@example.net";
        const std::string ib = boundary(r);
        mime::Part inner = mime::message(
            ie, mime::multipart("mixed", ib,
                                {mime::text_part("See attached.\n", kCrlf),
                                 mime::attachment_part(s, kCrlf, &inner_atts)}));
        mime::Part fwd = mime::message_part(inner, kCrlf, "forwarded.eml");
        // The enclosed message is a file a sensor may store as well; its
        // attachment is what must be found.
        mime::Attachment whole;
        whole.name = "forwarded.eml";
        whole.data = mime::to_bytes(fwd.body);
        whole.content_type = "message/rfc822";
        whole.required = false;
        atts.push_back(std::move(whole));
        for (auto& a : inner_atts) atts.push_back(std::move(a));
        parts.push_back(std::move(fwd));
        continue;
      }
      File f = benign_file(r);
      mime::AttachmentSpec s;
      s.name = f.name;
      s.content_type = f.content_type;
      s.data = std::move(f.data);
      s.members = f.members;
      const bool text = s.content_type.rfind("text/", 0) == 0;
      const uint64_t enc = r.uniform(0, 9);
      s.encoding = text && enc < 3 ? Encoding::k7bit
                   : enc == 9      ? Encoding::kBase64OneLine
                                   : Encoding::kBase64;
      const bool ascii = std::all_of(s.name.begin(), s.name.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      s.style = ascii ? NameStyle::kPlain : (r.chance(0.5) ? NameStyle::kRfc2047 : NameStyle::kRfc2231);
      parts.push_back(mime::attachment_part(s, kCrlf, &atts));
    }
    body = mime::multipart("mixed", boundary(r), std::move(parts));
    body.preamble = "This is a multi-part message in MIME format.";
  }
  mime::Envelope env;
  env.from = "<" + from + ">";
  for (const auto& t : to) env.to.push_back("<" + t + ">");
  env.subject = utf8_subject ? mime::rfc2047(m.subject, r.chance(0.5)) : m.subject;
  env.date = rfc5322_date(date_us);
  env.message_id = message_id;
  static constexpr const char* kMailers[] = {"Microsoft Outlook Express 6.00.2800.1158",
                                             "Mozilla Thunderbird 0.4",
                                             "Microsoft Office Outlook, Build 11.0.5510"};
  env.mailer = kMailers[r.index(std::size(kMailers))];
  m.text = mime::render(mime::message(env, std::move(body)), kCrlf);
  m.attachments = std::move(atts);
  return m;
}

}  // namespace ww::gen::mail
