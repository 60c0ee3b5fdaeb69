#pragma once
// What one side sends in one go (a request, a response, a mail), produced on
// demand: a multi-megabyte transfer is a size and a generator, never a buffer.
// A Payload is read once, front to back, in chunks of any size. Copies are
// independent as long as generators keep their state by value (the ones made
// here do): a copy taken before reading yields the same bytes again.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ww::gen {

class Payload {
 public:
  // Called with consecutive chunks of the part, in order; fills each chunk.
  using Generator = std::function<void(std::span<uint8_t>)>;

  Payload() = default;
  static Payload text(std::string_view s) { return Payload().append(s); }
  static Payload bytes(std::vector<uint8_t> b) { return Payload().append(std::move(b)); }
  // `size` random bytes from a generator of their own seeded with `seed`.
  static Payload random(uint64_t size, uint64_t seed) {
    return Payload().append_random(size, seed);
  }

  Payload& append(std::string_view s);
  Payload& append(std::vector<uint8_t> b);
  Payload& append_random(uint64_t size, uint64_t seed);
  Payload& append_generated(uint64_t size, Generator gen);

  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - consumed_; }
  bool empty() const { return remaining() == 0; }
  // Copies the next out.size() bytes (at most remaining()); returns the count.
  size_t read(std::span<uint8_t> out);
  // Reads everything that is left (for small payloads: datagrams, tests).
  std::vector<uint8_t> read_all();

 private:
  struct Part {
    std::shared_ptr<const std::vector<uint8_t>> literal;  // shared: payloads are copied cheaply
    Generator gen;
    uint64_t size = 0;
  };
  std::vector<Part> parts_;
  size_t part_ = 0;
  uint64_t part_pos_ = 0;
  uint64_t size_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace ww::gen
