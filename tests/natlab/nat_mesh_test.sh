#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A mesh across NATs (docs/nat.md): a public seed, a STUN server, and nodes behind an
# endpoint-independent NAT with endpoint-independent filtering (eif), two with address-and-port-
# dependent filtering (apa, apb), two endpoint-dependent ("symmetric") NATs (sya, syb), and a
# double NAT (an APDF home router behind a carrier-grade NAT); h7 shares eif's LAN with h1.
# Checks:
#   - the lab's NATs behave as their kind (natlab_check) before anything relies on them;
#   - `netcheck --standalone` (no daemon) tells each NAT's filtering through the STUN server's
#     second address, and exits 1 when no server answers;
#   - every daemon's netcheck classifies its NAT's mapping and filtering and finds its public
#     address;
#   - the mesh converges from the one seed;
#   - pairs that can be punched get a direct path (both sides report it, and say it was
#     punched), and traffic flows over the tunnel between them; symmetric <-> symmetric and APDF <-> symmetric are reported
#     as indirect;
#   - a NAT that loses its mappings mid-transfer (conntrack flushed): traffic resumes in 10 s.
set -euo pipefail

# shellcheck source=tests/natlab/nat_lib.sh
source "$(dirname "$0")/nat_lib.sh"

trap natlab_cleanup EXIT
natlab_require stund ping
mesh_require

natlab_init
natlab_public stun 10.99.0.10
natlab_stun_start stun 10.99.0.10 3478
natlab_public seed 10.99.0.20
natlab_router eif eim-eif 10.99.1.1 10.201.0.0/24
natlab_router apa eim-apdf 10.99.1.2 10.202.0.0/24
natlab_router apb eim-apdf 10.99.1.3 10.203.0.0/24
natlab_router sya edm 10.99.1.4 10.204.0.0/24
natlab_router syb edm 10.99.1.5 10.205.0.0/24
natlab_router cgn cgn 10.99.1.6 100.64.1.0/24
natlab_router home eim-apdf 100.64.1.2 10.206.0.0/24 --upstream cgn
natlab_host h1 eif 10.201.0.2
natlab_host h2 apa 10.202.0.2
natlab_host h3 apb 10.203.0.2
natlab_host h4 sya 10.204.0.2
natlab_host h5 syb 10.205.0.2
natlab_host h6 home 10.206.0.2
natlab_host h7 eif 10.201.0.3

# The lab first: each router as its kind.
natlab_check_all eif:eim-eif apa:eim-apdf apb:eim-apdf sya:edm syb:edm home:eim-apdf ||
  die "the lab is broken; nothing of meshward was tested"

# netcheck without a daemon, from a host behind each kind of NAT: the filtering, told by the STUN
# server's other address and port (stund answers CHANGE-REQUEST from them).
declare -A want_standalone=([h1]=endpoint-independent [h2]=address-and-port-dependent
  [h4]=address-and-port-dependent [h6]=address-and-port-dependent)
for h in h1 h2 h4 h6; do
  got=$(ip netns exec "$(natlab_ns "$h")" "$MW_MESHWARD" netcheck --standalone --json \
    --stun 10.99.0.10:3478 --timeout 6 2>>"$MW_TMP/netcheck.err" |
    mesh_json "j['filtering_v4']" 2>/dev/null) || got="(no report)"
  check_eq "$h: standalone netcheck filtering" "${want_standalone[$h]}" "$got"
done
# A server that never answers: the report says so, and the exit code too.
rc=0
ip netns exec "$(natlab_ns h2)" "$MW_MESHWARD" netcheck --standalone --stun 10.99.0.99:3478 \
  --timeout 1 >"$MW_TMP/netcheck-none.out" 2>"$MW_TMP/netcheck-none.err" || rc=$?
check_eq "standalone netcheck, no server answered: exit code" 1 "$rc"
if grep -q "no STUN server answered within 1 s" "$MW_TMP/netcheck-none.err" &&
  grep -q "10.99.0.99:3478.*timeout" "$MW_TMP/netcheck-none.out"; then
  pass "standalone netcheck, no server answered: the report shows the timeout, stderr says why"
else
  fail "standalone netcheck, no server answered: got '$(cat "$MW_TMP/netcheck-none.out" "$MW_TMP/netcheck-none.err")'"
fi

# Node 1 is the seed; 2..7 sit behind the NATs.
nat_node 1 seed
nat_node 2 h1
nat_node 3 h2
nat_node 4 h3
nat_node 5 h4
nat_node 6 h5
nat_node 7 h6
nat_node 8 h7
mesh_trust_all
STUN=10.99.0.10:3478
mesh_up 1 --stun "$STUN"
for i in 2 3 4 5 6 7 8; do mesh_up "$i" --seed 10.99.0.20:51821 --stun "$STUN"; done
UP_MS=$(now_ms)

expect_converged 30 "membership across NATs" 1 2 3 4 5 6 7 8

# netcheck: each daemon's view of its NAT.
declare -A want_mapping=([1]=none [2]=endpoint-independent [3]=endpoint-independent
  [4]=endpoint-independent [5]=endpoint-dependent [6]=endpoint-dependent [7]=endpoint-independent)
# The seed has no NAT or firewall: anyone gets in.
declare -A want_filtering=([1]=endpoint-independent [2]=endpoint-independent
  [3]=address-and-port-dependent [4]=address-and-port-dependent [5]=address-and-port-dependent
  [6]=address-and-port-dependent [7]=address-and-port-dependent)
declare -A want_public=([1]=10.99.0.20 [2]=10.99.1.1 [3]=10.99.1.2 [4]=10.99.1.3 [5]=10.99.1.4
  [6]=10.99.1.5 [7]=10.99.1.6)
for i in 1 2 3 4 5 6 7; do
  check_eq "node $i (${NAT_NODE[$i]}): netcheck mapping" "${want_mapping[$i]}" \
    "$(nat_netcheck_wait "$i" mapping_v4 "${want_mapping[$i]}")"
  check_eq "node $i (${NAT_NODE[$i]}): netcheck filtering" "${want_filtering[$i]}" \
    "$(nat_netcheck_wait "$i" filtering_v4 "${want_filtering[$i]}")"
  if ((i > 1)); then
    reflexive=$(nat_netcheck_field "$i" reflexive_v4 | sed -n 1p)
    if [[ $reflexive == "${want_public[$i]}":* ]]; then
      pass "node $i: reflexive address $reflexive"
    else
      fail "node $i: expected a reflexive address on ${want_public[$i]}, got '$reflexive'"
    fi
  fi
done

# Paths: punched where both NATs allow it, indirect where no punch can work.
expect_path() {
  local want=$1 limit=$2 i=$3 j=$4 ms
  if ms=$(nat_wait_path "$limit" "$want" "$i" "$j"); then
    pass "${NAT_NODE[$i]} <-> ${NAT_NODE[$j]}: $want after $ms ms (both $(( ($(now_ms) - UP_MS) / 1000 )) s up)"
  else
    fail "${NAT_NODE[$i]} <-> ${NAT_NODE[$j]}: expected $want within $limit s; $i says $(nat_path_of "$i" "$j"), $j says $(nat_path_of "$j" "$i")"
  fi
}
expect_path direct 20 2 3 # eif <-> apdf
expect_path direct 20 2 5 # eif <-> symmetric
expect_path direct 20 3 4 # apdf <-> apdf
expect_path direct 20 3 7 # apdf <-> double NAT
expect_path direct 20 1 6 # public <-> symmetric
expect_path indirect 20 5 6 # symmetric <-> symmetric
expect_path indirect 5 3 5  # apdf <-> symmetric

# How status says each direct path goes: punched between two NATs; from the seed (no NAT) at
# the address the NAT shows; to the seed at its own, public address.
for pair in "2 3" "3 2" "3 4" "4 3" "3 7" "7 3"; do
  read -r i j <<<"$pair"
  check_eq "${NAT_NODE[$i]} -> ${NAT_NODE[$j]}: status says the path goes" punched \
    "$(nat_via_of "$i" "$j")"
done
check_eq "h5 -> seed: status says the path goes" public "$(nat_via_of 6 1)"
check_eq "seed -> h5: status says the path goes" reflexive "$(nat_via_of 1 6)"
check_eq "seed -> h1: status says the path goes" reflexive "$(nat_via_of 1 2)"
# h1 and h7 share the eif router's LAN: each other's own addresses, no NAT between them.
expect_path direct 20 2 8
check_eq "h1 -> h7: status says the path goes" lan "$(nat_via_of 2 8)"
check_eq "h7 -> h1: status says the path goes" lan "$(nat_via_of 8 2)"

# Traffic over the punched tunnels, to mesh IPv6 (derived IPv4 addresses may collide: then IPv4
# is not routed to either, by design).
for pair in "2 3" "3 4" "3 7" "2 5"; do
  read -r i j <<<"$pair"
  if mesh_ping "$i" "$(mesh_addr6 "$j")" 5; then
    pass "${NAT_NODE[$i]} -> ${NAT_NODE[$j]}: ping over the tunnel (mesh IPv6)"
  else
    fail "${NAT_NODE[$i]} -> ${NAT_NODE[$j]}: no ping over the tunnel"
  fi
done

# The apa NAT loses its mappings (a reboot) while h2 pings h3 every 0.2 s: traffic resumes.
nat_expect_flush_gap apa 3 4

mw_finish
