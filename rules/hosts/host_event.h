#pragma once
// What a worker tells the host tracker about one connection: small, fixed
// size, trivially copyable, so it travels through a ring buffer by value.

#include <cstdint>
#include <type_traits>

#include "sensor/decode/packet.h"

namespace ww {

struct HostEvent {
  enum class Kind : uint8_t {
    kSyn,                 // client sent a SYN (a probe)
    kSynAck,              // server answered a SYN with SYN-ACK
    kHandshake,           // the three-way handshake completed (or was seen midstream)
    kClientPayload,       // first client payload of the flow; magic = starts with 85 13 3c 9e a2
    kServerPayload,       // first server payload of the flow
    kSmtpSession,         // one per SMTP flow, at its start (client = sender host)
    kSmtpMessage,         // one per message; count = recipients (0 is counted as 1)
    kInfectedAttachment,  // the scan stage found malware in an attachment; client = sender
  };
  static constexpr int kKindCount = 8;

  // flags
  static constexpr uint8_t kServerAnswered =
      0x01;  // the flow's server sent SYN-ACK, data or ACKed data

  int64_t ts_us = 0;     // packet time
  uint64_t flow_id = 0;  // EVE flow_id of the connection (0 = unknown)
  IpAddress client;      // the connection's initiator (SYN sender)
  IpAddress server;
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint32_t count = 0;  // kSmtpMessage: recipients
  Kind kind = Kind::kSyn;
  bool magic = false;  // kClientPayload: payload starts with the MyDoom backdoor magic
  uint8_t flags = 0;
};

static_assert(std::is_trivially_copyable_v<HostEvent>);
static_assert(sizeof(HostEvent) == 64, "HostEvent is meant to fill one cache line");

const char* host_event_kind_name(HostEvent::Kind k);

// The MyDoom backdoor upload magic; helpers for the caller.
inline constexpr uint8_t kMyDoomMagic[5] = {0x85, 0x13, 0x3c, 0x9e, 0xa2};

}  // namespace ww
