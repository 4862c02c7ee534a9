#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Port mapping across the NAT lab: a public seed, a STUN server, a `upnp` router (address-and-
# port-dependent filtering, with miniupnpd serving UPnP-IGD, NAT-PMP and PCP on its LAN) with
# three hosts, and an endpoint-dependent ("symmetric") router with one. Checks:
#   - the lab's routers behave as their kind (natlab_check) before anything relies on them;
#   - the upnp hosts map their port: one (--port-mapping auto) by UPnP-IGD, one
#     (--port-mapping natpmp) by NAT-PMP, one (--port-mapping pcp) by PCP; netcheck shows each
#     verified against STUN, miniupnpd lists them, and the mapped endpoints are announced;
#   - the symmetric host gets a direct path to each upnp host (without a mapping the APDF
#     router would filter it: nat_mesh_test.sh proves apdf <-> symmetric is indirect), status
#     says it goes through the mapping, and a ping over the tunnel works;
#   - after a daemon stops (SIGTERM), its mapping is gone from miniupnpd.
set -euo pipefail

# shellcheck source=tests/natlab/nat_lib.sh
source "$(dirname "$0")/nat_lib.sh"

trap natlab_cleanup EXIT
natlab_require stund ping miniupnpd upnpc
mesh_require

natlab_init
natlab_public stun 10.99.0.10
natlab_stun_start stun 10.99.0.10 3478
natlab_public seed 10.99.0.20
natlab_router igd upnp 10.99.1.6 10.206.0.0/24
natlab_router sym edm 10.99.1.4 10.204.0.0/24
natlab_host h1 igd 10.206.0.2
natlab_host h3 igd 10.206.0.3
natlab_host h5 igd 10.206.0.4
natlab_host h2 sym 10.204.0.2

natlab_check_all igd:upnp sym:edm || die "the lab is broken; nothing of meshward was tested"

IGD_URL=http://10.206.0.1:2189/rootDesc.xml # upnpc skips the 2 s discovery
# The UDP mappings miniupnpd holds, one "external->internal 'description'" per line.
igd_mappings() {
  natlab_exec h1 upnpc -i -u "$IGD_URL" -l 2>/dev/null |
    sed -n "s/^ *[0-9]* UDP *\([0-9]*->[0-9.:]*\) *'\([^']*\)'.*/\1 '\2'/p" || true
}

# Node 1 is the seed; 2 (UPnP), 3 (NAT-PMP) and 5 (PCP) sit behind igd, 4 behind the symmetric
# NAT.
nat_node 1 seed
nat_node 2 h1
nat_node 3 h3
nat_node 4 h2
nat_node 5 h5
mesh_trust_all
STUN=10.99.0.10:3478
mesh_up 1 --stun "$STUN" --port-mapping off
pm_field() { nat_netcheck_field "$1" "port_mapping']['$2"; }
pm_verified() { [[ $(pm_field "$1" verified) == true ]]; }
# Node 3 starts once node 2 holds port 51821 on the router: its NAT-PMP request for the same
# port then gets another one (the taken-port path), and the test does not depend on who wins.
mesh_up 2 --seed 10.99.0.20:51821 --stun "$STUN"
wait_until 100 0.2 pm_verified 2 || true
mesh_up 3 --seed 10.99.0.20:51821 --stun "$STUN" --port-mapping natpmp
wait_until 100 0.2 pm_verified 3 || true
mesh_up 5 --seed 10.99.0.20:51821 --stun "$STUN" --port-mapping pcp
mesh_up 4 --seed 10.99.0.20:51821 --stun "$STUN"
UP_MS=$(now_ms)

expect_converged 30 "membership" 1 2 3 4 5

# netcheck: each upnp host's mapping, verified against what STUN sees.
declare -A want_protocol=([2]=upnp [3]=natpmp [5]=pcp)
declare -A external=()
for i in 2 3 5; do
  wait_until 100 0.2 pm_verified "$i" || true
  check_eq "node $i (${NAT_NODE[$i]}): port mapping protocol" "${want_protocol[$i]}" \
    "$(pm_field "$i" protocol)"
  check_eq "node $i: port mapping verified" true "$(pm_field "$i" verified)"
  external[$i]=$(pm_field "$i" external)
  if [[ ${external[$i]} == 10.99.1.6:* ]]; then
    lease=$(pm_field "$i" lease_s)
    pass "node $i: mapped ${external[$i]} (gateway $(pm_field "$i" gateway), lease ${lease%.*} s left)"
  else
    fail "node $i: expected a mapping on 10.99.1.6, got '${external[$i]}'"
  fi
done
# Node 4's router has no gateway service: its attempt fails (each protocol within ~2 s).
pm_failed() { [[ $(pm_field "$1" status) == failed ]]; }
wait_until 100 0.1 pm_failed 4 || true
check_eq "node 4 (symmetric, no gateway): port mapping status" failed "$(pm_field 4 status)"
check_eq "node 2: the UPnP mapping keeps the port" "10.99.1.6:$MESH_PORT" "${external[2]}"

# miniupnpd holds both; the daemons announce them.
mappings=$(igd_mappings)
if grep -q "^${external[2]#*:}->10.206.0.2:$MESH_PORT 'meshward'$" <<<"$mappings"; then
  pass "miniupnpd lists the UPnP mapping ${external[2]#*:}->10.206.0.2:$MESH_PORT 'meshward'"
else
  fail "miniupnpd does not list node 2's UPnP mapping: $(tr '\n' ';' <<<"$mappings")"
fi
if grep -q "^${external[3]#*:}->10.206.0.3:$MESH_PORT " <<<"$mappings"; then
  pass "miniupnpd lists the NAT-PMP mapping ${external[3]#*:}->10.206.0.3:$MESH_PORT"
else
  fail "miniupnpd does not list node 3's NAT-PMP mapping: $(tr '\n' ';' <<<"$mappings")"
fi
if grep -q "^${external[5]#*:}->10.206.0.4:$MESH_PORT " <<<"$mappings"; then
  pass "miniupnpd lists the PCP mapping ${external[5]#*:}->10.206.0.4:$MESH_PORT"
else
  fail "miniupnpd does not list node 5's PCP mapping: $(tr '\n' ';' <<<"$mappings")"
fi
for i in 2 3 5; do
  if wait_until 150 0.2 grep -q "announcing ${external[$i]}" "$(mesh_log "$i")"; then
    pass "node $i announces ${external[$i]} first"
  else
    fail "node $i never announced ${external[$i]} first: $(grep announcing "$(mesh_log "$i")" | tail -1)"
  fi
done

# The symmetric host reaches each directly through the mapped ports.
for j in 2 3 5; do
  if ms=$(nat_wait_path 30 direct 4 "$j"); then
    pass "sym <-> ${NAT_NODE[$j]}: direct after $ms ms (both $((($(now_ms) - UP_MS) / 1000)) s up)"
  else
    fail "sym <-> ${NAT_NODE[$j]}: expected direct within 30 s; 4 says $(nat_path_of 4 "$j"), $j says $(nat_path_of "$j" 4)"
  fi
  check_eq "sym -> ${NAT_NODE[$j]}: status says the path goes" mapped "$(nat_via_of 4 "$j")"
  seen=$(mesh_status_json 4 | mesh_json "next(m['endpoint'] for m in j['members']
    if m['identity'] == '${MESH_KEY[$j]}')" 2>/dev/null || true)
  check_eq "sym's endpoint of node $j: the mapped one" "${external[$j]}" "$seen"
  if mesh_ping 4 "$(mesh_addr6 "$j")" 5; then
    pass "sym -> ${NAT_NODE[$j]}: ping over the tunnel (mesh IPv6)"
  else
    fail "sym -> ${NAT_NODE[$j]}: no ping over the tunnel"
  fi
done

# The mappings go when the daemons stop.
for i in 2 3 5; do
  mesh_kill "$i" TERM || fail "node $i did not stop on SIGTERM within 5 s"
done
mappings=$(igd_mappings)
for i in 2 3 5; do
  if grep -q "^${external[$i]#*:}->" <<<"$mappings"; then
    fail "node $i stopped but miniupnpd still maps ${external[$i]}: $(tr '\n' ';' <<<"$mappings")"
  else
    pass "node $i stopped: miniupnpd no longer maps ${external[$i]}"
  fi
done
grep -q "port mapping .* deleted" "$(mesh_log 2)" && pass "node 2 logged the deletion" ||
  fail "node 2 did not log the deletion"

mw_finish
