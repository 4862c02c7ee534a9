// SPDX-License-Identifier: Apache-2.0
// How packets are framed between the kernel and the engine, in one place: TUN reads are cut
// into IP packets (a virtio_net_hdr super-packet into MSS-sized segments), IP packets for the
// TUN are joined into super-packets (or given an all-zero header), a UDP GRO buffer is walked
// datagram by datagram, and outgoing datagrams are grouped into GSO runs. The engine and the
// TUN offload probe's relay both use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "dataplane/gro_coalesce.h"
#include "dataplane/gso_split.h"
#include "dataplane/virtio_net_hdr.h"
#include "os/udp_socket.h"

namespace mw::dp {

using os::DatagramSlot;

// Room before every pooled packet for a virtio_net_hdr, so any packet can go to a vnet-hdr TUN.
constexpr size_t kHeadroom = kVirtioNetHdrLen;
// One packet buffer: the largest TUN super-packet or UDP GRO receive, and some slack.
constexpr size_t kBufferLen = 65536 + 64;
// Segments of one TUN super-packet: 64 KiB cut at an MSS as small as 536 bytes.
constexpr size_t kMaxSegments = 128;

// Outbound framing: TUN reads in, IP packets out.
class TunReader {
 public:
  // `vnet`: every read starts with a virtio_net_hdr. `segment_len`: the room for one segment
  // when a super-packet must be cut by copy (tiny segments).
  TunReader(bool vnet, size_t segment_len);

  // Calls each(base::Bytes ip_packet) for every IP packet in one TUN read: the packet itself,
  // or each segment of a super-packet, cut in place in `read` (a segment is valid only during
  // its call). Returns false, having called nothing, when the read is malformed or cannot be
  // cut; the caller counts it.
  template <typename F>
  bool for_each_packet(base::MutableBytes read, F&& each);

 private:
  bool vnet_;
  GsoSplitter splitter_;
  std::vector<std::vector<uint8_t>> segment_buffers_;
  std::vector<PacketSlot> segment_slots_;
};

// Inbound framing: IP packets in, TUN writes out. With a vnet TUN, consecutive TCP segments of
// a flow leave as one super-packet; every other packet gets an all-zero header, written into
// the kHeadroom bytes before it (so every packet given must have them to spare).
class TunWriter {
 public:
  // `max_packets` per frame(); `coalesce_udp` also joins UDP datagrams (USO).
  TunWriter(bool vnet, size_t max_packets, bool coalesce_udp = false);

  bool vnet() const { return vnet_; }
  // Frames `packets` (views; each with kHeadroom writable bytes before it when vnet) into
  // TUN writes at out[0..returned count). The writes point into `packets`' buffers or into this
  // writer's own, valid until the next frame().
  size_t frame(std::span<const PacketSlot> packets, std::span<PacketSlot> out);

 private:
  bool vnet_;
  std::optional<GroCoalescer> coalescer_;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<PacketSlot> slots_;
};

// Calls each(base::MutableBytes datagram) for the datagrams in one GRO receive buffer of
// `length` bytes, each `segment_len` long but a possibly shorter last. An empty receive is one
// empty datagram (garbage, but the caller counts it).
template <typename F>
void for_each_gro_datagram(base::MutableBytes buffer, size_t length, size_t segment_len, F&& each) {
  if (length == 0) {
    each(base::MutableBytes(buffer.data(), 0));
    return;
  }
  if (segment_len == 0) segment_len = length;
  for (size_t off = 0; off < length; off += segment_len)
    each(base::MutableBytes(buffer.data() + off, std::min(segment_len, length - off)));
}

// Splits `datagrams` (in order) into GSO runs and plain stretches, calling plain(span) and
// run(span) in order. A run is >= 2 datagrams to one peer, all of the first's length but a
// possibly shorter last, at most kMaxGsoRun of them and at most `max_total` bytes in all.
constexpr size_t kMaxGsoRun = 64;
template <typename Plain, typename Run>
void for_each_gso_run(std::span<const DatagramSlot> datagrams, size_t max_total, Plain&& plain,
                      Run&& run) {
  size_t plain_start = 0, i = 0;
  while (i < datagrams.size()) {
    const DatagramSlot& first = datagrams[i];
    size_t j = i + 1, total = first.length;
    while (j < datagrams.size() && datagrams[j].peer == first.peer &&
           datagrams[j - 1].length == first.length && datagrams[j].length <= first.length &&
           total + datagrams[j].length <= max_total && j - i < kMaxGsoRun) {
      total += datagrams[j].length;
      ++j;
    }
    if (j - i < 2) {
      ++i;
      continue;
    }
    if (plain_start < i) plain(datagrams.subspan(plain_start, i - plain_start));
    run(datagrams.subspan(i, j - i));
    i = plain_start = j;
  }
  if (plain_start < datagrams.size()) plain(datagrams.subspan(plain_start));
}

template <typename F>
bool TunReader::for_each_packet(base::MutableBytes read, F&& each) {
  if (!vnet_) {
    each(base::Bytes(read));
    return true;
  }
  VirtioNetHdr hdr;
  if (!decode_virtio_net_hdr(read, &hdr)) return false;
  base::MutableBytes packet = read.subspan(kVirtioNetHdrLen);
  if (hdr.gso_type == kVirtioNetHdrGsoNone && !(hdr.flags & kVirtioNetHdrFNeedsCsum)) {
    each(base::Bytes(packet));
    return true;
  }
  // Cut in place: each segment is consumed (sealed or copied) by `each` before the next one is
  // written over the end of its payload.
  SplitError e = splitter_.start(hdr, packet);
  if (e == SplitError::kNone) {
    for (base::Bytes seg = splitter_.next(); !seg.empty(); seg = splitter_.next()) each(seg);
    return true;
  }
  if (e != SplitError::kUnsupported) return false;
  size_t count = 0;  // a cut that cannot be made in place (tiny segments): copy it
  if (gso_split(hdr, packet, segment_slots_, &count) != SplitError::kNone) return false;
  for (size_t k = 0; k < count; ++k)
    each(base::Bytes(segment_slots_[k].data, segment_slots_[k].length));
  return true;
}

}  // namespace mw::dp
