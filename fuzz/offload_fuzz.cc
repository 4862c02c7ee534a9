// SPDX-License-Identifier: Apache-2.0
// Fuzzes the offload path: arbitrary vnet headers and packets into gso_split (outputs must be
// well-formed), and generated packet batches through GroCoalescer then gso_split (the oracle).
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "base/bytes.h"
#include "dataplane/checksum.h"
#include "dataplane/gro_coalesce.h"
#include "dataplane/gso_split.h"
#include "dataplane/testing/packets.h"
#include "dataplane/virtio_net_hdr.h"

namespace {

using mw::base::Bytes;
using mw::base::Reader;
using namespace mw::dp;
using Packet = std::vector<uint8_t>;

constexpr size_t kSlots = 64;

std::vector<PacketSlot>& slots() {
  static std::vector<Packet> storage(kSlots, Packet(kVirtioNetHdrLen + 65535));
  static std::vector<PacketSlot> s;
  s.clear();
  for (auto& b : storage) s.push_back(PacketSlot{b.data(), b.size(), 0});
  return s;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// (1) Arbitrary header and packet. Mode bit 0x80 keeps the header's gso_type and gso_size but
// points csum_start/csum_offset at the transport checksum, so the split paths are reached.
void fuzz_split(Reader& r) {
  const uint8_t mode = r.u8();
  VirtioNetHdr h;
  if (!decode_virtio_net_hdr(r.view(kVirtioNetHdrLen), &h)) return;
  const Bytes packet = r.rest();
  if (mode & 0x80 && !packet.empty()) {
    const bool v4 = packet[0] >> 4 == 4;
    h.csum_start = uint16_t(v4 ? (packet[0] & 0x0f) * 4 : 40);
    const uint8_t gso = h.gso_type & 0x7f;
    h.csum_offset = gso == kVirtioNetHdrGsoUdpL4 ? 6 : 16;
    h.hdr_len = 0;
  }
  std::vector<PacketSlot>& out = slots();
  size_t count = 0;
  if (gso_split(h, packet, out, &count) != SplitError::kNone) {
    check(count == 0);
    return;
  }
  check(count >= 1);
  if (h.gso_type == kVirtioNetHdrGsoNone) {
    check(count == 1 && out[0].length == packet.size());
    Packet want(packet.begin(), packet.end());
    Packet got(out[0].data, out[0].data + out[0].length);
    if (h.flags & kVirtioNetHdrFNeedsCsum) {
      const size_t field = size_t(h.csum_start) + h.csum_offset;
      Packet range(want.begin() + h.csum_start, want.end());
      const uint16_t c = uint16_t(~mw::dp::testing::naive_sum(range));
      want[field] = uint8_t(c >> 8);
      want[field + 1] = uint8_t(c);
    }
    check(got == want);
    return;
  }
  size_t payload_total = 0;
  for (size_t i = 0; i < count; ++i) {
    const Bytes seg(out[i].data, out[i].length);
    check(mw::dp::testing::naive_packet_ok(seg));
    payload_total += seg.size();
  }
  check(payload_total >= packet.size());
}

struct Flow {
  mw::dp::testing::IpSpec ip;
  mw::dp::testing::TcpSpec tcp;
  bool udp = false;
  uint16_t mss = 1;
};

// (2) A batch described by the input: per-flow segments, gaps, flag changes and raw packets.
void fuzz_gro(Reader& r) {
  const uint8_t config = r.u8();
  Flow flows[4];
  for (int f = 0; f < 4; ++f) {
    const uint8_t c = r.u8();
    flows[f].ip.v6 = c & 1;
    flows[f].udp = c & 2;
    if (c & 4) flows[f].tcp.options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    if ((c & 8) && !flows[f].ip.v6) flows[f].ip.options = {1, 1, 1, 0};
    flows[f].ip.src[3] = uint8_t(f & 1);
    flows[f].tcp.sport = uint16_t(f >> 1);
    flows[f].ip.id = uint16_t(0xfff0 + f);
    flows[f].tcp.seq = 0xffffff00u * uint32_t(c >> 7);
    flows[f].mss = uint16_t(1 + r.u8() * 8);
  }
  std::vector<Packet> in;
  while (r.remaining() > 0 && in.size() < kSlots) {
    const uint8_t op = r.u8();
    Flow& g = flows[op & 3];
    size_t n = g.mss;
    auto ip = g.ip;
    auto tcp = g.tcp;
    switch (op >> 2 & 7) {
      case 4: n = r.u8() * 4; break;
      case 5: tcp.flags = uint8_t(0x10 | (r.u8() & 0xef)); break;
      case 6: {
        const uint8_t j = r.u8();
        tcp.seq += uint32_t(int8_t(j));
        ip.id = uint16_t(ip.id + (j & 3));
        ip.tos = j >> 6;
        break;
      }
      case 7: {
        const size_t len = r.u8();
        const Bytes raw = r.view(std::min(len, r.remaining()));
        in.emplace_back(raw.begin(), raw.end());
        continue;
      }
      default: break;
    }
    Packet payload(n, uint8_t(op));
    in.push_back(g.udp ? mw::dp::testing::build_udp(ip, tcp.sport, tcp.dport, payload)
                       : mw::dp::testing::build_tcp(ip, tcp, payload));
    g.ip.id = uint16_t(ip.id + 1);
    g.tcp.seq = uint32_t(tcp.seq + n);
  }
  GroCoalescer gro(kSlots, config & 1);
  for (const Packet& p : in) check(gro.add(p));
  std::vector<PacketSlot>& out = slots();
  size_t count = 0;
  check(gro.flush(out, &count) == FlushError::kNone);
  static std::vector<Packet> seg_storage(kSlots, Packet(65535));
  std::vector<PacketSlot> segs;
  for (auto& b : seg_storage) segs.push_back(PacketSlot{b.data(), b.size(), 0});
  std::map<Packet, std::vector<Packet>> want, got;
  for (const Packet& p : in) want[mw::dp::testing::flow_key(p)].push_back(p);
  for (size_t i = 0; i < count; ++i) {
    VirtioNetHdr h;
    check(decode_virtio_net_hdr(Bytes(out[i].data, out[i].length), &h));
    const Bytes packet(out[i].data + kVirtioNetHdrLen, out[i].length - kVirtioNetHdrLen);
    size_t n = 0;
    if (h.gso_type == kVirtioNetHdrGsoNone) {
      got[mw::dp::testing::flow_key(Packet(packet.begin(), packet.end()))].emplace_back(
          packet.begin(), packet.end());
      continue;
    }
    check(gso_split(h, packet, segs, &n) == SplitError::kNone);
    for (size_t k = 0; k < n; ++k) {
      Packet p(segs[k].data, segs[k].data + segs[k].length);
      got[mw::dp::testing::flow_key(p)].push_back(std::move(p));
    }
  }
  check(got == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(Bytes(data, size));
  const uint8_t which = r.u8();
  if (which & 1) {
    fuzz_gro(r);
  } else {
    fuzz_split(r);
  }
  return 0;
}
