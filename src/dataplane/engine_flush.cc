// SPDX-License-Identifier: Apache-2.0
// The engine's flush: what the device produced leaves. Stages:
//   a. seal the batch's transport messages, each in its own output slot, on the crypto workers
//      (the loop taking a share; small batches inline) and wait for all of them;
//   b. datagrams to the UDP port, split by family and grouped into GSO runs, and packets to the
//      TUN, framed (coalesced into super-packets), all queued on the PacketIo and then
//      committed (with io_uring: one io_uring_enter for all of them).
// A pool is reused only after the commit, so the I/O may read it until then.
#include <array>

#include "base/log.h"
#include "dataplane/engine.h"

namespace mw::dp {

void Engine::send_datagram(const base::Endpoint& to, base::Bytes d) {
  if (out_datagrams_.full()) flush();
  out_datagrams_.push(d, to);
}

void Engine::send_transport(const base::Endpoint& to, const wg::OutboundTransport& t,
                            const crypto::SymmetricKey& key, crypto::AeadKey& keyed) {
  if (out_datagrams_.full()) flush();
  base::MutableBytes message = out_datagrams_.next(t.message_len(), to);
  if (message.empty()) {
    ++drops_.seal_failed;
    return;
  }
  if (!crypto_) {
    // One pass: the plaintext is encrypted from where the device read it into the send slot.
    if (!wg::seal_transport(keyed, t, message)) {
      ++drops_.seal_failed;
      return;
    }
    out_datagrams_.commit();
    return;
  }
  // Owns: the framed copy in the slot and the job's key copy are ours until flush() has sealed
  // and sent them.
  if (!wg::frame_transport(t.receiver_index, t.counter, t.plaintext, t.padded_len, message)) {
    ++drops_.seal_failed;
    return;
  }
  size_t slot = out_datagrams_.count;
  out_datagrams_.commit();
  CryptoJob& job = seal_jobs_[seal_count_];
  job.op = CryptoJob::Op::kSeal;
  job.message = message.data();
  job.message_len = message.size();
  job.counter = t.counter;
  job.key = key;
  seal_slots_[seal_count_++] = slot;
}

bool Engine::on_authenticated_source(const wg::Peer& peer, const base::Endpoint& source) {
  if (!path_events_) return false;
  path_events_->on_authenticated_source(peer.keys.remote_static, source);
  return true;
}

void Engine::deliver_packet(base::Bytes p) {
  if (out_packets_.full()) flush();
  // A packet decrypted in a read buffer is written from there (no copy); on_udp_readable
  // flushes before that buffer is reused. Anything else is copied.
  const uint8_t* begin = in_storage_.data();
  if (p.data() >= begin + kHeadroom && p.data() + p.size() <= begin + in_storage_.size()) {
    out_packets_.push_view(p);
    packet_views_ = true;
    return;
  }
  out_packets_.push(p, {});
}

void Engine::flush() {
  seal_datagrams();
  queue_datagrams();
  queue_packets();
  if (auto r = io_.commit(); !r) {
    if (!tun_gone_) MW_LOG_INFO("the TUN is gone ({})", r.error().message());
    tun_gone_ = true;
  }
  out_datagrams_.count = 0;
  out_packets_.count = 0;
  packet_views_ = false;
}

void Engine::seal_datagrams() {
  if (seal_count_ == 0) return;
  crypto_->run(std::span(seal_jobs_.data(), seal_count_));
  for (size_t i = 0; i < seal_count_; ++i) {
    if (seal_jobs_[i].ok) continue;
    out_datagrams_.slots[seal_slots_[i]].length = 0;  // never sent: see queue_datagrams
    ++drops_.seal_failed;
  }
  seal_count_ = 0;
}

void Engine::queue_datagrams() {
  if (out_datagrams_.count == 0) return;
  // Split by family, keeping order within each.
  std::array<DatagramSlot, kPoolSlots> v4, v6;
  size_t n4 = 0, n6 = 0;
  for (size_t i = 0; i < out_datagrams_.count; ++i) {
    const DatagramSlot& s = out_datagrams_.slots[i];
    if (s.length == 0) continue;  // a message that failed to seal
    if (s.peer.address.is_v4()) {
      v4[n4++] = s;
    } else {
      v6[n6++] = s;
    }
  }
  send_family(Family::kV4, std::span<const DatagramSlot>(v4.data(), n4));
  send_family(Family::kV6, std::span<const DatagramSlot>(v6.data(), n6));
}

void Engine::send_family(Family family, std::span<const DatagramSlot> datagrams) {
  if (datagrams.empty()) return;
  if (!io_.udp_gso()) {
    io_.send_udp(family, datagrams);
    return;
  }
  // Runs of datagrams to one peer, all of one size but a possibly shorter last, leave in one
  // segmented send; the rest go by sendmmsg. Order is kept.
  for_each_gso_run(
      datagrams, kBufferLen, [&](auto plain) { io_.send_udp(family, plain); },
      [&](auto run) { io_.send_udp_run(family, run); });
}

void Engine::queue_packets() {
  if (out_packets_.count == 0) return;
  std::array<PacketSlot, kPoolSlots> packets, writes;
  for (size_t i = 0; i < out_packets_.count; ++i)
    packets[i] = {out_packets_.slots[i].data, out_packets_.slots[i].length,
                  out_packets_.slots[i].length};
  size_t n = tun_writer_.frame(std::span(packets.data(), out_packets_.count), writes);
  io_.write_tun(std::span(writes.data(), n));
}

}  // namespace mw::dp
