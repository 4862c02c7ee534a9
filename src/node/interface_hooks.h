// SPDX-License-Identifier: Apache-2.0
// The seam through which a subsystem rides on a WgInterface's event loop and UDP port: the
// mesh gets every datagram that is not WireGuard, its own deadline, its own file descriptors
// and signals, and may configure the device. Everything runs on the interface's one thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "wireguard/device.h"

namespace mw::node {

// What the interface offers its hooks. Valid from on_start until on_stop returns.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual wg::Device& device() = 0;
  // Where device calls that may send (initiate_handshake, set_persistent_keepalive) write to.
  virtual wg::DeviceOutput& device_output() = 0;
  // Queues a datagram on the shared UDP port; the bytes are copied.
  virtual void send_datagram(const base::Endpoint& to, base::Bytes datagram) = 0;
  virtual uint16_t port() const = 0;
  virtual const std::string& name() const = 0;  // the TUN name, or "" without a TUN
  // One line: backend and which offloads are active.
  virtual std::string data_path() const = 0;
  // Adds an fd to the loop; events come back through on_fd with `tag` (>= kFirstHookTag).
  virtual base::Result<void> watch_fd(int fd, uint64_t tag, bool writable) = 0;
  // Changes the interest of a watched fd (readable false: only writability and errors).
  virtual base::Result<void> rewatch_fd(int fd, uint64_t tag, bool writable, bool readable) = 0;
  // Call before closing a watched fd: unlike epoll, the io_uring backend does not notice a close.
  virtual void unwatch_fd(int fd) = 0;
  // Ends the loop after this iteration (on_stop is still called).
  virtual void stop() = 0;
};

constexpr uint64_t kFirstHookTag = uint64_t(1) << 40;

class InterfaceHooks {
 public:
  virtual ~InterfaceHooks() = default;
  // After the TUN and sockets exist, before the loop. An error aborts start-up.
  virtual base::Result<void> on_start(Engine& engine, base::Instant now) = 0;
  // A datagram that is not a WireGuard message. Returns false if it is not ours (dropped).
  virtual bool on_datagram(Engine& engine, base::Bytes datagram, const base::Endpoint& from,
                           base::Instant now) = 0;
  virtual base::Instant next_deadline() const = 0;
  virtual void on_tick(Engine& engine, base::Instant now) = 0;
  virtual void on_fd(Engine& engine, uint64_t tag, bool readable, bool writable, bool error,
                     base::Instant now) = 0;
  // SIGINT/SIGTERM/SIGHUP. Returns true when the loop should stop.
  virtual bool on_signal(Engine& engine, int signal, base::Instant now) = 0;
  // The loop is ending: last chance to send (a graceful leave).
  virtual void on_stop(Engine& engine, base::Instant now) = 0;
};

}  // namespace mw::node
