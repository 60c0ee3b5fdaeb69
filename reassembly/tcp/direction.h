#pragma once
// Which way bytes travel in a TCP flow. The flow table decides who the client is
// (the side that sent the first SYN, or the first packet seen when the handshake was
// missed); the reassembler only needs the two values to index its half-streams.

#include <cstddef>
#include <cstdint>

namespace ww {

enum class Direction : uint8_t {
  to_server = 0,  // client -> server: bytes sent by the flow initiator
  to_client = 1,  // server -> client
};

constexpr Direction opposite(Direction d) {
  return d == Direction::to_server ? Direction::to_client : Direction::to_server;
}

constexpr size_t index_of(Direction d) { return static_cast<size_t>(d); }

constexpr const char* direction_name(Direction d) {
  return d == Direction::to_server ? "to_server" : "to_client";
}

}  // namespace ww
