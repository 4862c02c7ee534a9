// SPDX-License-Identifier: Apache-2.0
// TunReader's and TunWriter's buffers, and TunWriter::frame.
#include "dataplane/framing.h"

#include <cstring>

namespace mw::dp {

TunReader::TunReader(bool vnet, size_t segment_len) : vnet_(vnet) {
  if (!vnet) return;
  segment_buffers_.assign(kMaxSegments, std::vector<uint8_t>(segment_len));
  for (auto& b : segment_buffers_) segment_slots_.push_back({b.data(), b.size(), 0});
}

TunWriter::TunWriter(bool vnet, size_t max_packets, bool coalesce_udp) : vnet_(vnet) {
  if (!vnet) return;
  // Decrypted packets are authenticated byte for byte: their checksums are trusted, as kernel
  // WireGuard trusts them.
  coalescer_.emplace(max_packets, coalesce_udp, InnerChecksums::kTrust);
  buffers_.assign(max_packets, std::vector<uint8_t>(kHeadroom + kBufferLen));
  for (auto& b : buffers_) slots_.push_back({b.data(), b.size(), 0});
}

size_t TunWriter::frame(std::span<const PacketSlot> packets, std::span<PacketSlot> out) {
  size_t n = std::min(packets.size(), out.size());
  if (vnet_) {
    for (size_t i = 0; i < n; ++i) coalescer_->add(base::Bytes(packets[i].data, packets[i].length));
    size_t count = 0;
    if (coalescer_->flush(std::span(slots_).first(std::min(slots_.size(), out.size())), &count) ==
        FlushError::kNone) {
      for (size_t i = 0; i < count; ++i)
        out[i] = {slots_[i].data, slots_[i].capacity, slots_[i].length};
      return count;
    }
    coalescer_->clear();
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t* data = packets[i].data;
    size_t length = packets[i].length;
    if (vnet_) {  // a plain packet: an all-zero header in the headroom
      data -= kHeadroom;
      std::memset(data, 0, kHeadroom);
      length += kHeadroom;
    }
    out[i] = {data, length, length};
  }
  return n;
}

}  // namespace mw::dp
