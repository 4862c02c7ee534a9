// SPDX-License-Identifier: Apache-2.0
// Fuzzes a Device's whole receive path, structure-aware. The first byte picks a mode:
//   0: the rest is a raw datagram for B (any type, any length), not under load;
//   1: the same under load (mac2, cookie replies and the rate limiter);
//   2: the rest becomes a handshake message of its type's exact length with a valid mac1, so
//      the fuzzer reaches the Noise decryption paths behind the cheap check;
//   3: the rest is an inner packet that A seals on a live session and B opens, so the fuzzer
//      reaches inner-IP parsing and cryptokey routing.
// Invariants: no crash, no sanitizer report, and nothing is ever delivered whose inner source
// is outside A's allowed IPs on B.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "crypto/blake2s.h"
#include "wireguard/cookie.h"
#include "wireguard/device.h"
#include "wireguard/ip_packet.h"
#include "wireguard/testing/two_peer_sim.h"

using namespace mw;
using namespace mw::wg;
using Side = testing::TwoPeerSim::Side;

namespace {

class Sink final : public DeviceOutput {
 public:
  void send_datagram(const base::Endpoint&, base::Bytes) override {}
  void deliver_packet(base::Bytes p) override {
    auto info = parse_ip_packet(p);
    if (!info || !allowed->contains(info->source)) __builtin_trap();
  }
  const base::IpPrefix* allowed = nullptr;
};

testing::TwoPeerSim& sim() {
  static auto* s = [] {
    auto* sim = new testing::TwoPeerSim({}, 7);
    sim->send(Side::kA, 100, 1);
    sim->run_for(base::Duration::millis(20));
    return sim;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  testing::TwoPeerSim& s = sim();
  static const base::IpPrefix a_prefix = *base::IpPrefix::make(s.tunnel_ip(Side::kA), 32);
  Sink sink;
  sink.allowed = &a_prefix;
  uint8_t mode = data[0] % 4;
  std::vector<uint8_t> d(data + 1, data + size);
  Device& b = s.device(Side::kB);
  base::Instant now = s.now();
  switch (mode) {
    case 0:
    case 1: b.receive_datagram(d, s.endpoint(Side::kA), now, mode == 1, sink); break;
    case 2: {
      bool initiation = d.empty() || (d[0] & 1);
      d.resize(initiation ? kInitiationLen : kResponseLen);
      d[0] = initiation ? 1 : 2;
      d[1] = d[2] = d[3] = 0;
      crypto::Hash key = mac1_key_for(b.local().public_key);
      crypto::Mac mac1 = crypto::wg_mac(key, base::Bytes(d.data(), d.size() - kMacsLen));
      std::memcpy(d.data() + d.size() - kMacsLen, mac1.data(), mac1.size());
      b.receive_datagram(d, s.endpoint(Side::kA), now, false, sink);
      break;
    }
    case 3: {
      class Relay final : public DeviceOutput {
       public:
        void send_datagram(const base::Endpoint&, base::Bytes x) override {
          out.assign(x.begin(), x.end());
        }
        void deliver_packet(base::Bytes) override {}
        std::vector<uint8_t> out;
      } relay;
      // Route by A's allowed IPs needs a destination inside B's prefix: fix it up.
      if (d.size() >= 20 && (d[0] >> 4) == 4) std::memcpy(&d[16], s.tunnel_ip(Side::kB).data(), 4);
      s.device(Side::kA).send_packet(d, now, relay);
      if (!relay.out.empty()) b.receive_datagram(relay.out, s.endpoint(Side::kA), now, false, sink);
      break;
    }
  }
  return 0;
}
