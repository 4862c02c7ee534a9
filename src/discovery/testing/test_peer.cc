// SPDX-License-Identifier: Apache-2.0
// The hand-driven test peer and the recording transport.
#include "discovery/testing/test_peer.h"

#include "trust/testing/identities.h"

namespace mw::swim::testing {

base::Endpoint test_endpoint(uint8_t n, uint16_t port) {
  return base::Endpoint{base::IpAddress::v4({10, 0, n, 1}), port};
}

TestPeer::TestPeer(uint8_t n)
    : identity_(trust::testing::identity_from_byte(n)),
      wg_private_(trust::wireguard_private_key(identity_)),
      endpoint_(test_endpoint(n)) {}

Statement TestPeer::alive(uint64_t incarnation, std::vector<uint8_t> certificate) const {
  return make_alive(identity_, incarnation, {endpoint_}, std::move(certificate),
                    {CandidateKind::kHost});
}

Statement TestPeer::leave(uint64_t incarnation) const {
  return make_accusation(identity_, StatementKind::kLeave, id(), incarnation);
}

Statement TestPeer::accuse(StatementKind kind, const PublicKey& subject,
                           uint64_t incarnation) const {
  return make_accusation(identity_, kind, subject, incarnation);
}

const PairKey& TestPeer::key_for(const PublicKey& to) {
  auto it = keys_.find(to);
  if (it == keys_.end()) {
    it = keys_.emplace(to, *derive_pair_key(wg_private_, id(), to)).first;
  }
  return it->second;
}

std::vector<uint8_t> TestPeer::seal(const PublicKey& to, Message m) {
  return seal_with_counter(to, std::move(m), ++counter);
}

std::vector<uint8_t> TestPeer::seal_with_counter(const PublicKey& to, Message m, uint64_t c) {
  m.sender = id();
  m.counter = c;
  std::vector<uint8_t> d = encode_message(m);
  seal_mac(d, key_for(to));
  return d;
}

std::vector<uint8_t> TestPeer::join(const Statement& claim) {
  Message m;
  m.type = MessageType::kJoin;
  m.sender = id();
  m.counter = ++counter;
  m.gossip.push_back(GossipItem{claim, std::nullopt});
  std::vector<uint8_t> d = encode_message(m);
  sign_join(d, identity_);
  seal_join(d);
  return d;
}

std::vector<GossipItem> items(std::vector<Statement> statements) {
  std::vector<GossipItem> out;
  for (Statement& s : statements) out.push_back(GossipItem{std::move(s), std::nullopt});
  return out;
}

std::vector<uint8_t> TestPeer::gossip(const PublicKey& to, std::vector<Statement> statements) {
  Message m;
  m.type = MessageType::kGossip;
  m.gossip = items(std::move(statements));
  return seal(to, std::move(m));
}

std::vector<uint8_t> TestPeer::ping(const PublicKey& to, uint32_t seq,
                                    std::vector<Statement> gossip) {
  Message m;
  m.type = MessageType::kPing;
  m.seq = seq;
  m.target = to;
  m.gossip = items(std::move(gossip));
  return seal(to, std::move(m));
}

std::vector<uint8_t> TestPeer::ack(const PublicKey& to, uint32_t seq,
                                   std::vector<Statement> gossip) {
  Message m;
  m.type = MessageType::kAck;
  m.seq = seq;
  m.observed = endpoint();
  m.gossip = items(std::move(gossip));
  return seal(to, std::move(m));
}

std::vector<uint8_t> TestPeer::nack(const PublicKey& to, uint32_t seq) {
  Message m;
  m.type = MessageType::kNack;
  m.seq = seq;
  return seal(to, std::move(m));
}

void RecordingTransport::send(const base::Endpoint& to, base::Bytes datagram) {
  Sent s{to, std::vector<uint8_t>(datagram.begin(), datagram.end()), {}};
  (void)decode_message(s.bytes, &s.message);
  sent_.push_back(std::move(s));
}

std::vector<RecordingTransport::Sent> RecordingTransport::of_type(
    MessageType t, std::optional<base::Endpoint> to) const {
  std::vector<Sent> out;
  for (const Sent& s : sent_) {
    if (s.message.type == t && (!to || s.to == *to)) out.push_back(s);
  }
  return out;
}

}  // namespace mw::swim::testing
