// SPDX-License-Identifier: Apache-2.0
#include "nat/stun_intake.h"

namespace mw::nat {

StunTaken take_stun(base::Bytes datagram, const base::Endpoint& from, base::Instant now,
                    const StunParties& parties) {
  StunTaken out;
  if (!is_stun(datagram)) return out;
  if (auto request = parse_binding_request(datagram)) {
    out.intake = parties.own_request && *request == *parties.own_request
                     ? StunIntake::kOwnRequest
                     : StunIntake::kOtherRequest;
    return out;
  }
  StunParsed parsed = parse_binding_response(datagram);
  if (!parsed.message) {
    out.intake = StunIntake::kMalformed;
    return out;
  }
  for (FilteringTest& test : parties.filtering) {
    if (test.on_response(*parsed.message, from, now)) {
      out.intake = StunIntake::kFiltering;
      return out;
    }
  }
  if (!parties.client.on_response(*parsed.message, from, now)) {
    out.intake = StunIntake::kUnmatched;
    return out;
  }
  if (parsed.message->type != kStunBindingSuccess) {
    out.intake = StunIntake::kError;
    return out;
  }
  for (const StunServerState& s : parties.client.servers())
    if (s.endpoint == from) out.server = s.name;
  bool changed = parties.reflexive.observe(
      Observation{Observation::Source::kStun, out.server, from, parsed.message->mapped, now});
  out.mapped = parsed.message->mapped;
  out.intake = changed ? StunIntake::kNewAddress : StunIntake::kObserved;
  return out;
}

}  // namespace mw::nat
