// SPDX-License-Identifier: Apache-2.0
// FakeNetwork and FakeIo: in-memory ports with seeded faults.
#include "dataplane/testing/fake_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mw::dp::testing {

void FakeNetwork::attach(FakeIo* io, const base::Endpoint& at) { ports_[at] = io; }

void FakeNetwork::detach(FakeIo* io) {
  std::erase_if(ports_, [io](const auto& p) { return p.second == io; });
}

void FakeNetwork::transmit(FakeDatagram d) {
  ++sent;
  std::uniform_real_distribution<double> u(0, 1);
  if (faults_.loss > 0 && u(rng_) < faults_.loss) {
    ++lost;
    return;
  }
  auto it = ports_.find(d.to);
  if (it == ports_.end()) {
    unrouted.push_back(std::move(d));
    return;
  }
  bool dup = faults_.duplicate > 0 && u(rng_) < faults_.duplicate;
  bool early = faults_.reorder > 0 && u(rng_) < faults_.reorder;
  if (early) ++reordered;
  if (dup) {
    ++duplicated;
    it->second->receive(d, false);
  }
  it->second->receive(std::move(d), early);
}

FakeIo::FakeIo(FakeNetwork& network, const FakeIoOptions& options)
    : network_(network),
      options_(options),
      tun_name_(options.tun ? options.tun_name : std::string()),
      address_(options.address) {
  network_.attach(this, address_);
}

FakeIo::~FakeIo() { network_.detach(this); }

void FakeIo::inject_udp(const base::Endpoint& from, std::vector<uint8_t> bytes) {
  receive(FakeDatagram{from, address_, std::move(bytes)}, false);
}

void FakeIo::receive(FakeDatagram d, bool before_last) {
  if (before_last && !udp_in_.empty()) {
    udp_in_.insert(udp_in_.end() - 1, std::move(d));
  } else {
    udp_in_.push_back(std::move(d));
  }
}

void FakeIo::move_to(const base::Endpoint& address) {
  network_.detach(this);
  address_ = address;
  network_.attach(this, address_);
}

base::Result<void> FakeIo::watch_ports(const PortTags& tags) {
  tags_ = tags;
  ports_watched_ = true;
  return {};
}

base::Result<void> FakeIo::watch(int fd, uint64_t tag, bool writable, bool readable) {
  if (watched_.contains(fd)) return base::Error("watch: fd is already watched", EEXIST);
  if (!epoll_) {
    auto e = os::Epoll::create();
    if (!e) return e.error();
    epoll_.emplace(std::move(*e));
  }
  MW_RETURN_IF_ERROR(epoll_->add(fd, tag, writable, readable));
  watched_[fd] = {tag, readable};
  return {};
}

base::Result<void> FakeIo::rewatch(int fd, uint64_t tag, bool writable, bool readable) {
  if (!watched_.contains(fd)) return base::Error("rewatch: fd is not watched", ENOENT);
  MW_RETURN_IF_ERROR(epoll_->modify(fd, tag, writable, readable));
  watched_[fd] = {tag, readable};
  return {};
}

void FakeIo::unwatch(int fd) {
  if (watched_.erase(fd) > 0) epoll_->remove(fd);
}

base::Result<size_t> FakeIo::wait(std::span<PollEvent> events, base::Duration) {
  size_t n = 0;
  if (ports_watched_) {
    if (options_.tun && (!tun_in_.empty() || tun_broken) && n < events.size())
      events[n++] = {tags_.tun, !tun_broken, false, tun_broken};
    if (!udp_in_.empty() && n < events.size())
      events[n++] = {family_of(address_) == Family::kV4 ? tags_.udp4 : tags_.udp6, true, false,
                     false};
  }
  if (epoll_ && n < events.size()) {
    auto more = epoll_->wait(events.subspan(n), base::Duration::zero());
    if (!more) return more.error();
    n += *more;
  }
  return n;
}

base::Result<void> FakeIo::rebind_udp(uint16_t port, uint32_t fwmark) {
  if (port == 0) port = uint16_t(address_.port + 1);
  base::Endpoint to{address_.address, port};
  if (to != address_ && network_.ports_.contains(to))
    return base::Error("fake port in use", EADDRINUSE);
  move_to(to);
  fwmark_ = fwmark;
  return {};
}

base::Result<size_t> FakeIo::read_tun(std::span<PacketSlot> slots) {
  if (tun_broken) return base::Error("fake TUN is gone", EBADFD);
  size_t n = 0;
  while (n < slots.size() && !tun_in_.empty()) {
    std::vector<uint8_t>& p = tun_in_.front();
    size_t len = std::min(p.size(), slots[n].capacity);
    if (len) std::memcpy(slots[n].data, p.data(), len);
    slots[n++].length = len;
    tun_in_.pop_front();
  }
  return n;
}

base::Result<size_t> FakeIo::recv_udp(Family family, std::span<DatagramSlot> slots) {
  if (!has_udp(family)) return size_t(0);
  size_t n = 0;
  while (n < slots.size() && !udp_in_.empty()) receive_into(slots[n++]);
  return n;
}

void FakeIo::receive_into(DatagramSlot& slot) {
  // As the kernel's UDP GRO: datagrams of one source, all of the first's length but a possibly
  // shorter last, at most 64 of them, that fit the buffer.
  slot.peer = udp_in_.front().from;
  slot.segment_len = udp_in_.front().bytes.size();
  slot.length = 0;
  size_t count = 0;
  while (!udp_in_.empty() && count < (options_.udp_gro ? 64u : 1u)) {
    const FakeDatagram& d = udp_in_.front();
    if (count > 0 && (d.from != slot.peer || d.bytes.size() > slot.segment_len ||
                      slot.length + d.bytes.size() > slot.capacity))
      break;
    size_t len = std::min(d.bytes.size(), slot.capacity - slot.length);
    if (len) std::memcpy(slot.data + slot.length, d.bytes.data(), len);
    slot.length += len;
    ++count;
    bool shorter = d.bytes.size() < slot.segment_len;
    udp_in_.pop_front();
    if (shorter || slot.segment_len == 0) break;
  }
  if (count > 1) ++gro_buffers_read;
}

void FakeIo::send_udp(Family family, std::span<const DatagramSlot> datagrams) {
  for (const DatagramSlot& d : datagrams) {
    if (!has_udp(family) || family_of(d.peer) != family) {
      ++drops_.udp_send;
      continue;
    }
    outgoing_.push_back({address_, d.peer, std::vector<uint8_t>(d.data, d.data + d.length)});
  }
}

void FakeIo::send_udp_run(Family family, std::span<const DatagramSlot> run) {
  if (options_.udp_gso && run.size() > 1) ++gso_runs_sent;
  send_udp(family, run);
}

void FakeIo::write_tun(std::span<const PacketSlot> packets) {
  for (const PacketSlot& p : packets) {
    if (!options_.tun) {
      ++drops_.tun_write;
      continue;
    }
    tun_out.emplace_back(p.data, p.data + p.length);
  }
}

base::Result<void> FakeIo::commit() {
  ++commits;
  std::vector<FakeDatagram> out;
  out.swap(outgoing_);
  for (FakeDatagram& d : out) network_.transmit(std::move(d));
  if (tun_broken) return base::Error("fake TUN is gone", EBADFD);
  return {};
}

}  // namespace mw::dp::testing
