// SPDX-License-Identifier: Apache-2.0
// RequestServer: a listener and its connections, served from the node's loop as a subsystem of
// its own. Two shapes: one request per connection, answered and closed (the control socket,
// the metrics endpoint), or a session of requests answered in turn until the peer closes (the
// wg(8) UAPI socket). Connections are non-blocking and bounded so that no client, slow or
// hostile, can lock the others out or spin the loop:
// - a request must arrive whole within kRequestTimeout of the connection (or of the previous
//   reply), and its reply be taken within kRequestTimeout of it; else the connection is closed;
// - at most kMaxConnections: one more evicts the connection idle the longest;
// - a request larger than the limit is refused, and all connections together buffer at most
//   kMaxBufferedTotal bytes of requests (a request that would pass it is refused as too big);
// - when accept() fails for want of resources (EMFILE, ENFILE, ...), the listener pauses with
//   a back-off instead of waking the loop again at once, and says so once in the log.
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

// What a server did about clients and resources, for /metrics and the tests.
struct RequestServerStats {
  uint64_t accepted = 0;
  uint64_t evicted = 0;        // closed to make room for a new connection
  uint64_t timed_out = 0;      // a request or its reply not done within kRequestTimeout
  uint64_t too_big = 0;        // over the request limit or the total buffer
  uint64_t accept_paused = 0;  // times accept() failed for want of resources
};

class RequestServer final : public Subsystem {
 public:
  // `respond` sees everything received so far and returns the reply once the request is
  // complete (nullopt: read more). `credentials` is set for unix-socket peers.
  using Respond = std::function<std::optional<std::string>(std::string_view received,
                                                           const os::PeerCredentials* credentials)>;
  // The next pending connection: an invalid fd when none is pending; an error when accepting
  // failed (os::accept_connection).
  using Accept = std::function<base::Result<base::UniqueFd>()>;
  // A session's requests: takes the start of `received`, appends the reply to `reply` and
  // returns the bytes it took (0: the request is not complete yet). `scanned` bytes at the
  // start of `received` were already seen to hold no complete request (search from there).
  // *hang_up closes the connection once the reply is out.
  using Serve = std::function<size_t(std::string_view received, size_t scanned, std::string* reply,
                                     bool* hang_up)>;

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
  const RequestServerStats& stats() const { return stats_; }
  uint64_t listen_tag() const { return tag_; }
  // For tests: a smaller total than kMaxBufferedTotal.
  void set_max_buffered_total(size_t bytes) { max_buffered_total_ = bytes; }
  bool accepting() const { return !paused_; }

  // Subsystem: connection events; the earliest deadline (a connection's, or the end of a
  // pause), and acting on those that are due.
  void on_fd(uint64_t tag, const os::PollEvent& event, base::Instant now) override;
  base::Instant next_deadline() const override;
  void on_tick(base::Instant now) override;

  static constexpr uint64_t kMaxTags = 1 << 20;
  static constexpr size_t kMaxConnections = 32;
  // Shorter than the 4.5 s at which a slow client was seen renewing idle connections.
  static constexpr base::Duration kRequestTimeout = base::Duration::seconds(2);
  static constexpr size_t kMaxBufferedTotal = size_t{64} << 20;
  static constexpr base::Duration kFirstPause = base::Duration::millis(100);
  static constexpr base::Duration kMaxPause = base::Duration::seconds(2);

 private:
  struct Connection {
    base::UniqueFd fd;
    std::string in, out;
    size_t scanned = 0;  // bytes of `in` known to hold no complete request
    bool answered = false;
    bool read_closed = false;  // the peer shut down its side: read no more
    bool hang_up = false;      // a session that ends once `out` is written
    base::Instant deadline;    // the request (or the reply) must be done by then
    base::Instant last_active;
    std::optional<os::PeerCredentials> credentials;
  };
  void accept_all(base::Instant now);
  void pause_accepting(const base::Error& error, base::Instant now);
  // Closes the connection idle the longest (to make room for a new one).
  void evict_idlest(base::Instant now);
  void close(uint64_t tag);
  // Reads into c.in within the request limit and the total buffer; false when the peer closed
  // (or failed) or when the request would pass either limit (then *too_big).
  bool read_request(Connection& c, bool* too_big);
  // How long a reply of `bytes` may take to be read, beyond kRequestTimeout: 1 s per MiB.
  static base::Duration reply_time(size_t bytes) {
    return base::Duration::seconds(int64_t(bytes >> 20));
  }
  // Reads what is there, answers what is complete; false when the connection is done.
  bool serve_session(Connection& c, base::Instant now);
  void serve_one_shot(uint64_t tag, Connection& c, const os::PollEvent& event, base::Instant now);

  std::string what_;
  size_t max_request_len_;
  bool unix_peer_;
  Respond respond_;
  Serve serve_;
  std::string too_big_;
  Accept accept_;
  EventLoop* loop_ = nullptr;
  int listen_fd_ = -1;
  uint64_t tag_ = 0;
  uint64_t next_tag_ = 0;
  std::map<uint64_t, Connection> connections_;
  size_t buffered_ = 0;  // the sum of the connections' `in`
  size_t max_buffered_total_ = kMaxBufferedTotal;
  std::string scratch_;  // input after the answer, discarded
  RequestServerStats stats_;
  bool paused_ = false;
  base::Instant resume_at_ = base::Instant::max();
  base::Duration pause_ = kFirstPause;
  base::Instant last_log_;  // of a timeout or an eviction
};

}  // namespace mw::node
