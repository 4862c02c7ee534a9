// SPDX-License-Identifier: Apache-2.0
// The transport half of Device: outbound packets are routed by destination through the
// allowed-IPs trie, staged until a session exists, padded and sealed; inbound transport is
// opened in place, replay-checked, promotes a confirmed `next` keypair, and is delivered only
// when its inner source address belongs to the sending peer (cryptokey routing).
#include "wireguard/device.h"

#include "wireguard/constants.h"
#include "wireguard/ip_packet.h"
#include "wireguard/transport.h"

namespace mw::wg {
namespace {

bool usable_for_sending(const Keypair* kp, base::Instant now) {
  return kp && now - kp->created < kRejectAfterTime && kp->send_counter < kRejectAfterMessages;
}

}  // namespace

void Device::send_packet(base::Bytes packet, base::Instant now, DeviceOutput& out) {
  auto info = parse_ip_packet(packet);
  if (!info) {
    count(DropReason::kBadInnerPacket);
    return;
  }
  auto id = allowed_ips_.lookup(info->destination);
  Peer* peer = id ? peer_by_id(*id) : nullptr;
  if (!peer) {
    count(DropReason::kNoRoute);
    return;
  }
  if (filter_ && !filter_->allow(PacketDirection::kOutbound, peer->keys.remote_static, *info)) {
    count(DropReason::kFiltered);
    return;
  }
  // Fast path: a usable session and nothing queued before this packet: seal it directly,
  // without copying it into the staged queue.
  Keypair* kp = peer->keypairs.current.get();
  if (peer->staged.empty() && usable_for_sending(kp, now)) {
    send_transport(*peer, *kp, packet, now, out);
    keep_key_fresh_sending(*peer, *kp, now, out);
    return;
  }
  if (peer->staged.size() >= kMaxStagedPackets) {
    peer->staged.pop_front();
    count(DropReason::kStagedOverflow);
  }
  peer->staged.emplace_back(packet.begin(), packet.end());
  send_staged(*peer, now, out);
}

void Device::send_keepalive(Peer& peer, base::Instant now, DeviceOutput& out) {
  if (peer.staged.empty()) peer.staged.emplace_back();  // an empty packet is a keepalive
  send_staged(peer, now, out);
}

void Device::send_staged(Peer& peer, base::Instant now, DeviceOutput& out) {
  Keypair* kp = peer.keypairs.current.get();
  if (!usable_for_sending(kp, now)) {
    send_initiation(peer, now, /*is_retry=*/false, out);
    return;
  }
  while (!peer.staged.empty()) {
    if (kp->send_counter >= kRejectAfterMessages) break;
    std::vector<uint8_t> packet = std::move(peer.staged.front());
    peer.staged.pop_front();
    send_transport(peer, *kp, packet, now, out);
  }
  keep_key_fresh_sending(peer, *kp, now, out);
}

void Device::keep_key_fresh_sending(Peer& peer, const Keypair& kp, base::Instant now,
                                    DeviceOutput& out) {
  // The initiator rekeys after REKEY_AFTER_TIME; either side after REKEY_AFTER_MESSAGES.
  if ((kp.is_initiator && now - kp.created >= kRekeyAfterTime) ||
      kp.send_counter >= kRekeyAfterMessages)
    send_initiation(peer, now, /*is_retry=*/false, out);
}

bool Device::send_transport(Peer& peer, Keypair& kp, base::Bytes plaintext, base::Instant now,
                            DeviceOutput& out) {
  size_t padded = padded_length(plaintext.size(), config_.mtu);
  // A context that failed to key cannot seal: the packet is dropped before it counts as sent.
  if (!kp.send_key.aead().keyed()) return false;
  // The counter is assigned here, in order; framing and sealing are the output's (now, into
  // its send buffer, or later in a batch).
  OutboundTransport t{kp.remote_index, kp.send_counter++, plaintext, padded};
  peer.timers.on_any_authenticated_packet_traversal(now);
  peer.timers.on_any_authenticated_packet_sent();
  if (!plaintext.empty()) peer.timers.on_data_sent(now, jitter());
  if (const base::Endpoint* to = sending_to(peer, t.message_len()))
    out.send_transport(*to, t, kp.send_key.key(), kp.send_key.aead());
  return true;
}

Keypair* Device::keypair_by_index(uint32_t receiver_index, Peer** peer_out) {
  Peer* peer = peer_by_index(receiver_index);
  Keypair* kp = peer ? peer->keypairs.find(receiver_index) : nullptr;
  if (!kp) {
    count(DropReason::kUnknownIndex);
    return nullptr;
  }
  *peer_out = peer;
  return kp;
}

Keypair* Device::admit_transport(const TransportHeader& h, base::Instant now, Peer** peer_out) {
  Peer* peer = nullptr;
  Keypair* kp = keypair_by_index(h.receiver_index, &peer);
  if (!kp) return nullptr;
  if (now - kp->created >= kRejectAfterTime) {
    count(DropReason::kKeypairExpired);
    return nullptr;
  }
  if (h.counter >= kRejectAfterMessages) {
    count(DropReason::kCounterExhausted);
    return nullptr;
  }
  *peer_out = peer;
  return kp;
}

void Device::receive_transport(base::MutableBytes d, const base::Endpoint& source,
                               base::Instant now, DeviceOutput& out) {
  TransportHeader h;
  if (!decode_transport_header(d, &h)) {
    count(DropReason::kMalformed);
    return;
  }
  Peer* peer = nullptr;
  Keypair* kp = admit_transport(h, now, &peer);
  if (!kp) return;
  auto plain = open_transport(kp->receive_key.aead(), h.counter, d);
  if (!plain) {
    count(DropReason::kDecryptFailed);
    return;
  }
  accept_transport(*peer, *kp, h.counter, *plain, d.size(), source, now, out);
}

std::optional<TransportTicket> Device::admit_transport(base::Bytes d, base::Instant now) {
  TransportHeader h;
  if (!decode_transport_header(d, &h)) {  // also refuses anything but a transport message
    count(DropReason::kMalformed);
    return std::nullopt;
  }
  Peer* peer = nullptr;
  Keypair* kp = admit_transport(h, now, &peer);
  if (!kp) return std::nullopt;
  // A receive context that failed to key opens nothing inline: fail the same way here.
  if (!kp->receive_key.aead().keyed()) {
    count(DropReason::kDecryptFailed);
    return std::nullopt;
  }
  return TransportTicket{h.receiver_index, h.counter, kp->receive_key.key()};
}

void Device::finish_transport(const TransportTicket& t, base::MutableBytes d, bool opened,
                              const base::Endpoint& source, base::Instant now, DeviceOutput& out) {
  // Looked up again: an earlier message of the batch may have retired this keypair, and then
  // this one counts as receive_datagram would have counted it, arriving after that one.
  Peer* peer = nullptr;
  Keypair* kp = keypair_by_index(t.receiver_index, &peer);
  if (!kp) return;
  if (!opened || d.size() < kTransportMinLen) {
    count(DropReason::kDecryptFailed);
    return;
  }
  base::MutableBytes plain = d.subspan(kTransportHeaderLen, d.size() - kTransportMinLen);
  accept_transport(*peer, *kp, t.counter, plain, d.size(), source, now, out);
}

void Device::accept_transport(Peer& peer, Keypair& kp, uint64_t counter, base::Bytes plain,
                              size_t datagram_len, const base::Endpoint& source, base::Instant now,
                              DeviceOutput& out) {
  if (!kp.replay.accept(counter)) {
    count(DropReason::kReplayed);
    return;
  }

  Keypairs& slots = peer.keypairs;
  bool confirmed_next = &kp == slots.next.get();
  if (confirmed_next) {
    drop_keypair(slots.previous);
    slots.previous = std::move(slots.current);
    slots.current = std::move(slots.next);
    peer.timers.on_handshake_complete();
    record_handshake(peer, now);
  }
  // Keep the key fresh on receive: an initiator close to REJECT_AFTER_TIME rekeys once.
  if (&kp == slots.current.get() && kp.is_initiator && !peer.sent_last_minute_handshake &&
      now - kp.created >= kRekeyOnReceiveAge) {
    peer.sent_last_minute_handshake = true;
    send_initiation(peer, now, /*is_retry=*/false, out);
  }

  note_source(peer, source, out);
  peer.rx_bytes += datagram_len;
  ++peer.rx_packets;
  peer.timers.on_any_authenticated_packet_traversal(now);
  peer.timers.on_any_authenticated_packet_received();

  if (!plain.empty()) {
    auto info = parse_ip_packet(plain);
    if (!info) {
      count(DropReason::kBadInnerPacket);
    } else if (allowed_ips_.lookup(info->source) != peer.id) {
      count(DropReason::kAllowedIpsMismatch);
    } else if (filter_ &&
               !filter_->allow(PacketDirection::kInbound, peer.keys.remote_static, *info)) {
      count(DropReason::kFiltered);
    } else {
      peer.timers.on_data_received(now);
      out.deliver_packet(plain.first(info->length));
    }
  }
  if (confirmed_next) send_staged(peer, now, out);
}

}  // namespace mw::wg
