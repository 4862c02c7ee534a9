// SPDX-License-Identifier: Apache-2.0
// StunClient: learns the node's reflexive address from STUN servers (RFC 8489 Binding), on the
// node's one UDP port. Pure: the node hands it `now` and the answers it classified as STUN, it
// sends through a callback. Each round sends one Binding request to every server and
// retransmits it with back-off (RFC 8489 §6.2.1: RTO doubling from initial_rto; a transaction
// fails `final_wait` after its last transmission); rounds repeat every refresh_interval, which
// also keeps the NAT's mapping of the port alive, and at once on refresh().
//
// Not thread-safe: one owner (the node's loop).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "nat/stun_message.h"

namespace mw::nat {

struct StunClientConfig {
  base::Duration initial_rto = base::Duration::millis(500);
  int max_transmissions = 5;  // at 0, 0.5, 1.5, 3.5 and 7.5 s
  base::Duration final_wait = base::Duration::seconds(4);
  // Not above 25 s: the request is also the keepalive of the port's NAT mapping.
  base::Duration refresh_interval = base::Duration::seconds(25);
};

// One configured server and what it told us.
struct StunServerState {
  std::string name;  // as configured ("stun.example.net:3478")
  base::Endpoint endpoint;
  std::optional<base::Endpoint> mapped;  // the latest answer's reflexive address
  std::optional<base::Duration> rtt;     // of the latest answer (first transmission answered)
  std::optional<base::Endpoint> other;   // the server's other address, when it announced one
  std::optional<base::Instant> answered_at;
  enum class Status : uint8_t { kPending, kOk, kTimeout, kError } status = Status::kPending;
  int error_code = 0;  // of a Binding error response
  uint64_t requests = 0, answers = 0, timeouts = 0, errors = 0;
};
const char* stun_status_name(StunServerState::Status s);  // "pending" "ok" "timeout" "error"

class StunClient {
 public:
  using Send = std::function<void(const base::Endpoint& to, base::Bytes datagram)>;

  StunClient(StunClientConfig config, std::function<uint64_t()> rng);

  // The servers to ask (replaces the list; a server still listed keeps its state). A new list
  // starts a round at the next tick.
  void set_servers(std::vector<StunServerState> servers);
  // Starts a new round at the next tick (the local addresses changed; netcheck asked).
  void refresh() { next_round_ = base::Instant{}; }
  void tick(base::Instant now, const Send& send);
  base::Instant next_deadline() const;
  // An answer classified as STUN: true when it answered one of our transactions (from the
  // server we asked); then servers() shows the result.
  bool on_response(const StunMessage& response, const base::Endpoint& from, base::Instant now);

  const std::vector<StunServerState>& servers() const { return servers_; }
  // Ends every transaction in flight as a timeout (a one-off probe out of time).
  void give_up();
  // Whether no transaction is in flight (every server of the last round answered or failed).
  bool idle() const;
  uint64_t rounds() const { return rounds_; }

 private:
  struct Transaction {
    bool active = false;
    TransactionId id{};
    base::Instant first_sent, next_send, gives_up;
    int sent = 0;
  };
  TransactionId new_id();
  void transmit(size_t i, base::Instant now, const Send& send);

  StunClientConfig config_;
  std::function<uint64_t()> rng_;
  std::vector<StunServerState> servers_;
  std::vector<Transaction> transactions_;  // one per server
  base::Instant next_round_{};             // origin: at the first tick
  uint64_t rounds_ = 0;
};

}  // namespace mw::nat
