// SPDX-License-Identifier: Apache-2.0
// The WgInterface event loop. Stages of one iteration:
//   1. wait on the I/O backend (epoll or io_uring) until an fd is ready or the device's next
//      deadline;
//   2. TUN readable: read a batch of packets (super-packets are split) and route each into the
//      device (outbound);
//   3. UDP readable: read batches of datagrams; handshake messages join a bounded queue,
//      everything else goes straight into the device (inbound). With crypto workers, transport
//      data is admitted by the device, opened a receive buffer at a time on the workers, and
//      then finished by the device in arrival order (replay check, delivery);
//   4. drain part of the handshake queue, judging "under load" from its length;
//   5. run expired timers; garbage-collect the rate limiter once a second;
//   6. flush what the device produced:
//      a. seal the batch's transport messages, each in its own output slot, on the crypto
//         workers (the loop taking a share; small batches inline) and wait for all of them;
//      b. datagrams to the UDP sockets (GSO runs or plain), packets to TUN (coalesced into
//         super-packets), all queued on the backend and then committed (with io_uring: one
//         io_uring_enter for all of them).
//   Steps 2-5 also flush (6a, 6b) whenever an output pool fills.
// Order: the device assigns counters in order on this thread; each message is sealed straight
// from its plaintext into the next output slot (with crypto workers: framed there, and sealed
// where it lies at 6a), and 6b sends the slots in pool order, so every peer's datagrams (and
// all of them) leave in the order the device made them.
// Buffers: every packet buffer is allocated at start and reused; the device's output is sealed
// or copied into the output pools during the call and written out in step 6, except decrypted
// packets, which the packet pool takes as views into the read buffer they arrived in (step 3
// flushes before reading into it again); a pool is reused only after the backend's commit, so
// the io_uring backend may read it until then. Crypto workers touch a pool slot only inside
// step 6a, and the read buffer only inside step 3's opening.
#include "node/wg_interface_impl.h"

#include "node/crypto_startup.h"
#include "node/tun_offload_probe.h"

namespace mw::node::detail {

base::Result<void> Interface::init() {
  if (options_.tun) {
    os::TunOffloads want;  // none: plain packets
    if (options_.tun_offload) {
      TunOffloadChoice choice = probe_tun_offloads(options_.mtu);
      MW_LOG_INFO("TUN offload probe: {}", choice.note);
      want = choice.offloads;
    }
    auto tun = os::Tun::open(options_.name, options_.mtu, want);
    if (!tun) return tun.error();
    tun_ = std::move(*tun);
    tun_name_ = tun_->name();
    tun_vnet_ = tun_->offloads().vnet_hdr;
  }
  if (tun_vnet_) {
    segment_buffers_.assign(kMaxSegments, std::vector<uint8_t>(kBufferLen));
    for (auto& b : segment_buffers_) segment_slots_.push_back({b.data(), b.size(), 0});
    tun_out_buffers_.assign(kBatch, std::vector<uint8_t>(kHeadroom + kBufferLen));
    for (auto& b : tun_out_buffers_) tun_out_slots_.push_back({b.data(), b.size(), 0});
    // Decrypted packets are authenticated byte for byte: their checksums are trusted, as
    // kernel WireGuard trusts them.
    coalescer_.emplace(kBatch, false, dp::InnerChecksums::kTrust);
  }
  auto udp = os::bind_udp_pair(options_.listen_port, 0);
  if (!udp) {
    if (options_.listen_port != 0)
      return base::make_error("cannot listen on UDP port {}: {}", options_.listen_port,
                              udp.error().message());
    return udp.error();
  }
  udp_ = std::move(*udp);
  if (options_.udp_gso || options_.udp_gro) {
    os::UdpOffloads probed = os::probe_udp_offloads();
    udp_offloads_.gso = options_.udp_gso && probed.gso;
    udp_offloads_.gro = options_.udp_gro && probed.gro;
  }
  auto io = make_io_backend(options_.io, &drops_);
  if (!io) return io.error();
  io_ = std::move(*io);
  auto sig = os::make_signal_fd();
  if (!sig) return sig.error();
  signal_fd_ = std::move(*sig);
  if (options_.uapi && tun_) {
    auto listener = os::UnixListener::listen(options_.socket_dir + "/" + tun_name_ + ".sock");
    if (!listener) return listener.error();
    uapi_ = std::move(*listener);
  }

  int crypto_threads = resolve_crypto_workers(options_.crypto_workers);
  if (crypto_threads > 1) crypto_ = std::make_unique<dp::CryptoWorkers>(size_t(crypto_threads));

  in_storage_.assign(kBatch * kBufferLen, 0);
  for (size_t i = 0; i < kBatch; ++i)
    in_buffers_.emplace_back(in_storage_.data() + i * kBufferLen, kBufferLen);
  tun_slots_.resize(kBatch);
  udp_slots_.resize(kBatch);
  for (size_t i = 0; i < kBatch; ++i) {
    tun_slots_[i] = {in_buffers_[i].data(), kBufferLen, 0};
    udp_slots_[i] = {in_buffers_[i].data(), kBufferLen, 0, {}};
  }
  if (tun_) MW_RETURN_IF_ERROR(io_->watch(tun_->fd(), kTun, false, true));
  MW_RETURN_IF_ERROR(io_->watch(signal_fd_.get(), kSignal, false, true));
  if (uapi_.fd() >= 0) MW_RETURN_IF_ERROR(io_->watch(uapi_.fd(), kListener, false, true));
  MW_RETURN_IF_ERROR(register_sockets());
  if (tun_) {
    MW_LOG_INFO("interface {} is up: UDP port {}{}; data path: {}", tun_name_, udp_.port,
                uapi_.fd() >= 0 ? ", UAPI " + uapi_.path() : std::string(), data_path());
  } else {
    MW_LOG_INFO("no interface (gossip only): UDP port {}; I/O: {}", udp_.port, io_->name());
  }
  if (options_.hooks) MW_RETURN_IF_ERROR(options_.hooks->on_start(*this, clock_.now()));
  return {};
}

std::string Interface::data_path() const {
  const char* tun = !tun_                  ? "none"
                    : !tun_vnet_           ? "off"
                    : tun_->offloads().uso ? "TSO+USO"
                    : tun_->offloads().tso ? "TSO"
                                           : "csum";
  std::string busy = options_.busy_poll > base::Duration::zero()
                         ? fmt::format(", busy poll {} us", options_.busy_poll.to_micros())
                         : std::string();
  return fmt::format("{}, TUN offload {}, UDP GSO {}, UDP GRO {}, crypto {} threads ({}){}",
                     io_->name(), tun, udp_offloads_.gso ? "on" : "off",
                     udp_offloads_.gro ? "on" : "off", crypto_ ? crypto_->threads() : 1,
                     crypto_cpu_path(), busy);
}

base::Result<void> Interface::watch_fd(int fd, uint64_t tag, bool writable) {
  if (tag < kFirstHookTag) return base::make_error("watch_fd: tag {} is reserved", tag);
  return io_->watch(fd, tag, writable, true);
}

base::Result<void> Interface::register_sockets() {
  for (auto* s : {udp_.v4 ? &*udp_.v4 : nullptr, udp_.v6 ? &*udp_.v6 : nullptr}) {
    if (s && udp_offloads_.gro && !os::enable_gro(*s)) udp_offloads_.gro = false;
  }
  if (udp_.v4) MW_RETURN_IF_ERROR(io_->watch(udp_.v4->fd(), kUdp4, false, true));
  if (udp_.v6) MW_RETURN_IF_ERROR(io_->watch(udp_.v6->fd(), kUdp6, false, true));
  return {};
}

base::Result<void> Interface::run() {
  std::array<os::PollEvent, 32> events;
  base::Instant next_gc = clock_.now() + base::Duration::seconds(1);
  while (!stop_) {
    base::Instant now = clock_.now();
    base::Duration timeout = base::Duration::seconds(1);
    if (!handshakes_.empty()) {
      timeout = base::Duration::zero();
    } else {
      base::Instant deadline = std::min(device_.next_deadline(), next_gc);
      if (options_.hooks) deadline = std::min(deadline, options_.hooks->next_deadline());
      timeout = deadline <= now ? base::Duration::zero() : std::min(deadline - now, timeout);
    }
    auto n = wait_for_events(events, timeout);
    if (!n) return n.error();
    now = clock_.now();
    for (size_t i = 0; i < *n && !stop_; ++i) {
      const os::PollEvent& ev = events[i];
      switch (ev.tag) {
        case kTun:
          if (ev.error) {
            MW_LOG_INFO("interface {} was deleted; shutting down", tun_name_);
            stop_ = true;
            break;
          }
          if (auto r = on_tun_readable(now); !r) {
            MW_LOG_INFO("interface {} is gone ({}); shutting down", tun_name_, r.error().message());
            stop_ = true;
          }
          break;
        case kUdp4:
          if (udp_.v4) on_udp_readable(*udp_.v4, now);
          break;
        case kUdp6:
          if (udp_.v6) on_udp_readable(*udp_.v6, now);
          break;
        case kSignal: {
          int sig = os::read_signal(signal_fd_.get());
          if (sig == 0) break;
          if (options_.hooks) {
            if (options_.hooks->on_signal(*this, sig, now)) stop_ = true;
          } else if (sig != SIGHUP) {
            MW_LOG_INFO("signal {} received; shutting down", sig);
            stop_ = true;
          }
          break;
        }
        case kListener: accept_clients(); break;
        default:
          if (ev.tag >= kFirstHookTag) {
            if (options_.hooks)
              options_.hooks->on_fd(*this, ev.tag, ev.readable, ev.writable, ev.error, now);
          } else {
            on_client(ev.tag, ev.readable, ev.writable, ev.error);
          }
          break;
      }
    }
    now = clock_.now();
    process_handshakes(now);
    if (device_.next_deadline() <= now) device_.tick(now, *this);
    if (options_.hooks && options_.hooks->next_deadline() <= now)
      options_.hooks->on_tick(*this, now);
    if (now >= next_gc) {
      device_.gc(now);
      next_gc = now + base::Duration::seconds(1);
    }
    flush();
  }
  if (options_.hooks) {
    options_.hooks->on_stop(*this, clock_.now());
    flush();
  }
  log_counters();
  return {};
}

base::Result<size_t> Interface::wait_for_events(std::span<os::PollEvent> events,
                                                base::Duration timeout) {
  if (options_.busy_poll > base::Duration::zero() && timeout > base::Duration::zero()) {
    // Look without sleeping until something is ready or the spin (or the timeout) is over.
    const base::Instant start = clock_.now();
    const base::Duration spin = std::min(options_.busy_poll, timeout);
    for (;;) {
      auto n = io_->wait(events, base::Duration::zero());
      if (!n || *n > 0) return n;
      base::Duration spent = clock_.now() - start;
      if (spent >= spin) {
        timeout = timeout - spent;
        break;
      }
    }
    if (timeout <= base::Duration::zero()) return size_t(0);
  }
  return io_->wait(events, timeout);
}

void Interface::log_counters() const {
  const wg::DeviceStats& st = device_.stats();
  std::string drops;
  for (size_t r = 0; r < size_t(wg::DropReason::kCount); ++r) {
    if (st.drop_counts[r] == 0) continue;
    drops += fmt::format(" {}={}", wg::drop_reason_name(wg::DropReason(r)), st.drop_counts[r]);
  }
  MW_LOG_INFO("{}: {} handshakes, {} cookie replies sent; dropped:{}{}",
              tun_name_.empty() ? "no interface" : tun_name_, st.handshakes_completed,
              st.cookie_replies_sent, drops.empty() ? " none" : drops,
              fmt::format(" handshake_queue_full={} udp_send={} tun_write={} seal_failed={}",
                          handshakes_dropped_, drops_.udp_send, drops_.tun_write, seal_failed_));
}

base::Result<void> Interface::on_tun_readable(base::Instant now) {
  auto n = tun_->read_batch(tun_slots_);
  if (!n) return n.error();
  for (size_t i = 0; i < *n; ++i) {
    base::Bytes packet(tun_slots_[i].data, tun_slots_[i].length);
    if (!tun_vnet_) {
      device_.send_packet(packet, now, *this);
      continue;
    }
    // A virtio_net_hdr leads every packet: a super-packet is cut into MSS-sized segments with
    // complete headers and checksums before each is routed and sealed.
    dp::VirtioNetHdr hdr;
    if (!dp::decode_virtio_net_hdr(packet, &hdr)) {
      ++tun_split_dropped_;
      continue;
    }
    packet = packet.subspan(dp::kVirtioNetHdrLen);
    if (hdr.gso_type == dp::kVirtioNetHdrGsoNone && !(hdr.flags & dp::kVirtioNetHdrFNeedsCsum)) {
      device_.send_packet(packet, now, *this);
      continue;
    }
    // Cut in place in the read buffer: each segment is sealed into its send slot (or copied,
    // if staged) by send_packet before the next one is written over the end of its payload.
    base::MutableBytes in_place(tun_slots_[i].data + dp::kVirtioNetHdrLen,
                                tun_slots_[i].length - dp::kVirtioNetHdrLen);
    dp::SplitError e = splitter_.start(hdr, in_place);
    if (e == dp::SplitError::kNone) {
      for (base::Bytes seg = splitter_.next(); !seg.empty(); seg = splitter_.next())
        device_.send_packet(seg, now, *this);
      continue;
    }
    if (e != dp::SplitError::kUnsupported) {
      ++tun_split_dropped_;
      continue;
    }
    size_t count = 0;  // a cut that cannot be made in place (tiny segments): copy it
    if (dp::gso_split(hdr, packet, segment_slots_, &count) != dp::SplitError::kNone) {
      ++tun_split_dropped_;
      continue;
    }
    for (size_t k = 0; k < count; ++k)
      device_.send_packet(base::Bytes(segment_slots_[k].data, segment_slots_[k].length), now,
                          *this);
  }
  return {};
}

void Interface::on_udp_readable(os::UdpSocket& socket, base::Instant now) {
  for (size_t round = 0; round < kBatchesPerWake; ++round) {
    if (udp_offloads_.gro) {
      // One buffer may hold many datagrams of one flow, each segment_len bytes but the last.
      // Each receive goes into the next buffer, so decrypted packets can stay where they are
      // until the flush after the last.
      for (size_t i = 0; i < kBatch; ++i) {
        auto d = os::recv_gro(socket, in_buffers_[i]);
        if (!d) {
          MW_LOG_ERROR("UDP receive failed: {}", d.error().message());
          flush_views();
          return;
        }
        if (d->length == 0) {  // drained
          flush_views();
          return;
        }
        for (size_t off = 0; off < d->length; off += d->segment_len) {
          size_t len = std::min(d->segment_len, d->length - off);
          on_udp_datagram(base::MutableBytes(in_buffers_[i].data() + off, len), d->peer, now);
        }
        open_datagrams(now);  // before the buffer is read into again
      }
      flush();
      continue;
    }
    auto n = socket.recv_batch(udp_slots_);
    if (!n) {
      MW_LOG_ERROR("UDP receive failed: {}", n.error().message());
      flush_views();
      return;
    }
    for (size_t i = 0; i < *n; ++i)
      on_udp_datagram(base::MutableBytes(udp_slots_[i].data, udp_slots_[i].length),
                      udp_slots_[i].peer, now);
    open_datagrams(now);
    if (*n < udp_slots_.size()) {  // drained
      flush_views();
      return;
    }
    flush();
  }
}

void Interface::on_udp_datagram(base::MutableBytes d, const base::Endpoint& peer,
                                base::Instant now) {
  auto type = wg::classify(d);
  if (type != wg::MessageType::kTransport || !crypto_) {
    // Transport data admitted before this datagram is finished first: the mesh may change
    // peers, and a cookie reply may touch the device, only after what arrived earlier.
    open_datagrams(now);
  }
  if (!type && options_.hooks) {
    options_.hooks->on_datagram(*this, d, peer, now);
    return;
  }
  if (type == wg::MessageType::kInitiation || type == wg::MessageType::kResponse) {
    // Handshakes cost a DH: queue them so that the backlog decides "under load".
    if (handshakes_.size() >= wg::kMaxQueuedIncomingHandshakes) {
      ++handshakes_dropped_;
      return;
    }
    QueuedHandshake& q = handshakes_.emplace_back();
    std::memcpy(q.bytes.data(), d.data(), d.size());
    q.length = d.size();
    q.source = peer;
    return;
  }
  if (type == wg::MessageType::kTransport && crypto_) {
    if (open_count_ == kOpenBatch) open_datagrams(now);
    auto ticket = device_.admit_transport(d, now);
    if (!ticket) return;  // counted by the device
    dp::CryptoJob& job = open_jobs_[open_count_];
    job.op = dp::CryptoJob::Op::kOpen;
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

void Interface::open_datagrams(base::Instant now) {
  if (open_count_ == 0) return;
  crypto_->run(std::span(open_jobs_.data(), open_count_));
  for (size_t i = 0; i < open_count_; ++i) {
    const dp::CryptoJob& job = open_jobs_[i];
    device_.finish_transport(open_tickets_[i], base::MutableBytes(job.message, job.message_len),
                             job.ok, open_sources_[i], now, *this);
  }
  open_count_ = 0;
}

void Interface::process_handshakes(base::Instant now) {
  size_t costly = 0;
  for (size_t i = 0; i < kHandshakesPerIterationUnderLoad && !handshakes_.empty(); ++i) {
    bool under_load = under_load_.update(handshakes_.size(), now);
    if (!under_load && ++costly > kHandshakesPerIteration) break;
    QueuedHandshake& q = handshakes_.front();
    device_.receive_datagram(base::MutableBytes(q.bytes.data(), q.length), q.source, now,
                             under_load, *this);
    handshakes_.pop_front();
  }
}

void Interface::send_datagram(const base::Endpoint& to, base::Bytes d) {
  if (out_datagrams_.full()) flush();
  out_datagrams_.push(d, to);
}

void Interface::send_transport(const base::Endpoint& to, const wg::OutboundTransport& t,
                               const crypto::SymmetricKey& key, crypto::AeadKey& keyed) {
  if (out_datagrams_.full()) flush();
  base::MutableBytes message = out_datagrams_.next(t.message_len(), to);
  if (message.empty()) {
    ++seal_failed_;
    return;
  }
  if (!crypto_) {
    // One pass: the plaintext is encrypted from where the device read it into the send slot.
    if (!wg::seal_transport(keyed, t, message)) {
      ++seal_failed_;
      return;
    }
    out_datagrams_.commit();
    return;
  }
  // Owns: the framed copy in the slot and the job's key copy are ours until flush() has sealed
  // and sent them.
  if (!wg::frame_transport(t.receiver_index, t.counter, t.plaintext, t.padded_len, message)) {
    ++seal_failed_;
    return;
  }
  size_t slot = out_datagrams_.count;
  out_datagrams_.commit();
  dp::CryptoJob& job = seal_jobs_[seal_count_];
  job.op = dp::CryptoJob::Op::kSeal;
  job.message = message.data();
  job.message_len = message.size();
  job.counter = t.counter;
  job.key = key;
  seal_slots_[seal_count_++] = slot;
}

void Interface::deliver_packet(base::Bytes p) {
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

void Interface::flush() {
  seal_datagrams();
  queue_datagrams();
  queue_packets();
  if (auto r = io_->commit(); !r) {
    MW_LOG_INFO("interface {} is gone ({}); shutting down", tun_name_, r.error().message());
    stop_ = true;
  }
  out_datagrams_.count = 0;
  out_packets_.count = 0;
  packet_views_ = false;
}

void Interface::seal_datagrams() {
  if (seal_count_ == 0) return;
  crypto_->run(std::span(seal_jobs_.data(), seal_count_));
  for (size_t i = 0; i < seal_count_; ++i) {
    if (seal_jobs_[i].ok) continue;
    out_datagrams_.slots[seal_slots_[i]].length = 0;  // never sent: see queue_datagrams
    ++seal_failed_;
  }
  seal_count_ = 0;
}

void Interface::queue_datagrams() {
  if (out_datagrams_.count == 0) return;
  // Split by family, keeping order within each.
  std::array<os::DatagramSlot, kBatch> v4, v6;
  size_t n4 = 0, n6 = 0;
  for (size_t i = 0; i < out_datagrams_.count; ++i) {
    const os::DatagramSlot& s = out_datagrams_.slots[i];
    if (s.length == 0) continue;  // a message that failed to seal
    if (s.peer.address.is_v4()) {
      v4[n4++] = s;
    } else {
      v6[n6++] = s;
    }
  }
  if (n4 && udp_.v4) send_datagrams(*udp_.v4, std::span(v4.data(), n4));
  if (n6 && udp_.v6) send_datagrams(*udp_.v6, std::span(v6.data(), n6));
  if (n6 && !udp_.v6) drops_.udp_send += n6;
}

void Interface::send_datagrams(os::UdpSocket& socket, std::span<const os::DatagramSlot> datagrams) {
  if (!udp_offloads_.gso) {
    io_->send(socket, datagrams);
    return;
  }
  // Runs of datagrams to one peer, all of one size but a possibly shorter last, leave in one
  // UDP_SEGMENT send; the rest go by sendmmsg. Order is kept.
  size_t plain_start = 0, i = 0;
  while (i < datagrams.size()) {
    const os::DatagramSlot& first = datagrams[i];
    size_t j = i + 1, total = first.length;
    while (j < datagrams.size() && datagrams[j].peer == first.peer &&
           datagrams[j - 1].length == first.length && datagrams[j].length <= first.length &&
           total + datagrams[j].length <= kBufferLen && j - i < 64) {
      total += datagrams[j].length;
      ++j;
    }
    if (j - i < 2) {
      ++i;
      continue;
    }
    if (plain_start < i) io_->send(socket, datagrams.subspan(plain_start, i - plain_start));
    io_->send_segmented(socket, datagrams.subspan(i, j - i));
    i = plain_start = j;
  }
  if (plain_start < datagrams.size()) io_->send(socket, datagrams.subspan(plain_start));
}

void Interface::queue_packets() {
  if (out_packets_.count == 0) return;
  if (!tun_) {  // gossip only: the device has no peers, so nothing should arrive here
    drops_.tun_write += out_packets_.count;
    return;
  }
  std::array<os::PacketSlot, kBatch> packets;
  size_t n = out_packets_.count;
  bool coalesced = false;
  if (tun_vnet_) {
    // Consecutive TCP segments of a flow leave as one super-packet with a virtio_net_hdr.
    for (size_t i = 0; i < n; ++i)
      coalescer_->add(base::Bytes(out_packets_.slots[i].data, out_packets_.slots[i].length));
    size_t count = 0;
    if (coalescer_->flush(tun_out_slots_, &count) == dp::FlushError::kNone) {
      for (size_t i = 0; i < count; ++i)
        packets[i] = {tun_out_slots_[i].data, tun_out_slots_[i].capacity, tun_out_slots_[i].length};
      n = count;
      coalesced = true;
    } else {
      coalescer_->clear();
    }
  }
  if (!coalesced) {
    for (size_t i = 0; i < n; ++i) {
      uint8_t* data = out_packets_.slots[i].data;
      size_t length = out_packets_.slots[i].length;
      if (tun_vnet_) {  // a plain packet: an all-zero header in the headroom
        data -= kHeadroom;
        std::memset(data, 0, kHeadroom);
        length += kHeadroom;
      }
      packets[i] = {data, length, length};
    }
  }
  io_->write(*tun_, std::span(packets.data(), n));
}

}  // namespace mw::node::detail

namespace mw::node {

int resolve_crypto_workers(int crypto_workers) {
  constexpr int kMax = 8;  // a 64-datagram batch is 16 claims of kClaim jobs
  int n = crypto_workers > 0 ? crypto_workers : int(std::thread::hardware_concurrency());
  return std::clamp(n, 1, kMax);
}

base::Result<std::unique_ptr<WgInterface>> WgInterface::create(const WgInterfaceOptions& options) {
  base::SystemClock& clock = base::SystemClock::instance();
  wg::DeviceConfig config;
  config.mtu = size_t(options.mtu);
  config.wall_offset_nanos = clock.wall().unix_nanos - clock.now().to_nanos();
  auto iface = std::make_unique<detail::Interface>(options, std::move(config));
  MW_RETURN_IF_ERROR(iface->init());
  return std::unique_ptr<WgInterface>(std::move(iface));
}

}  // namespace mw::node
