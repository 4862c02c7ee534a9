// SPDX-License-Identifier: Apache-2.0
// Ownership of a slot passes with the counters, each change made under the mutex: the loop
// fills ring_[submitted_] and then publishes it (shared_submitted_); the worker computes the
// slots in [computed_, shared_submitted_) and publishes each (computed_); the loop reads the
// slots in [collected_, computed_) and frees them (collected_), which the loop alone uses.
#include "dataplane/handshake_worker.h"

#include "os/event_fd.h"
#include "os/process.h"

namespace mw::dp {

base::Result<std::unique_ptr<HandshakeWorker>> HandshakeWorker::start() {
  auto fd = os::make_event_fd();
  if (!fd) return fd.error();
  std::unique_ptr<HandshakeWorker> w(new HandshakeWorker(std::move(*fd)));
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

HandshakeWorker::HandshakeWorker(base::UniqueFd wake) : wake_(std::move(wake)) {}

HandshakeWorker::~HandshakeWorker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
  for (wg::HandshakeWork& w : ring_) w = wg::HandshakeWork();  // wipes the keys left in it
}

void HandshakeWorker::drained() { os::drain_event_fd(wake_.get()); }

void HandshakeWorker::submit() {
  ++submitted_;
  {
    std::lock_guard lock(mutex_);
    shared_submitted_ = submitted_;
  }
  work_ready_.notify_one();
}

size_t HandshakeWorker::computed() {
  std::lock_guard lock(mutex_);
  return computed_;
}

void HandshakeWorker::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return computed_ == shared_submitted_; });
}

void HandshakeWorker::run() {
  os::set_thread_name("mw-handshake");
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stop_ || computed_ < shared_submitted_; });
    if (stop_) return;
    wg::HandshakeWork& work = ring_[computed_ % kCapacity];
    lock.unlock();
    work.compute();
    lock.lock();
    ++computed_;
    if (computed_ == shared_submitted_) idle_.notify_all();
    os::signal_event_fd(wake_.get());
  }
}

}  // namespace mw::dp
