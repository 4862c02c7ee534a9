// SPDX-License-Identifier: Apache-2.0
#include "node/netcheck_report.h"

namespace mw::node {
namespace {

std::vector<std::string> texts(const std::vector<base::Endpoint>& endpoints) {
  std::vector<std::string> out;
  for (const base::Endpoint& e : endpoints) out.push_back(e.to_string());
  return out;
}

}  // namespace

control::NetcheckReport netcheck_report(const nat::StunClient& stun,
                                        const nat::ReflexiveAddresses& reflexive,
                                        const NatChecks& checks,
                                        const std::vector<base::IpAddress>& local, uint16_t port,
                                        base::Instant now) {
  using Family = base::IpAddress::Family;
  control::NetcheckReport r;
  r.port = port;
  r.mapping_v4 = nat::mapping_name(reflexive.mapping(Family::kV4));
  r.mapping_v6 = nat::mapping_name(reflexive.mapping(Family::kV6));
  r.filtering_v4 = nat::filtering_name(checks.filtering_v4);
  r.filtering_v6 = nat::filtering_name(checks.filtering_v6);
  r.hairpin = checks.hairpin ? (*checks.hairpin ? "yes" : "no") : "unknown";
  r.reflexive_v4 = texts(reflexive.addresses(Family::kV4));
  r.reflexive_v6 = texts(reflexive.addresses(Family::kV6));
  for (const base::IpAddress& a : local) r.local.push_back(base::Endpoint{a, port}.to_string());
  for (const nat::StunServerState& s : stun.servers()) {
    control::StunServerReport x;
    x.server = s.name;
    x.address = s.endpoint.to_string();
    x.status = nat::stun_status_name(s.status);
    // A server that stopped answering no longer vouches for the address it gave.
    if (s.status == nat::StunServerState::Status::kOk && s.mapped) x.mapped = s.mapped->to_string();
    if (s.rtt) x.rtt_ms = double(s.rtt->to_micros()) / 1000.0;
    x.error_code = s.error_code;
    r.stun.push_back(std::move(x));
  }
  for (const nat::Observation& o : reflexive.observations()) {
    control::ObserverReport x;
    x.kind = o.source == nat::Observation::Source::kStun ? "stun" : "member";
    x.observer = o.observer;
    x.address = o.observer_endpoint.to_string();
    x.mapped = o.mapped.to_string();
    x.age_s = (now - o.at).to_seconds_f();
    r.observers.push_back(std::move(x));
  }
  return r;
}

}  // namespace mw::node
