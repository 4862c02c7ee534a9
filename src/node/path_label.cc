// SPDX-License-Identifier: Apache-2.0
#include "node/path_label.h"

#include <algorithm>
#include <array>

namespace mw::node {

bool is_private_address(const base::IpAddress& a) {
  static const std::array<base::IpPrefix, 7> kPrivate = {
      *base::IpPrefix::parse("10.0.0.0/8"),     *base::IpPrefix::parse("172.16.0.0/12"),
      *base::IpPrefix::parse("192.168.0.0/16"), *base::IpPrefix::parse("100.64.0.0/10"),
      *base::IpPrefix::parse("169.254.0.0/16"), *base::IpPrefix::parse("fc00::/7"),
      *base::IpPrefix::parse("fe80::/10"),
  };
  return std::any_of(kPrivate.begin(), kPrivate.end(),
                     [&](const base::IpPrefix& p) { return p.contains(a); });
}

std::string path_via(const swim::MemberView& m, OurSide us) {
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
    case swim::CandidateKind::kMapped: return "mapped";
    case swim::CandidateKind::kReflexive: return us.behind_nat ? "punched" : "reflexive";
    case swim::CandidateKind::kHost:
      return us.seen_unchanged && is_private_address(e.address) ? "lan" : "public";
    case swim::CandidateKind::kUnknown: break;
  }
  return "";
}

}  // namespace mw::node
