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

void RequestServer::accept_all(Engine& engine) {
  while (true) {
    base::UniqueFd fd = accept_();
    if (!fd.valid()) return;
    if (connections_.size() >= kMaxConnections) continue;  // closes it
    if (next_tag_ >= tag_ + kMaxTags) next_tag_ = tag_ + 1;
    uint64_t tag = next_tag_++;
    Connection c;
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

void RequestServer::on_fd(Engine& engine, uint64_t tag, bool readable, bool writable, bool error) {
  if (tag == tag_) {
    accept_all(engine);
    return;
  }
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  bool alive = !error || readable;
  if (readable && !c.answered) {
    alive = os::read_available(c.fd.get(), c.in, max_request_len_ + 1);
    if (c.in.size() > max_request_len_) {
      MW_LOG_INFO("{}: request over {} bytes refused", what_, max_request_len_);
      close(engine, tag);
      return;
    }
    if (auto reply = respond_(c.in, c.credentials ? &*c.credentials : nullptr)) {
      c.out = std::move(*reply);
      c.answered = true;
    } else if (!alive) {
      close(engine, tag);  // closed before finishing its request
      return;
    }
  }
  if (c.answered && (writable || !c.out.empty())) {
    if (!os::write_some(c.fd.get(), c.out)) alive = false;
  }
  if (!alive || (c.answered && c.out.empty())) {
    close(engine, tag);
    return;
  }
  if (c.answered) {
    engine.unwatch_fd(c.fd.get());
    if (!engine.watch_fd(c.fd.get(), tag, true)) close(engine, tag);
  }
}

}  // namespace mw::node
