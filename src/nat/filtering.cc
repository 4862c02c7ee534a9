// SPDX-License-Identifier: Apache-2.0
// The filtering test's two probes and its verdict.
#include "nat/filtering.h"

#include <algorithm>

namespace mw::nat {

const char* filtering_name(Filtering f) {
  switch (f) {
    case Filtering::kUnknown: return "unknown";
    case Filtering::kEndpointIndependent: return "endpoint-independent";
    case Filtering::kAddressDependent: return "address-dependent";
    case Filtering::kAddressAndPortDependent: return "address-and-port-dependent";
  }
  return "unknown";
}

FilteringTest::FilteringTest(FilteringConfig config, std::function<uint64_t()> rng)
    : config_(config), rng_(std::move(rng)) {}

bool FilteringTest::start(const base::Endpoint& server, const base::Endpoint& other,
                          base::Instant now) {
  if (running_ || other.address == server.address || other.port == server.port) return false;
  if (other.address.family() != server.address.family()) return false;
  server_ = server;
  uint32_t flags[2] = {kStunChangeIp | kStunChangePort, kStunChangePort};
  for (size_t i = 0; i < probes_.size(); ++i) {
    uint64_t a = rng_();
    probes_[i] = Probe{make_transaction_id(a, rng_()), flags[i],         0, now,
                       base::Instant::max(),           Outcome::kPending};
  }
  running_ = true;
  ++tests_;
  return true;
}

bool FilteringTest::start_through(const std::vector<StunServerState>& servers,
                                  base::IpAddress::Family family, base::Instant now) {
  for (const StunServerState& s : servers) {
    if (s.endpoint.address.family() != family || !s.other ||
        s.status != StunServerState::Status::kOk)
      continue;
    if (start(s.endpoint, *s.other, now)) return true;
  }
  return false;
}

void FilteringTest::tick(base::Instant now, const Send& send) {
  if (!running_) return;
  for (Probe& p : probes_) {
    if (p.outcome != Outcome::kPending) continue;
    if (now >= p.gives_up) {
      p.outcome = Outcome::kTimedOut;
      continue;
    }
    if (now < p.next_send) continue;
    auto request = encode_change_request(p.id, p.flags);
    send(server_, request);
    ++p.sent;
    if (p.sent < config_.max_transmissions) {
      p.next_send = now + config_.initial_rto * (int64_t{1} << std::min(p.sent - 1, 16));
    } else {
      p.next_send = base::Instant::max();
      p.gives_up = now + config_.final_wait;
    }
  }
  finish_if_decided();
}

base::Instant FilteringTest::next_deadline() const {
  base::Instant next = base::Instant::max();
  if (!running_) return next;
  for (const Probe& p : probes_)
    if (p.outcome == Outcome::kPending) next = std::min({next, p.next_send, p.gives_up});
  return next;
}

bool FilteringTest::on_response(const StunMessage& response, const base::Endpoint& from,
                                base::Instant) {
  if (!running_) return false;
  auto p = std::find_if(probes_.begin(), probes_.end(),
                        [&](const Probe& x) { return x.id == response.transaction; });
  if (p == probes_.end()) return false;
  if (p->outcome != Outcome::kPending) return true;  // a late duplicate
  // From the very address asked: the server did not change it, so the answer proves nothing.
  bool changed = from != server_;
  p->outcome =
      response.type == kStunBindingSuccess && changed ? Outcome::kAnswered : Outcome::kUnusable;
  finish_if_decided();
  return true;
}

void FilteringTest::finish_if_decided() {
  const Probe& other_address = probes_[0];
  const Probe& other_port = probes_[1];
  std::optional<Filtering> verdict;
  if (other_address.outcome == Outcome::kAnswered) {
    verdict = Filtering::kEndpointIndependent;
  } else if (other_address.outcome == Outcome::kUnusable ||
             other_port.outcome == Outcome::kUnusable) {
    verdict = Filtering::kUnknown;
  } else if (other_address.outcome == Outcome::kTimedOut) {
    if (other_port.outcome == Outcome::kAnswered) verdict = Filtering::kAddressDependent;
    if (other_port.outcome == Outcome::kTimedOut) verdict = Filtering::kAddressAndPortDependent;
  }
  if (!verdict) return;
  result_ = *verdict;
  running_ = false;
}

}  // namespace mw::nat
