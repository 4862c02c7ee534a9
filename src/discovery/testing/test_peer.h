// SPDX-License-Identifier: Apache-2.0
// TestPeer and RecordingTransport: a hand-driven mesh member that crafts authenticated
// datagrams and signed statements for a Membership under test, and a transport that records
// (and decodes) what the Membership sends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "discovery/messages.h"
#include "discovery/pair_key.h"
#include "discovery/statement.h"
#include "discovery/types.h"
#include "trust/identity.h"

namespace mw::swim::testing {

// 10.0.<n>.1:51820: each test node in its own /24, so per-source limits do not interfere.
base::Endpoint test_endpoint(uint8_t n, uint16_t port = 51820);

class TestPeer {
 public:
  // The identity trust::testing::identity_from_byte(n), at test_endpoint(n).
  explicit TestPeer(uint8_t n);

  const trust::Identity& identity() const { return identity_; }
  const PublicKey& id() const { return identity_.public_key; }
  const base::Endpoint& endpoint() const { return endpoint_; }

  // Its own signed alive claim announcing endpoint() (and a certificate if given).
  Statement alive(uint64_t incarnation, std::vector<uint8_t> certificate = {}) const;
  Statement leave(uint64_t incarnation) const;
  // An accusation (suspect or dead) signed by this peer.
  Statement accuse(StatementKind kind, const PublicKey& subject, uint64_t incarnation) const;

  // A datagram to `to`: sender and the next counter filled in, mac sealed with the pair key.
  std::vector<uint8_t> seal(const PublicKey& to, Message m);
  // The same with a chosen counter (for replay tests).
  std::vector<uint8_t> seal_with_counter(const PublicKey& to, Message m, uint64_t counter);
  // A signed join carrying `claim` (normally alive(...)).
  std::vector<uint8_t> join(const Statement& claim);
  // Shorthands.
  std::vector<uint8_t> gossip(const PublicKey& to, std::vector<Statement> statements);
  std::vector<uint8_t> ping(const PublicKey& to, uint32_t seq, std::vector<Statement> gossip = {});
  std::vector<uint8_t> ack(const PublicKey& to, uint32_t seq, std::vector<Statement> gossip = {});
  std::vector<uint8_t> nack(const PublicKey& to, uint32_t seq);

  uint64_t counter = 1'000'000;

 private:
  const PairKey& key_for(const PublicKey& to);
  trust::Identity identity_;
  crypto::PrivateKey wg_private_;
  base::Endpoint endpoint_;
  std::map<PublicKey, PairKey> keys_;
};

std::vector<GossipItem> items(std::vector<Statement> statements);

class RecordingTransport final : public Transport {
 public:
  struct Sent {
    base::Endpoint to;
    std::vector<uint8_t> bytes;
    Message message;  // decoded (mac not checked)
  };
  void send(const base::Endpoint& to, base::Bytes datagram) override;
  std::vector<Sent> take() { return std::exchange(sent_, {}); }
  const std::vector<Sent>& sent() const { return sent_; }
  // Sent datagrams of one type (optionally to one endpoint).
  std::vector<Sent> of_type(MessageType t, std::optional<base::Endpoint> to = {}) const;

 private:
  std::vector<Sent> sent_;
};

}  // namespace mw::swim::testing
