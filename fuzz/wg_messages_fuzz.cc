// SPDX-License-Identifier: Apache-2.0
// Fuzzes the WireGuard message classifier and decoders: any datagram either classifies as
// exactly one type whose decoder accepts it and whose re-encoding gives back the same bytes,
// or is rejected by every decoder.
#include <cstdint>
#include <cstring>

#include "wireguard/messages.h"

using namespace mw::wg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mw::base::Bytes d(data, size);
  auto type = classify(d);
  Initiation i;
  Response r;
  CookieReply c;
  TransportHeader t;
  bool di = decode(d, &i), dr = decode(d, &r), dc = decode(d, &c);
  bool dt = decode_transport_header(d, &t);
  int accepted = di + dr + dc + dt;
  if (!type) {
    if (accepted != 0) __builtin_trap();
    return 0;
  }
  if (accepted != 1) __builtin_trap();
  if (di && std::memcmp(encode(i).data(), data, size) != 0) __builtin_trap();
  if (dr && std::memcmp(encode(r).data(), data, size) != 0) __builtin_trap();
  if (dc && std::memcmp(encode(c).data(), data, size) != 0) __builtin_trap();
  if (dt) {
    uint8_t h[kTransportHeaderLen];
    encode_transport_header(t, h);
    if (std::memcmp(h, data, sizeof(h)) != 0) __builtin_trap();
  }
  return 0;
}
