// SPDX-License-Identifier: Apache-2.0
// One request per connection, answered and closed: the shape of both the control socket and
// the metrics endpoint. Connections are non-blocking and served from the interface's loop; a
// request larger than the limit is refused, and a connection still open kTimeout after it was
// accepted (a peer that never finishes its request, or never reads the reply) is closed.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "node/interface_hooks.h"
#include "os/unix_socket.h"

namespace mw::node {

class RequestServer {
 public:
  // `respond` sees everything received so far and returns the reply once the request is
  // complete (nullopt: read more). `credentials` is set for unix-socket peers.
  using Respond = std::function<std::optional<std::string>(std::string_view received,
                                                           const os::PeerCredentials* credentials)>;
  using Accept = std::function<base::UniqueFd()>;

  RequestServer(std::string what, size_t max_request_len, bool unix_peer, Respond respond)
      : what_(std::move(what)),
        max_request_len_(max_request_len),
        unix_peer_(unix_peer),
        respond_(std::move(respond)) {}

  // Watches `listen_fd` under `tag`; connections get the tags after it.
  base::Result<void> start(Engine& engine, int listen_fd, uint64_t tag, Accept accept);
  bool owns(uint64_t tag) const { return tag >= tag_ && tag < tag_ + kMaxTags; }
  void on_fd(Engine& engine, uint64_t tag, bool readable, bool writable, bool error,
             base::Instant now);
  // When the oldest connection times out (Instant::max() with none); expire() closes those due.
  base::Instant next_deadline() const;
  void expire(Engine& engine, base::Instant now);
  size_t connection_count() const { return connections_.size(); }

  static constexpr uint64_t kMaxTags = 1 << 20;
  static constexpr size_t kMaxConnections = 32;
  static constexpr base::Duration kTimeout = base::Duration::seconds(5);

 private:
  struct Connection {
    base::UniqueFd fd;
    std::string in, out;
    bool answered = false;
    bool read_closed = false;  // the peer shut down its side: read no more
    base::Instant deadline;
    std::optional<os::PeerCredentials> credentials;
  };
  void accept_all(Engine& engine, base::Instant now);
  void close(Engine& engine, uint64_t tag);

  std::string what_;
  size_t max_request_len_;
  bool unix_peer_;
  Respond respond_;
  Accept accept_;
  uint64_t tag_ = 0;
  uint64_t next_tag_ = 0;
  std::map<uint64_t, Connection> connections_;
  std::string scratch_;  // input after the answer, discarded
};

}  // namespace mw::node
