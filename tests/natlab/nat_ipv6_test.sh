#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The mesh over IPv6 across home routers' stateful firewalls (docs/nat.md): a dual-stack public
# seed, and two hosts that reach the world over IPv6 only, each behind a router whose IPv6 LAN is
# routed without translation behind a stateful firewall (what the LAN sent to may answer,
# nothing else gets in). Checks:
#   - the lab's firewalls behave so (natlab_check6) before anything relies on them;
#   - the mesh converges from the seed's IPv6 address;
#   - each host's netcheck sees no IPv6 NAT (members see its own address) and its claim
#     announces that address;
#   - the two hosts get a direct path over IPv6 (neither firewall lets the other in unasked:
#     only both sides' probes, crossing, open both), at each other's own address (status:
#     public), and a ping over the tunnel works;
#   - a firewall that loses its state (conntrack flushed) mid-ping: traffic resumes in 10 s.
set -euo pipefail

# shellcheck source=tests/natlab/nat_lib.sh
source "$(dirname "$0")/nat_lib.sh"

trap natlab_cleanup EXIT
natlab_require ping
mesh_require

natlab_init
natlab_public seed 10.99.0.20
natlab_router fwa eim-apdf 10.99.1.2 10.202.0.0/24 --ipv6 fd00:202::/64
natlab_router fwb eim-apdf 10.99.1.3 10.203.0.0/24 --ipv6 fd00:203::/64
natlab_host h1 fwa 10.202.0.2 --v6-only
natlab_host h2 fwb 10.203.0.2 --v6-only

# The lab first: each router's IPv6 as a stateful firewall.
fw_ok=1
for r in fwa fwb; do
  if out=$(natlab_check6 "$r" 2>&1); then
    while IFS= read -r line; do log "$line"; done <<<"$out"
    pass "the lab: $r's IPv6 is routed behind a stateful firewall"
  else
    while IFS= read -r line; do log "$line"; done <<<"$out"
    fail "the lab: $r's IPv6 is not what natlab_check6 expects"
    fw_ok=0
  fi
done
((fw_ok)) || die "the lab is broken; nothing of meshward was tested"

nat_node 1 seed
nat_node 2 h1
nat_node 3 h2
mesh_trust_all
SEED6="[${NATLAB_IP6[seed]}]:$MESH_PORT"
mesh_up 1
mesh_up 2 --seed "$SEED6"
mesh_up 3 --seed "$SEED6"
UP_MS=$(now_ms)

expect_converged 30 "membership over IPv6" 1 2 3

# netcheck: members see each host's own IPv6 address: no NAT on IPv6.
for i in 2 3; do
  check_eq "node $i (${NAT_NODE[$i]}): netcheck IPv6 mapping" none \
    "$(nat_netcheck_wait "$i" mapping_v6 none)"
  want="[${NATLAB_IP6[${NAT_NODE[$i]}]}]:$MESH_PORT (host)"
  got=$(nat_netcheck_field "$i" announced | grep -F -x "$want" || true)
  check_eq "node $i: its claim announces its own IPv6 address" "$want" "$got"
done

# The two hosts: a direct path over IPv6 through both firewalls.
if ms=$(nat_wait_path 20 direct 2 3); then
  pass "h1 <-> h2: direct after $ms ms (both $((($(now_ms) - UP_MS) / 1000)) s up)"
else
  fail "h1 <-> h2: expected direct within 20 s; 2 says $(nat_path_of 2 3), 3 says $(nat_path_of 3 2)"
fi
endpoint_of() {
  mesh_status_json "$1" | mesh_json "next((m['endpoint'] for m in j['members']
    if m['identity'] == '${MESH_KEY[$2]}'), 'absent')" 2>/dev/null || echo error
}
check_eq "h1 -> h2: the path's endpoint" "[${NATLAB_IP6[h2]}]:$MESH_PORT" "$(endpoint_of 2 3)"
check_eq "h2 -> h1: the path's endpoint" "[${NATLAB_IP6[h1]}]:$MESH_PORT" "$(endpoint_of 3 2)"
check_eq "h1 -> h2: status says the path goes" public "$(nat_via_of 2 3)"
check_eq "h2 -> h1: status says the path goes" public "$(nat_via_of 3 2)"
if mesh_ping 2 "$(mesh_addr6 3)" 5; then
  pass "h1 -> h2: ping over the tunnel (IPv6 underneath)"
else
  fail "h1 -> h2: no ping over the tunnel"
fi

# fwa forgets its connections (a reboot) while h1 pings h2 every 0.2 s: traffic resumes.
nat_expect_flush_gap fwa 2 3

mw_finish
