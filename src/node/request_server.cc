// SPDX-License-Identifier: Apache-2.0
// RequestServer: accept, read until the request is complete, write the reply, close.
#include "node/request_server.h"

#include "base/log.h"

namespace mw::node {

base::Result<void> RequestServer::start(Engine& engine, int listen_fd, uint64_t tag,
                                        Accept accept) {
  tag_ = tag;
  next_tag_ = tag + 1;
  accept_ = std::move(accept);
  return engine.watch_fd(listen_fd, tag, false);
}

void RequestServer::accept_all(Engine& engine, base::Instant now) {
  while (true) {
    base::UniqueFd fd = accept_();
    if (!fd.valid()) return;
    if (connections_.size() >= kMaxConnections) continue;  // closes it
    if (next_tag_ >= tag_ + kMaxTags) next_tag_ = tag_ + 1;
    uint64_t tag = next_tag_++;
    Connection c;
    c.deadline = now + kTimeout;
    if (unix_peer_) {
      auto creds = os::peer_credentials(fd.get());
      if (!creds) {
        MW_LOG_INFO("{}: peer credentials unavailable: {}", what_, creds.error().message());
        continue;
      }
      c.credentials = *creds;
    }
    if (!engine.watch_fd(fd.get(), tag, false)) continue;
    c.fd = std::move(fd);
    connections_.emplace(tag, std::move(c));
  }
}

void RequestServer::close(Engine& engine, uint64_t tag) {
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  engine.unwatch_fd(it->second.fd.get());
  connections_.erase(it);
}

base::Instant RequestServer::next_deadline() const {
  base::Instant d = base::Instant::max();
  for (const auto& [tag, c] : connections_) d = std::min(d, c.deadline);
  return d;
}

void RequestServer::expire(Engine& engine, base::Instant now) {
  std::vector<uint64_t> due;
  for (const auto& [tag, c] : connections_)
    if (c.deadline <= now) due.push_back(tag);
  for (uint64_t tag : due) {
    MW_LOG_INFO("{}: connection timed out", what_);
    close(engine, tag);
  }
}

void RequestServer::on_fd(Engine& engine, uint64_t tag, bool readable, bool /*writable*/,
                          bool error, base::Instant now) {
  if (tag == tag_) {
    accept_all(engine, now);
    return;
  }
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (readable && !c.read_closed) {
    // Before the answer the request accumulates; after it, anything more is read and ignored
    // so that a level-triggered readable fd does not keep waking the loop.
    std::string& sink = c.answered ? scratch_ : c.in;
    scratch_.clear();
    c.read_closed = !os::read_available(c.fd.get(), sink, max_request_len_ + 1);
    if (!c.answered && c.in.size() > max_request_len_) {
      MW_LOG_INFO("{}: request over {} bytes refused", what_, max_request_len_);
      close(engine, tag);
      return;
    }
    if (!c.answered) {
      if (auto reply = respond_(c.in, c.credentials ? &*c.credentials : nullptr)) {
        c.out = std::move(*reply);
        c.answered = true;
      } else if (c.read_closed) {
        close(engine, tag);  // closed before finishing its request
        return;
      }
    }
  } else if (error && !readable) {
    close(engine, tag);
    return;
  }
  if (c.answered && !c.out.empty() && !os::write_some(c.fd.get(), c.out)) {
    close(engine, tag);
    return;
  }
  if (c.answered && c.out.empty()) {
    close(engine, tag);
    return;
  }
  // Waiting for more of the request, or for room to write the rest of the answer; once the peer
  // has shut down its side, only writability (and errors) matter.
  if (!engine.rewatch_fd(c.fd.get(), tag, c.answered, !c.read_closed)) close(engine, tag);
}

}  // namespace mw::node
