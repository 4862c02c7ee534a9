// SPDX-License-Identifier: Apache-2.0
// EventLoop: the one thread of a node. It waits on the engine's PacketIo, hands ready ports to
// the dp::Engine, and serves the node's other subsystems as equals: each gets a range of fd
// tags from the loop's registry, datagrams the engine did not take are classified by their
// first byte and handed to the subsystem that registered for it, and each is ticked at its own
// deadline (the loop sleeps until the earliest). SIGINT and SIGTERM stop the loop; SIGHUP goes
// to every subsystem.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/time.h"
#include "dataplane/engine.h"
#include "dataplane/packet_io.h"

namespace mw::node {

class EventLoop;

// A part of the node served by the loop. Every call comes on the loop's thread.
class Subsystem {
 public:
  virtual ~Subsystem() = default;
  virtual base::Instant next_deadline() const { return base::Instant::max(); }
  virtual void on_tick(base::Instant /*now*/) {}
  // An event of a fd watched under one of this subsystem's tags.
  virtual void on_fd(uint64_t /*tag*/, const os::PollEvent& /*event*/, base::Instant /*now*/) {}
  virtual void on_signal(int /*signal*/, base::Instant /*now*/) {}
  // The loop is ending: last chance to send (a graceful leave).
  virtual void on_stop(base::Instant /*now*/) {}
};

// Takes the datagrams of one class (by first byte) off the shared UDP port.
class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  virtual void on_datagram(base::Bytes datagram, const base::Endpoint& from, base::Instant now) = 0;
};

// What the loop dropped itself.
struct LoopDrops {
  uint64_t unclassified = 0;  // neither WireGuard nor any registered class of datagram
};

class EventLoop final : private dp::ForeignDatagramSink {
 public:
  // `io` and `engine` outlive the loop. Watches the ports under the loop's own tags.
  static base::Result<std::unique_ptr<EventLoop>> create(dp::PacketIo& io, dp::Engine& engine);
  ~EventLoop() override;

  dp::Engine& engine() { return engine_; }
  dp::PacketIo& io() { return io_; }

  // --- registry
  // Adds a subsystem (ticked, signalled, stopped in the order added).
  void add(Subsystem& subsystem);
  // Reserves `count` consecutive fd tags for `owner`; returns the first.
  uint64_t reserve_tags(Subsystem& owner, uint64_t count);
  // Datagrams starting with `first_byte` go to `handler` (one handler per byte).
  base::Result<void> classify(uint8_t first_byte, DatagramHandler& handler);
  base::Result<void> watch(int fd, uint64_t tag, bool writable);
  base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable);
  void unwatch(int fd);
  // Takes SIGINT, SIGTERM and SIGHUP through `signal_fd` (os::make_signal_fd, which blocks
  // them: make it before any thread starts, crypto workers included, or they inherit the old
  // mask and a signal kills the process).
  base::Result<void> watch_signals(base::UniqueFd signal_fd);

  // --- running
  // Before sleeping, keep looking for events this long (0: sleep at once).
  void set_busy_poll(base::Duration spin) { busy_poll_ = spin; }
  // Runs until stop(), a stopping signal, or the TUN going away; then on_stop to each
  // subsystem and a last flush.
  base::Result<void> run(base::Clock& clock);
  // One wake at `now`: whatever is ready now (no waiting), then every deadline that is due,
  // then a flush. For tests on a virtual clock. Returns whether any fd was ready.
  base::Result<bool> turn(base::Instant now);
  void stop() { stop_ = true; }
  bool stopping() const { return stop_; }
  // The subsystems' on_stop and a last flush (run() does it; tests call it).
  void finish(base::Instant now);
  base::Instant next_deadline() const;

  const LoopDrops& drops() const { return drops_; }

 private:
  EventLoop(dp::PacketIo& io, dp::Engine& engine) : io_(io), engine_(engine) {}
  void on_foreign_datagram(base::Bytes datagram, const base::Endpoint& from,
                           base::Instant now) override;
  void dispatch(std::span<const os::PollEvent> events, base::Instant now);
  void on_wake_end(base::Instant now);
  base::Result<size_t> wait(base::Clock& clock, std::span<os::PollEvent> events,
                            base::Duration timeout);

  struct TagRange {
    uint64_t first;
    uint64_t count;
    Subsystem* owner;
  };

  dp::PacketIo& io_;
  dp::Engine& engine_;
  std::vector<Subsystem*> subsystems_;
  std::vector<TagRange> tags_;
  uint64_t next_tag_;
  std::array<DatagramHandler*, 256> classes_{};
  base::UniqueFd signal_fd_;
  base::Duration busy_poll_ = base::Duration::zero();
  LoopDrops drops_;
  bool stop_ = false;
};

}  // namespace mw::node
