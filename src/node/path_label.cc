// SPDX-License-Identifier: Apache-2.0
#include "node/path_label.h"

#include <algorithm>

namespace mw::node {

bool same_network(const base::IpAddress& a, const std::vector<base::IpAddress>& ours) {
  return std::any_of(ours.begin(), ours.end(), [&](const base::IpAddress& o) {
    if (o.family() != a.family()) return false;
    auto net = base::IpPrefix::make(o, o.is_v4() ? 24 : 64);
    return net && net->contains(a);
  });
}

std::string path_via(const swim::MemberView& m, const OurSide& us) {
  if (!m.direct || !m.endpoint) return "";
  const base::Endpoint& e = *m.endpoint;
  auto at = std::find(m.announced.begin(), m.announced.end(), e);
  bool announced = at != m.announced.end();
  size_t i = size_t(at - m.announced.begin());
  swim::CandidateKind kind =
      i < m.announced_kinds.size() ? m.announced_kinds[i] : swim::CandidateKind::kUnknown;
  // A port mapping lets anyone in: a punch that went there was not what opened it.
  if (kind == swim::CandidateKind::kMapped) return "mapped";
  if (m.punched && *m.punched == e) return "punched";
  // Not in its claim: where its datagrams come from, its NAT's address (peer-reflexive).
  if (!announced) kind = swim::CandidateKind::kReflexive;
  switch (kind) {
    case swim::CandidateKind::kMapped:  // taken above
    case swim::CandidateKind::kReflexive: return us.behind_nat ? "punched" : "reflexive";
    case swim::CandidateKind::kHost: return same_network(e.address, us.local) ? "lan" : "public";
    case swim::CandidateKind::kUnknown: break;
  }
  return "";
}

}  // namespace mw::node
