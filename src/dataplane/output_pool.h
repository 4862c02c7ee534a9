// SPDX-License-Identifier: Apache-2.0
// OutputPool: a fixed pool of buffers that the engine's output (datagrams to send, packets for
// the TUN) is built or copied into until it is flushed; every buffer has kHeadroom bytes in
// front for a virtio_net_hdr. Allocates only when constructed.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/bytes.h"
#include "base/check.h"
#include "base/ip_address.h"
#include "dataplane/framing.h"
#include "dataplane/packet_io.h"

namespace mw::dp {

constexpr size_t kPoolSlots = 64;

struct OutputPool {
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<DatagramSlot> slots;
  size_t count = 0;

  OutputPool()
      : buffers(kPoolSlots, std::vector<uint8_t>(kHeadroom + kBufferLen)), slots(kPoolSlots) {}
  bool full() const { return count == slots.size(); }
  // Copies `data` (cut to kBufferLen) into the next slot; callers flush a full pool first.
  void push(base::Bytes data, const base::Endpoint& to) {
    if (full()) {
      MW_BUG("output pool pushed while full");
      return;
    }
    base::MutableBytes b = next(std::min(data.size(), kBufferLen), to);
    if (!b.empty()) std::memcpy(b.data(), data.data(), b.size());
    commit();
  }
  // The next slot's buffer, `length` bytes long, to build a datagram in place; it is queued
  // only by commit(). Empty when the pool is full or length exceeds a buffer.
  base::MutableBytes next(size_t length, const base::Endpoint& to) {
    if (full() || length > kBufferLen) return {};
    DatagramSlot& s = slots[count];
    s.data = buffers[count].data() + kHeadroom;
    s.length = length;
    s.peer = to;
    return base::MutableBytes(s.data, length);
  }
  void commit() { ++count; }
  // Queues `data` where it lies, without copying: the caller keeps it alive and unchanged until
  // the pool is flushed, and the kHeadroom bytes before it may be overwritten then (a decrypted
  // packet's are its own transport header).
  void push_view(base::Bytes data) {
    if (full()) {
      MW_BUG("output pool pushed while full");
      return;
    }
    DatagramSlot& s = slots[count++];
    s.data = const_cast<uint8_t*>(data.data());
    s.length = data.size();
    s.peer = {};
  }
};

}  // namespace mw::dp
