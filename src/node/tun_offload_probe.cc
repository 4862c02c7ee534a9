// SPDX-License-Identifier: Apache-2.0
// The TUN offload probe: a relay that does what the data path does to packets between the TUN
// and the tunnel (cut super-packets into segments, coalesce segments back into super-packets),
// run by os::tun_round_trip in a private child for each candidate offload set.
#include "node/tun_offload_probe.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane/framing.h"
#include "os/private_netns.h"
#include "os/tun_probe.h"

namespace mw::node {
namespace {

constexpr size_t kSuperPacketLen = 65536 + 64;
constexpr base::Duration kRoundTripTimeout = base::Duration::seconds(2);
// The child's own deadline, past the round trip's, covers creating and tearing down the
// namespaces.
constexpr base::Duration kChildTimeout = base::Duration::seconds(4);

// Packets from one TUN are cut and joined by the engine's own framing (dp::TunReader,
// dp::TunWriter, which trusts inner checksums as the engine does after decryption) before they
// are written to the other.
class SplitCoalesceRelay final : public os::TunRelay {
 public:
  explicit SplitCoalesceRelay(int mtu)
      : in_(kSuperPacketLen + dp::kVirtioNetHdrLen),
        segment_buffers_(dp::kMaxSegments, std::vector<uint8_t>(dp::kHeadroom + size_t(mtu) + 64)),
        reader_(true, dp::kHeadroom + size_t(mtu) + 64),
        writer_(true, dp::kMaxSegments) {}

  base::Result<void> forward(os::Tun& from, os::Tun& to) override {
    for (;;) {
      os::PacketSlot slot{in_.data(), in_.size(), 0};
      auto n = from.read_batch(std::span(&slot, 1));
      if (!n) return n.error();
      if (*n == 0) return {};
      MW_RETURN_IF_ERROR(relay_one(base::MutableBytes(slot.data, slot.length), to));
    }
  }

 private:
  base::Result<void> relay_one(base::MutableBytes read, os::Tun& to) {
    if (read.size() < dp::kVirtioNetHdrLen)
      return base::Error("TUN packet shorter than its virtio-net header", 0);
    // Each segment is valid only during its call: copied after the headroom of its own buffer.
    size_t count = 0;
    bool ok = reader_.for_each_packet(read, [&](base::Bytes segment) {
      if (count == segment_buffers_.size() ||
          segment.size() > segment_buffers_[count].size() - dp::kHeadroom)
        return;
      std::vector<uint8_t>& buffer = segment_buffers_[count];
      std::memcpy(buffer.data() + dp::kHeadroom, segment.data(), segment.size());
      segments_[count++] = {buffer.data() + dp::kHeadroom, buffer.size() - dp::kHeadroom,
                            segment.size()};
    });
    if (!ok) return {};  // what the data path drops (IPv6 extras, ...)
    std::array<os::PacketSlot, dp::kMaxSegments> packets;
    size_t outputs = writer_.frame(std::span(segments_.data(), count), packets);
    uint64_t refused = 0;
    MW_RETURN_IF_ERROR(to.write_batch(std::span(packets.data(), outputs), &refused));
    if (refused != 0) return base::Error(fmt::format("the kernel refused {} packets", refused), 0);
    return {};
  }

  std::vector<uint8_t> in_;
  std::vector<std::vector<uint8_t>> segment_buffers_;
  std::array<os::PacketSlot, dp::kMaxSegments> segments_{};
  dp::TunReader reader_;
  dp::TunWriter writer_;
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
