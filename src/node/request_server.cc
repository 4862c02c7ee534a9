// SPDX-License-Identifier: Apache-2.0
// RequestServer: accept, read until a request is complete, write the reply; then close (one
// request per connection) or wait for the next request (a session).
#include "node/request_server.h"

#include <algorithm>

#include "base/log.h"
#include "base/secret.h"

namespace mw::node {
namespace {

// Closing connections (timeouts, evictions) is logged at most this often, with a count.
constexpr base::Duration kLogInterval = base::Duration::seconds(10);

}  // namespace

base::Result<void> RequestServer::start(EventLoop& loop, int listen_fd, Accept accept) {
  loop_ = &loop;
  loop.add(*this);
  tag_ = loop.reserve_tags(*this, kMaxTags);
  next_tag_ = tag_ + 1;
  accept_ = std::move(accept);
  listen_fd_ = listen_fd;
  return loop.watch(listen_fd, tag_, false);
}

void RequestServer::accept_all(base::Instant now) {
  while (true) {
    auto accepted = accept_();
    if (!accepted) {
      pause_accepting(accepted.error(), now);
      return;
    }
    base::UniqueFd fd = std::move(*accepted);
    if (!fd.valid()) return;
    pause_ = kFirstPause;  // accepting works (again)
    ++stats_.accepted;
    if (connections_.size() >= kMaxConnections) evict_idlest(now);
    if (next_tag_ >= tag_ + kMaxTags) next_tag_ = tag_ + 1;
    uint64_t tag = next_tag_++;
    Connection c;
    c.deadline = now + kRequestTimeout;
    c.last_active = now;
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

void RequestServer::pause_accepting(const base::Error& error, base::Instant now) {
  // The listener stays readable while the connection waits, so trying again at once would
  // spin the loop: stop watching it for a while (connections time out meanwhile, freeing
  // descriptors), longer each time it fails again.
  if (stats_.accept_paused++ == 0 || pause_ == kFirstPause) {
    MW_LOG_WARN(
        "{}: cannot accept connections ({}); pausing the listener (logged again only "
        "after accepting works again)",
        what_, error.message());
  }
  (void)loop_->rewatch(listen_fd_, tag_, false, false);
  paused_ = true;
  resume_at_ = now + pause_;
  pause_ = std::min(pause_ + pause_, kMaxPause);
}

void RequestServer::evict_idlest(base::Instant now) {
  auto idlest = std::min_element(
      connections_.begin(), connections_.end(),
      [](const auto& a, const auto& b) { return a.second.last_active < b.second.last_active; });
  if (idlest == connections_.end()) return;
  ++stats_.evicted;
  if (now - last_log_ >= kLogInterval) {
    MW_LOG_INFO("{}: {} connections open; closing the idlest to take a new one ({} so far)", what_,
                connections_.size(), stats_.evicted);
    last_log_ = now;
  }
  close(idlest->first);
}

void RequestServer::close(uint64_t tag) {
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  loop_->unwatch(it->second.fd.get());
  buffered_ -= it->second.in.size();
  base::secure_wipe(it->second.out.data(), it->second.out.size());  // replies may hold keys
  connections_.erase(it);
}

base::Instant RequestServer::next_deadline() const {
  base::Instant d = resume_at_;
  for (const auto& [tag, c] : connections_) d = std::min(d, c.deadline);
  return d;
}

void RequestServer::on_tick(base::Instant now) {
  if (paused_ && now >= resume_at_) {
    paused_ = false;
    resume_at_ = base::Instant::max();
    (void)loop_->rewatch(listen_fd_, tag_, false, true);
  }
  std::vector<uint64_t> due;
  for (const auto& [tag, c] : connections_)
    if (c.deadline <= now) due.push_back(tag);
  if (due.empty()) return;
  stats_.timed_out += due.size();
  if (now - last_log_ >= kLogInterval) {
    MW_LOG_INFO(
        "{}: {} connection(s) did not finish a request or take its reply within {} s "
        "({} so far)",
        what_, due.size(), kRequestTimeout.to_nanos() / 1'000'000'000, stats_.timed_out);
    last_log_ = now;
  }
  for (uint64_t tag : due) close(tag);
}

bool RequestServer::read_request(Connection& c, bool* too_big) {
  // This connection may hold what the others leave of the total, up to the request limit.
  size_t others = buffered_ - c.in.size();
  size_t limit =
      std::min(max_request_len_, max_buffered_total_ - std::min(others, max_buffered_total_));
  size_t before = c.in.size();
  os::ReadStatus status = os::read_bounded(c.fd.get(), c.in, limit);
  buffered_ += c.in.size() - before;
  *too_big = status == os::ReadStatus::kOverLimit;
  return status == os::ReadStatus::kOpen;
}

bool RequestServer::serve_session(Connection& c, base::Instant now) {
  if (c.hang_up) return true;  // only writing what is left
  bool too_big = false;
  c.read_closed = !read_request(c, &too_big) && !too_big;
  while (!c.hang_up) {
    size_t taken = serve_(c.in, c.scanned, &c.out, &c.hang_up);
    if (taken == 0) {
      c.scanned = c.in.size();
      break;
    }
    c.in.erase(0, taken);
    buffered_ -= taken;
    c.scanned = 0;
    c.deadline = now + kRequestTimeout + reply_time(c.out.size());
  }
  if (!c.hang_up && too_big) {
    ++stats_.too_big;
    MW_LOG_INFO("{}: request over {} bytes (or over what all connections may buffer) refused",
                what_, max_request_len_);
    c.out += too_big_;
    c.hang_up = true;
  }
  return !c.read_closed || !c.out.empty();
}

void RequestServer::on_fd(uint64_t tag, const os::PollEvent& event, base::Instant now) {
  if (tag == tag_) {
    if (!paused_) accept_all(now);
    return;
  }
  auto it = connections_.find(tag);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (event.readable || event.writable) c.last_active = now;
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
  serve_one_shot(tag, c, event, now);
}

void RequestServer::serve_one_shot(uint64_t tag, Connection& c, const os::PollEvent& event,
                                   base::Instant now) {
  if (event.readable && !c.read_closed) {
    if (c.answered) {
      // Anything after the request is read and ignored, so that a level-triggered readable fd
      // does not keep waking the loop.
      scratch_.clear();
      c.read_closed = os::read_bounded(c.fd.get(), scratch_, 1 << 16) == os::ReadStatus::kClosed;
    } else {
      bool too_big = false;
      c.read_closed = !read_request(c, &too_big) && !too_big;
      if (too_big) {
        ++stats_.too_big;
        MW_LOG_INFO("{}: request over {} bytes refused", what_, max_request_len_);
        close(tag);
        return;
      }
      if (auto reply = respond_(c.in, c.credentials ? &*c.credentials : nullptr)) {
        c.out = std::move(*reply);
        c.answered = true;
        c.deadline = now + kRequestTimeout + reply_time(c.out.size());
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
