#pragma once
// The queue of client commands waiting for their reply (PIPELINING). Replies
// answer commands strictly in order (RFC 2920), so a ring of entries is enough.
// The ring grows by doubling up to the cap the session enforces and never
// shrinks; a slot's string keeps its capacity across reuse, so a steady session
// allocates nothing per command.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ww::smtp {

enum class PendingKind : uint8_t {
  helo,
  ehlo,
  mail,
  rcpt,
  data,
  bdat,
  end_of_data,  // the "." line: answered by the final reply to the message
  rset,
  quit,
  auth,  // stays at the head while the server answers 334
  starttls,
  other,       // NOOP, VRFY, unknown commands, malformed BDAT...: reply not interpreted
  client_gap,  // marker: commands lost in a client gap are answered here
};

struct PendingCommand {
  PendingKind kind = PendingKind::other;
  bool last = false;              // BDAT ... LAST
  bool reported = true;           // RCPT within max_recipients
  bool truncated = false;         // `arg` was cut at its limit
  bool initial_response = false;  // AUTH with an initial response (not kept)
  uint32_t seq = 0;               // order of the command in the session (1, 2, ...)
  uint32_t txn = 0;               // transaction the command belongs to
  uint32_t ends_txn = 0;          // MAIL/RSET/HELO/QUIT: transaction it closes
  uint32_t extra_replies = 0;     // replies of later commands that were not queued
  std::string arg;                // RCPT address, HELO name, AUTH mechanism
};

class PendingQueue {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  PendingCommand& front() { return slots_[head_]; }
  PendingCommand& back() { return at(size_ - 1); }
  PendingCommand& at(size_t i) { return slots_[(head_ + i) % slots_.size()]; }

  // A reset entry at the back (its string keeps its capacity).
  PendingCommand& push_back() {
    if (size_ == slots_.size()) grow();
    PendingCommand& p = slots_[(head_ + size_) % slots_.size()];
    ++size_;
    std::string keep = std::move(p.arg);
    keep.clear();
    p = PendingCommand{};
    p.arg = std::move(keep);
    return p;
  }

  // Moves the head into `out` (swapping strings, so neither loses capacity).
  void pop_front(PendingCommand& out) {
    std::swap(out, slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }

  void erase(size_t i) {
    for (; i + 1 < size_; ++i) std::swap(at(i), at(i + 1));
    --size_;
  }

  void clear() {
    head_ = 0;
    size_ = 0;
  }

  size_t memory_bytes() const {
    size_t n = slots_.capacity() * sizeof(PendingCommand);
    for (const auto& s : slots_) n += s.arg.capacity();
    return n;
  }

 private:
  void grow() {
    std::vector<PendingCommand> bigger(slots_.empty() ? 4 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) std::swap(bigger[i], at(i));
    slots_.swap(bigger);
    head_ = 0;
  }

  std::vector<PendingCommand> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace ww::smtp
