// SPDX-License-Identifier: Apache-2.0
// Decoding and encoding of the 10-byte virtio_net_hdr.
#include "dataplane/virtio_net_hdr.h"

namespace mw::dp {
namespace {

uint16_t load_u16le(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
void store_u16le(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}

}  // namespace

bool decode_virtio_net_hdr(base::Bytes in, VirtioNetHdr* out) {
  if (in.size() < kVirtioNetHdrLen) return false;
  const uint8_t* p = in.data();
  out->flags = p[0];
  out->gso_type = p[1];
  out->hdr_len = load_u16le(p + 2);
  out->gso_size = load_u16le(p + 4);
  out->csum_start = load_u16le(p + 6);
  out->csum_offset = load_u16le(p + 8);
  return true;
}

void encode_virtio_net_hdr(const VirtioNetHdr& h, uint8_t* out10) {
  out10[0] = h.flags;
  out10[1] = h.gso_type;
  store_u16le(out10 + 2, h.hdr_len);
  store_u16le(out10 + 4, h.gso_size);
  store_u16le(out10 + 6, h.csum_start);
  store_u16le(out10 + 8, h.csum_offset);
}

}  // namespace mw::dp
