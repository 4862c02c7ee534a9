// SPDX-License-Identifier: Apache-2.0
// The STUN client's rounds, retransmissions and answers.
#include "nat/stun_client.h"

#include <algorithm>

namespace mw::nat {

const char* stun_status_name(StunServerState::Status s) {
  switch (s) {
    case StunServerState::Status::kPending: return "pending";
    case StunServerState::Status::kOk: return "ok";
    case StunServerState::Status::kTimeout: return "timeout";
    case StunServerState::Status::kError: return "error";
  }
  return "unknown";
}

StunClient::StunClient(StunClientConfig config, std::function<uint64_t()> rng)
    : config_(config), rng_(std::move(rng)) {}

void StunClient::set_servers(std::vector<StunServerState> servers) {
  for (StunServerState& s : servers) {
    auto old = std::find_if(servers_.begin(), servers_.end(), [&](const StunServerState& o) {
      return o.name == s.name && o.endpoint == s.endpoint;
    });
    if (old != servers_.end()) s = *old;
  }
  servers_ = std::move(servers);
  transactions_.assign(servers_.size(), Transaction{});
  refresh();
}

TransactionId StunClient::new_id() {
  uint64_t a = rng_();
  return make_transaction_id(a, rng_());
}

void StunClient::transmit(size_t i, base::Instant now, const Send& send) {
  Transaction& t = transactions_[i];
  auto request = encode_binding_request(t.id);
  send(servers_[i].endpoint, request);
  ++servers_[i].requests;
  ++t.sent;
  if (t.sent == 1) t.first_sent = now;
  // RTO doubles with every transmission (RFC 8489 §6.2.1).
  base::Duration rto = config_.initial_rto * (int64_t{1} << std::min(t.sent - 1, 16));
  if (t.sent < config_.max_transmissions) {
    t.next_send = now + rto;
    t.gives_up = base::Instant::max();
  } else {
    t.next_send = base::Instant::max();
    t.gives_up = now + config_.final_wait;
  }
}

void StunClient::tick(base::Instant now, const Send& send) {
  if (servers_.empty()) return;
  if (now >= next_round_) {
    next_round_ = now + config_.refresh_interval;
    ++rounds_;
    for (size_t i = 0; i < servers_.size(); ++i) {
      // A transaction still in flight from the last round goes on; the others start afresh.
      if (transactions_[i].active) continue;
      transactions_[i] = Transaction{true, new_id(), now, now, base::Instant::max(), 0};
    }
  }
  for (size_t i = 0; i < servers_.size(); ++i) {
    Transaction& t = transactions_[i];
    if (!t.active) continue;
    if (now >= t.gives_up) {
      t.active = false;
      ++servers_[i].timeouts;
      servers_[i].status = StunServerState::Status::kTimeout;
      continue;
    }
    if (now >= t.next_send) transmit(i, now, send);
  }
}

base::Instant StunClient::next_deadline() const {
  if (servers_.empty()) return base::Instant::max();
  base::Instant next = next_round_;
  for (const Transaction& t : transactions_)
    if (t.active) next = std::min({next, t.next_send, t.gives_up});
  return next;
}

bool StunClient::on_response(const StunMessage& response, const base::Endpoint& from,
                             base::Instant now) {
  for (size_t i = 0; i < servers_.size(); ++i) {
    Transaction& t = transactions_[i];
    if (!t.active || t.id != response.transaction || servers_[i].endpoint != from) continue;
    t.active = false;
    StunServerState& s = servers_[i];
    if (response.type == kStunBindingError) {
      ++s.errors;
      s.status = StunServerState::Status::kError;
      s.error_code = response.error_code;
      return true;
    }
    ++s.answers;
    s.status = StunServerState::Status::kOk;
    s.mapped = response.mapped;
    s.other = response.other;
    s.answered_at = now;
    // Only an answer to a single transmission measures the round trip (Karn's rule).
    if (t.sent == 1) s.rtt = now - t.first_sent;
    return true;
  }
  return false;
}

void StunClient::give_up() {
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (!transactions_[i].active) continue;
    transactions_[i].active = false;
    ++servers_[i].timeouts;
    servers_[i].status = StunServerState::Status::kTimeout;
  }
}

bool StunClient::idle() const {
  return std::none_of(transactions_.begin(), transactions_.end(),
                      [](const Transaction& t) { return t.active; });
}

}  // namespace mw::nat
