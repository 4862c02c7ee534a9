// SPDX-License-Identifier: Apache-2.0
// Codec for the wg(8) cross-platform UAPI text protocol: the get=1 / set=1 requests that wg and
// wg-quick send to /var/run/wireguard/<ifname>.sock, and the replies a userspace WireGuard sends.
//
// Sources: https://www.wireguard.com/xplatform/ ("Configuration Protocol"); wireguard-go
// device/uapi.go (IpcGetOperation, IpcSetOperation, handleDeviceLine, handlePeerLine) and
// ipc/uapi_unix.go (error codes); wireguard-tools src/ipc-uapi.h (what wg sends and accepts).
//
// Pure code: no sockets. A request is parsed and validated whole before anything is applied, so
// a malformed request never half-changes an interface (wireguard-go applies line by line).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip_address.h"
#include "crypto/keys.h"

namespace mw::wg::uapi {

// Values of the reply's "errno=N" line. wireguard-go answers a failure with the negated errno
// (ipc/uapi_unix.go: IpcErrorInvalid = -EINVAL, ...), and wg(8) reads the number as -errno
// (ipc-uapi.h: `errno = -ret`), so failures are negative on the wire; success is errno=0.
constexpr int kErrnoOk = 0;
constexpr int kErrnoInvalid = -EINVAL;   // bad key, bad value, key out of place (IpcErrorInvalid)
constexpr int kErrnoProtocol = -EPROTO;  // framing: no '=', no final empty line (IpcErrorProtocol)
constexpr int kErrnoIo = -EIO;           // for the server: socket read/write failed (IpcErrorIO)
constexpr int kErrnoPortInUse = -EADDRINUSE;  // for the server: bind failed (IpcErrorPortInUse)
constexpr int kErrnoTooBig = -EMSGSIZE;       // ours: the request exceeds kMaxRequestLen
constexpr int kErrnoNotPermitted = -EPERM;    // ours: sets refused (a mesh-managed interface)

// A request (or a get reply) longer than this is refused whole. It also bounds the counts: a peer
// block is at least 76 bytes and an allowed_ip line at least 16, so a request carries at most
// ~220k peers and ~1M allowed IPs.
constexpr size_t kMaxRequestLen = size_t{16} << 20;

// One allowed_ip line of a set request. "allowed_ip=-10.0.0.0/8" removes the prefix from the
// peer instead of adding it (wireguard-go 256bcbd and wg(8) "allowed-ips -10.0.0.0/8", both May
// 2025). The lines apply in request order.
struct AllowedIpUpdate {
  base::IpPrefix prefix;  // host bits masked
  bool remove = false;
  friend bool operator==(const AllowedIpUpdate&, const AllowedIpUpdate&) = default;
};

// One peer block of a set request: public_key=... and the keys after it.
struct PeerConfig {
  crypto::PublicKey public_key{};
  bool remove = false;       // remove=true; other fields are then validated but meaningless
  bool update_only = false;  // update_only=true: do not create the peer if it does not exist
  std::optional<crypto::SymmetricKey> preshared_key;  // all zeros means "clear the preshared key"
  std::optional<base::Endpoint> endpoint;
  std::optional<uint16_t> persistent_keepalive_interval;  // seconds; 0 turns it off
  bool replace_allowed_ips = false;          // drop the peer's allowed IPs, then apply allowed_ips
  std::vector<AllowedIpUpdate> allowed_ips;  // in request order
};

struct SetRequest {
  // As sent, not clamped (wireguard-go clamps on set). All zeros means "remove the private key".
  std::optional<crypto::PrivateKey> private_key;
  std::optional<uint16_t> listen_port;
  std::optional<uint32_t> fwmark;  // 0 turns the fwmark off
  bool replace_peers = false;      // remove every peer before applying `peers`
  std::vector<PeerConfig> peers;   // in request order; no public key appears twice
};

struct GetRequest {
  friend bool operator==(const GetRequest&, const GetRequest&) = default;
};

using Request = std::variant<GetRequest, SetRequest>;

// One peer of a get reply.
struct PeerStatus {
  crypto::PublicKey public_key{};
  crypto::SymmetricKey preshared_key;  // all zeros means none
  std::optional<base::Endpoint> endpoint;
  int64_t last_handshake_sec = 0;  // since the Unix epoch; 0 and 0 mean never
  int64_t last_handshake_nsec = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  uint16_t persistent_keepalive_interval = 0;  // seconds; 0 means off
  std::vector<base::IpPrefix> allowed_ips;
};

// What a get reply describes.
struct DeviceStatus {
  std::optional<crypto::PrivateKey> private_key;  // nullopt (or all zeros) means none
  uint16_t listen_port = 0;                       // 0: not listening
  uint32_t fwmark = 0;                            // 0: off
  std::vector<PeerStatus> peers;
};

struct ParseError {
  int errno_value = kErrnoInvalid;  // what to put in the "errno=N" reply (one of kErrno*)
  std::string message;              // for the log; never contains key material
  // The first line was not get=1 or set=1. wireguard-go hangs up without a reply then
  // (IpcHandle: "invalid UAPI operation"); a server may do the same.
  bool hang_up = false;
};

// Structural equality, for tests and round trips (keys compared in constant time).
bool operator==(const PeerConfig& a, const PeerConfig& b);
bool operator==(const SetRequest& a, const SetRequest& b);
bool operator==(const PeerStatus& a, const PeerStatus& b);
bool operator==(const DeviceStatus& a, const DeviceStatus& b);

// Length of the first complete request in `buffer`, through the empty line that ends it, or 0
// while it is still incomplete. `scanned`: the first bytes of `buffer` were already searched
// and hold no request end (a buffer that grows is searched once, not again on every read).
size_t find_request_end(std::string_view buffer, size_t scanned = 0);

// Parses exactly one complete request: "get=1\n\n", or "set=1\n" then key=value lines then an
// empty line. Strict: an unknown key, a device key after the first public_key, a peer key before
// it, a duplicate key (other than allowed_ip) or a repeated public_key, a bad hex key, number,
// endpoint or prefix, protocol_version other than 1, a NUL byte, a missing final empty line or
// bytes after it, and any text over kMaxRequestLen are refused. Lenient only where wireguard-go
// is: hex keys in either case, decimal numbers with leading zeros, allowed_ip host bits set.
std::variant<Request, ParseError> parse_request(std::string_view text);

// The get reply in wireguard-go's order: private_key (if set), listen_port (if not 0), fwmark
// (if not 0), then per peer public_key, preshared_key, protocol_version=1, endpoint (if known),
// last_handshake_time_sec, last_handshake_time_nsec, tx_bytes, rx_bytes,
// persistent_keepalive_interval, allowed_ip...; then "errno=0" and an empty line. Keys are
// lowercase hex. The result holds key material: the caller wipes it after sending.
std::string format_get_response(const DeviceStatus& status);

// "errno=N\n\n": the whole reply to a set, or to a request that failed.
std::string format_errno(int errno_value);

// The inverse directions, for tests, tools and round-trip fuzzing.

// The set request as wg(8) writes it (ipc-uapi.h: userspace_set_device): device keys, then per
// peer public_key, update_only, remove, preshared_key, endpoint, persistent_keepalive_interval,
// replace_allowed_ips, allowed_ip...; then an empty line.
std::string format_set_request(const SetRequest& request);

// Parses one get reply (through its empty line). A reply whose errno is not 0 gives a
// ParseError carrying that errno. Device keys must precede the first public_key, errno must be
// the last line, and the value rules of parse_request apply. An all-zero private_key reads as
// none and a missing preshared_key as zeros, as wg(8) reads them. Endpoints with an IPv6 zone
// ("[fe80::1%2]:51820") are refused: base::Endpoint has no zone.
std::variant<DeviceStatus, ParseError> parse_get_response(std::string_view text);

}  // namespace mw::wg::uapi
