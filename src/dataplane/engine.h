// SPDX-License-Identifier: Apache-2.0
// Engine: one WireGuard data plane. It moves packets between a PacketIo's TUN and UDP port
// through a wg::Device: TUN reads are framed into IP packets and sealed (outbound), datagrams are
// opened and their packets framed for the TUN (inbound), handshakes wait in a bounded queue so
// that the under-load rule (cookies) sees the backlog, and crypto runs on worker threads when
// asked. It knows nothing of UAPI, the mesh or the loop: whoever runs the loop calls it when
// its ports are ready and at its deadline, and gets the datagrams that are not WireGuard.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "dataplane/crypto_workers.h"
#include "dataplane/framing.h"
#include "dataplane/handshake_worker.h"
#include "dataplane/output_pool.h"
#include "dataplane/packet_io.h"
#include "wireguard/constants.h"
#include "wireguard/device.h"
#include "wireguard/under_load.h"

namespace mw::dp {

// Where datagrams that are not WireGuard messages go (the node's classifier). Called on the
// loop's thread; the bytes are valid only during the call.
class ForeignDatagramSink {
 public:
  virtual ~ForeignDatagramSink() = default;
  virtual void on_foreign_datagram(base::Bytes datagram, const base::Endpoint& from,
                                   base::Instant now) = 0;
};

// Who owns the peers' endpoints (the node's path manager). Told on the loop's thread, from
// inside the device, when an authenticated message arrives from a peer's new source; may call
// Device::set_endpoint before returning.
class PathEvents {
 public:
  virtual ~PathEvents() = default;
  virtual void on_authenticated_source(const crypto::PublicKey& peer,
                                       const base::Endpoint& source) = 0;
};

struct EngineOptions {
  // Threads sealing outbound and opening inbound batches, counting the loop's own: 0 = the
  // online CPUs, 1 = the loop does every packet itself (the default: on the 2-CPU host we
  // measure on, 2 threads were slower; docs/meshward-wg.md).
  int crypto_workers = 1;
  // Whether handshake DH runs on a thread of its own (HandshakeWorker), the loop doing only
  // the MACs and cookie replies; false: on the loop, at most kHandshakesPerWake per wake.
  bool handshake_thread = true;
};

// The drops the engine itself makes (the device counts its own by wg::DropReason, the
// PacketIo the kernel's refusals).
struct EngineDrops {
  uint64_t handshake_queue_full = 0;  // more than kMaxQueuedIncomingHandshakes waiting
  uint64_t seal_failed = 0;           // a transport message that did not fit or seal
  uint64_t tun_read_malformed = 0;    // a TUN read whose virtio-net header could not be cut
  uint64_t udp_receive_failed = 0;    // a receive error on the UDP port (the batch is lost)
  uint64_t foreign_unhandled = 0;     // not WireGuard, and no sink to take it
};

// The number of threads `crypto_workers` stands for (0: the online CPUs), in 1..8.
int resolve_crypto_workers(int crypto_workers);

class Engine final : private wg::DeviceOutput {
 public:
  // `io` outlives the engine; its ports must exist (the TUN, if any, with its final offloads).
  Engine(PacketIo& io, const EngineOptions& options, wg::DeviceConfig config);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  wg::Device& device() { return device_; }
  const wg::Device& device() const { return device_; }
  // Where device calls made from outside (initiate_handshake, set_persistent_keepalive, a UAPI
  // set) write their output: into this engine's pools, sent at the next flush().
  wg::DeviceOutput& output() { return *this; }
  PacketIo& io() { return io_; }
  const PacketIo& io() const { return io_; }
  void set_foreign_sink(ForeignDatagramSink* sink) { foreign_ = sink; }
  // With `events` set, the device no longer roams by itself: `events` decides (nullptr: the
  // device follows the latest authenticated source, as WireGuard does).
  void set_path_events(PathEvents* events) { path_events_ = events; }

  // --- the loop's calls, all on one thread
  // A batch (or several) from the TUN, routed and sealed. An error: the TUN is gone.
  base::Result<void> on_tun_readable(base::Instant now);
  // Datagrams from the UDP socket of `family` until drained (or a bounded number of batches).
  void on_udp_readable(Family family, base::Instant now);
  // After each wake: queued handshakes, due timers, a flush of everything produced.
  void on_wake_end(base::Instant now);
  // When on_wake_end must run next without any event (now, while handshakes are queued and can
  // be handed on).
  base::Instant next_deadline() const;
  // With a handshake thread: a fd readable when its work is done (-1 without). The loop
  // watches it and calls on_wake_fd when it is ready; on_wake_end collects the work.
  int wake_fd() const { return handshake_worker_ ? handshake_worker_->wake_fd() : -1; }
  void on_wake_fd();
  // Blocks until the handshake thread has computed everything handed to it (tests stepping
  // engines on a virtual clock; a no-op without the thread).
  void wait_handshake_thread();
  // Queues a datagram on the UDP port (copied), sent at the next flush.
  void send_datagram(const base::Endpoint& to, base::Bytes datagram) override;
  // Sends everything pooled. After it, tun_gone() tells whether the TUN went away.
  void flush();
  bool tun_gone() const { return tun_gone_; }

  const EngineDrops& drops() const { return drops_; }
  // Handshakes received and not yet finished: queued, or on the handshake thread.
  size_t queued_handshakes() const {
    return handshakes_.size() + proven_handshakes_.size() +
           (handshake_worker_ ? handshake_worker_->in_flight() : 0);
  }
  bool has_handshake_thread() const { return handshake_worker_ != nullptr; }
  // Handshakes that found the queue full but proved a cookie, and took the lane served first.
  uint64_t proven_lane_taken() const { return proven_lane_taken_; }
  int crypto_threads() const { return crypto_ ? int(crypto_->threads()) : 1; }
  // One line: backend and which offloads are active.
  std::string data_path() const;

 private:
  struct QueuedHandshake {
    std::array<uint8_t, wg::kInitiationLen> bytes;
    size_t length;
    base::Endpoint source;
  };

  // wg::DeviceOutput
  void deliver_packet(base::Bytes p) override;
  // Without crypto workers, seals the message straight from its plaintext into the next output
  // slot; with them, frames it there and records a seal job for flush().
  void send_transport(const base::Endpoint& to, const wg::OutboundTransport& t,
                      const crypto::SymmetricKey& key, crypto::AeadKey& keyed) override;
  bool on_authenticated_source(const wg::Peer& peer, const base::Endpoint& source) override;

  void on_udp_datagram(base::MutableBytes d, const base::Endpoint& peer, base::Instant now);
  void process_handshakes(base::Instant now);
  // Opens the admitted transport datagrams on the crypto workers, then finishes each in the
  // device in arrival order (replay check, delivery).
  void open_datagrams(base::Instant now);
  // flush() when out_packets_ holds views into the read buffers, before they are reused.
  void flush_views() {
    if (packet_views_) flush();
  }
  void seal_datagrams();
  void queue_datagrams();
  void send_family(Family family, std::span<const DatagramSlot> datagrams);
  void queue_packets();

  PacketIo& io_;
  wg::Device device_;
  ForeignDatagramSink* foreign_ = nullptr;
  PathEvents* path_events_ = nullptr;
  EngineDrops drops_;
  bool tun_gone_ = false;

  // Handshakes wait here, those that prove a cookie (mac2) in a lane of their own that is
  // served first, so that a flood of unproven ones cannot keep a real peer out.
  std::deque<QueuedHandshake> handshakes_;
  std::deque<QueuedHandshake> proven_handshakes_;
  uint64_t proven_lane_taken_ = 0;
  wg::UnderLoad under_load_;
  std::unique_ptr<HandshakeWorker> handshake_worker_;  // null: DH on the loop
  wg::HandshakeWork inline_work_;                      // the DH on the loop, without it
  base::Instant next_gc_;

  TunReader tun_reader_;
  TunWriter tun_writer_;
  // The read buffers (TUN and UDP), one allocation so that "does this packet lie in a read
  // buffer" is one range check.
  std::vector<uint8_t> in_storage_;
  std::vector<base::MutableBytes> in_buffers_;
  std::vector<PacketSlot> tun_slots_;
  std::vector<DatagramSlot> udp_slots_;
  OutputPool out_datagrams_;
  OutputPool out_packets_;
  // out_packets_ holds views into in_buffers_ (decrypted packets left where they were
  // received): it must be flushed before those buffers are read into again.
  bool packet_views_ = false;
  std::unique_ptr<CryptoWorkers> crypto_;  // null: seal and open inline, one by one
  // Transport messages in out_datagrams_ still to be sealed (flush, stage a), and their slots.
  std::array<CryptoJob, kPoolSlots> seal_jobs_;
  std::array<size_t, kPoolSlots> seal_slots_{};
  size_t seal_count_ = 0;
  // With crypto workers: received transport datagrams admitted by the device and waiting to be
  // opened together, with their tickets and sources, in arrival order. The jobs point into the
  // receive buffer, which is not read into again before open_datagrams().
  static constexpr size_t kOpenBatch = 64;
  std::array<CryptoJob, kOpenBatch> open_jobs_;
  std::array<wg::TransportTicket, kOpenBatch> open_tickets_;
  std::array<base::Endpoint, kOpenBatch> open_sources_;
  size_t open_count_ = 0;
};

}  // namespace mw::dp
