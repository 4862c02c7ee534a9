// SPDX-License-Identifier: Apache-2.0
// Device construction and the inbound dispatch: classify a datagram, apply the DoS checks of
// whitepaper §5.3 in their order (mac1, then under load mac2 and the per-source rate), and hand
// it to its handler.
#include "wireguard/device.h"

#include <algorithm>
#include <cstring>

#include "crypto/random.h"
#include "wireguard/constants.h"
#include "wireguard/messages.h"
#include "wireguard/transport.h"

namespace mw::wg {

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kMalformed: return "malformed";
    case DropReason::kBadMac1: return "bad_mac1";
    case DropReason::kCookieRequired: return "cookie_required";
    case DropReason::kRatelimited: return "ratelimited";
    case DropReason::kHandshakeInvalid: return "handshake_invalid";
    case DropReason::kStaleTimestamp: return "stale_timestamp";
    case DropReason::kInitiationFlood: return "initiation_flood";
    case DropReason::kUnknownIndex: return "unknown_index";
    case DropReason::kBadCookieReply: return "bad_cookie_reply";
    case DropReason::kKeypairExpired: return "keypair_expired";
    case DropReason::kCounterExhausted: return "counter_exhausted";
    case DropReason::kDecryptFailed: return "decrypt_failed";
    case DropReason::kReplayed: return "replayed";
    case DropReason::kBadInnerPacket: return "bad_inner_packet";
    case DropReason::kAllowedIpsMismatch: return "allowed_ips_mismatch";
    case DropReason::kNoRoute: return "no_route";
    case DropReason::kNoEndpoint: return "no_endpoint";
    case DropReason::kStagedOverflow: return "staged_overflow";
    case DropReason::kHandshakeGaveUp: return "handshake_gave_up";
    case DropReason::kFiltered: return "filtered";
    case DropReason::kHandshakeSuperseded: return "handshake_superseded";
    case DropReason::kCount: break;
  }
  return "unknown";
}

Device::Device(DeviceConfig config)
    : config_(std::move(config)), ratelimiter_(config_.ratelimiter_entries) {
  if (!config_.rng) {
    // Timer jitter needs no secrecy, and it is drawn on every data packet sent: a getrandom
    // call each time cost ~8% of the sender's CPU. A splitmix64 seeded once from the CSPRNG.
    uint64_t state = (uint64_t(crypto::random_u32()) << 32) | crypto::random_u32();
    config_.rng = [state]() mutable {
      uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      return uint32_t((z ^ (z >> 31)) >> 32);
    };
  }
}

Device::~Device() = default;

Peer* Device::peer_by_id(PeerId id) {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : it->second.get();
}

Peer* Device::peer_by_index(uint32_t index) {
  auto id = index_table_.lookup(index);
  return id ? peer_by_id(*id) : nullptr;
}

base::Duration Device::jitter() {
  return base::Duration::nanos(
      int64_t(config_.rng() % uint32_t(kRekeyTimeoutJitterMax.to_nanos())));
}

void DeviceOutput::send_transport(const base::Endpoint& to, const OutboundTransport& t,
                                  const crypto::SymmetricKey& /*key*/, crypto::AeadKey& keyed) {
  thread_local std::vector<uint8_t> buffer;
  if (buffer.size() < t.message_len()) buffer.resize(t.message_len());
  base::MutableBytes message(buffer.data(), t.message_len());
  if (seal_transport(keyed, t, message)) send_datagram(to, message);
}

bool DeviceOutput::on_authenticated_source(const Peer&, const base::Endpoint&) { return false; }

const base::Endpoint* Device::sending_to(Peer& peer, size_t len) {
  if (!peer.endpoint) {
    count(DropReason::kNoEndpoint);
    return nullptr;
  }
  peer.tx_bytes += len;
  ++peer.tx_packets;
  return &*peer.endpoint;
}

void Device::send_to_peer(Peer& peer, base::Bytes datagram, DeviceOutput& out) {
  if (const base::Endpoint* to = sending_to(peer, datagram.size()))
    out.send_datagram(*to, datagram);
}

bool Device::proves_cookie(base::Bytes d, const base::Endpoint& source, base::Instant now) const {
  auto type = classify(d);
  if (type != MessageType::kInitiation && type != MessageType::kResponse) return false;
  // A sender without a cookie leaves mac2 all zero: that costs nothing to refuse.
  base::Bytes mac2 = d.last(kMacsLen / 2);
  if (std::all_of(mac2.begin(), mac2.end(), [](uint8_t b) { return b == 0; })) return false;
  return cookie_checker_.check_mac2(d, source, now);
}

void Device::receive_datagram(base::MutableBytes d, const base::Endpoint& source, base::Instant now,
                              bool under_load, DeviceOutput& out) {
  auto type = classify(d);
  if (!type) {
    count(DropReason::kMalformed);
    return;
  }
  if (*type == MessageType::kTransport) {
    receive_transport(d, source, now, out);
    return;
  }
  if (*type == MessageType::kCookieReply) {
    receive_cookie_reply(d, now, out);
    return;
  }
  HandshakeWork work;
  if (!screen_handshake(d, source, now, under_load, out, &work)) return;
  work.compute();
  finish_handshake(work, now, out);
}

bool Device::screen_handshake(base::Bytes d, const base::Endpoint& source, base::Instant now,
                              bool under_load, DeviceOutput& out, HandshakeWork* work) {
  auto type = classify(d);
  if (type != MessageType::kInitiation && type != MessageType::kResponse) {
    count(DropReason::kMalformed);
    return false;
  }
  // mac1 before anything else costs a DH.
  if (!cookie_checker_.check_mac1(d)) {
    count(DropReason::kBadMac1);
    return false;
  }
  if (under_load) {
    if (!cookie_checker_.check_mac2(d, source, now)) {
      uint32_t sender_index = base::load_u32le(d.data() + 4);
      CookieReplyBytes reply = encode(cookie_checker_.make_reply(d, sender_index, source, now));
      out.send_datagram(source, reply);
      ++stats_.cookie_replies_sent;
      count(DropReason::kCookieRequired);
      return false;
    }
    if (!ratelimiter_.allow(source.address, now)) {
      count(DropReason::kRatelimited);
      return false;
    }
  }
  work->type = *type;
  work->initiation_index = 0;
  if (*type == MessageType::kResponse) {
    // Only a response to our pending initiation is worth its DH.
    uint32_t receiver_index = base::load_u32le(d.data() + 8);
    Peer* peer = peer_by_index(receiver_index);
    if (!peer || peer->handshake.state != HandshakeState::kInitiationCreated ||
        peer->handshake.local_index != receiver_index) {
      count(DropReason::kUnknownIndex);
      return false;
    }
    work->initiation_ephemeral = peer->handshake.ephemeral_private;
    work->initiation_index = receiver_index;
  }
  std::memcpy(work->bytes.data(), d.data(), d.size());
  work->length = d.size();
  work->source = source;
  work->local = local_;
  work->local_generation = local_generation_;
  work->computed = false;
  return true;
}

void Device::finish_handshake(const HandshakeWork& work, base::Instant now, DeviceOutput& out) {
  if (work.local_generation != local_generation_) {
    count(DropReason::kHandshakeSuperseded);
    return;
  }
  if (work.type == MessageType::kInitiation) {
    receive_initiation(work, now, out);
  } else {
    receive_response(work, now, out);
  }
}

}  // namespace mw::wg
