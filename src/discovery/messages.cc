// SPDX-License-Identifier: Apache-2.0
// Encoding, strict decoding and authentication of mesh datagrams (docs/mesh.md §1, §4).
#include "discovery/messages.h"

#include <string_view>

#include "crypto/blake2s.h"
#include "crypto/ct.h"

namespace mw::swim {
namespace {

size_t fixed_body_len(const Message& m) {
  switch (m.type) {
    case MessageType::kPing: return 4 + 32;
    case MessageType::kAck: return 4 + endpoint_len(m.observed);
    case MessageType::kNack: return 4;
    case MessageType::kPingReq: return 4 + 32 + endpoint_len(m.target_endpoint);
    case MessageType::kSync: return 1;
    case MessageType::kIntroReq:
    case MessageType::kIntro: return 32;
    case MessageType::kJoin:
    case MessageType::kGossip: return 0;
  }
  return 0;
}

size_t trailer_len(MessageType t) {
  return kDatagramMacLen + (t == MessageType::kJoin ? kJoinSignatureLen : 0);
}

const crypto::Hash& join_mac_key() {
  static const crypto::Hash key = crypto::blake2s256(base::as_bytes("meshward join mac v1"));
  return key;
}

crypto::Mac compute_mac(base::Bytes covered, base::Bytes key) {
  crypto::Mac mac{};
  bool ok = crypto::blake2s_keyed(key, {covered}, mac);
  (void)ok;  // key and output sizes are fixed and valid
  return mac;
}

void write_mac(std::vector<uint8_t>& d, base::Bytes key) {
  if (d.size() < kDatagramMacLen) return;
  size_t covered = d.size() - kDatagramMacLen;
  crypto::Mac mac = compute_mac(base::Bytes(d.data(), covered), key);
  std::copy(mac.begin(), mac.end(), d.begin() + covered);
}

bool mac_matches(base::Bytes d, base::Bytes key) {
  if (d.size() < kDatagramMacLen) return false;
  size_t covered = d.size() - kDatagramMacLen;
  crypto::Mac mac = compute_mac(d.first(covered), key);
  return crypto::ct_equal(mac, d.subspan(covered));
}

std::vector<uint8_t> join_signed_bytes(base::Bytes d) {
  static constexpr std::string_view kContext = "meshward join v1";
  size_t covered = d.size() - kDatagramMacLen - kJoinSignatureLen;
  std::vector<uint8_t> buf(kContext.size() + covered);
  std::copy(kContext.begin(), kContext.end(), buf.begin());
  std::copy(d.begin(), d.begin() + covered, buf.begin() + kContext.size());
  return buf;
}

bool valid_type(uint8_t t) { return t >= 1 && t <= 9; }

}  // namespace

const char* message_type_name(MessageType t) {
  switch (t) {
    case MessageType::kPing: return "ping";
    case MessageType::kAck: return "ack";
    case MessageType::kPingReq: return "ping_req";
    case MessageType::kNack: return "nack";
    case MessageType::kSync: return "sync";
    case MessageType::kJoin: return "join";
    case MessageType::kGossip: return "gossip";
    case MessageType::kIntroReq: return "intro_req";
    case MessageType::kIntro: return "intro";
  }
  return "?";
}

size_t message_overhead_len(const Message& m) {
  return kHeaderLen + fixed_body_len(m) + 1 + trailer_len(m.type);
}

size_t message_len(const Message& m) {
  size_t n = message_overhead_len(m);
  for (const GossipItem& g : m.gossip) n += gossip_item_len(g);
  return n;
}

std::vector<uint8_t> encode_message(const Message& m) {
  std::vector<uint8_t> d(message_len(m));
  base::Writer w(d);
  w.u8(kMeshMagic);
  w.u8(kMeshVersion);
  w.u8(static_cast<uint8_t>(m.type));
  w.u8(0);
  w.bytes(m.sender);
  w.u64le(m.counter);
  switch (m.type) {
    case MessageType::kPing:
      w.u32le(m.seq);
      w.bytes(m.target);
      break;
    case MessageType::kAck:
      w.u32le(m.seq);
      encode_endpoint(w, m.observed);
      break;
    case MessageType::kNack: w.u32le(m.seq); break;
    case MessageType::kPingReq:
      w.u32le(m.seq);
      w.bytes(m.target);
      encode_endpoint(w, m.target_endpoint);
      break;
    case MessageType::kSync: w.u8(m.sync_flags); break;
    case MessageType::kIntroReq:
    case MessageType::kIntro: w.bytes(m.target); break;
    case MessageType::kJoin:
    case MessageType::kGossip: break;
  }
  w.u8(static_cast<uint8_t>(m.gossip.size()));
  for (const GossipItem& g : m.gossip) encode_gossip_item(w, g);
  w.zeros(trailer_len(m.type));
  return d;
}

void seal_mac(std::vector<uint8_t>& d, const PairKey& key) {
  write_mac(d, base::Bytes(key.data(), key.size()));
}

bool check_mac(base::Bytes d, const PairKey& key) {
  return mac_matches(d, base::Bytes(key.data(), key.size()));
}

void sign_join(std::vector<uint8_t>& d, const trust::Identity& sender) {
  if (d.size() < kDatagramMacLen + kJoinSignatureLen) return;
  crypto::Ed25519Signature sig = crypto::ed25519_sign(sender.secret, join_signed_bytes(d));
  std::copy(sig.begin(), sig.end(), d.end() - kDatagramMacLen - kJoinSignatureLen);
}

void seal_join(std::vector<uint8_t>& d) { write_mac(d, join_mac_key()); }

bool check_join_mac(base::Bytes d) { return mac_matches(d, join_mac_key()); }

bool verify_join_signature(base::Bytes d, const PublicKey& sender) {
  if (d.size() < kHeaderLen + kDatagramMacLen + kJoinSignatureLen) return false;
  crypto::Ed25519Signature sig;
  auto at = d.end() - kDatagramMacLen - kJoinSignatureLen;
  std::copy(at, at + kJoinSignatureLen, sig.begin());
  return crypto::ed25519_verify(sender, join_signed_bytes(d), sig);
}

DecodeError decode_header(base::Bytes d, Header* out) {
  if (d.size() > kMaxDatagramLen) return DecodeError::kOversize;
  base::Reader r(d);
  uint8_t magic = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (magic != kMeshMagic) return DecodeError::kBadMagic;
  uint8_t version = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (version != kMeshVersion) return DecodeError::kBadVersion;
  uint8_t type = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (!valid_type(type)) return DecodeError::kBadType;
  uint8_t reserved = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (reserved != 0) return DecodeError::kBadReserved;
  out->type = static_cast<MessageType>(type);
  r.copy(out->sender);
  out->counter = r.u64le();
  if (!r.ok()) return DecodeError::kTruncated;
  return DecodeError::kOk;
}

DecodeError decode_message(base::Bytes d, Message* out) {
  Header h;
  DecodeError err = decode_header(d, &h);
  if (err != DecodeError::kOk) return err;
  size_t trailer = trailer_len(h.type);
  if (d.size() < kHeaderLen + trailer) return DecodeError::kTruncated;
  out->type = h.type;
  out->sender = h.sender;
  out->counter = h.counter;
  out->seq = 0;
  out->target = {};
  out->target_endpoint = {};
  out->observed = {};
  out->sync_flags = 0;
  out->gossip.clear();
  base::Reader r(d.subspan(kHeaderLen, d.size() - kHeaderLen - trailer));
  switch (h.type) {
    case MessageType::kPing:
      out->seq = r.u32le();
      r.copy(out->target);
      break;
    case MessageType::kAck:
      out->seq = r.u32le();
      if (!r.ok()) return DecodeError::kTruncated;
      err = decode_endpoint(r, &out->observed);
      if (err != DecodeError::kOk) return err;
      break;
    case MessageType::kNack: out->seq = r.u32le(); break;
    case MessageType::kPingReq:
      out->seq = r.u32le();
      r.copy(out->target);
      if (!r.ok()) return DecodeError::kTruncated;
      err = decode_endpoint(r, &out->target_endpoint);
      if (err != DecodeError::kOk) return err;
      break;
    case MessageType::kSync:
      out->sync_flags = r.u8();
      if (r.ok() && (out->sync_flags & ~kSyncReplyWanted) != 0) return DecodeError::kBadReserved;
      break;
    case MessageType::kIntroReq:
    case MessageType::kIntro: r.copy(out->target); break;
    case MessageType::kJoin:
    case MessageType::kGossip: break;
  }
  uint8_t count = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (count > kMaxGossipItems) return DecodeError::kBadCount;
  out->gossip.resize(count);
  for (GossipItem& g : out->gossip) {
    err = decode_gossip_item(r, &g);
    if (err != DecodeError::kOk) return err;
  }
  if (!r.at_end()) return DecodeError::kTrailing;
  if (h.type == MessageType::kJoin) {
    if (out->gossip.empty() || out->gossip[0].statement.kind != StatementKind::kAlive ||
        out->gossip[0].statement.subject != h.sender) {
      return DecodeError::kBadJoin;
    }
  }
  return DecodeError::kOk;
}

}  // namespace mw::swim
