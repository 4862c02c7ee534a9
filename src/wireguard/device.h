// SPDX-License-Identifier: Apache-2.0
// Device: one WireGuard interface's complete protocol state machine. Bytes and `now` go in;
// datagrams to send and packets to deliver come out through DeviceOutput, and next_deadline()
// says when tick() must run next. No I/O, no threads, no clock. Not thread-safe: the owner
// serialises calls.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "crypto/aead.h"
#include "crypto/keys.h"
#include "wireguard/allowed_ips.h"
#include "wireguard/cookie.h"
#include "wireguard/handshake_work.h"
#include "wireguard/index_table.h"
#include "wireguard/noise.h"
#include "wireguard/packet_filter.h"
#include "wireguard/peer.h"
#include "wireguard/ratelimiter.h"
#include "wireguard/timers.h"
#include "wireguard/transport.h"

namespace mw::wg {

// Why an inbound datagram or outbound packet was dropped. Peer garbage is counted, not logged.
enum class DropReason : uint8_t {
  kMalformed,            // bad type, reserved bytes or length
  kBadMac1,              // handshake message without a valid mac1 (silently ignored)
  kCookieRequired,       // under load without a valid mac2: a cookie reply was sent instead
  kRatelimited,          // under load and over the per-source handshake rate
  kHandshakeInvalid,     // failed to decrypt or authenticate, or unknown peer
  kStaleTimestamp,       // an initiation not newer than the last accepted one (replay)
  kInitiationFlood,      // a second initiation from one peer within 20 ms
  kUnknownIndex,         // receiver index matches no handshake or keypair
  kBadCookieReply,       // cookie reply that does not decrypt
  kKeypairExpired,       // transport on a keypair older than REJECT_AFTER_TIME
  kCounterExhausted,     // transport counter at or past REJECT_AFTER_MESSAGES
  kDecryptFailed,        // transport tag did not verify
  kReplayed,             // transport counter already seen or too old
  kBadInnerPacket,       // decrypted payload is not a well-formed IP packet
  kAllowedIpsMismatch,   // inner source address does not belong to the sending peer
  kNoRoute,              // outbound packet whose destination no peer's allowed IPs cover
  kNoEndpoint,           // nothing to send to: the peer's endpoint is unknown
  kStagedOverflow,       // staged queue full: the oldest packet was dropped
  kHandshakeGaveUp,      // staged packets flushed after REKEY_ATTEMPT_TIME without a session
  kFiltered,             // refused by the packet filter (either direction)
  kHandshakeSuperseded,  // its DH was done under a local key or initiation since replaced
  kCount,
};
const char* drop_reason_name(DropReason r);

struct DeviceStats {
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> drop_counts{};
  uint64_t cookie_replies_sent = 0;
  uint64_t handshakes_completed = 0;  // initiator: on the response; responder: on confirmation
  uint64_t initiations_sent = 0;
  uint64_t responses_sent = 0;
  uint64_t drops(DropReason r) const { return drop_counts[static_cast<size_t>(r)]; }
};

// Where the device's output goes. Buffers are only valid during the call: copy them. Calls come
// from the thread calling into the Device.
class DeviceOutput {
 public:
  virtual ~DeviceOutput() = default;
  virtual void send_datagram(const base::Endpoint& to, base::Bytes datagram) = 0;
  virtual void deliver_packet(base::Bytes ip_packet) = 0;
  // A transport message to frame, seal under `key` and send to `to`, leaving in the order of
  // these calls among themselves and with send_datagram. The default seals with `keyed` (the
  // keypair's context, keyed with `key`) into a buffer of its own and calls send_datagram: the
  // bytes are those seal_transport writes. An override may seal straight into its own send
  // buffer, or frame it there (wg::frame_transport) with a copy of `key` and seal it later on
  // any thread (wg::seal_framed). `t.plaintext`, `key` and `keyed` are valid only during the
  // call, and `keyed` is for this thread only.
  virtual void send_transport(const base::Endpoint& to, const OutboundTransport& t,
                              const crypto::SymmetricKey& key, crypto::AeadKey& keyed);
  // An authenticated message from `peer` arrived from `source`, which is not its endpoint.
  // Return true when the caller owns the peer's endpoint (it may call Device::set_endpoint
  // from here, before the device answers); false, the default, and the device roams itself:
  // the endpoint becomes `source`, as WireGuard does.
  virtual bool on_authenticated_source(const Peer& peer, const base::Endpoint& source);
};

// A transport datagram admitted for decryption elsewhere (Device::admit_transport): the
// receiver index and counter from its header, and a copy of the receive key to open it with.
struct TransportTicket {
  uint32_t receiver_index = 0;
  uint64_t counter = 0;
  crypto::SymmetricKey key;
};

struct DeviceConfig {
  size_t mtu = 1420;
  // Adds to a monotonic Instant to give wall time (for TAI64N and last-handshake times).
  int64_t wall_offset_nanos = 0;
  // Randomness for timer jitter; the default is a fast generator seeded from the CSPRNG.
  std::function<uint32_t()> rng;
  size_t ratelimiter_entries = 65536;
};

class Device {
 public:
  explicit Device(DeviceConfig config = {});
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // --- configuration (device_config.cc)
  // nullopt removes the key. A peer whose public key equals the new local public key is removed.
  // Sessions under the old key stop sending; the next packet starts a handshake at once.
  void set_private_key(const std::optional<crypto::PrivateKey>& key);
  const LocalStatic& local() const { return local_; }
  Peer& add_peer(const crypto::PublicKey& public_key);
  Peer* find_peer(const crypto::PublicKey& public_key);
  const Peer* find_peer(const crypto::PublicKey& public_key) const;
  void remove_peer(const crypto::PublicKey& public_key);
  void remove_all_peers();
  void set_preshared_key(Peer& peer, const crypto::SymmetricKey& psk);
  void set_endpoint(Peer& peer, const base::Endpoint& endpoint);
  // Starting persistent keepalive on a peer sends one keepalive at once (as wireguard-go).
  void set_persistent_keepalive(Peer& peer, base::Duration interval, base::Instant now,
                                DeviceOutput& out);
  void add_allowed_ip(Peer& peer, const base::IpPrefix& prefix);
  void clear_allowed_ips(Peer& peer);
  void remove_allowed_ip(Peer& peer, const base::IpPrefix& prefix);
  std::vector<base::IpPrefix> allowed_ips(const Peer& peer) const;
  template <typename F>
  void for_each_peer(F&& f) const {
    for (const auto& [id, p] : peers_) f(static_cast<const Peer&>(*p));
  }
  size_t peer_count() const { return peers_.size(); }
  // Every routed packet is shown to `filter` (nullptr: none) before it is sealed or delivered.
  // Not owned; it outlives the device or is replaced first.
  void set_packet_filter(PacketFilter* filter) { filter_ = filter; }

  // --- data path
  // An IP packet from the TUN side: routed by destination, staged, sent when a session exists.
  void send_packet(base::Bytes ip_packet, base::Instant now, DeviceOutput& out);
  // A UDP datagram from `source`. Decrypts in place, hence mutable. `under_load` is the
  // caller's judgement of handshake pressure (whitepaper §5.3): mac2 is then required.
  void receive_datagram(base::MutableBytes datagram, const base::Endpoint& source,
                        base::Instant now, bool under_load, DeviceOutput& out);
  // Transport data in two phases, so that a batch can be decrypted on several threads:
  // admit_transport checks a transport datagram's header and keypair (as receive_datagram does
  // before decrypting, counting the same drops) and returns a ticket; the caller opens the
  // datagram in place with the ticket's key and counter (wg::open_transport), on any thread;
  // finish_transport then does the rest of receive_datagram: the replay check, session and
  // timer updates, cryptokey routing and delivery. Both phases run on the device's thread, in
  // arrival order, with nothing else touching the device between a batch's admits and its
  // finishes but other finishes; so the replay check stays exact, and the outcome is
  // receive_datagram's. `opened` says whether opening succeeded.
  std::optional<TransportTicket> admit_transport(base::Bytes datagram, base::Instant now);
  void finish_transport(const TransportTicket& ticket, base::MutableBytes datagram, bool opened,
                        const base::Endpoint& source, base::Instant now, DeviceOutput& out);
  // A handshake message (initiation or response) in two phases, so that its Diffie-Hellman
  // can run on another thread: screen_handshake applies the checks that cost no DH (as
  // receive_datagram does: mac1, and under load mac2, answered by a cookie reply, and the
  // per-source rate; for a response, that it answers our pending initiation), counting the
  // same drops, and fills `work` with what the DH needs; true when it passed. The caller runs
  // work.compute() on any thread, then finish_handshake on the device's thread completes it as
  // receive_datagram would have, unless the local key or the initiation it answers changed in
  // between (counted as kHandshakeSuperseded).
  bool screen_handshake(base::Bytes datagram, const base::Endpoint& source, base::Instant now,
                        bool under_load, DeviceOutput& out, HandshakeWork* work);
  void finish_handshake(const HandshakeWork& work, base::Instant now, DeviceOutput& out);
  // Whether a handshake message (initiation or response) has a mac2 that proves a cookie for
  // `source` (free for an all-zero mac2, else two keyed BLAKE2s; no DH; mac1 is checked later,
  // when the message is received): a sender that has shown it receives at its address, which
  // a caller may serve before unproven handshakes under load.
  bool proves_cookie(base::Bytes handshake, const base::Endpoint& source, base::Instant now) const;
  // Starts a handshake with a peer now (rate-limited to one per REKEY_TIMEOUT).
  void initiate_handshake(Peer& peer, base::Instant now, DeviceOutput& out);

  // --- timers (device_timers.cc)
  // Runs the timers due at `now`: only the peers whose deadlines came (TimerQueue), not all.
  void tick(base::Instant now, DeviceOutput& out);
  // When tick() must run next: never later than the earliest armed timer, sometimes earlier
  // (after one was cancelled), O(1) however many peers there are.
  base::Instant next_deadline() const;
  // Drops ratelimiter entries idle for over a second; call about once a second.
  void gc(base::Instant now) { ratelimiter_.gc(now); }

  const DeviceStats& stats() const { return stats_; }

 private:
  friend class DeviceTestPeer;

  // device_handshake.cc
  void receive_initiation(const HandshakeWork& work, base::Instant now, DeviceOutput& out);
  void receive_response(const HandshakeWork& work, base::Instant now, DeviceOutput& out);
  void receive_cookie_reply(base::Bytes datagram, base::Instant now, DeviceOutput& out);
  void send_initiation(Peer& peer, base::Instant now, bool is_retry, DeviceOutput& out);
  void send_response(Peer& peer, Handshake& hs, const InitiationDh& dh, base::Instant now,
                     DeviceOutput& out);
  void begin_session(Peer& peer, Handshake& hs, base::Instant now);
  void record_handshake(Peer& peer, base::Instant now);

  // device_transport.cc
  void receive_transport(base::MutableBytes datagram, const base::Endpoint& source,
                         base::Instant now, DeviceOutput& out);
  // The keypair with this receiver index and its peer (nullptr, counted, when there is none).
  Keypair* keypair_by_index(uint32_t receiver_index, Peer** peer);
  // The keypair a transport header names, when it may still receive (else counted, nullptr).
  Keypair* admit_transport(const TransportHeader& h, base::Instant now, Peer** peer);
  // After a successful open: replay check, session confirmation, timers, routing, delivery.
  void accept_transport(Peer& peer, Keypair& kp, uint64_t counter, base::Bytes plaintext,
                        size_t datagram_len, const base::Endpoint& source, base::Instant now,
                        DeviceOutput& out);
  void send_staged(Peer& peer, base::Instant now, DeviceOutput& out);
  void send_keepalive(Peer& peer, base::Instant now, DeviceOutput& out);
  void keep_key_fresh_sending(Peer& peer, const Keypair& kp, base::Instant now, DeviceOutput& out);
  bool send_transport(Peer& peer, Keypair& keypair, base::Bytes plaintext, base::Instant now,
                      DeviceOutput& out);

  // device_timers.cc
  void handle_timer(Peer& peer, TimerEvent event, base::Instant now, DeviceOutput& out);

  // device_config.cc
  // The peer's keys with its static_static computed for the present local key (one X25519 the
  // first time after the peer or the local key changed).
  const PeerKeys& handshake_keys(Peer& peer);
  static void forget_static_static(PeerKeys& keys);
  void drop_keypair(std::unique_ptr<Keypair>& slot);
  void clear_handshake(Peer& peer);
  void expire_sessions(Peer& peer);
  void zero_key_material(Peer& peer);

  void send_to_peer(Peer& peer, base::Bytes datagram, DeviceOutput& out);
  // Roaming: tells `out` when `source` differs from the peer's endpoint, and takes `source`
  // unless `out` owns the endpoint.
  void note_source(Peer& peer, const base::Endpoint& source, DeviceOutput& out);
  // The peer's endpoint, after counting `len` bytes sent to it; nullptr (counted as kNoEndpoint)
  // when it has none.
  const base::Endpoint* sending_to(Peer& peer, size_t len);
  void count(DropReason r) { ++stats_.drop_counts[static_cast<size_t>(r)]; }
  base::Duration jitter();
  base::WallTime wall(base::Instant now) const {
    return base::WallTime{now.to_nanos() + config_.wall_offset_nanos};
  }
  Peer* peer_by_id(PeerId id);
  // The peer owning a receiver index (of a pending initiation or of a keypair), or nullptr.
  Peer* peer_by_index(uint32_t index);

  DeviceConfig config_;
  LocalStatic local_;
  uint64_t local_generation_ = 0;  // counts changes of local_
  CookieChecker cookie_checker_;
  Ratelimiter ratelimiter_;
  IndexTable<PeerId> index_table_;
  AllowedIps<PeerId> allowed_ips_;
  TimerQueue timer_queue_;  // every peer's timer deadlines
  std::unordered_map<PeerId, std::unique_ptr<Peer>> peers_;
  std::map<crypto::PublicKey, PeerId> peers_by_key_;
  PeerId next_peer_id_ = 1;
  DeviceStats stats_;
  PacketFilter* filter_ = nullptr;
};

}  // namespace mw::wg
