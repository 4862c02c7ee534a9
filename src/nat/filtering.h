// SPDX-License-Identifier: Apache-2.0
// FilteringTest: how the NAT in front of the port filters what comes in (RFC 4787 §5), told by
// a STUN server that has a second address (RFC 5780 §4.4; RFC 3489 servers such as stund too).
// Two Binding requests go to the server's address we already reached, each with a
// CHANGE-REQUEST, at the same time:
//   - test II asks for the answer from the other IP address and port: if it gets in, anyone may
//     send to our mapping (endpoint-independent filtering);
//   - test III asks for it from the same IP address, the other port: if only that one gets in,
//     the NAT filters by address (address-dependent);
//   - if neither gets in, it filters by address and port.
// An answer is matched by its transaction id, wherever it comes from; one from the very
// address we asked means the server ignored the CHANGE-REQUEST, and an error answer that it
// refused it: then the filtering stays unknown. Pure: the node hands it `now` and answers.
//
// Not thread-safe: one owner (the node's loop).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "nat/stun_client.h"
#include "nat/stun_message.h"

namespace mw::nat {

enum class Filtering : uint8_t {
  kUnknown,
  kEndpointIndependent,
  kAddressDependent,
  kAddressAndPortDependent,
};
// "unknown" "endpoint-independent" "address-dependent" "address-and-port-dependent"
const char* filtering_name(Filtering f);

struct FilteringConfig {
  base::Duration initial_rto = base::Duration::millis(500);
  int max_transmissions = 3;  // at 0, 0.5 and 1.5 s
  // A filtered answer never comes: the verdict waits this long after the last transmission.
  base::Duration final_wait = base::Duration::seconds(2);
};

class FilteringTest {
 public:
  using Send = std::function<void(const base::Endpoint& to, base::Bytes datagram)>;

  FilteringTest(FilteringConfig config, std::function<uint64_t()> rng);

  // Starts a test through `server` (which has answered us from there), whose other address is
  // `other`. False, and nothing starts, when `other` could not tell the filterings apart (its
  // IP address or port is the server's) or a test is running.
  bool start(const base::Endpoint& server, const base::Endpoint& other, base::Instant now);
  void tick(base::Instant now, const Send& send);
  base::Instant next_deadline() const;
  // An answer classified as STUN: true when it answered one of the test's transactions.
  bool on_response(const StunMessage& response, const base::Endpoint& from, base::Instant now);

  bool running() const { return running_; }
  // The last finished test's verdict (kUnknown before one finished).
  Filtering result() const { return result_; }
  // The server the last test went through.
  const base::Endpoint& server() const { return server_; }
  uint64_t tests() const { return tests_; }
  // Starts a test of `family` through the first of `servers` that answered (status ok) and
  // named a second address; false when none could.
  bool start_through(const std::vector<StunServerState>& servers, base::IpAddress::Family family,
                     base::Instant now);

 private:
  enum class Outcome : uint8_t { kPending, kAnswered, kTimedOut, kUnusable };
  struct Probe {
    TransactionId id{};
    uint32_t flags = 0;
    int sent = 0;
    base::Instant next_send, gives_up;
    Outcome outcome = Outcome::kPending;
  };
  void finish_if_decided();

  FilteringConfig config_;
  std::function<uint64_t()> rng_;
  base::Endpoint server_;
  std::array<Probe, 2> probes_;  // [0]: test II (other IP and port), [1]: test III (other port)
  bool running_ = false;
  Filtering result_ = Filtering::kUnknown;
  uint64_t tests_ = 0;
};

}  // namespace mw::nat
