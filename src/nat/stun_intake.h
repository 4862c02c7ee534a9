// SPDX-License-Identifier: Apache-2.0
// take_stun: one datagram from the shared port, judged and handed on: an answer to one of the
// client's transactions goes to the client, and a successful one to the reflexive addresses as
// that server's observation; an answer to a filtering test goes to that test; a Binding request
// is ours (the hairpin check's) or someone else's. The one intake for the daemon's NAT view and
// the one-off netcheck probe. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "nat/filtering.h"
#include "nat/reflexive.h"
#include "nat/stun_client.h"
#include "nat/stun_message.h"

namespace mw::nat {

enum class StunIntake : uint8_t {
  kNotStun,       // no magic cookie, or a bad length
  kOwnRequest,    // the Binding request with `own_request`'s id: it came back (hairpinning)
  kOtherRequest,  // someone else's Binding request (we serve none)
  kMalformed,     // looked like STUN, failed to parse
  kUnmatched,     // an answer to no transaction of ours, or from elsewhere
  kError,         // a Binding error response to one of the client's
  kFiltering,     // an answer to a filtering test's probe
  kObserved,      // a mapped address, the reflexive addresses unchanged
  kNewAddress,    // a mapped address that changed the reflexive addresses
};

// Who takes what: the node's STUN client, reflexive addresses and filtering tests, and the id
// of its hairpin probe in flight.
struct StunParties {
  StunClient& client;
  ReflexiveAddresses& reflexive;
  std::span<FilteringTest> filtering;
  std::optional<TransactionId> own_request;
};

struct StunTaken {
  StunIntake intake = StunIntake::kNotStun;
  base::Endpoint mapped;  // for kObserved and kNewAddress: our address as the server saw it
  std::string server;     // and that server's name
};

StunTaken take_stun(base::Bytes datagram, const base::Endpoint& from, base::Instant now,
                    const StunParties& parties);

}  // namespace mw::nat
