// SPDX-License-Identifier: Apache-2.0
// In-memory PacketIo for engine and node tests: a FakeNetwork of UDP ports that may lose,
// duplicate and reorder datagrams, and per node a FakeIo with a FakeTun. The TUN may carry
// virtio-net headers (so super-packets go through the engine's real cut and coalesce), the
// UDP port may receive GRO buffers (runs of equal-size datagrams from one source) and send GSO
// runs. Readiness of the ports is simulated: wait() reports the TUN or a UDP port readable
// while it holds something. Other fds (listeners, connections, eventfds) are real and watched
// through a real epoll, looked at without waiting. Single-threaded, no clock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dataplane/packet_io.h"
#include "os/epoll.h"

namespace mw::dp::testing {

struct FakeDatagram {
  base::Endpoint from;
  base::Endpoint to;
  std::vector<uint8_t> bytes;
};

class FakeIo;

// Carries datagrams between FakeIo ports by destination endpoint. Faults apply per datagram,
// from a seeded generator, so a run is repeatable.
class FakeNetwork {
 public:
  struct Faults {
    double loss = 0;       // dropped
    double duplicate = 0;  // delivered twice
    double reorder = 0;    // delivered before the one sent just before it
  };
  explicit FakeNetwork(uint32_t seed = 1) : rng_(seed) {}
  void set_faults(const Faults& faults) { faults_ = faults; }
  // Datagrams to an endpoint no port has go here (a test can read them; they are kept).
  std::vector<FakeDatagram> unrouted;
  uint64_t sent = 0, lost = 0, duplicated = 0, reordered = 0;

 private:
  friend class FakeIo;
  void attach(FakeIo* io, const base::Endpoint& at);
  void detach(FakeIo* io);
  void transmit(FakeDatagram d);

  std::mt19937 rng_;
  Faults faults_;
  std::map<base::Endpoint, FakeIo*> ports_;
};

struct FakeIoOptions {
  base::Endpoint address;  // the UDP port's address (its family is the port's only socket)
  bool tun = true;
  std::string tun_name = "fake0";
  TunOffloads tun_offloads;  // vnet_hdr: every TUN packet carries a virtio_net_hdr
  bool udp_gso = false;
  bool udp_gro = false;
};

class FakeIo final : public PacketIo {
 public:
  FakeIo(FakeNetwork& network, const FakeIoOptions& options);
  ~FakeIo() override;

  // --- the test's side
  // A packet the TUN hands to the engine (with its virtio_net_hdr when the TUN has them).
  void inject_tun(std::vector<uint8_t> packet) { tun_in_.push_back(std::move(packet)); }
  // What the engine wrote to the TUN, in order (headers included); the test may clear it.
  std::vector<std::vector<uint8_t>> tun_out;
  // A datagram arriving on the UDP port from anywhere (a spoofer, a stranger).
  void inject_udp(const base::Endpoint& from, std::vector<uint8_t> bytes);
  // Moves this port to another address (roaming; the old one stops receiving).
  void move_to(const base::Endpoint& address);
  const base::Endpoint& address() const { return address_; }
  size_t pending_udp() const { return udp_in_.size(); }
  size_t pending_tun() const { return tun_in_.size(); }
  uint64_t gso_runs_sent = 0;     // send_udp_run calls taken as one segmented send
  uint64_t gro_buffers_read = 0;  // receives that coalesced more than one datagram
  uint64_t commits = 0;
  bool tun_broken = false;  // reads then fail, as when the interface was deleted

  // --- PacketIo
  const char* name() const override { return "fake"; }
  base::Result<void> watch_ports(const PortTags& tags) override;
  base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) override;
  base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) override;
  void unwatch(int fd) override;
  base::Result<size_t> wait(std::span<PollEvent> events, base::Duration timeout) override;
  bool has_tun() const override { return options_.tun; }
  const std::string& tun_name() const override { return tun_name_; }
  TunOffloads tun_offloads() const override {
    return options_.tun ? options_.tun_offloads : TunOffloads{};
  }
  bool udp_gso() const override { return options_.udp_gso; }
  bool udp_gro() const override { return options_.udp_gro; }
  bool has_udp(Family family) const override { return family == family_of(address_); }
  uint16_t udp_port() const override { return address_.port; }
  base::Result<void> rebind_udp(uint16_t port, uint32_t fwmark) override;
  base::Result<void> set_fwmark(uint32_t fwmark) override {
    fwmark_ = fwmark;
    return {};
  }
  base::Result<size_t> read_tun(std::span<PacketSlot> slots) override;
  base::Result<size_t> recv_udp(Family family, std::span<DatagramSlot> slots) override;
  void send_udp(Family family, std::span<const DatagramSlot> datagrams) override;
  void send_udp_run(Family family, std::span<const DatagramSlot> run) override;
  void write_tun(std::span<const PacketSlot> packets) override;
  base::Result<void> commit() override;
  const IoDrops& drops() const override { return drops_; }
  uint32_t fwmark() const { return fwmark_; }
  // Whether `fd` is watched for readability (a paused listener is not).
  bool watching_readable(int fd) const {
    auto it = watched_.find(fd);
    return it != watched_.end() && it->second.readable;
  }

 private:
  friend class FakeNetwork;
  void receive(FakeDatagram d, bool before_last);
  // One receive into `slot`: one datagram, or with GRO a run of one source's datagrams.
  void receive_into(DatagramSlot& slot);

  FakeNetwork& network_;
  FakeIoOptions options_;
  std::string tun_name_;
  base::Endpoint address_;
  uint32_t fwmark_ = 0;
  PortTags tags_;
  bool ports_watched_ = false;
  struct Watch {
    uint64_t tag;
    bool readable;
  };
  std::map<int, Watch> watched_;
  std::optional<os::Epoll> epoll_;  // for the fds other than the ports
  std::deque<std::vector<uint8_t>> tun_in_;
  std::deque<FakeDatagram> udp_in_;
  std::vector<FakeDatagram> outgoing_;  // sent at commit()
  IoDrops drops_;
};

}  // namespace mw::dp::testing
