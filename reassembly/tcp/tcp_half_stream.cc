#include "reassembly/tcp/tcp_half_stream.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <new>

#include "reassembly/tcp/tcp_overlap_policy.h"
#include "reassembly/tcp/tcp_seq.h"

namespace ww::tcp_detail {

HalfStream::HalfStream(Direction dir, uint64_t depth)
    : dir_(dir), depth_(depth == 0 ? std::numeric_limits<uint64_t>::max() : depth) {}

void HalfStream::set_base(uint32_t seq, bool from_syn, bool midstream) {
  base_known_ = true;
  base_seq_ = seq;
  syn_seen_ = from_syn;
  midstream_ = midstream;
  next_ = 0;
  highest_end_ = 0;
}

bool HalfStream::untouched() const {
  return next_ == 0 && highest_end_ == 0 && pieces_.empty() && !fin_seen_ && !ended_;
}

bool HalfStream::take_midstream_report() {
  if (!midstream_ || midstream_reported_) return false;
  midstream_reported_ = true;
  return true;
}

int64_t HalfStream::to_abs(uint32_t seq) const {
  const uint32_t next_seq = base_seq_ + static_cast<uint32_t>(next_);
  return static_cast<int64_t>(next_) + tcp_seq::diff(seq, next_seq);
}

uint64_t HalfStream::snd_nxt() const {
  return fin_seen_ ? fin_abs_ + 1 : std::max(next_, highest_end_);
}

void HalfStream::note_highest(uint64_t end) { highest_end_ = std::max(highest_end_, end); }

void HalfStream::set_wscale(bool offered, uint8_t shift) {
  wscale_offered_ = offered;
  wscale_ = std::min<uint8_t>(shift, 14);  // RFC 7323: larger shifts are treated as 14
}

void HalfStream::note_peer_window(uint64_t bytes) {
  peer_window_known_ = true;
  peer_window_ = bytes;
  peer_window_max_ = std::max(peer_window_max_, bytes);
}

uint64_t HalfStream::window_limit() const {
  // Twice the largest window ever offered, measured from the furthest point the
  // receiver is known to have reached: lenient towards captures that show a window
  // update after the data it allowed, strict towards sequence numbers from nowhere.
  const uint64_t allowance =
      peer_window_known_ ? 2 * std::max<uint64_t>(peer_window_max_, 65535) : kUnknownWindow;
  return std::max(next_, peer_ack_known_ ? peer_ack_ : 0) + allowance;
}

uint64_t HalfStream::ack_limit() const { return std::max(snd_nxt(), window_limit()); }

uint64_t HalfStream::fin_limit() const { return std::min(fin_abs_, depth_); }

HalfStream::PieceIt HalfStream::first_ending_after(uint64_t offset) {
  return std::partition_point(pieces_.begin(), pieces_.end(),
                              [offset](const Piece& p) { return p.end() <= offset; });
}

void HalfStream::add_data(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                          uint64_t seg_start, uint64_t seg_end, int64_t now_us,
                          SegmentTally& tally) {
  uint64_t end = start + bytes.size();
  note_highest(end);

  if (fin_seen_ && end > fin_abs_) {
    const uint64_t cut = std::max(start, fin_abs_);
    e.counters.data_after_fin += end - cut;
    end = cut;
  }
  if (end > depth_) {
    const uint64_t cut = std::max(start, depth_);
    e.counters.depth_bytes_dropped += end - cut;
    depth_dropped_ += end - cut;
    if (!depth_reported_) {
      depth_reported_ = true;
      ++e.counters.depth_reached;
      e.sink.on_anomaly(dir_, TcpAnomaly::depth_reached);
    }
    end = cut;
  }
  if (end <= start) return;
  bytes = bytes.first(end - start);

  // Bytes before next_ are final (delivered, or declared a gap): compare, never redeliver.
  if (start < next_) {
    const uint64_t old_end = std::min(end, next_);
    compare_history(start, bytes.first(old_end - start), tally);
    bytes = bytes.subspan(old_end - start);
    start = old_end;
    if (bytes.empty()) return;
  }
  if (ended_) {
    e.counters.data_after_fin += bytes.size();
    return;
  }
  resolve_overlaps(e, start, bytes, seg_start, seg_end, tally);
  place_uncovered(e, start, bytes, now_us, tally);
  maybe_end(e);
}

void HalfStream::compare_history(uint64_t start, std::span<const uint8_t> bytes,
                                 SegmentTally& tally) const {
  const uint64_t end = start + bytes.size();
  uint64_t from = end;  // without a history nothing can be compared
  if (history_) {
    from = history_valid_from_;
    if (next_ > history_cap_) from = std::max(from, next_ - history_cap_);
  }
  from = std::clamp(from, start, end);
  tally.unchecked_bytes += from - start;
  for (uint64_t pos = from; pos < end;) {
    const uint64_t ring = pos % history_cap_;
    const uint64_t n = std::min(end - pos, history_cap_ - ring);
    if (std::memcmp(history_.get() + ring, bytes.data() + (pos - start), n) == 0) {
      tally.same_bytes += n;
    } else {
      tally.different = true;
    }
    pos += n;
  }
}

void HalfStream::resolve_overlaps(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                                  uint64_t seg_start, uint64_t seg_end, SegmentTally& tally) {
  const uint64_t end = start + bytes.size();
  for (auto it = first_ending_after(start); it != pieces_.end() && it->start < end; ++it) {
    const uint64_t lo = std::max(start, it->start);
    const uint64_t hi = std::min(end, it->end());
    uint8_t* held = it->data.get() + (lo - it->start);
    const uint8_t* fresh = bytes.data() + (lo - start);
    if (std::memcmp(held, fresh, hi - lo) == 0) {
      tally.same_bytes += hi - lo;
      continue;
    }
    tally.different = true;
    if (tcp_overlap_new_wins(e.config.overlap_policy, it->start, it->end(), seg_start, seg_end)) {
      std::memcpy(held, fresh, hi - lo);
    }
  }
}

void HalfStream::place_uncovered(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                                 int64_t now_us, SegmentTally& tally) {
  const uint64_t end = start + bytes.size();
  uint64_t cursor = start;
  while (cursor < end && !ended_) {
    // Placing a piece may have delivered buffered pieces past the cursor; their
    // overlap with this segment was resolved already.
    if (cursor < next_) {
      cursor = next_;
      continue;
    }
    auto it = first_ending_after(cursor);
    if (it != pieces_.end() && it->start <= cursor) {
      cursor = std::min(end, it->end());
      continue;
    }
    const uint64_t piece_end = it == pieces_.end() ? end : std::min(end, it->start);
    place_piece(e, cursor, bytes.subspan(cursor - start, piece_end - cursor), now_us, tally);
    cursor = piece_end;
  }
}

void HalfStream::place_piece(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                             int64_t now_us, SegmentTally& tally) {
  if (start == next_) {
    deliver(e, bytes);
    drain(e);
    return;
  }
  tally.buffered = true;
  while (!try_buffer(e, start, bytes, now_us)) {
    // A limit refused the piece. Give up on this stream's oldest hole; when nothing
    // of this stream is buffered before the piece, give up on the hole in front of it.
    if (!pieces_.empty() && pieces_.front().start < start) {
      skip_first_hole(e, GapReason::kLimit);
      if (next_ == start) break;
      continue;
    }
    gap_to(e, start, GapReason::kLimit);
    break;
  }
  if (next_ == start) {
    deliver(e, bytes);
    drain(e);
  }
}

bool HalfStream::try_buffer(StreamEnv& e, uint64_t start, std::span<const uint8_t> bytes,
                            int64_t now_us) {
  const TcpReassemblyConfig& cfg = e.config;
  if (e.budget.segments >= cfg.ooo_max_segments) {
    ++e.counters.ooo_segments_limit;
    return false;
  }
  if (uint64_t{e.budget.bytes} + bytes.size() > cfg.ooo_max_bytes) {
    ++e.counters.ooo_bytes_limit;
    return false;
  }
  const uint64_t cost = bytes.size() + kPieceOverhead;
  if (!e.memory.try_reserve(cost)) {
    ++e.counters.memcap_hits;
    return false;
  }
  std::unique_ptr<uint8_t[]> data(new (std::nothrow) uint8_t[bytes.size()]);
  if (!data) {
    e.memory.release(cost);
    ++e.counters.memcap_hits;
    return false;
  }
  std::memcpy(data.get(), bytes.data(), bytes.size());
  auto pos = std::partition_point(pieces_.begin(), pieces_.end(),
                                  [start](const Piece& p) { return p.start < start; });
  pieces_.insert(pos, Piece{start, static_cast<uint32_t>(bytes.size()), now_us, std::move(data)});
  e.budget.bytes += static_cast<uint32_t>(bytes.size());
  ++e.budget.segments;
  e.counters.ooo_bytes_high_water =
      std::max<uint64_t>(e.counters.ooo_bytes_high_water, e.budget.bytes);
  e.counters.ooo_segments_high_water =
      std::max<uint64_t>(e.counters.ooo_segments_high_water, e.budget.segments);
  if (hole_since_us_ < 0) hole_since_us_ = now_us;
  return true;
}

void HalfStream::deliver(StreamEnv& e, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  remember(e, next_, bytes);
  next_ += bytes.size();
  delivered_ += bytes.size();
  e.counters.bytes_delivered += bytes.size();
  e.sink.on_data(dir_, bytes);
}

void HalfStream::drain(StreamEnv& e) {
  size_t k = 0;
  while (k < pieces_.size() && pieces_[k].start == next_) {
    deliver(e, {pieces_[k].data.get(), pieces_[k].len});
    ++k;
  }
  if (k == 0) return;
  for (size_t i = 0; i < k; ++i) free_piece(e, pieces_[i]);
  pieces_.erase(pieces_.begin(), pieces_.begin() + static_cast<ptrdiff_t>(k));
  assert(pieces_.empty() || pieces_.front().start > next_);
  restart_hole_timer();
}

void HalfStream::gap_to(StreamEnv& e, uint64_t target, GapReason reason) {
  target = std::min(target, depth_);
  if (target <= next_) return;
  assert(pieces_.empty() || pieces_.front().start >= target);
  const uint64_t len = target - next_;
  next_ = target;
  history_valid_from_ = next_;  // the ring holds nothing for the skipped offsets
  ++gaps_;
  gap_bytes_ += len;
  ++e.counters.gaps;
  e.counters.gap_bytes += len;
  switch (reason) {
    case GapReason::kAck:
      ++e.counters.gaps_ack;
      break;
    case GapReason::kTimeout:
      ++e.counters.gaps_timeout;
      break;
    case GapReason::kLimit:
      ++e.counters.gaps_limit;
      break;
    case GapReason::kClose:
      ++e.counters.gaps_close;
      break;
    case GapReason::kTruncated:
      ++e.counters.gaps_truncated;
      break;
  }
  restart_hole_timer();
  e.sink.on_gap(dir_, len);
}

void HalfStream::skip_first_hole(StreamEnv& e, GapReason reason) {
  if (pieces_.empty()) return;
  gap_to(e, pieces_.front().start, reason);
  drain(e);
}

void HalfStream::advance_to(StreamEnv& e, uint64_t target, GapReason reason) {
  target = std::min(target, depth_);
  while (next_ < target && !ended_) {
    if (!pieces_.empty() && pieces_.front().start == next_) {
      drain(e);
      continue;
    }
    const uint64_t stop = pieces_.empty() ? target : std::min(target, pieces_.front().start);
    gap_to(e, stop, reason);
  }
  drain(e);
}

void HalfStream::ack_to(StreamEnv& e, uint64_t ack) {
  if (!peer_ack_known_ || ack > peer_ack_) {
    peer_ack_known_ = true;
    peer_ack_ = ack;
  }
  if (ended_) return;
  const uint64_t limit = fin_seen_ ? std::min(ack, fin_abs_) : ack;
  if (limit > next_) advance_to(e, limit, GapReason::kAck);
  maybe_end(e);
}

FinResult HalfStream::set_fin(StreamEnv& e, uint64_t fin, int64_t now_us) {
  if (fin_seen_) return fin == fin_abs_ ? FinResult::kDuplicate : FinResult::kIgnored;
  // A FIN before bytes already seen contradicts them; the bytes came first.
  if (fin < next_ || fin < highest_end_ || ended_) return FinResult::kIgnored;
  fin_seen_ = true;
  fin_abs_ = fin;
  fin_us_ = now_us;
  if (next_ < fin_limit() && hole_since_us_ < 0) hole_since_us_ = now_us;
  maybe_end(e);
  return FinResult::kAccepted;
}

void HalfStream::check_timeout(StreamEnv& e, int64_t now_us) {
  while (!ended_ && hole_since_us_ >= 0 && now_us - hole_since_us_ >= e.config.gap_timeout_us) {
    if (!pieces_.empty()) {
      skip_first_hole(e, GapReason::kTimeout);
    } else if (fin_seen_ && next_ < fin_limit()) {
      advance_to(e, fin_abs_, GapReason::kTimeout);
    } else {
      hole_since_us_ = -1;
    }
    maybe_end(e);
  }
}

void HalfStream::close(StreamEnv& e) {
  if (!ended_) {
    while (!pieces_.empty()) skip_first_hole(e, GapReason::kClose);
    if (fin_seen_) advance_to(e, fin_abs_, GapReason::kClose);
    end(e);
  }
  release(e);
}

void HalfStream::maybe_end(StreamEnv& e) {
  if (!ended_ && fin_seen_ && next_ >= fin_limit()) end(e);
}

void HalfStream::end(StreamEnv& e) {
  if (ended_) return;
  ended_ = true;
  hole_since_us_ = -1;
  release(e);
  e.sink.on_end(dir_);
}

void HalfStream::release(StreamEnv& e) {
  for (const Piece& p : pieces_) free_piece(e, p);
  pieces_.clear();
  pieces_.shrink_to_fit();
  if (history_) {
    e.memory.release(history_cap_);
    history_.reset();
    history_cap_ = 0;
  }
}

void HalfStream::free_piece(StreamEnv& e, const Piece& p) {
  e.memory.release(p.len + kPieceOverhead);
  e.budget.bytes -= std::min(e.budget.bytes, p.len);
  if (e.budget.segments > 0) --e.budget.segments;
}

void HalfStream::restart_hole_timer() {
  // The hole now in front of delivery has been known since the oldest piece that
  // lies beyond it arrived (or the FIN did).
  hole_since_us_ = -1;
  for (const Piece& p : pieces_) {
    if (hole_since_us_ < 0 || p.stored_us < hole_since_us_) hole_since_us_ = p.stored_us;
  }
  if (fin_seen_ && !ended_ && next_ < fin_limit() &&
      (hole_since_us_ < 0 || fin_us_ < hole_since_us_)) {
    hole_since_us_ = fin_us_;
  }
}

void HalfStream::remember(StreamEnv& e, uint64_t at, std::span<const uint8_t> bytes) {
  if (e.config.history_bytes == 0 || history_refused_) return;
  if (!history_) {
    const uint32_t cap = e.config.history_bytes;
    if (!e.memory.try_reserve(cap)) {
      history_refused_ = true;
      ++e.counters.memcap_hits;
      return;
    }
    history_.reset(new (std::nothrow) uint8_t[cap]);
    if (!history_) {
      e.memory.release(cap);
      history_refused_ = true;
      ++e.counters.memcap_hits;
      return;
    }
    history_cap_ = cap;
    history_valid_from_ = at;
  }
  if (bytes.size() > history_cap_) {
    at += bytes.size() - history_cap_;
    bytes = bytes.last(history_cap_);
  }
  const uint64_t ring = at % history_cap_;
  const uint64_t first = std::min<uint64_t>(bytes.size(), history_cap_ - ring);
  std::memcpy(history_.get() + ring, bytes.data(), first);
  std::memcpy(history_.get(), bytes.data() + first, bytes.size() - first);
}

uint64_t HalfStream::buffered_bytes() const {
  uint64_t n = 0;
  for (const Piece& p : pieces_) n += p.len;
  return n;
}

TcpStreamInfo HalfStream::info() const {
  TcpStreamInfo i;
  i.bytes_delivered = delivered_;
  i.gaps = gaps_;
  i.gap_bytes = gap_bytes_;
  i.depth_dropped_bytes = depth_dropped_;
  i.buffered_bytes = buffered_bytes();
  i.syn_seen = syn_seen_;
  i.midstream = midstream_;
  i.fin_seen = fin_seen_;
  i.ended = ended_;
  return i;
}

}  // namespace ww::tcp_detail
