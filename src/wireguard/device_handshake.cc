// SPDX-License-Identifier: Apache-2.0
// The handshake half of Device: sending initiations (rate-limited, retried by the timers),
// answering valid initiations with a response, completing on a response, consuming cookie
// replies, and installing the derived keypair in the right slot.
#include "wireguard/device.h"

#include "base/log.h"
#include "wireguard/constants.h"

namespace mw::wg {

void Device::initiate_handshake(Peer& peer, base::Instant now, DeviceOutput& out) {
  send_initiation(peer, now, /*is_retry=*/false, out);
}

void Device::send_initiation(Peer& peer, base::Instant now, bool is_retry, DeviceOutput& out) {
  if (!is_retry) {
    // One new initiation per REKEY_TIMEOUT; the retransmit timer does the retries.
    if (peer.last_sent_handshake && now - *peer.last_sent_handshake < kRekeyTimeout) return;
    peer.timers.reset_handshake_attempts();
  }
  if (!local_.present || !handshake_keys(peer).static_static_valid) return;
  peer.last_sent_handshake = now;

  clear_handshake(peer);
  uint32_t index = index_table_.insert(peer.id);
  Initiation msg;
  if (!create_initiation(local_, peer.keys, peer.handshake, index, tai64n_from_wall(wall(now)),
                         &msg)) {
    index_table_.remove(index);
    peer.handshake.clear();
    return;
  }
  InitiationBytes bytes = encode(msg);
  peer.cookie.add_macs(bytes, now);
  ++stats_.initiations_sent;
  peer.timers.on_any_authenticated_packet_traversal(now);
  peer.timers.on_any_authenticated_packet_sent();
  send_to_peer(peer, bytes, out);
  peer.timers.on_handshake_initiated(now, jitter());
}

void Device::receive_initiation(const HandshakeWork& work, base::Instant now, DeviceOutput& out) {
  Initiation msg;
  if (!decode(work.message(), &msg)) {
    count(DropReason::kMalformed);
    return;
  }
  if (!work.computed) {
    count(DropReason::kHandshakeInvalid);
    return;
  }
  ConsumedInitiation consumed;
  PeerKeysLookup lookup = [this](const crypto::PublicKey& key) -> const PeerKeys* {
    Peer* p = find_peer(key);
    return p ? &handshake_keys(*p) : nullptr;
  };
  if (!consume_initiation(local_, msg, lookup, &consumed, &work.initiation_dh)) {
    count(DropReason::kHandshakeInvalid);
    return;
  }
  Peer& peer = *find_peer(consumed.remote_static);
  if (!tai64n_after(consumed.timestamp, peer.latest_timestamp)) {
    count(DropReason::kStaleTimestamp);
    return;
  }
  if (peer.last_initiation_consumed &&
      now - *peer.last_initiation_consumed <= kHandshakeInitiationRate) {
    count(DropReason::kInitiationFlood);
    return;
  }
  peer.latest_timestamp = consumed.timestamp;
  peer.last_initiation_consumed = now;
  // The responder's side of a handshake completes within this call, so it lives on the stack:
  // our own pending initiation (if any) stays valid. When both sides initiate at once, each
  // answers the other and each still completes its own, where wireguard-go and the kernel
  // discard their own and retry in lock-step after REKEY_TIMEOUT.
  Handshake hs;
  accept_initiation(hs, consumed);

  note_source(peer, work.source, out);  // roaming: the latest authenticated source
  peer.rx_bytes += work.length;
  ++peer.rx_packets;
  peer.timers.on_any_authenticated_packet_traversal(now);
  peer.timers.on_any_authenticated_packet_received();
  send_response(peer, hs, work.initiation_dh, now, out);
}

void Device::send_response(Peer& peer, Handshake& hs, const InitiationDh& dh, base::Instant now,
                           DeviceOutput& out) {
  uint32_t index = index_table_.insert(peer.id);
  Response msg;
  if (!create_response(peer.keys, hs, index, &msg, nullptr, &dh)) {
    index_table_.remove(index);
    count(DropReason::kHandshakeInvalid);
    return;
  }
  ResponseBytes bytes = encode(msg);
  peer.cookie.add_macs(bytes, now);
  begin_session(peer, hs, now);
  ++stats_.responses_sent;
  peer.timers.on_session_derived(now);
  peer.timers.on_any_authenticated_packet_traversal(now);
  peer.timers.on_any_authenticated_packet_sent();
  send_to_peer(peer, bytes, out);
}

void Device::receive_response(const HandshakeWork& work, base::Instant now, DeviceOutput& out) {
  Response msg;
  if (!decode(work.message(), &msg)) {
    count(DropReason::kMalformed);
    return;
  }
  // The initiation it answers must still be the one pending (screen_handshake checked it then).
  Peer* peer = peer_by_index(msg.receiver_index);
  if (!peer || peer->handshake.state != HandshakeState::kInitiationCreated ||
      peer->handshake.local_index != work.initiation_index) {
    count(DropReason::kHandshakeSuperseded);
    return;
  }
  if (!work.computed ||
      !consume_response(local_, peer->keys, peer->handshake, msg, &work.response_dh)) {
    count(DropReason::kHandshakeInvalid);
    return;
  }
  note_source(*peer, work.source, out);
  peer->rx_bytes += work.length;
  ++peer->rx_packets;
  peer->timers.on_any_authenticated_packet_traversal(now);
  peer->timers.on_any_authenticated_packet_received();
  begin_session(*peer, peer->handshake, now);
  peer->timers.on_session_derived(now);
  peer->timers.on_handshake_complete();
  // Confirm the session to the responder: staged data, or a keepalive.
  send_keepalive(*peer, now, out);
}

void Device::receive_cookie_reply(base::Bytes d, base::Instant now, DeviceOutput& out) {
  CookieReply reply;
  if (!decode(d, &reply)) {
    count(DropReason::kMalformed);
    return;
  }
  Peer* peer = peer_by_index(reply.receiver_index);
  if (!peer) {
    count(DropReason::kUnknownIndex);
    return;
  }
  if (!peer->cookie.consume_reply(reply, now)) {
    count(DropReason::kBadCookieReply);
    return;
  }
  // The responder is under load and our initiation went unanswered: retry with mac2 at once,
  // once per initiation, instead of waiting REKEY_TIMEOUT as wireguard-go and the kernel do.
  if (peer->handshake.state == HandshakeState::kInitiationCreated &&
      peer->cookie_retry_index != peer->handshake.local_index) {
    send_initiation(*peer, now, /*is_retry=*/true, out);
    peer->cookie_retry_index = peer->handshake.local_index;
  }
}

void Device::begin_session(Peer& peer, Handshake& hs, base::Instant now) {
  SessionKeys keys;
  if (!derive_session(hs, &keys)) return;
  auto kp = std::make_unique<Keypair>();
  kp->send_key = keys.send_key;
  kp->receive_key = keys.receive_key;
  kp->created = now;
  kp->is_initiator = keys.is_initiator;
  kp->local_index = keys.local_index;
  kp->remote_index = keys.remote_index;

  Keypairs& slots = peer.keypairs;
  bool kp_is_initiator = kp->is_initiator;
  if (kp->is_initiator) {
    // Confirmed at once: becomes current; an unconfirmed `next` is demoted to previous.
    if (slots.next) {
      drop_keypair(slots.previous);
      slots.previous = std::move(slots.next);
      drop_keypair(slots.current);
    } else {
      drop_keypair(slots.previous);
      slots.previous = std::move(slots.current);
    }
    slots.current = std::move(kp);
  } else {
    // Waits in `next` for the initiator's first transport packet (key confirmation).
    drop_keypair(slots.next);
    slots.next = std::move(kp);
    drop_keypair(slots.previous);
  }
  peer.sent_last_minute_handshake = false;
  // A responder's session counts as a handshake only once the initiator confirms it with its
  // first transport packet (see receive_transport), as in the kernel and wireguard-go.
  if (kp_is_initiator) record_handshake(peer, now);
}

void Device::record_handshake(Peer& peer, base::Instant now) {
  peer.last_handshake = wall(now);
  ++stats_.handshakes_completed;
}

}  // namespace mw::wg
