// SPDX-License-Identifier: Apache-2.0
// The node's loop. One iteration:
//   1. wait on the PacketIo until a fd is ready or the earliest deadline (the engine's or a
//      subsystem's), spinning first when busy polling is on;
//   2. dispatch: the TUN and UDP ports to the engine (which hands datagrams that are not
//      WireGuard back through the classifier) and its handshake thread's wake fd, signals, and
//      every other tag to the subsystem that reserved it;
//   3. the engine's end of wake (queued handshakes, timers, flush), then every subsystem whose
//      deadline is due, then a flush of what they sent.
#include "node/event_loop.h"

#include "base/log.h"
#include "os/process.h"

namespace mw::node {
namespace {

// The loop's own tags: below every subsystem's.
enum LoopTag : uint64_t {
  kTunTag = 1,
  kUdp4Tag,
  kUdp6Tag,
  kSignalTag,
  kEngineTag,  // the engine's handshake thread has finished work
  kFirstFreeTag = 16
};

}  // namespace

base::Result<std::unique_ptr<EventLoop>> EventLoop::create(dp::PacketIo& io, dp::Engine& engine) {
  std::unique_ptr<EventLoop> loop(new EventLoop(io, engine));
  loop->next_tag_ = kFirstFreeTag;
  MW_RETURN_IF_ERROR(io.watch_ports({kTunTag, kUdp4Tag, kUdp6Tag}));
  if (engine.wake_fd() >= 0)
    MW_RETURN_IF_ERROR(io.watch(engine.wake_fd(), kEngineTag, false, true));
  engine.set_foreign_sink(loop.get());
  return loop;
}

EventLoop::~EventLoop() {
  engine_.set_foreign_sink(nullptr);
  if (engine_.wake_fd() >= 0) io_.unwatch(engine_.wake_fd());
}

void EventLoop::add(Subsystem& subsystem) { subsystems_.push_back(&subsystem); }

uint64_t EventLoop::reserve_tags(Subsystem& owner, uint64_t count) {
  uint64_t first = next_tag_;
  next_tag_ += count;
  tags_.push_back({first, count, &owner});
  return first;
}

base::Result<void> EventLoop::classify(uint8_t first_byte, DatagramHandler& handler) {
  if (classes_[first_byte])
    return base::make_error("datagrams starting with {:#04x} already have a handler", first_byte);
  classes_[first_byte] = &handler;
  return {};
}

base::Result<void> EventLoop::watch(int fd, uint64_t tag, bool writable) {
  if (tag < kFirstFreeTag) return base::make_error("watch: tag {} is the loop's own", tag);
  return io_.watch(fd, tag, writable, true);
}

base::Result<void> EventLoop::rewatch(int fd, uint64_t tag, bool writable, bool readable) {
  return io_.rewatch(fd, tag, writable, readable);
}

void EventLoop::unwatch(int fd) { io_.unwatch(fd); }

base::Result<void> EventLoop::watch_signals(base::UniqueFd signal_fd) {
  signal_fd_ = std::move(signal_fd);
  return io_.watch(signal_fd_.get(), kSignalTag, false, true);
}

void EventLoop::on_foreign_datagram(base::Bytes datagram, const base::Endpoint& from,
                                    base::Instant now) {
  DatagramHandler* h = datagram.empty() ? nullptr : classes_[datagram[0]];
  if (!h) {
    ++drops_.unclassified;  // neither WireGuard nor anything we speak: garbage
    return;
  }
  h->on_datagram(datagram, from, now);
}

base::Instant EventLoop::next_deadline() const {
  base::Instant d = engine_.next_deadline();
  for (const Subsystem* s : subsystems_) d = std::min(d, s->next_deadline());
  return d;
}

void EventLoop::dispatch(std::span<const os::PollEvent> events, base::Instant now) {
  for (const os::PollEvent& ev : events) {
    if (stop_) return;
    switch (ev.tag) {
      case kTunTag:
        if (ev.error) {
          MW_LOG_INFO("interface {} was deleted; shutting down", io_.tun_name());
          stop_ = true;
        } else if (auto r = engine_.on_tun_readable(now); !r) {
          MW_LOG_INFO("interface {} is gone ({}); shutting down", io_.tun_name(),
                      r.error().message());
          stop_ = true;
        }
        break;
      case kUdp4Tag: engine_.on_udp_readable(dp::Family::kV4, now); break;
      case kUdp6Tag: engine_.on_udp_readable(dp::Family::kV6, now); break;
      case kEngineTag: engine_.on_wake_fd(); break;  // on_wake_end collects the work
      case kSignalTag: {
        int sig = os::read_signal(signal_fd_.get());
        if (sig == 0) break;
        if (!os::is_hangup(sig)) {
          MW_LOG_INFO("signal {} received; shutting down", sig);
          stop_ = true;
          break;
        }
        for (Subsystem* s : subsystems_) s->on_signal(sig, now);
        break;
      }
      default:
        for (const TagRange& r : tags_) {
          if (ev.tag >= r.first && ev.tag < r.first + r.count) {
            r.owner->on_fd(ev.tag, ev, now);
            break;
          }
        }
        break;
    }
  }
}

void EventLoop::on_wake_end(base::Instant now) {
  engine_.on_wake_end(now);
  bool ticked = false;
  for (Subsystem* s : subsystems_) {
    if (s->next_deadline() > now) continue;
    s->on_tick(now);
    ticked = true;
  }
  if (ticked) engine_.flush();
  if (engine_.tun_gone() && !stop_) {
    MW_LOG_INFO("interface {} is gone; shutting down", io_.tun_name());
    stop_ = true;
  }
}

base::Result<bool> EventLoop::turn(base::Instant now) {
  std::array<os::PollEvent, 32> events;
  auto n = io_.wait(events, base::Duration::zero());
  if (!n) return n.error();
  dispatch(std::span(events.data(), *n), now);
  on_wake_end(now);
  return *n > 0;
}

base::Result<size_t> EventLoop::wait(base::Clock& clock, std::span<os::PollEvent> events,
                                     base::Duration timeout) {
  if (busy_poll_ > base::Duration::zero() && timeout > base::Duration::zero()) {
    // Look without sleeping until something is ready or the spin (or the timeout) is over.
    const base::Instant start = clock.now();
    const base::Duration spin = std::min(busy_poll_, timeout);
    for (;;) {
      auto n = io_.wait(events, base::Duration::zero());
      if (!n || *n > 0) return n;
      base::Duration spent = clock.now() - start;
      if (spent >= spin) {
        timeout = timeout - spent;
        break;
      }
    }
    if (timeout <= base::Duration::zero()) return size_t(0);
  }
  return io_.wait(events, timeout);
}

base::Result<void> EventLoop::run(base::Clock& clock) {
  std::array<os::PollEvent, 32> events;
  while (!stop_) {
    base::Instant now = clock.now();
    base::Instant deadline = next_deadline();
    base::Duration timeout = base::Duration::seconds(1);
    timeout = deadline <= now ? base::Duration::zero() : std::min(deadline - now, timeout);
    auto n = wait(clock, events, timeout);
    if (!n) return n.error();
    dispatch(std::span(events.data(), *n), clock.now());
    on_wake_end(clock.now());
  }
  finish(clock.now());
  return {};
}

void EventLoop::finish(base::Instant now) {
  for (Subsystem* s : subsystems_) s->on_stop(now);
  engine_.flush();
}

}  // namespace mw::node
