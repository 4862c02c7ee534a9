// SPDX-License-Identifier: Apache-2.0
// GRO coalescer: merges a batch of decrypted IP packets into as few vnet-hdr super-packets as
// possible for one TUN write, such that gso_split gives back exactly the packets it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "dataplane/gso_split.h"
#include "dataplane/virtio_net_hdr.h"

namespace mw::dp {

enum class FlushError {
  kNone,
  kTooFewSlots,   // fewer output slots than pending_count()
  kSlotTooSmall,  // an output does not fit its slot (kVirtioNetHdrLen + packet bytes)
};

// Packets are merged only into the latest output of their own flow, so each flow's order is
// kept; outputs leave in the order of their first packet. A TCP segment joins the flow's open
// super-packet when it continues it exactly: same IP and TCP headers apart from length, IPv4 id
// (must be the previous id + 1), IP checksum, sequence number (must follow the previous
// payload), TCP checksum and PSH; flags ACK (ECE allowed), PSH only on the last segment; payload
// no larger than the first segment's and only the last segment shorter; valid IPv4 header and
// TCP checksums; at most 65535 bytes in all. With UDP enabled, datagrams of one 5-tuple merge
// alike (GSO_UDP_L4; non-zero valid checksums only). Everything else passes through alone with
// an all-zero virtio_net_hdr.
//
// InnerChecksums::kTrust is for packets whose integrity is already proven, as decrypted
// WireGuard packets are (the AEAD tag covers every byte): TCP and UDP checksums are then not
// verified before merging, as kernel WireGuard trusts them (it marks decrypted packets
// CHECKSUM_UNNECESSARY and its GRO merges them unverified). The merged packet's checksum is
// completed from the pseudo-header sum, so only a segment its own sender got wrong ends up
// different from kVerify; the IPv4 header checksum is verified either way.
//
// Ownership: add() keeps a view of each packet; the caller keeps those bytes alive and unchanged
// until flush() returns. Not thread-safe; one coalescer per writer thread. Allocates only in
// the constructor.
enum class InnerChecksums { kVerify, kTrust };

class GroCoalescer {
 public:
  explicit GroCoalescer(size_t max_packets, bool coalesce_udp = false,
                        InnerChecksums checksums = InnerChecksums::kVerify);

  // Takes one IP packet; false (and nothing taken) when max_packets are already pending.
  bool add(base::Bytes packet);

  // Number of outputs flush() will write.
  size_t pending_count() const { return items_.size(); }

  // Writes each output, prefixed by its encoded virtio_net_hdr, into out[0..*count), then
  // forgets the batch. On error nothing is forgotten and *count is 0.
  FlushError flush(std::span<PacketSlot> out, size_t* count);

  // Forgets the batch without writing it.
  void clear();

 private:
  struct Item {
    uint32_t first = 0;  // index into packets_
    uint32_t last = 0;
    uint32_t segment_count = 1;
    uint32_t total_len = 0;  // bytes of the merged IP packet
    uint32_t next_seq = 0;
    uint16_t next_id = 0;
    uint16_t gso_size = 0;
    uint8_t ip_len = 0;
    uint8_t transport_len = 0;
    uint8_t protocol = 0;  // kIpProtoTcp or kIpProtoUdp when mergeable, else 0
    bool v4 = false;
    bool open = false;  // may take another segment
    bool psh = false;   // the last merged TCP segment carried PSH
  };
  struct Parsed;

  void parse(base::Bytes b, Parsed* p) const;
  int32_t* flow_slot(base::Bytes packet, const Parsed& p);
  bool try_merge(Item& item, base::Bytes packet, const Parsed& p);
  void start_item(uint32_t index, base::Bytes packet, const Parsed& p);
  size_t output_len(const Item& item) const;
  void write_item(const Item& item, uint8_t* out) const;

  size_t max_packets_;
  bool coalesce_udp_;
  bool trust_checksums_;
  std::vector<base::Bytes> packets_;
  std::vector<uint32_t> next_;  // next packet of the same item, per packet
  std::vector<Item> items_;
  std::vector<int32_t> flows_;  // open addressing: item index or -1
};

}  // namespace mw::dp
