// SPDX-License-Identifier: Apache-2.0
// The io_uring I/O backend. Readiness: every watched fd has one one-shot poll armed at a time,
// re-armed by the wait() after its event was handed out, which makes watches level-triggered
// like epoll (a fd still ready fires again at once). Writes: sendmsg (GSO runs straight from
// the packet buffers, no copy) and TUN writes are queued and leave in one io_uring_enter at
// commit(), which also waits for their completions so the caller may reuse the buffers.
#include <cerrno>
#include <deque>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "dataplane/io_backend.h"
#include "os/uring.h"

namespace mw::dp::detail {
namespace {

// user_data of a send: kind in the top byte (below the wrapper's bits), a run index below.
constexpr uint64_t kKindShift = 48;
enum SendKind : uint64_t { kDatagram = 1, kSegmented = 2, kTunWrite = 3 };

class UringBackend final : public IoBackend {
 public:
  UringBackend(os::Uring ring, IoDrops* drops) : ring_(std::move(ring)), drops_(*drops) {}

  const char* name() const override { return "io_uring"; }

  base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) override {
    if (watches_.contains(fd)) return base::Error("watch: fd is already watched", EEXIST);
    watches_[fd] = Watch{tag, readable, writable};
    return {};
  }
  base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) override {
    auto it = watches_.find(fd);
    if (it == watches_.end()) return base::Error("rewatch: fd is not watched", ENOENT);
    disarm(fd, it->second);
    it->second.tag = tag;
    it->second.readable = readable;
    it->second.writable = writable;
    it->second.failed = false;
    for (Ready& r : ready_)
      if (r.fd == fd) r.event.tag = tag;
    return {};
  }
  void unwatch(int fd) override {
    auto it = watches_.find(fd);
    if (it == watches_.end()) return;
    disarm(fd, it->second);
    watches_.erase(it);
    std::erase_if(ready_, [fd](const Ready& r) { return r.fd == fd; });
  }

  base::Result<size_t> wait(std::span<os::PollEvent> events, base::Duration timeout) override {
    // Arm every watch whose last event has been handed out (and handled) since.
    for (auto& [fd, w] : watches_) {
      if (w.armed || w.queued || w.failed) continue;
      w.armed = true;
      w.generation = ++generation_;
      ring_.poll(fd, user_data(fd, w.generation), w.readable, w.writable);
    }
    bool have = !ready_.empty();
    auto n =
        ring_.submit_and_wait(completions_, have ? 0 : 1, have ? base::Duration::zero() : timeout);
    if (!n) return n.error();
    take(*n);
    size_t count = 0;
    while (count < events.size() && !ready_.empty()) {
      const Ready& r = ready_.front();
      auto it = watches_.find(r.fd);
      if (it != watches_.end()) {
        it->second.queued = false;  // handled before the next wait(), which re-arms it
        events[count++] = r.event;
      }
      ready_.pop_front();
    }
    return count;
  }

  void send(os::UdpSocket& socket, std::span<const os::DatagramSlot> datagrams) override {
    for (const os::DatagramSlot& d : datagrams) {
      base::Bytes part(d.data, d.length);
      if (!queue_sendmsg(socket, d.peer, std::span(&part, 1), 0, kDatagram << kKindShift))
        ++drops_.udp_send;
    }
  }
  void send_segmented(os::UdpSocket& socket, std::span<const os::DatagramSlot> run) override {
    parts_.clear();
    for (const os::DatagramSlot& d : run) parts_.emplace_back(d.data, d.length);
    uint64_t data = (kSegmented << kKindShift) | runs_.size();
    runs_.push_back({&socket, run_slots_.size(), run.size()});
    run_slots_.insert(run_slots_.end(), run.begin(), run.end());
    if (!queue_sendmsg(socket, run[0].peer, parts_, run[0].length, data)) {
      runs_.pop_back();
      run_slots_.resize(run_slots_.size() - run.size());
      send(socket, run);
    }
  }
  void write(os::Tun& tun, std::span<const os::PacketSlot> packets) override {
    for (const os::PacketSlot& p : packets) {
      base::Bytes data(p.data, p.length);
      if (!ring_.write(tun.fd(), data, kTunWrite << kKindShift)) {
        commit_sends();
        if (!ring_.write(tun.fd(), data, kTunWrite << kKindShift)) ++drops_.tun_write;
      }
    }
  }
  base::Result<void> commit() override {
    commit_sends();
    if (!tun_error_) return {};
    base::Error e = *tun_error_;
    tun_error_.reset();
    return e;
  }

 private:
  struct Watch {
    uint64_t tag = 0;
    bool readable = true;
    bool writable = false;
    bool armed = false;
    bool queued = false;  // an event waits in ready_: not re-armed until it is handed out
    bool failed = false;  // the poll itself failed (a closed fd): reported once, not re-armed
    uint32_t generation = 0;
  };
  struct Ready {
    int fd;
    os::PollEvent event;
  };
  // A GSO run in flight, kept to resend it plainly if the kernel refuses the segmented send.
  struct Run {
    os::UdpSocket* socket;
    size_t first;  // in run_slots_
    size_t count;
  };

  static uint64_t user_data(int fd, uint32_t generation) {
    return (uint64_t(generation) << 32) | uint32_t(fd);
  }

  void disarm(int fd, Watch& w) {
    if (w.armed) ring_.cancel_poll(user_data(fd, w.generation));
    w.armed = false;
  }

  bool queue_sendmsg(os::UdpSocket& socket, const base::Endpoint& to,
                     std::span<const base::Bytes> parts, size_t segment_len, uint64_t data) {
    if (ring_.sendmsg(socket.fd(), socket.ipv6(), to, parts, segment_len, data)) return true;
    commit_sends();  // out of slots: let the queued sends leave, then retry once
    return ring_.sendmsg(socket.fd(), socket.ipv6(), to, parts, segment_len, data);
  }

  // Submits what is queued and reaps until every send has completed.
  void commit_sends() {
    while (ring_.sends_in_flight() > 0) {
      auto n =
          ring_.submit_and_wait(completions_, ring_.sends_in_flight(), base::Duration::seconds(1));
      if (!n) {
        MW_LOG_ERROR("io_uring: {}", n.error().message());
        break;
      }
      take(*n);
    }
    // Runs refused as a whole go again as plain datagrams, synchronously.
    for (const Run& r : failed_runs_)
      r.socket->send_batch(std::span(run_slots_).subspan(r.first, r.count), &drops_.udp_send);
    failed_runs_.clear();
    runs_.clear();
    run_slots_.clear();
  }

  void take(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const os::UringCompletion& c = completions_[i];
      if (c.kind == os::UringCompletion::Kind::kSend) {
        on_send_done(c);
        continue;
      }
      int fd = int(uint32_t(c.user_data));
      auto it = watches_.find(fd);
      if (it == watches_.end() || !it->second.armed ||
          it->second.generation != uint32_t(c.user_data >> 32))
        continue;  // a cancelled or superseded poll
      it->second.armed = false;
      it->second.queued = true;
      it->second.failed = c.result < 0;
      ready_.push_back({fd, {it->second.tag, c.readable, c.writable, c.error}});
    }
  }

  void on_send_done(const os::UringCompletion& c) {
    uint64_t kind = c.user_data >> kKindShift;
    if (c.result >= 0) return;
    if (kind == kTunWrite) {
      if (c.result == -EBADFD || c.result == -ENODEV) {
        if (!tun_error_) tun_error_ = base::Error::from_errno("write TUN", -c.result);
      } else {
        ++drops_.tun_write;
      }
    } else if (kind == kSegmented) {
      size_t index = c.user_data & ((uint64_t(1) << kKindShift) - 1);
      if (index < runs_.size()) {
        if (c.result == -EAGAIN) {
          drops_.udp_send += runs_[index].count;
        } else {
          failed_runs_.push_back(runs_[index]);
        }
      }
    } else {
      ++drops_.udp_send;
    }
  }

  os::Uring ring_;
  IoDrops& drops_;
  std::unordered_map<int, Watch> watches_;
  uint32_t generation_ = 0;
  std::deque<Ready> ready_;
  std::vector<os::UringCompletion> completions_ = std::vector<os::UringCompletion>(256);
  std::vector<base::Bytes> parts_;
  std::vector<Run> runs_;
  std::vector<os::DatagramSlot> run_slots_;  // the runs' slots (the buffers stay the caller's)
  std::vector<Run> failed_runs_;
  std::optional<base::Error> tun_error_;
};

}  // namespace

base::Result<std::unique_ptr<IoBackend>> make_uring_backend(IoDrops* drops) {
  auto ring = os::Uring::create(512);
  if (!ring) return ring.error();
  return std::unique_ptr<IoBackend>(std::make_unique<UringBackend>(std::move(*ring), drops));
}

}  // namespace mw::dp::detail
