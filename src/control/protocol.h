// SPDX-License-Identifier: Apache-2.0
// The versioned control protocol between `meshward` commands and the daemon: one JSON object per
// line over a unix stream socket, e.g. {"version":1,"command":"status"} answered by
// {"version":1,"ok":true,"status":{...}}; and serve(), the daemon's side of it. Pure: no I/O,
// never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "control/netcheck.h"

namespace mw::control {

constexpr int kProtocolVersion = 1;
constexpr size_t kMaxRequestLen = 4096;  // longer requests are refused
constexpr size_t kMaxResponseLen = 4 << 20;

// $MESHWARD_SOCKET if set and non-empty, else "/run/meshward/meshward.sock".
std::string default_socket_path();
// The control socket a command uses: `flag` (--socket) when given, else $MESHWARD_SOCKET when
// set, else the default. An empty flag or an empty but set variable is an error (a daemon
// started so would have no control socket anyone could reach).
base::Result<std::string> control_socket_path(const std::optional<std::string>& flag);

// One member of the mesh as the daemon sees it.
struct MemberStatus {
  std::string identity;  // base64 Ed25519 key (44 chars)
  std::string name;      // the local trust name, else its certificate's; may be empty
  std::string state;     // "alive" | "suspect" | "dead" | "left"
  std::string endpoint;  // "ip:port" or ""
  // "direct": we reach it ourselves; "indirect": only through other members (no punch got
  // through: docs/nat.md); "" while it is not live.
  std::string path;
  // How a direct path goes (node/path_label.h): "punched" | "mapped" | "reflexive" | "lan" |
  // "public" | "" (not said).
  std::string via;
  std::string ipv4;         // derived mesh IPv4
  std::string ipv6;         // derived mesh IPv6
  bool ipv4_routed = true;  // false when its IPv4 collides with another member's (see ipv4_note)
  std::string ipv4_note;
  std::string admitted_by;          // e.g. "authorized key", "certificate of org a1b2c3"
  int64_t last_handshake_unix = 0;  // 0 = never
  uint64_t rx_bytes = 0, tx_bytes = 0;
  std::optional<double> rtt_ms;
  uint64_t incarnation = 0;

  bool operator==(const MemberStatus&) const = default;
};

// The answer to `status` and `peers`.
struct StatusReport {
  std::string version;     // meshward version
  std::string identity;    // our base64 key
  std::string interface;   // e.g. "mw0"
  std::string ipv4, ipv6;  // our derived addresses
  uint16_t port = 0;
  uint64_t incarnation = 0;
  int64_t started_unix = 0;
  bool gossip_only = false;
  std::string data_path;  // e.g. "epoll, TUN offload TSO+USO, UDP GSO on, UDP GRO on"
  std::vector<MemberStatus> members;

  bool operator==(const StatusReport&) const = default;
};

enum class Command : uint8_t { kStatus, kPeers, kDown, kNetcheck };

struct Request {
  int version = kProtocolVersion;
  Command command = Command::kStatus;

  bool operator==(const Request&) const = default;
};

struct Response {
  bool ok = true;
  std::string error;                       // set when !ok
  std::optional<StatusReport> status;      // for kStatus and kPeers
  bool stopping = false;                   // for kDown: the daemon is shutting down
  std::optional<NetcheckReport> netcheck;  // for kNetcheck

  bool operator==(const Response&) const = default;
};

// "status", "peers", "down", "netcheck".
std::string_view command_name(Command command);

// One line, '\n'-terminated.
std::string encode_request(const Request& request);
// Strict: the line (one trailing "\n" or "\r\n" allowed) must be at most kMaxRequestLen bytes,
// one JSON object with exactly the integer "version" (== kProtocolVersion) and a known string
// "command". Anything else is an error with a message fit to send back to the client.
base::Result<Request> decode_request(std::string_view line);

// One line, '\n'-terminated. Strings that are not valid UTF-8 are repaired (U+FFFD), never
// thrown on.
std::string encode_response(const Response& response);
// Accepts unknown fields (a newer daemon may add them) but checks the type of every known one.
// A daemon speaking another version is an error unless it is itself reporting an error, which
// is passed through.
base::Result<Response> decode_response(std::string_view line);

// The daemon's side (server.cc): authorise a decoded request by the caller's credentials
// (SO_PEERCRED, read by os/), run it on a Handler, and encode the answer.

// Who is on the other end of a control connection, as the kernel vouches for it.
struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
};

// What the daemon (node/) does for each command. Called on the thread that calls serve().
class Handler {
 public:
  virtual ~Handler() = default;
  virtual StatusReport status() = 0;
  // Starts an orderly shutdown and returns; the daemon stops after the answer is sent.
  virtual void shutdown() = 0;
  // What the node knows of the NATs in front of it (nullopt: this daemon does not say).
  virtual std::optional<NetcheckReport> netcheck() { return std::nullopt; }
};

// Whether `caller` may run `command`: every command requires uid 0 or the daemon's own uid.
bool authorized(Command command, const Caller& caller, uint32_t daemon_uid);

// Decodes one request line, authorises it, calls the handler and returns the encoded response
// line. Never throws; malformed or refused requests get {"ok":false,"error":"..."}, and so does
// a status too large for kMaxResponseLen.
std::string serve(std::string_view request_line, const Caller& caller, uint32_t daemon_uid,
                  Handler& handler);

}  // namespace mw::control
