// SPDX-License-Identifier: Apache-2.0
// RequestServer: accept, read until a request is complete, write the reply; then close (one
// request per connection) or wait for the next request (a session).
#include "node/request_server.h"

#include "base/log.h"
#include "base/secret.h"

namespace mw::node {

base::Result<void> RequestServer::start(EventLoop& loop, int listen_fd, Accept accept) {
  loop_ = &loop;
  loop.add(*this);
  tag_ = loop.reserve_tags(*this, kMaxTags);
  next_tag_ = tag_ + 1;
  accept_ = std::move(accept);
  return loop.watch(listen_fd, tag_, false);
}

void RequestServer::accept_all(base::Instant now) {
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
    if (!loop_->watch(fd.get(), tag, false)) continue;
    c.fd = std::move(fd);
    connections_.emplace(tag, std::move(c));
  }
}

void RequestServer::close(uint64_t tag) {
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  loop_->unwatch(it->second.fd.get());
  base::secure_wipe(it->second.out.data(), it->second.out.size());  // replies may hold keys
  connections_.erase(it);
}

base::Instant RequestServer::next_deadline() const {
  base::Instant d = base::Instant::max();
  for (const auto& [tag, c] : connections_) d = std::min(d, c.deadline);
  return d;
}

void RequestServer::on_tick(base::Instant now) {
  std::vector<uint64_t> due;
  for (const auto& [tag, c] : connections_)
    if (c.deadline <= now) due.push_back(tag);
  for (uint64_t tag : due) {
    MW_LOG_INFO("{}: connection timed out", what_);
    close(tag);
  }
}

bool RequestServer::serve_session(Connection& c, base::Instant now) {
  if (c.hang_up) return true;  // only writing what is left
  c.read_closed = !os::read_available(c.fd.get(), c.in, max_request_len_ + 1);
  while (!c.hang_up) {
    size_t taken = serve_(c.in, &c.out, &c.hang_up);
    if (taken == 0) break;
    c.in.erase(0, taken);
    c.deadline = now + kTimeout;
  }
  if (!c.hang_up && c.in.size() > max_request_len_) {
    MW_LOG_INFO("{}: request over {} bytes refused", what_, max_request_len_);
    c.out += too_big_;
    c.hang_up = true;
  }
  return !c.read_closed || !c.out.empty();
}

void RequestServer::on_fd(uint64_t tag, const os::PollEvent& event, base::Instant now) {
  if (tag == tag_) {
    accept_all(now);
    return;
  }
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (serve_) {
    bool alive = !event.error || event.readable;
    if (event.readable && alive && !serve_session(c, now)) alive = false;
    if (!c.out.empty() && !os::write_some(c.fd.get(), c.out)) alive = false;
    if (!alive || (c.hang_up && c.out.empty())) {
      close(tag);
      return;
    }
    if (!loop_->rewatch(c.fd.get(), tag, !c.out.empty(), !c.hang_up && !c.read_closed)) close(tag);
    return;
  }
  if (event.readable && !c.read_closed) {
    // Before the answer the request accumulates; after it, anything more is read and ignored
    // so that a level-triggered readable fd does not keep waking the loop.
    std::string& sink = c.answered ? scratch_ : c.in;
    scratch_.clear();
    c.read_closed = !os::read_available(c.fd.get(), sink, max_request_len_ + 1);
    if (!c.answered && c.in.size() > max_request_len_) {
      MW_LOG_INFO("{}: request over {} bytes refused", what_, max_request_len_);
      close(tag);
      return;
    }
    if (!c.answered) {
      if (auto reply = respond_(c.in, c.credentials ? &*c.credentials : nullptr)) {
        c.out = std::move(*reply);
        c.answered = true;
      } else if (c.read_closed) {
        close(tag);  // closed before finishing its request
        return;
      }
    }
  } else if (event.error && !event.readable) {
    close(tag);
    return;
  }
  if (c.answered && !c.out.empty() && !os::write_some(c.fd.get(), c.out)) {
    close(tag);
    return;
  }
  if (c.answered && c.out.empty()) {
    close(tag);
    return;
  }
  // Waiting for more of the request, or for room to write the rest of the answer; once the peer
  // has shut down its side, only writability (and errors) matter.
  if (!loop_->rewatch(c.fd.get(), tag, c.answered, !c.read_closed)) close(tag);
}

}  // namespace mw::node
