// SPDX-License-Identifier: Apache-2.0
// Uring over liburing: ring set-up with an operation probe, one-shot POLL_ADD/POLL_REMOVE,
// SENDMSG (with a UDP_SEGMENT cmsg) and WRITE, and submit-and-wait with a timeout.
#include "os/uring.h"

#include <liburing.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "os/socket_address.h"

namespace mw::os {
namespace {

// The top bits of user_data mark our own requests: a send or write, or a cancel whose
// completion nobody wants.
constexpr uint64_t kSendBit = uint64_t(1) << 63;
constexpr uint64_t kInternalBit = uint64_t(1) << 62;

}  // namespace

struct Uring::State {
  io_uring ring{};
  bool initialized = false;
  size_t sends_used = 0;  // slots handed out since the last reset
  size_t parts_used = 0;
  size_t in_flight = 0;  // queued or submitted sends whose completion is not reaped yet
  std::array<msghdr, kMaxSends> msgs{};
  std::array<sockaddr_storage, kMaxSends> addrs{};
  struct alignas(cmsghdr) Control {
    char bytes[kUdpSegmentControlLen];
    char* data() { return bytes; }
  };
  std::array<Control, kMaxSends> controls{};
  std::array<iovec, kMaxSendParts> iovs{};

  ~State() {
    if (initialized) io_uring_queue_exit(&ring);
  }

  // A free submission slot; a full queue is submitted first.
  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    if (s) return s;
    io_uring_submit(&ring);
    return io_uring_get_sqe(&ring);
  }
};

base::Result<Uring> Uring::create(unsigned entries) {
  auto state = std::make_unique<State>();
  io_uring_params params{};
  // Completions are posted when we next enter the kernel, not by interrupting us.
  params.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  int r = io_uring_queue_init_params(entries, &state->ring, &params);
  if (r == -EINVAL) {  // kernels before 5.19
    params = {};
    r = io_uring_queue_init_params(entries, &state->ring, &params);
  }
  if (r < 0) return base::Error::from_errno("io_uring_queue_init", -r);
  state->initialized = true;
  if (!(params.features & IORING_FEAT_EXT_ARG) || !(params.features & IORING_FEAT_NODROP))
    return base::make_error("io_uring: the kernel lacks EXT_ARG or NODROP (needs 5.11)");
  io_uring_probe* probe = io_uring_get_probe_ring(&state->ring);
  if (!probe) return base::make_error("io_uring: the operation probe failed");
  bool ok = true;
  for (int op : {IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_SENDMSG, IORING_OP_WRITE})
    ok = ok && io_uring_opcode_supported(probe, op);
  io_uring_free_probe(probe);
  if (!ok) return base::make_error("io_uring: the kernel lacks poll, sendmsg or write");
  Uring u;
  u.state_ = std::move(state);
  return u;
}

Uring::Uring(Uring&&) noexcept = default;
Uring& Uring::operator=(Uring&&) noexcept = default;
Uring::~Uring() = default;

void Uring::poll(int fd, uint64_t user_data, bool readable, bool writable) {
  io_uring_sqe* s = state_->sqe();
  if (!s) return;
  unsigned mask = (readable ? unsigned(POLLIN) : 0u) | (writable ? unsigned(POLLOUT) : 0u);
  io_uring_prep_poll_add(s, fd, mask);
  io_uring_sqe_set_data64(s, user_data);
}

void Uring::cancel_poll(uint64_t user_data) {
  io_uring_sqe* s = state_->sqe();
  if (!s) return;
  io_uring_prep_poll_remove(s, user_data);
  io_uring_sqe_set_data64(s, kInternalBit);
}

bool Uring::sendmsg(int fd, bool v6_socket, const base::Endpoint& to,
                    std::span<const base::Bytes> parts, size_t segment_len, uint64_t user_data) {
  State& st = *state_;
  if (st.sends_used == kMaxSends || st.parts_used + parts.size() > kMaxSendParts) return false;
  io_uring_sqe* s = st.sqe();
  if (!s) return false;
  size_t i = st.sends_used++;
  iovec* iov = &st.iovs[st.parts_used];
  for (size_t k = 0; k < parts.size(); ++k)
    iov[k] = {const_cast<uint8_t*>(parts[k].data()), parts[k].size()};
  st.parts_used += parts.size();
  msghdr& m = st.msgs[i];
  m = {};
  m.msg_name = &st.addrs[i];
  m.msg_namelen = to_sockaddr(to, v6_socket, &st.addrs[i]);
  m.msg_iov = iov;
  m.msg_iovlen = parts.size();
  if (segment_len > 0) set_udp_segment(&m, st.controls[i].data(), uint16_t(segment_len));
  io_uring_prep_sendmsg(s, fd, &m, MSG_DONTWAIT);
  io_uring_sqe_set_data64(s, user_data | kSendBit);
  ++st.in_flight;
  return true;
}

bool Uring::write(int fd, base::Bytes data, uint64_t user_data) {
  State& st = *state_;
  if (st.sends_used == kMaxSends) return false;
  io_uring_sqe* s = st.sqe();
  if (!s) return false;
  ++st.sends_used;
  io_uring_prep_write(s, fd, data.data(), unsigned(data.size()), uint64_t(-1));
  io_uring_sqe_set_data64(s, user_data | kSendBit);
  ++st.in_flight;
  return true;
}

size_t Uring::sends_in_flight() const { return state_->in_flight; }

base::Result<size_t> Uring::submit_and_wait(std::span<UringCompletion> out, size_t min_complete,
                                            base::Duration timeout) {
  State& st = *state_;
  io_uring_cqe* cqe = nullptr;
  int r;
  if (timeout == base::Duration::zero() || min_complete == 0) {
    r = io_uring_submit(&st.ring);
  } else if (timeout < base::Duration::zero()) {
    r = io_uring_submit_and_wait(&st.ring, unsigned(min_complete));
  } else {
    int64_t ns = timeout.to_nanos();
    __kernel_timespec ts{ns / 1'000'000'000, ns % 1'000'000'000};
    r = io_uring_submit_and_wait_timeout(&st.ring, &cqe, unsigned(min_complete), &ts, nullptr);
  }
  if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
    return base::Error::from_errno("io_uring_enter", -r);

  size_t n = 0;
  while (n < out.size() && io_uring_peek_cqe(&st.ring, &cqe) == 0) {
    uint64_t data = io_uring_cqe_get_data64(cqe);
    int32_t res = cqe->res;
    io_uring_cqe_seen(&st.ring, cqe);
    if (data & kInternalBit) continue;
    UringCompletion& c = out[n++];
    c = {};
    c.result = res;
    if (data & kSendBit) {
      c.kind = UringCompletion::Kind::kSend;
      c.user_data = data & ~kSendBit;
      if (--st.in_flight == 0) st.sends_used = st.parts_used = 0;
      continue;
    }
    c.kind = UringCompletion::Kind::kPoll;
    c.user_data = data;
    if (res < 0) {
      c.error = true;
    } else {
      c.readable = res & (POLLIN | POLLPRI);
      c.writable = res & POLLOUT;
      c.error = res & (POLLERR | POLLHUP | POLLNVAL);
    }
  }
  return n;
}

}  // namespace mw::os
