// SPDX-License-Identifier: Apache-2.0
// The engine without the kernel: two real dp::Engines over in-memory ports (EngineLab), so the
// data path's own CPU is measured: packets through seal and open on one core (both engines run
// on this thread; every packet is also copied in and out of the fake ports), and a TCP
// super-packet cut into segments and coalesced back, as the TUN framing does.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane/framing.h"
#include "dataplane/testing/engine_lab.h"
#include "dataplane/testing/packets.h"
#include "wireguard/testing/packets.h"

namespace mw::dp {
namespace {

using testing::EngineLab;

// One batch of 64 packets of range(0) bytes from node 0's TUN to node 1's, through seal, the
// fake network and open. Reported: packets/s (items) and payload bits/s, on one core.
void BM_EngineSealOpen(benchmark::State& state) {
  const size_t len = size_t(state.range(0));
  EngineLab lab(2, testing::FakeIoOptions{});
  lab.pair(0, 1);
  std::vector<uint8_t> packet = wg::testing::make_ip_packet(EngineLab::tunnel_address(0),
                                                            EngineLab::tunnel_address(1), len, 1);
  lab.io(0).inject_tun(packet);
  lab.settle();  // the handshake
  if (lab.io(1).tun_out.size() != 1) state.SkipWithError("no session");
  constexpr size_t kBatch = 64;
  for (auto _ : state) {
    for (size_t i = 0; i < kBatch; ++i) lab.io(0).inject_tun(packet);
    lab.settle();
    lab.io(1).tun_out.clear();
  }
  state.SetItemsProcessed(int64_t(state.iterations() * kBatch));
  state.counters["bits"] = benchmark::Counter(double(state.iterations() * kBatch * len) * 8,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineSealOpen)->Arg(64)->Arg(1420);

// A 64 KiB TCP super-packet (MSS 1380) cut in place by TunReader, its segments copied into
// slots with headroom, then joined by TunWriter: the framing's work on one super-packet each
// way, without crypto.
void BM_SplitThenCoalesce(benchmark::State& state) {
  testing::IpSpec ip;
  testing::TcpSpec tcp;
  std::vector<uint8_t> payload(65000, 0x5a);
  std::vector<uint8_t> p = testing::build_tcp(ip, tcp, payload);
  std::vector<uint8_t> read(kVirtioNetHdrLen);
  encode_virtio_net_hdr({kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoTcpV4, 40, 1380, 20, 16},
                        read.data());
  read.insert(read.end(), p.begin(), p.end());
  std::vector<uint8_t> buffer;
  TunReader reader(true, 2048);
  TunWriter writer(true, kMaxSegments);
  std::vector<std::vector<uint8_t>> segments(kMaxSegments, std::vector<uint8_t>(2048));
  std::array<PacketSlot, kMaxSegments> slots, writes;
  for (auto _ : state) {
    buffer = read;  // the cut is made in place
    size_t n = 0;
    reader.for_each_packet(buffer, [&](base::Bytes seg) {
      std::memcpy(segments[n].data() + kHeadroom, seg.data(), seg.size());
      slots[n] = {segments[n].data() + kHeadroom, 2048 - kHeadroom, seg.size()};
      ++n;
    });
    size_t out = writer.frame(std::span(slots.data(), n), writes);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(int64_t(state.iterations() * payload.size()));
  state.counters["bits"] = benchmark::Counter(double(state.iterations() * payload.size()) * 8,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SplitThenCoalesce);

}  // namespace
}  // namespace mw::dp

BENCHMARK_MAIN();
