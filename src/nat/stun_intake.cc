// SPDX-License-Identifier: Apache-2.0
#include "nat/stun_intake.h"

namespace mw::nat {

StunIntake take_stun(base::Bytes datagram, const base::Endpoint& from, base::Instant now,
                     StunClient& client, ReflexiveAddresses& reflexive,
                     const std::optional<TransactionId>& own_request, base::Endpoint* mapped,
                     std::string* server) {
  if (!is_stun(datagram)) return StunIntake::kNotStun;
  if (auto request = parse_binding_request(datagram))
    return own_request && *request == *own_request ? StunIntake::kOwnRequest
                                                   : StunIntake::kOtherRequest;
  StunParsed parsed = parse_binding_response(datagram);
  if (!parsed.message) return StunIntake::kMalformed;
  if (!client.on_response(*parsed.message, from, now)) return StunIntake::kUnmatched;
  if (parsed.message->type != kStunBindingSuccess) return StunIntake::kError;
  std::string name;
  for (const StunServerState& s : client.servers())
    if (s.endpoint == from) name = s.name;
  bool changed = reflexive.observe(
      Observation{Observation::Source::kStun, name, from, parsed.message->mapped, now});
  if (mapped) *mapped = parsed.message->mapped;
  if (server) *server = std::move(name);
  return changed ? StunIntake::kNewAddress : StunIntake::kObserved;
}

}  // namespace mw::nat
