// SPDX-License-Identifier: Apache-2.0
// Uring: a small io_uring wrapper (liburing) for an event loop: one-shot readiness polls, UDP
// sendmsg (optionally one UDP_SEGMENT run of several buffers) and plain writes are queued, then
// one submit_and_wait() hands all of them to the kernel and waits for completions or a timeout.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"

namespace mw::os {

// One reaped completion. `user_data` is what the request was queued with.
struct UringCompletion {
  enum class Kind : uint8_t { kPoll, kSend };
  Kind kind = Kind::kPoll;
  uint64_t user_data = 0;
  int32_t result = 0;  // bytes sent or written; the poll mask; or -errno
  // Polls only (decoded from `result`): POLLIN, POLLOUT, POLLERR|POLLHUP or a failed poll.
  bool readable = false;
  bool writable = false;
  bool error = false;
};

// Contract: one thread owns a Uring. Queued sends and writes read their buffers (and the
// endpoint is copied at queue time) until their completion is reaped, so the caller keeps the
// buffers alive until sends_in_flight() is 0. user_data must be below 2^62.
class Uring {
 public:
  static constexpr size_t kMaxSends = 256;      // sendmsg/write requests in flight
  static constexpr size_t kMaxSendParts = 512;  // buffers of all sendmsg requests in flight

  // Creates a ring of `entries` submission slots. Fails (so the caller can fall back to epoll)
  // when the kernel refuses io_uring (ENOSYS, EPERM from a sandbox or sysctl
  // kernel.io_uring_disabled) or lacks an operation or feature this wrapper needs.
  static base::Result<Uring> create(unsigned entries = 256);
  Uring(Uring&&) noexcept;
  Uring& operator=(Uring&&) noexcept;
  ~Uring();

  // A one-shot poll for readability and/or writability (errors and hang-ups always count).
  void poll(int fd, uint64_t user_data, bool readable, bool writable);
  // Cancels the poll queued with `user_data`; it completes (if at all) with error set.
  void cancel_poll(uint64_t user_data);
  // Queues one sendmsg (MSG_DONTWAIT: a full socket buffer fails with -EAGAIN) of `parts`,
  // concatenated, to `to`; with segment_len > 0 as UDP_SEGMENT datagrams of that size. False
  // when kMaxSends/kMaxSendParts are reached: submit and wait for the sends first.
  bool sendmsg(int fd, bool v6_socket, const base::Endpoint& to, std::span<const base::Bytes> parts,
               size_t segment_len, uint64_t user_data);
  // Queues one write(2) of `data` to `fd`. False when kMaxSends is reached.
  bool write(int fd, base::Bytes data, uint64_t user_data);
  size_t sends_in_flight() const;

  // Submits everything queued and waits until at least `min_complete` completions are ready or
  // `timeout` passes (negative: forever; zero: no wait), then reaps up to out.size() of them.
  // Returns how many were written to `out` (0 on timeout or EINTR).
  base::Result<size_t> submit_and_wait(std::span<UringCompletion> out, size_t min_complete,
                                       base::Duration timeout);

 private:
  struct State;
  Uring() = default;
  std::unique_ptr<State> state_;
};

}  // namespace mw::os
