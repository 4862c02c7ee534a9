// SPDX-License-Identifier: Apache-2.0
// Mesh datagrams of meshward mesh protocol v1 (docs/mesh.md §1, §4): header, per-type bodies,
// the pair-key MAC and the signed join.
//
// Layout (little-endian):
//   magic u8 = 0xED | version u8 = 1 | type u8 | reserved u8 = 0 | sender identity 32
//   | counter u64 | body | [join only: signature 64] | mac 16
// Bodies (gossip = count u8 (<= 16) | gossip items):
//   ping     1: seq u32 | target identity 32 | gossip
//   ack      2: seq u32 | observed endpoint | gossip  (the source address the ping came from)
//   ping_req 3: seq u32 | target identity 32 | target endpoint | gossip
//   nack     4: seq u32 | gossip
//   sync     5: flags u8 (bit 0: reply wanted) | gossip
//   join     6: gossip, the first item being the sender's own alive statement
//   gossip   7: gossip
//   intro_req 8: target identity 32 | gossip  (introduce me to target: docs/nat.md)
//   intro     9: target identity 32 | gossip  (target wants to meet you: punch toward it now)
// mac is keyed BLAKE2s-128 over every byte before it, keyed by the pair key of sender and
// receiver; a join (the sender does not know the receiver yet) is instead signed with Ed25519 by
// the sender over "meshward join v1" || every byte before the signature, and its mac is keyed by
// the public join key BLAKE2s-256("meshward join mac v1") (an integrity check only).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "discovery/codec.h"
#include "discovery/pair_key.h"
#include "discovery/statement.h"
#include "trust/identity.h"

namespace mw::swim {

enum class MessageType : uint8_t {
  kPing = 1,
  kAck = 2,
  kPingReq = 3,
  kNack = 4,
  kSync = 5,
  kJoin = 6,
  kGossip = 7,
  kIntroReq = 8,
  kIntro = 9,
};
const char* message_type_name(MessageType t);

constexpr size_t kHeaderLen = 4 + 32 + 8;
constexpr size_t kDatagramMacLen = 16;
constexpr size_t kJoinSignatureLen = 64;
constexpr uint8_t kSyncReplyWanted = 1;

struct Message {
  MessageType type = MessageType::kGossip;
  PublicKey sender{};
  uint64_t counter = 0;
  uint32_t seq = 0;                // ping, ack, ping_req, nack
  PublicKey target{};              // ping, ping_req, intro_req, intro
  base::Endpoint target_endpoint;  // ping_req
  uint8_t sync_flags = 0;          // sync
  std::vector<GossipItem> gossip;  // every type
  // ack: where the acked ping came from, as its receiver saw it (the pinger's reflexive address).
  base::Endpoint observed;

  bool operator==(const Message&) const = default;
};

// Bytes of the datagram without its gossip items (header, fixed body, count, signature, mac).
size_t message_overhead_len(const Message& m);
size_t message_len(const Message& m);

// The whole datagram with zeroed signature (join) and mac: finish it with seal_mac, or
// sign_join then seal_join.
std::vector<uint8_t> encode_message(const Message& m);
void seal_mac(std::vector<uint8_t>& datagram, const PairKey& key);
bool check_mac(base::Bytes datagram, const PairKey& key);
void sign_join(std::vector<uint8_t>& datagram, const trust::Identity& sender);
void seal_join(std::vector<uint8_t>& datagram);
bool check_join_mac(base::Bytes datagram);
bool verify_join_signature(base::Bytes datagram, const PublicKey& sender);

// The sender key and type, for the cheap lookup before any work (no body decoding).
struct Header {
  MessageType type;
  PublicKey sender;
  uint64_t counter;
};
DecodeError decode_header(base::Bytes datagram, Header* out);
// Strict decoding of the whole datagram (exact length, bounded counts). Does not check the mac
// or any signature.
DecodeError decode_message(base::Bytes datagram, Message* out);

}  // namespace mw::swim
