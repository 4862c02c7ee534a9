// SPDX-License-Identifier: Apache-2.0
// TwoPeerSim: two complete Devices joined by a simulated UDP link that can delay, lose,
// duplicate and reorder datagrams, driven by a virtual clock. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"
#include "wireguard/device.h"

namespace mw::wg::testing {

struct LinkConditions {
  double loss = 0;       // probability a datagram is dropped
  double duplicate = 0;  // probability a datagram is delivered twice
  double reorder = 0;    // probability a datagram is held back by reorder_delay
  base::Duration delay = base::Duration::millis(1);
  base::Duration reorder_delay = base::Duration::millis(3);
};

struct LinkStats {
  uint64_t sent = 0, lost = 0, duplicated = 0, reordered = 0, filtered = 0;
};

class TwoPeerSim {
 public:
  enum Side { kA = 0, kB = 1 };

  explicit TwoPeerSim(LinkConditions link = {}, uint64_t seed = 1, bool with_psk = false);
  ~TwoPeerSim();

  Device& device(Side s) { return *devices_[s]; }
  Peer& peer_of(Side s);  // the other side as a peer of s
  const base::IpAddress& tunnel_ip(Side s) const { return tunnel_ip_[s]; }
  const base::Endpoint& endpoint(Side s) const { return endpoint_[s]; }
  base::Instant now() const { return now_; }

  // Sends an IP packet into s's TUN side (to the other side's tunnel address).
  void send(Side s, size_t len, uint64_t tag);
  void send_raw(Side s, base::Bytes ip_packet);
  // Advances virtual time to `until`, delivering datagrams and running timers in order.
  void run_until(base::Instant until);
  void run_for(base::Duration d) { run_until(now_ + d); }

  // Packets delivered to s's TUN side, in order of delivery.
  std::vector<std::vector<uint8_t>>& delivered(Side s) { return delivered_[s]; }
  // How many packets carrying `tag` reached s's TUN side.
  size_t packet_count_delivered_tag(Side s, uint64_t tag) const;
  const LinkStats& link_stats() const { return link_stats_; }
  LinkConditions& conditions() { return link_; }
  // Return false to drop a datagram travelling from `from`; sees every datagram sent.
  void set_filter(std::function<bool(Side from, base::Bytes datagram)> f) {
    filter_ = std::move(f);
  }
  // Counts of datagrams sent per side and message type (index 1..4).
  uint64_t sent_of_type(Side s, int type) const { return sent_types_[s][type]; }
  bool under_load[2] = {false, false};

 private:
  class Output;
  struct InFlight {
    base::Instant at;
    uint64_t seq;
    Side to;
    base::Endpoint from;
    std::vector<uint8_t> bytes;
    bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void transmit(Side from, base::Bytes datagram);
  bool chance(double p);

  LinkConditions link_;
  std::mt19937_64 rng_;
  base::Instant now_;
  std::unique_ptr<Device> devices_[2];
  std::unique_ptr<Output> outputs_[2];
  base::IpAddress tunnel_ip_[2];
  base::Endpoint endpoint_[2];
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> queue_;
  uint64_t seq_ = 0;
  std::vector<std::vector<uint8_t>> delivered_[2];
  LinkStats link_stats_;
  std::function<bool(Side, base::Bytes)> filter_;
  uint64_t sent_types_[2][5] = {};
};

}  // namespace mw::wg::testing
