#include "reassembly/mime/transfer_decoder.h"

#include <algorithm>
#include <array>

namespace ww::mime {

namespace {

constexpr uint8_t kB64Blank = 0x80;    // CR, LF, SP, HT: ignored
constexpr uint8_t kB64Pad = 0x81;      // '='
constexpr uint8_t kB64Invalid = 0xFF;  // anything else

constexpr std::array<uint8_t, 256> make_base64_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kB64Invalid;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = i;
  t['\r'] = t['\n'] = t[' '] = t['\t'] = kB64Blank;
  t['='] = kB64Pad;
  return t;
}

constexpr std::array<uint8_t, 256> kBase64 = make_base64_table();

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void TransferDecoder::reset(Encoding e) {
  *this = TransferDecoder{};
  if (e == Encoding::base64) {
    kind_ = Kind::base64;
  } else if (e == Encoding::quoted_printable) {
    kind_ = Kind::qp;
  }
}

DecodeStep TransferDecoder::decode(std::span<const uint8_t> in, std::span<uint8_t> out) {
  switch (kind_) {
    case Kind::base64:
      return decode_base64(in, out);
    case Kind::qp:
      return decode_qp(in, out);
    case Kind::passthrough:
      break;
  }
  const size_t n = std::min(in.size(), out.size());
  std::copy_n(in.begin(), n, out.begin());
  return {n, n, MimeAnomaly::kCount};
}

DecodeStep TransferDecoder::decode_base64(std::span<const uint8_t> in, std::span<uint8_t> out) {
  const uint8_t* p = in.data();
  const uint8_t* const end = p + in.size();
  uint8_t* o = out.data();
  uint8_t* const oend = o + out.size();
  DecodeStep step;
  while (p < end) {
    // Fast path: whole groups of four alphabet characters.
    if (have_ == 0 && !padded_ && skip_chars_ == 0 && !skip_to_eol_) {
      while (end - p >= 4 && oend - o >= 3) {
        const uint32_t a = kBase64[p[0]], b = kBase64[p[1]], c = kBase64[p[2]], d = kBase64[p[3]];
        if ((a | b | c | d) & 0xC0) break;
        const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        o[0] = static_cast<uint8_t>(v >> 16);
        o[1] = static_cast<uint8_t>(v >> 8);
        o[2] = static_cast<uint8_t>(v);
        p += 4;
        o += 3;
      }
      if (p == end) break;
    }
    if (oend - o < 3) break;
    const uint8_t ch = *p++;
    const uint8_t t = kBase64[ch];
    if (skip_to_eol_) {
      if (ch == '\n') {
        skip_to_eol_ = false;
        seen_eol_ = true;
      }
      continue;
    }
    if (t < 64) {
      if (skip_chars_ > 0) {
        --skip_chars_;
        continue;
      }
      acc_ = (acc_ << 6) | t;
      if (++have_ == 4) {
        o[0] = static_cast<uint8_t>(acc_ >> 16);
        o[1] = static_cast<uint8_t>(acc_ >> 8);
        o[2] = static_cast<uint8_t>(acc_);
        o += 3;
        have_ = 0;
        acc_ = 0;
      }
      if (padded_) {
        padded_ = false;
        step.event = MimeAnomaly::base64_padding_mid_stream;
        break;
      }
    } else if (t == kB64Blank) {
      if (ch == '\n') seen_eol_ = true;
    } else if (t == kB64Pad) {
      if (have_ == 2) {
        *o++ = static_cast<uint8_t>(acc_ >> 4);
      } else if (have_ == 3) {
        *o++ = static_cast<uint8_t>(acc_ >> 10);
        *o++ = static_cast<uint8_t>(acc_ >> 2);
      } else if (have_ == 1) {
        step.event = MimeAnomaly::base64_incomplete_quantum;
      } else if (!padded_) {
        step.event = MimeAnomaly::base64_invalid_char;  // '=' with no group to close
      }
      if (have_ != 0) padded_ = true;
      have_ = 0;
      acc_ = 0;
      skip_chars_ = 0;
      if (step.event != MimeAnomaly::kCount) break;
    } else {
      step.event = MimeAnomaly::base64_invalid_char;
      break;
    }
  }
  step.consumed = static_cast<size_t>(p - in.data());
  step.produced = static_cast<size_t>(o - out.data());
  return step;
}

DecodeStep TransferDecoder::decode_qp(std::span<const uint8_t> in, std::span<uint8_t> out) {
  size_t i = 0;
  size_t o = 0;
  DecodeStep step;
  while (i < in.size() && out.size() - o >= 3) {
    const uint8_t ch = in[i];
    switch (qp_) {
      case QpState::normal: {
        // Copy the run up to the next '=' at once.
        size_t run = i;
        const size_t room = out.size() - o;
        while (run < in.size() && run - i < room && in[run] != '=') ++run;
        if (run > i) {
          std::copy(in.begin() + static_cast<ptrdiff_t>(i),
                    in.begin() + static_cast<ptrdiff_t>(run),
                    out.begin() + static_cast<ptrdiff_t>(o));
          o += run - i;
          i = run;
          continue;
        }
        qp_ = QpState::eq;
        ++i;
        continue;
      }
      case QpState::eq:
        if (hex_value(ch) >= 0) {
          qp_hex_ = ch;
          qp_ = QpState::eq_hex;
          ++i;
        } else if (ch == '\n') {
          qp_ = QpState::normal;  // soft line break
          ++i;
        } else if (ch == '\r') {
          qp_ = QpState::eq_cr;
          ++i;
        } else {
          out[o++] = '=';  // ch is decoded on its own next
          qp_ = QpState::normal;
          step.event = MimeAnomaly::qp_invalid_escape;
        }
        break;
      case QpState::eq_hex:
        if (hex_value(ch) >= 0) {
          out[o++] = static_cast<uint8_t>(hex_value(qp_hex_) * 16 + hex_value(ch));
          ++i;
          qp_ = QpState::normal;
        } else {
          out[o++] = '=';
          out[o++] = qp_hex_;
          qp_ = QpState::normal;
          step.event = MimeAnomaly::qp_invalid_escape;
        }
        break;
      case QpState::eq_cr:
        if (ch == '\n') {
          ++i;  // soft line break
          qp_ = QpState::normal;
        } else {
          out[o++] = '=';
          out[o++] = '\r';
          qp_ = QpState::normal;
          step.event = MimeAnomaly::qp_invalid_escape;
        }
        break;
    }
    if (step.event != MimeAnomaly::kCount) break;
  }
  step.consumed = i;
  step.produced = o;
  return step;
}

DecodeStep TransferDecoder::finish(std::span<uint8_t> out) {
  DecodeStep step;
  if (kind_ == Kind::base64) {
    if (have_ == 2) {
      out[step.produced++] = static_cast<uint8_t>(acc_ >> 4);
    } else if (have_ == 3) {
      out[step.produced++] = static_cast<uint8_t>(acc_ >> 10);
      out[step.produced++] = static_cast<uint8_t>(acc_ >> 2);
    }
    if (have_ != 0) step.event = MimeAnomaly::base64_incomplete_quantum;
    have_ = 0;
    acc_ = 0;
  } else if (kind_ == Kind::qp) {
    // A final "=" (or "=\r") is a soft break before the delimiter's line end.
    if (qp_ == QpState::eq_hex) {
      out[step.produced++] = '=';
      out[step.produced++] = qp_hex_;
      step.event = MimeAnomaly::qp_invalid_escape;
    }
    qp_ = QpState::normal;
  }
  return step;
}

void TransferDecoder::gap(uint64_t lost) {
  if (kind_ == Kind::base64) {
    if (seen_eol_) {
      skip_to_eol_ = true;
    } else {
      skip_chars_ = static_cast<uint8_t>((4 - (have_ + lost) % 4) % 4);
    }
    have_ = 0;
    acc_ = 0;
    padded_ = false;
  } else if (kind_ == Kind::qp) {
    qp_ = QpState::normal;
  }
}

}  // namespace ww::mime
