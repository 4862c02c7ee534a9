// SPDX-License-Identifier: Apache-2.0
// Encoding and strict decoding of the four WireGuard messages.
#include "wireguard/messages.h"

namespace mw::wg {

// No amplification: every reply to an unauthenticated message is smaller than the message.
static_assert(kCookieReplyLen < kInitiationLen && kResponseLen < kInitiationLen);

namespace {

void put_type(base::Writer& w, MessageType t) {
  w.u8(static_cast<uint8_t>(t));
  w.zeros(3);
}

}  // namespace

std::optional<MessageType> classify(base::Bytes d) {
  if (d.size() < 4 || d[1] != 0 || d[2] != 0 || d[3] != 0) return std::nullopt;
  switch (d[0]) {
    case 1:
      if (d.size() == kInitiationLen) return MessageType::kInitiation;
      break;
    case 2:
      if (d.size() == kResponseLen) return MessageType::kResponse;
      break;
    case 3:
      if (d.size() == kCookieReplyLen) return MessageType::kCookieReply;
      break;
    case 4:
      if (d.size() >= kTransportMinLen) return MessageType::kTransport;
      break;
    default: break;
  }
  return std::nullopt;
}

InitiationBytes encode(const Initiation& m) {
  InitiationBytes out;
  base::Writer w(out);
  put_type(w, MessageType::kInitiation);
  w.u32le(m.sender_index);
  w.bytes(m.ephemeral);
  w.bytes(m.encrypted_static);
  w.bytes(m.encrypted_timestamp);
  w.bytes(m.mac1);
  w.bytes(m.mac2);
  return out;
}

ResponseBytes encode(const Response& m) {
  ResponseBytes out;
  base::Writer w(out);
  put_type(w, MessageType::kResponse);
  w.u32le(m.sender_index);
  w.u32le(m.receiver_index);
  w.bytes(m.ephemeral);
  w.bytes(m.encrypted_nothing);
  w.bytes(m.mac1);
  w.bytes(m.mac2);
  return out;
}

CookieReplyBytes encode(const CookieReply& m) {
  CookieReplyBytes out;
  base::Writer w(out);
  put_type(w, MessageType::kCookieReply);
  w.u32le(m.receiver_index);
  w.bytes(m.nonce);
  w.bytes(m.encrypted_cookie);
  return out;
}

void encode_transport_header(const TransportHeader& h, uint8_t* out) {
  out[0] = static_cast<uint8_t>(MessageType::kTransport);
  out[1] = out[2] = out[3] = 0;
  base::store_u32le(out + 4, h.receiver_index);
  base::store_u64le(out + 8, h.counter);
}

bool decode(base::Bytes d, Initiation* m) {
  if (classify(d) != MessageType::kInitiation) return false;
  base::Reader r(d);
  r.skip(4);
  m->sender_index = r.u32le();
  r.copy(m->ephemeral);
  r.copy(m->encrypted_static);
  r.copy(m->encrypted_timestamp);
  r.copy(m->mac1);
  r.copy(m->mac2);
  return r.at_end();
}

bool decode(base::Bytes d, Response* m) {
  if (classify(d) != MessageType::kResponse) return false;
  base::Reader r(d);
  r.skip(4);
  m->sender_index = r.u32le();
  m->receiver_index = r.u32le();
  r.copy(m->ephemeral);
  r.copy(m->encrypted_nothing);
  r.copy(m->mac1);
  r.copy(m->mac2);
  return r.at_end();
}

bool decode(base::Bytes d, CookieReply* m) {
  if (classify(d) != MessageType::kCookieReply) return false;
  base::Reader r(d);
  r.skip(4);
  m->receiver_index = r.u32le();
  r.copy(m->nonce);
  r.copy(m->encrypted_cookie);
  return r.at_end();
}

bool decode_transport_header(base::Bytes d, TransportHeader* h) {
  if (classify(d) != MessageType::kTransport) return false;
  h->receiver_index = base::load_u32le(d.data() + 4);
  h->counter = base::load_u64le(d.data() + 8);
  return true;
}

}  // namespace mw::wg
