#include "reassembly/files/file_assembler.h"

#include <algorithm>

namespace ww {

FileAssembler::FileAssembler(const FileConfig& cfg, FileCounters& counters, Sniffer& sniffer,
                             Filestore* store, FileReportHandler& handler)
    : cfg_(cfg), c_(counters), sniffer_(sniffer), store_(store), handler_(handler) {}

FileAssembler::~FileAssembler() { reset(); }

FileAssembler::Open* FileAssembler::find(uint32_t part) {
  for (auto& o : open_)
    if (o->r.part == part) return o.get();
  return nullptr;
}

void FileAssembler::part_begin(const MimePartInfo& info) {
  if (!info.is_file) return;
  if (reported_ >= cfg_.max_files_per_message) {
    not_reported_++;
    c_.per_message_cut++;
    return;
  }
  std::unique_ptr<Open> o;
  if (!spare_.empty()) {
    o = std::move(spare_.back());
    spare_.pop_back();
    o->r = FileReport{};
    o->head.clear();
    o->hasher->reset(cfg_.md5, cfg_.sha1);
  } else {
    o = std::make_unique<Open>();
    o->hasher = std::make_unique<FileHasher>(cfg_.md5, cfg_.sha1);
  }
  FileReport& r = o->r;
  r.file_index = reported_++;
  r.part = info.part;
  r.part_id = info.id;
  r.name = info.file_name;
  r.alternate_names.assign(info.alternate_names.begin(), info.alternate_names.end());
  r.name_truncated = info.file_name_truncated;
  r.declared_type = info.content_type;
  r.encoding = mime_encoding_name(info.encoding);
  r.attachment = info.is_attachment;
  r.alternate_reading = info.alternate_reading;
  r.uuencoded = info.kind == MimePartKind::uuencoded;
  r.opaque = info.opaque;
  if (store_) r.store = store_->open();
  open_.push_back(std::move(o));
}

void FileAssembler::part_data(uint32_t part, std::span<const uint8_t> b) {
  Open* o = find(part);
  if (!o || b.empty()) return;
  FileReport& r = o->r;
  o->hasher->update(b);
  if (r.data.size() < cfg_.scan_keep_bytes) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(b.size(), cfg_.scan_keep_bytes - r.data.size()));
    r.data.append(reinterpret_cast<const char*>(b.data()), take);
    if (take < b.size()) r.data_cut = true;
  } else {
    r.data_cut = true;
  }
  if (r.data.size() < cfg_.magic_bytes && o->head.size() < cfg_.magic_bytes &&
      cfg_.scan_keep_bytes < cfg_.magic_bytes) {
    size_t take = std::min<size_t>(b.size(), cfg_.magic_bytes - o->head.size());
    o->head.append(reinterpret_cast<const char*>(b.data()), take);
  }
  if (store_ && r.store.open()) store_->write(r.store, b);
  r.size += b.size();
}

void FileAssembler::part_gap(uint32_t part, uint64_t lost) {
  if (Open* o = find(part)) o->r.gap_bytes += lost;
}

void FileAssembler::part_end(const MimePartEnd& end) {
  auto it = std::find_if(open_.begin(), open_.end(),
                         [&](const auto& o) { return o->r.part == end.part; });
  if (it == open_.end()) return;
  std::unique_ptr<Open> o = std::move(*it);
  open_.erase(it);
  FileReport& r = o->r;
  r.state = end.state;
  r.truncated_bytes = end.truncated_bytes;
  r.gap_bytes = std::max(r.gap_bytes, end.gap_bytes);
  r.hashes = o->hasher->finish();
  const std::string& head_src = o->head.size() > r.data.size() ? o->head : r.data;
  std::span<const uint8_t> head(reinterpret_cast<const uint8_t*>(head_src.data()),
                                std::min<size_t>(head_src.size(), cfg_.magic_bytes));
  r.sniffed_type = sniffer_.sniff(head, r.hashes.sha256);
  if (r.sniffed_type.empty()) c_.magic_errors++;
  c_.files++;
  c_.bytes += r.size;
  if (r.state == MimePartState::complete) c_.closed++;
  else if (r.state == MimePartState::truncated) c_.truncated++;
  if (r.gap_bytes) c_.with_gaps++;
  if (r.data_cut) c_.scan_cut++;
  handler_.on_file(std::move(r));
  if (spare_.size() < kSpares) spare_.push_back(std::move(o));
}

void FileAssembler::reset() {
  for (auto& o : open_) {
    if (store_ && o->r.store.open()) store_->discard(o->r.store);
    if (spare_.size() < kSpares) spare_.push_back(std::move(o));
  }
  open_.clear();
  reported_ = 0;
  not_reported_ = 0;
}

}  // namespace ww
