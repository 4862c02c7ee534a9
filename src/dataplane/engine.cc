// SPDX-License-Identifier: Apache-2.0
// The engine's inbound and outbound paths. Stages of one wake of the loop:
//   1. TUN readable: read a batch of packets, frame them into IP packets (super-packets are
//      cut) and route each into the device (outbound), which seals it into the next output
//      slot (or frames it there for the crypto workers);
//   2. UDP readable: read batches of datagrams (GRO buffers walked datagram by datagram);
//      handshake messages join a bounded queue, datagrams that are not WireGuard go to the
//      foreign sink, the rest straight into the device (inbound). With crypto workers,
//      transport data is admitted by the device, opened a receive buffer at a time on the
//      workers, and then finished by the device in arrival order (replay check, delivery);
//   3. on_wake_end: finish the handshakes the handshake thread computed; drain part of the
//      queue, judging "under load" from its length: each is screened (MACs, cookie reply) and
//      its DH handed to the handshake thread (or, without one, done here); run expired timers;
//      garbage-collect the rate limiter once a second; flush (engine_flush.cc).
//   Steps 1-3 also flush whenever an output pool fills.
// Order: the device assigns counters in order on this thread and every message takes the next
// output slot, which leave in pool order, so every peer's datagrams leave in the order the
// device made them.
// Buffers: every packet buffer is allocated at start and reused; the device's output is sealed
// or copied into the output pools during the call and written out at the flush, except
// decrypted packets, which the packet pool takes as views into the read buffer they arrived in
// (step 2 flushes before reading into it again). Crypto workers touch a pool slot only inside
// the flush's sealing, and the read buffer only inside step 2's opening.
#include "dataplane/engine.h"

#include <algorithm>
#include <thread>

#include "base/log.h"

namespace mw::dp {
namespace {

// Per readable event, drain up to this many batches from a UDP socket, so that a flood piles
// up in our handshake queue (where it is judged) rather than in the kernel's socket buffer.
constexpr size_t kBatchesPerWake = 32;
// Without the handshake thread: handshakes that may each cost a DH, per wake; under load most
// cost only two MACs.
constexpr size_t kHandshakesPerWake = 128;
// Under load, handshakes answered per wake. 4096 let a 120k/s flood overflow the kernel's
// socket buffer between reads (3.3 % of pings through the tunnel lost); 256 lost none
// (bench/netns-flood-ping).
constexpr size_t kHandshakesPerWakeUnderLoad = 1024;
// The proven lane: checked only for handshakes that find the other queue full, and bounded.
constexpr size_t kMaxProvenHandshakes = 256;
constexpr base::Duration kGcInterval = base::Duration::seconds(1);

}  // namespace

int resolve_crypto_workers(int crypto_workers) {
  constexpr int kMax = 8;  // a 64-datagram batch is 16 claims of kClaim jobs
  int n = crypto_workers > 0 ? crypto_workers : int(std::thread::hardware_concurrency());
  return std::clamp(n, 1, kMax);
}

Engine::Engine(PacketIo& io, const EngineOptions& options, wg::DeviceConfig config)
    : io_(io),
      device_(std::move(config)),
      tun_reader_(io.tun_offloads().vnet_hdr, kBufferLen),
      tun_writer_(io.tun_offloads().vnet_hdr, kPoolSlots) {
  int threads = resolve_crypto_workers(options.crypto_workers);
  if (threads > 1) crypto_ = std::make_unique<CryptoWorkers>(size_t(threads));
  if (options.handshake_thread) {
    if (auto w = HandshakeWorker::start()) {
      handshake_worker_ = std::move(*w);
    } else {
      MW_LOG_WARN("no handshake thread ({}): handshakes are computed on the packet loop",
                  w.error().message());
    }
  }
  in_storage_.assign(kPoolSlots * kBufferLen, 0);
  for (size_t i = 0; i < kPoolSlots; ++i)
    in_buffers_.emplace_back(in_storage_.data() + i * kBufferLen, kBufferLen);
  tun_slots_.resize(kPoolSlots);
  udp_slots_.resize(kPoolSlots);
  for (size_t i = 0; i < kPoolSlots; ++i) {
    tun_slots_[i] = {in_buffers_[i].data(), kBufferLen, 0};
    udp_slots_[i] = {in_buffers_[i].data(), kBufferLen, 0, {}, 0};
  }
}

Engine::~Engine() = default;

std::string Engine::data_path() const {
  TunOffloads t = io_.tun_offloads();
  const char* tun = !io_.has_tun() ? "none"
                    : !t.vnet_hdr  ? "off"
                    : t.uso        ? "TSO+USO"
                    : t.tso        ? "TSO"
                                   : "csum";
  return fmt::format("{}, TUN offload {}, UDP GSO {}, UDP GRO {}, crypto {} threads", io_.name(),
                     tun, io_.udp_gso() ? "on" : "off", io_.udp_gro() ? "on" : "off",
                     crypto_threads());
}

base::Result<void> Engine::on_tun_readable(base::Instant now) {
  auto n = io_.read_tun(tun_slots_);
  if (!n) {
    tun_gone_ = true;
    return n.error();
  }
  for (size_t i = 0; i < *n; ++i) {
    base::MutableBytes read(tun_slots_[i].data, tun_slots_[i].length);
    bool ok = tun_reader_.for_each_packet(
        read, [&](base::Bytes packet) { device_.send_packet(packet, now, *this); });
    if (!ok) ++drops_.tun_read_malformed;
  }
  return {};
}

void Engine::on_udp_readable(Family family, base::Instant now) {
  for (size_t round = 0; round < kBatchesPerWake; ++round) {
    // One recvmmsg: with UDP GRO each slot may hold many datagrams of one flow. Each slot is
    // its own read buffer, so decrypted packets can stay where they are until the flush after
    // the batch.
    auto n = io_.recv_udp(family, udp_slots_);
    if (!n) {
      ++drops_.udp_receive_failed;
      MW_LOG_DEBUG("UDP receive failed: {}", n.error().message());
      flush_views();
      return;
    }
    for (size_t i = 0; i < *n; ++i) {
      const DatagramSlot& slot = udp_slots_[i];
      for_each_gro_datagram(
          base::MutableBytes(slot.data, slot.capacity), slot.length, slot.segment_len,
          [&](base::MutableBytes datagram) { on_udp_datagram(datagram, slot.peer, now); });
    }
    open_datagrams(now);
    if (*n < udp_slots_.size()) {  // drained
      flush_views();
      return;
    }
    flush();
  }
}

void Engine::on_udp_datagram(base::MutableBytes d, const base::Endpoint& peer, base::Instant now) {
  auto type = wg::classify(d);
  if (type != wg::MessageType::kTransport || !crypto_) {
    // Transport data admitted before this datagram is finished first: a foreign subsystem may
    // change peers, and a cookie reply may touch the device, only after what arrived earlier.
    open_datagrams(now);
  }
  if (!type) {
    if (foreign_) {
      foreign_->on_foreign_datagram(d, peer, now);
    } else {
      ++drops_.foreign_unhandled;
    }
    return;
  }
  if (type == wg::MessageType::kInitiation || type == wg::MessageType::kResponse) {
    // Handshakes cost a DH: queue them so that the backlog decides "under load". One that
    // finds the queue full but proves a cookie (a sender that receives at its address: a real
    // peer answering our cookie reply) goes to the lane served first instead of being dropped.
    std::deque<QueuedHandshake>* queue = &handshakes_;
    if (handshakes_.size() >= wg::kMaxQueuedIncomingHandshakes &&
        device_.proves_cookie(d, peer, now))
      queue = &proven_handshakes_;
    size_t limit = queue == &handshakes_ ? wg::kMaxQueuedIncomingHandshakes : kMaxProvenHandshakes;
    if (queue->size() >= limit) {
      ++drops_.handshake_queue_full;
      return;
    }
    if (queue == &proven_handshakes_) ++proven_lane_taken_;
    QueuedHandshake& q = queue->emplace_back();
    std::memcpy(q.bytes.data(), d.data(), d.size());
    q.length = d.size();
    q.source = peer;
    return;
  }
  if (type == wg::MessageType::kTransport && crypto_) {
    if (open_count_ == kOpenBatch) open_datagrams(now);
    auto ticket = device_.admit_transport(d, now);
    if (!ticket) return;  // counted by the device
    CryptoJob& job = open_jobs_[open_count_];
    job.op = CryptoJob::Op::kOpen;
    job.message = d.data();
    job.message_len = d.size();
    job.counter = ticket->counter;
    job.key = ticket->key;
    ticket->key.wipe();
    open_tickets_[open_count_] = *ticket;
    open_sources_[open_count_++] = peer;
    return;
  }
  device_.receive_datagram(d, peer, now, false, *this);
}

void Engine::open_datagrams(base::Instant now) {
  if (open_count_ == 0) return;
  crypto_->run(std::span(open_jobs_.data(), open_count_));
  for (size_t i = 0; i < open_count_; ++i) {
    const CryptoJob& job = open_jobs_[i];
    device_.finish_transport(open_tickets_[i], base::MutableBytes(job.message, job.message_len),
                             job.ok, open_sources_[i], now, *this);
  }
  open_count_ = 0;
}

void Engine::process_handshakes(base::Instant now) {
  // What the handshake thread finished is completed first, in the order it was received.
  // (Nothing in flight, nothing to collect: no lock taken on a wake without handshakes.)
  if (handshake_worker_ && handshake_worker_->in_flight() > 0) {
    handshake_worker_->collect(
        [&](const wg::HandshakeWork& w) { device_.finish_handshake(w, now, *this); });
  }
  // Proven handshakes first, then the rest. Each is screened here (MACs; under load most get
  // only a cookie reply); one that passes costs a DH, which goes to the handshake thread while
  // it has room, or is done here within a small budget per wake. Either way the loop goes back
  // to reading its sockets before the kernel's buffers overflow: excess handshakes are then
  // dropped here, where they are counted, and not transport data in the kernel.
  size_t costly = 0;
  for (size_t i = 0; i < kHandshakesPerWakeUnderLoad; ++i) {
    std::deque<QueuedHandshake>& queue =
        proven_handshakes_.empty() ? handshakes_ : proven_handshakes_;
    if (queue.empty()) break;
    bool under_load = under_load_.update(queued_handshakes(), now);
    if (handshake_worker_) {
      if (handshake_worker_->full()) break;  // its wake fd brings us back
    } else if ((!under_load || &queue == &proven_handshakes_) && ++costly > kHandshakesPerWake) {
      break;
    }
    const QueuedHandshake& q = queue.front();
    wg::HandshakeWork& work = handshake_worker_ ? handshake_worker_->next() : inline_work_;
    bool passed = device_.screen_handshake(base::Bytes(q.bytes.data(), q.length), q.source, now,
                                           under_load, *this, &work);
    queue.pop_front();
    if (!passed) continue;
    if (handshake_worker_) {
      handshake_worker_->submit();
    } else {
      work.compute();
      device_.finish_handshake(work, now, *this);
    }
  }
}

base::Instant Engine::next_deadline() const {
  bool waiting = !handshakes_.empty() || !proven_handshakes_.empty();
  if (waiting && !(handshake_worker_ && handshake_worker_->full())) return base::Instant();
  return std::min(device_.next_deadline(), next_gc_);
}

void Engine::on_wake_fd() {
  if (handshake_worker_) handshake_worker_->drained();
}

void Engine::wait_handshake_thread() {
  if (handshake_worker_) handshake_worker_->wait_idle();
}

void Engine::on_wake_end(base::Instant now) {
  process_handshakes(now);
  if (device_.next_deadline() <= now) device_.tick(now, *this);
  if (now >= next_gc_) {
    device_.gc(now);
    next_gc_ = now + kGcInterval;
  }
  flush();
}

}  // namespace mw::dp
