// SPDX-License-Identifier: Apache-2.0
// The TUN offload probe: a relay that does what the data path does to packets between the TUN
// and the tunnel (cut super-packets into segments, coalesce segments back into super-packets),
// run by os::tun_round_trip in a private child for each candidate offload set.
#include "node/tun_offload_probe.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane/gro_coalesce.h"
#include "dataplane/gso_split.h"
#include "dataplane/virtio_net_hdr.h"
#include "os/private_netns.h"
#include "os/tun_probe.h"

namespace mw::node {
namespace {

constexpr size_t kMaxSegments = 128;
constexpr size_t kSuperPacketLen = 65536 + 64;
constexpr base::Duration kRoundTripTimeout = base::Duration::seconds(2);
// The child's own deadline, past the round trip's, covers creating and tearing down the
// namespaces.
constexpr base::Duration kChildTimeout = base::Duration::seconds(4);

// Packets from one TUN are cut (dp::gso_split) and coalesced (dp::GroCoalescer, trusting inner
// checksums as the interface does after decryption) before they are written to the other.
class SplitCoalesceRelay final : public os::TunRelay {
 public:
  explicit SplitCoalesceRelay(int mtu)
      : in_(kSuperPacketLen + dp::kVirtioNetHdrLen),
        segment_buffers_(kMaxSegments,
                         std::vector<uint8_t>(dp::kVirtioNetHdrLen + size_t(mtu) + 64)),
        out_buffers_(kMaxSegments, std::vector<uint8_t>(kSuperPacketLen + dp::kVirtioNetHdrLen)),
        coalescer_(kMaxSegments, false, dp::InnerChecksums::kTrust) {
    for (auto& b : segment_buffers_)
      segments_.push_back({b.data() + dp::kVirtioNetHdrLen, b.size() - dp::kVirtioNetHdrLen, 0});
    for (auto& b : out_buffers_) out_.push_back({b.data(), b.size(), 0});
  }

  base::Result<void> forward(os::Tun& from, os::Tun& to) override {
    for (;;) {
      os::PacketSlot slot{in_.data(), in_.size(), 0};
      auto n = from.read_batch(std::span(&slot, 1));
      if (!n) return n.error();
      if (*n == 0) return {};
      MW_RETURN_IF_ERROR(relay_one(base::Bytes(slot.data, slot.length), to));
    }
  }

 private:
  base::Result<void> relay_one(base::Bytes packet, os::Tun& to) {
    dp::VirtioNetHdr hdr;
    if (!dp::decode_virtio_net_hdr(packet, &hdr))
      return base::Error("TUN packet shorter than its virtio-net header", 0);
    size_t count = 0;
    dp::SplitError e = dp::gso_split(hdr, packet.subspan(dp::kVirtioNetHdrLen), segments_, &count);
    if (e != dp::SplitError::kNone) return {};  // what the data path drops (IPv6 extras, ...)
    for (size_t i = 0; i < count; ++i)
      coalescer_.add(base::Bytes(segments_[i].data, segments_[i].length));
    size_t outputs = 0;
    std::array<os::PacketSlot, kMaxSegments> packets;
    if (coalescer_.flush(out_, &outputs) == dp::FlushError::kNone) {
      for (size_t i = 0; i < outputs; ++i)
        packets[i] = {out_[i].data, out_[i].capacity, out_[i].length};
    } else {  // as the interface does: the segments alone, each behind an all-zero header
      coalescer_.clear();
      outputs = count;
      for (size_t i = 0; i < count; ++i) {
        uint8_t* start = segments_[i].data - dp::kVirtioNetHdrLen;
        std::memset(start, 0, dp::kVirtioNetHdrLen);
        size_t length = segments_[i].length + dp::kVirtioNetHdrLen;
        packets[i] = {start, length, length};
      }
    }
    uint64_t refused = 0;
    MW_RETURN_IF_ERROR(to.write_batch(std::span(packets.data(), outputs), &refused));
    if (refused != 0) return base::Error(fmt::format("the kernel refused {} packets", refused), 0);
    return {};
  }

  std::vector<uint8_t> in_;
  std::vector<std::vector<uint8_t>> segment_buffers_;
  std::vector<dp::PacketSlot> segments_;
  std::vector<std::vector<uint8_t>> out_buffers_;
  std::vector<dp::PacketSlot> out_;
  dp::GroCoalescer coalescer_;
};

const char* describe(const os::TunOffloads& o) {
  return !o.vnet_hdr ? "none" : o.uso ? "TSO+USO" : o.tso ? "TSO" : "csum";
}

}  // namespace

TunOffloadChoice choose_tun_offloads(const TunRoundTrip& round_trip) {
  const os::TunOffloads candidates[] = {
      os::TunOffloads::all(), {true, true, false}, {true, false, false}};
  std::string failures;
  for (const os::TunOffloads& want : candidates) {
    auto r = round_trip(want);
    if (r) return {want, true, fmt::format("{} passed a round trip{}", describe(want), failures)};
    if (r.error().sys_errno() != 0) {
      return {os::TunOffloads::all(), false,
              fmt::format("not probed ({}): using what the kernel accepts{}", r.error().message(),
                          failures)};
    }
    failures += fmt::format("; {} failed: {}", describe(want), r.error().message());
  }
  return {os::TunOffloads{}, true, fmt::format("every offload failed a round trip{}", failures)};
}

TunOffloadChoice probe_tun_offloads(int mtu) {
  return choose_tun_offloads([mtu](const os::TunOffloads& want) {
    return os::run_in_private_network_namespace(
        [&]() -> base::Result<void> {
          SplitCoalesceRelay relay(mtu);
          return os::tun_round_trip(mtu, want, relay, kRoundTripTimeout);
        },
        kChildTimeout);
  });
}

}  // namespace mw::node
