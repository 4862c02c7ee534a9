// SPDX-License-Identifier: Apache-2.0
// EngineLab: nodes, pairing and the virtual-clock wake loop.
#include "dataplane/testing/engine_lab.h"

#include <array>

#include "crypto/x25519.h"

namespace mw::dp::testing {
namespace {

constexpr PortTags kTags{1, 2, 3};

}  // namespace

base::Endpoint EngineLab::address(size_t i) {
  return {base::IpAddress::v4({10, 9, 0, uint8_t(i + 1)}), 51820};
}

base::IpAddress EngineLab::tunnel_address(size_t i) {
  return base::IpAddress::v4({10, 10, 0, uint8_t(i + 1)});
}

EngineLab::EngineLab(size_t count, const FakeIoOptions& io_options,
                     const EngineOptions& engine_options, uint32_t seed)
    : network_(seed) {
  nodes_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    Node& n = nodes_[i];
    FakeIoOptions o = io_options;
    o.address = address(i);
    n.io = std::make_unique<FakeIo>(network_, o);
    (void)n.io->watch_ports(kTags);
    wg::DeviceConfig config;
    config.rng = [i] { return uint32_t(7 + i); };
    n.engine = std::make_unique<Engine>(*n.io, engine_options, std::move(config));
    n.private_key = crypto::x25519_generate();
    n.public_key = crypto::x25519_public(n.private_key);
    n.engine->device().set_private_key(n.private_key);
  }
}

void EngineLab::pair(size_t a, size_t b) {
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    wg::Device& d = nodes_[x].engine->device();
    wg::Peer& p = d.add_peer(nodes_[y].public_key);
    d.set_endpoint(p, address(y));
    d.add_allowed_ip(p, *base::IpPrefix::make(tunnel_address(y), 32));
  }
}

bool EngineLab::wake(size_t i) {
  Node& n = nodes_[i];
  // Virtual time stands still while the handshake thread computes: what was handed to it in
  // the last wake is done by this one, as if it took no time.
  n.engine->wait_handshake_thread();
  std::array<PollEvent, 8> events;
  auto count = n.io->wait(events, base::Duration::zero());
  bool any = count && *count > 0;
  for (size_t k = 0; any && k < *count; ++k) {
    if (events[k].tag == kTags.tun) {
      (void)n.engine->on_tun_readable(now_);
    } else if (events[k].tag == kTags.udp4) {
      n.engine->on_udp_readable(Family::kV4, now_);
    } else if (events[k].tag == kTags.udp6) {
      n.engine->on_udp_readable(Family::kV6, now_);
    }
  }
  if (any || n.engine->next_deadline() <= now_ || n.engine->queued_handshakes() > 0)
    n.engine->on_wake_end(now_);
  return any || n.engine->queued_handshakes() > 0;
}

void EngineLab::settle(size_t max_wakes) {
  for (size_t w = 0; w < max_wakes; ++w) {
    for (size_t i = 0; i < nodes_.size(); ++i) wake(i);
    // Done when nothing waits anywhere: a wake may have sent to a node that woke before it.
    bool pending = false;
    for (const Node& n : nodes_)
      pending = pending || n.io->pending_udp() > 0 || n.io->pending_tun() > 0 ||
                n.engine->queued_handshakes() > 0;
    if (!pending) return;
  }
}

void EngineLab::run_for(base::Duration d, base::Duration step) {
  base::Instant end = now_ + d;
  while (now_ < end) {
    now_ += step;
    settle();
  }
}

}  // namespace mw::dp::testing
