// SPDX-License-Identifier: Apache-2.0
// RequestServer: a listener and its connections, served from the node's loop as a subsystem of
// its own. Two shapes: one request per connection, answered and closed (the control socket,
// the metrics endpoint), or a session of requests answered in turn until the peer closes (the
// wg(8) UAPI socket). Connections are non-blocking; a request larger than the limit is refused,
// and a connection idle for kTimeout (a peer that never finishes its request, or never reads
// the reply) is closed.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "node/event_loop.h"
#include "os/unix_socket.h"

namespace mw::node {

class RequestServer final : public Subsystem {
 public:
  // `respond` sees everything received so far and returns the reply once the request is
  // complete (nullopt: read more). `credentials` is set for unix-socket peers.
  using Respond = std::function<std::optional<std::string>(std::string_view received,
                                                           const os::PeerCredentials* credentials)>;
  using Accept = std::function<base::UniqueFd()>;
  // A session's requests: takes the start of `received`, appends the reply to `reply` and
  // returns the bytes it took (0: the request is not complete yet). *hang_up closes the
  // connection once the reply is out.
  using Serve = std::function<size_t(std::string_view received, std::string* reply, bool* hang_up)>;

  RequestServer(std::string what, size_t max_request_len, bool unix_peer, Respond respond)
      : what_(std::move(what)),
        max_request_len_(max_request_len),
        unix_peer_(unix_peer),
        respond_(std::move(respond)) {}
  // A session server; `too_big` is the reply to a request over the limit (then it hangs up).
  RequestServer(std::string what, size_t max_request_len, Serve serve, std::string too_big)
      : what_(std::move(what)),
        max_request_len_(max_request_len),
        unix_peer_(false),
        serve_(std::move(serve)),
        too_big_(std::move(too_big)) {}

  // Joins `loop` as a subsystem and watches `listen_fd`; connections get the tags after it.
  base::Result<void> start(EventLoop& loop, int listen_fd, Accept accept);
  size_t connection_count() const { return connections_.size(); }

  // Subsystem: connection events; the earliest idle deadline, and closing those past it.
  void on_fd(uint64_t tag, const os::PollEvent& event, base::Instant now) override;
  base::Instant next_deadline() const override;
  void on_tick(base::Instant now) override;

  static constexpr uint64_t kMaxTags = 1 << 20;
  static constexpr size_t kMaxConnections = 32;
  static constexpr base::Duration kTimeout = base::Duration::seconds(5);

 private:
  struct Connection {
    base::UniqueFd fd;
    std::string in, out;
    bool answered = false;
    bool read_closed = false;  // the peer shut down its side: read no more
    bool hang_up = false;      // a session that ends once `out` is written
    base::Instant deadline;
    std::optional<os::PeerCredentials> credentials;
  };
  void accept_all(base::Instant now);
  void close(uint64_t tag);
  // Reads what is there, answers what is complete; false when the connection is done.
  bool serve_session(Connection& c, base::Instant now);

  std::string what_;
  size_t max_request_len_;
  bool unix_peer_;
  Respond respond_;
  Serve serve_;
  std::string too_big_;
  Accept accept_;
  EventLoop* loop_ = nullptr;
  uint64_t tag_ = 0;
  uint64_t next_tag_ = 0;
  std::map<uint64_t, Connection> connections_;
  std::string scratch_;  // input after the answer, discarded
};

}  // namespace mw::node
