// SPDX-License-Identifier: Apache-2.0
// HandshakeWorker: a thread of its own for the Diffie-Hellman of handshake messages
// (wg::HandshakeWork::compute), so that a flood of handshakes costs the packet loop only their
// MACs and cookie replies: transport data and mesh datagrams never wait behind a DH. Work goes
// in and comes out in order through a ring of kCapacity slots (the bounded queue); an eventfd
// wakes the loop when finished work waits to be collected.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "wireguard/handshake_work.h"

namespace mw::dp {

class HandshakeWorker {
 public:
  // Work in flight at most: 64 initiations are about 10 ms of one core's DH.
  static constexpr size_t kCapacity = 64;

  static base::Result<std::unique_ptr<HandshakeWorker>> start();
  // Stops and joins the thread; work not collected is dropped (and its keys wiped).
  ~HandshakeWorker();
  HandshakeWorker(const HandshakeWorker&) = delete;
  HandshakeWorker& operator=(const HandshakeWorker&) = delete;

  // Readable while finished work waits; the loop drains it with drained().
  int wake_fd() const { return wake_.get(); }
  void drained();

  // --- the loop's thread
  bool full() const { return submitted_ - collected_ == kCapacity; }
  size_t in_flight() const { return submitted_ - collected_; }
  // The slot the next submit() hands over: fill it first. Only while !full().
  wg::HandshakeWork& next() { return ring_[submitted_ % kCapacity]; }
  void submit();
  // Calls f(const wg::HandshakeWork&) for each finished piece of work, in submission order,
  // and frees its slot.
  template <typename F>
  void collect(F&& f) {
    size_t done = computed();
    for (; collected_ < done; ++collected_) f(static_cast<const wg::HandshakeWork&>(next_done()));
  }
  // Blocks until everything submitted is computed (for tests on a virtual clock).
  void wait_idle();

 private:
  explicit HandshakeWorker(base::UniqueFd wake);
  void run();
  size_t computed();
  wg::HandshakeWork& next_done() { return ring_[collected_ % kCapacity]; }

  base::UniqueFd wake_;
  std::array<wg::HandshakeWork, kCapacity> ring_;
  size_t collected_ = 0;  // the loop's own
  size_t submitted_ = 0;  // the loop's own copy; the worker reads shared_submitted_
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable idle_;
  size_t shared_submitted_ = 0;  // guarded by mutex_
  size_t computed_ = 0;          // guarded by mutex_
  bool stop_ = false;            // guarded by mutex_
  std::thread thread_;
};

}  // namespace mw::dp
