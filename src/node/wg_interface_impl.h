// SPDX-License-Identifier: Apache-2.0
// The WgInterface implementation class, shared by its source files (loop, UAPI, daemon): not
// part of the node/ interface; include only from node/wg_interface*.cc.
#pragma once

#include "node/wg_interface.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "dataplane/crypto_workers.h"
#include "dataplane/gro_coalesce.h"
#include "dataplane/gso_split.h"
#include "dataplane/virtio_net_hdr.h"
#include "node/interface_hooks.h"
#include "node/uapi_apply.h"
#include "node/wg_interface_io.h"
#include "os/process.h"
#include "os/tun.h"
#include "os/udp_offload.h"
#include "os/udp_socket.h"
#include "os/unix_socket.h"
#include "wireguard/constants.h"
#include "wireguard/device.h"
#include "wireguard/messages.h"
#include "wireguard/under_load.h"

namespace mw::node::detail {

constexpr size_t kBatch = 64;
constexpr size_t kBufferLen = 65536 + 64;
constexpr size_t kMaxClients = 64;
// Per readable event, drain up to this many batches from a UDP socket, so that a flood piles
// up in our handshake queue (where it is judged) rather than in the kernel's socket buffer.
constexpr size_t kBatchesPerWake = 32;
// Handshakes that may each cost a DH, per iteration; under load most cost only two MACs.
constexpr size_t kHandshakesPerIteration = 128;
constexpr size_t kHandshakesPerIterationUnderLoad = 4096;

enum Tag : uint64_t { kTun = 1, kUdp4, kUdp6, kSignal, kListener, kFirstClient = 1000 };

// Room before every pooled packet for a virtio_net_hdr, so any packet can go to a vnet-hdr TUN.
constexpr size_t kHeadroom = dp::kVirtioNetHdrLen;
// Segments of one TUN super-packet: 64 KiB cut at an MSS as small as 536 bytes.
constexpr size_t kMaxSegments = 128;
// Received transport datagrams opened together on the crypto workers: one GRO buffer's worth of
// full-sized ones fits (64 KiB / 1452 bytes).
constexpr size_t kOpenBatch = 64;

// A fixed pool of buffers that the device's output is copied into until flushed.
struct OutputPool {
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<os::DatagramSlot> slots;
  size_t count = 0;

  OutputPool() : buffers(kBatch, std::vector<uint8_t>(kHeadroom + kBufferLen)), slots(kBatch) {}
  bool full() const { return count == slots.size(); }
  // Copies `data` (cut to kBufferLen) into the next slot; callers flush a full pool first.
  void push(base::Bytes data, const base::Endpoint& to) {
    if (full()) return;
    base::MutableBytes b = next(std::min(data.size(), kBufferLen), to);
    if (!b.empty()) std::memcpy(b.data(), data.data(), b.size());
    commit();
  }
  // The next slot's buffer, `length` bytes long, to build a datagram in place; it is queued
  // only by commit(). Empty when the pool is full or length exceeds a buffer.
  base::MutableBytes next(size_t length, const base::Endpoint& to) {
    if (full() || length > kBufferLen) return {};
    os::DatagramSlot& s = slots[count];
    s.data = buffers[count].data() + kHeadroom;
    s.length = length;
    s.peer = to;
    return base::MutableBytes(s.data, length);
  }
  void commit() { ++count; }
  // Queues `data` where it lies, without copying: the caller keeps it alive and unchanged until
  // the pool is flushed, and the kHeadroom bytes before it may be overwritten then (a decrypted
  // packet's are its own transport header).
  void push_view(base::Bytes data) {
    os::DatagramSlot& s = slots[count++];
    s.data = const_cast<uint8_t*>(data.data());
    s.length = data.size();
    s.peer = {};
  }
};

struct QueuedHandshake {
  std::array<uint8_t, wg::kInitiationLen> bytes;
  size_t length;
  base::Endpoint source;
};

struct Client {
  base::UniqueFd fd;
  std::string in;
  std::string out;
  bool close_after_write = false;
};

class Interface final : public WgInterface, private wg::DeviceOutput, private Engine {
 public:
  Interface(const WgInterfaceOptions& options, wg::DeviceConfig config)
      : options_(options), device_(std::move(config)) {}

  base::Result<void> init();
  base::Result<void> run() override;
  const std::string& socket_path() const override { return uapi_.path(); }

 private:
  // wg::DeviceOutput (send_datagram is Engine's too)
  void send_datagram(const base::Endpoint& to, base::Bytes d) override;
  void deliver_packet(base::Bytes p) override;
  // Without crypto workers, seals the message straight from its plaintext into the next output
  // slot; with them, frames it there and records a seal job for flush().
  void send_transport(const base::Endpoint& to, const wg::OutboundTransport& t,
                      const crypto::SymmetricKey& key, crypto::AeadKey& keyed) override;

  // Engine
  wg::Device& device() override { return device_; }
  wg::DeviceOutput& device_output() override { return *this; }
  uint16_t port() const override { return udp_.port; }
  const std::string& name() const override { return tun_name_; }
  std::string data_path() const override;
  base::Result<void> watch_fd(int fd, uint64_t tag, bool writable) override;
  base::Result<void> rewatch_fd(int fd, uint64_t tag, bool writable, bool readable) override {
    return io_->rewatch(fd, tag, writable, readable);
  }
  void unwatch_fd(int fd) override { io_->unwatch(fd); }
  void stop() override { stop_ = true; }

  base::Result<void> on_tun_readable(base::Instant now);
  void on_udp_readable(os::UdpSocket& socket, base::Instant now);
  void process_handshakes(base::Instant now);
  // The backend's wait, after spinning for options_.busy_poll when that is set.
  base::Result<size_t> wait_for_events(std::span<os::PollEvent> events, base::Duration timeout);
  void flush();
  // flush() when out_packets_ holds views into the read buffers, before they are reused.
  void flush_views() {
    if (packet_views_) flush();
  }
  void seal_datagrams();
  void queue_datagrams();
  void send_datagrams(os::UdpSocket& socket, std::span<const os::DatagramSlot> datagrams);
  void on_udp_datagram(base::MutableBytes d, const base::Endpoint& peer, base::Instant now);
  // Opens the admitted transport datagrams on the crypto workers, then finishes each in the
  // device in arrival order (replay check, delivery).
  void open_datagrams(base::Instant now);
  void queue_packets();
  base::Result<void> register_sockets();

  void accept_clients();
  void on_client(uint64_t tag, bool readable, bool writable, bool error);
  void handle_request(Client& c, std::string_view text);
  int apply_set(const wg::uapi::SetRequest& request, base::Instant now);
  void close_client(uint64_t tag);
  void log_counters() const;

  WgInterfaceOptions options_;
  base::SystemClock& clock_ = base::SystemClock::instance();
  wg::Device device_;
  std::optional<os::Tun> tun_;
  std::string tun_name_;
  os::UdpPair udp_;
  uint32_t fwmark_ = 0;
  IoDrops drops_;
  std::unique_ptr<IoBackend> io_;  // after drops_, which it counts into
  base::UniqueFd signal_fd_;
  os::UnixListener uapi_;
  std::map<uint64_t, Client> clients_;
  uint64_t next_client_tag_ = kFirstClient;

  std::deque<QueuedHandshake> handshakes_;
  wg::UnderLoad under_load_;
  uint64_t handshakes_dropped_ = 0;

  os::UdpOffloads udp_offloads_;
  bool tun_vnet_ = false;
  dp::GsoSplitter splitter_;
  std::vector<std::vector<uint8_t>> segment_buffers_;
  std::vector<dp::PacketSlot> segment_slots_;
  std::vector<std::vector<uint8_t>> tun_out_buffers_;
  std::vector<dp::PacketSlot> tun_out_slots_;
  std::optional<dp::GroCoalescer> coalescer_;
  uint64_t tun_split_dropped_ = 0;
  // The read buffers (TUN and UDP), one allocation so that "does this packet lie in a read
  // buffer" is one range check.
  std::vector<uint8_t> in_storage_;
  std::vector<base::MutableBytes> in_buffers_;
  std::vector<os::PacketSlot> tun_slots_;
  std::vector<os::DatagramSlot> udp_slots_;
  OutputPool out_datagrams_;
  OutputPool out_packets_;
  // out_packets_ holds views into in_buffers_ (decrypted packets left where they were
  // received): it must be flushed before those buffers are read into again.
  bool packet_views_ = false;
  // Transport messages in out_datagrams_ still to be sealed (stage 6a), and their slots.
  std::unique_ptr<dp::CryptoWorkers> crypto_;  // null: seal and open inline, one by one
  std::array<dp::CryptoJob, kBatch> seal_jobs_;
  std::array<size_t, kBatch> seal_slots_{};
  size_t seal_count_ = 0;
  uint64_t seal_failed_ = 0;
  // With crypto workers: received transport datagrams admitted by the device and waiting to be
  // opened together (stage 3), with their tickets and sources, in arrival order. The jobs point
  // into the receive buffer, which is not read into again before open_datagrams().
  std::array<dp::CryptoJob, kOpenBatch> open_jobs_;
  std::array<wg::TransportTicket, kOpenBatch> open_tickets_;
  std::array<base::Endpoint, kOpenBatch> open_sources_;
  size_t open_count_ = 0;
  bool stop_ = false;
};

}  // namespace mw::node::detail
