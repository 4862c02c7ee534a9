#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stress case (issue 13, item 2): a mesh node under a handshake flood. Nodes 1 and 2 converge;
# mw-handshake-flood sends node 2 initiations with a valid mac1 (for its WireGuard key) from 256
# spoofed sources, as fast as it goes, to the one port that carries WireGuard and the mesh
# protocol, while node 1 pings node 2's mesh address every 20 ms. Halfway through, node 3 starts,
# joins through node 1 and must reach node 2 over a fresh tunnel: a legitimate handshake under
# the flood (answered with a cookie, then with mac2) within 2 s. Mesh traffic must not wait
# behind handshake work: < 1 % of the pings lost, no member declared failed.
#
# Usage: tests/stress/mesh_handshake_flood.sh [--seconds S]   (default 12; bench/stress runs 30)
set -euo pipefail
source "$(dirname "$0")/stress_lib.sh"
trap mw_cleanup EXIT
seconds=$(stress_seconds 12 "$@")
mesh_require
MW_FLOOD=${MW_FLOOD:-$MW_REPO/build/bin/mw-handshake-flood}
[[ -x $MW_FLOOD ]] || skip "needs MW_FLOOD (mw-handshake-flood)"
SPOOFED=10.77.128.0/17

mesh_net_create 4 # node 4's namespace is the attacker's (no daemon)
for i in 1 2 3; do mesh_node_init "$i"; done
mesh_trust_all 1 2 3
mesh_up 1 --metrics 127.0.0.1:9474
mesh_up 2 --seed "$(mesh_seed 1)" --metrics 127.0.0.1:9474
mesh_wait_converged 30 1 2 >/dev/null || die "nodes 1 and 2 did not converge within 30 s"
ns1=$(mesh_ns 1)
ns4=$(mesh_ns 4)
ip -n "$ns4" route add local "$SPOOFED" dev lo
ip -n "$(mesh_ns 2)" route add "$SPOOFED" via "$(mesh_underlay4 4)"
mesh_ping 1 "$(mesh_addr4 2)" || die "no mesh ping from node 1 to node 2 before the flood"

pid=${MESH_PID[2]}
failed_before=$(($(mesh_metric_sum 1 meshward_members_failed_total) +
  $(mesh_metric_sum 2 meshward_members_failed_total)))
rss_before=$(proc_rss_kib "$pid")
cpu_before=$(proc_cpu_ticks "$pid")
ip netns exec "$ns4" "$MW_FLOOD" --target "$(mesh_underlay4 2):$MESH_PORT" \
  --public-key "${MESH_WGKEY[2]}" --seconds "$seconds" --sources "$SPOOFED" --sockets 256 \
  >"$MW_TMP/flood.out" 2>"$MW_TMP/flood.log" &
flood=$!
MW_PIDS+=("$flood")
sleep 0.5
count=$(((seconds - 2) * 50))
ip netns exec "$ns1" ping -q -c "$count" -i 0.02 -W 1 "$(mesh_addr4 2)" >"$MW_TMP/ping.out" 2>&1 &
pinger=$!
MW_PIDS+=("$pinger")

# The newcomer, halfway through: it joins, sees node 2 alive, then pings it over a new tunnel.
sleep $((seconds / 2 - 3))
mesh_up 3 --seed "$(mesh_seed 1)"
joined=no
wait_until 40 0.1 mesh_sees_alive 3 2 && joined=yes
handshake=none
if [[ $joined == yes ]]; then
  t0=$(now_ms)
  if ip netns exec "$(mesh_ns 3)" ping -n -q -c 1 -W 2 "$(mesh_addr4 2)" >/dev/null 2>&1; then
    handshake=$(($(now_ms) - t0))
  fi
fi
wait "$pinger" 2>/dev/null || true
views="node 1 sees node 2 $(mesh_state_of 1 2), node 2 sees node 1 $(mesh_state_of 2 1)"
wait "$flood" 2>/dev/null || true
cpu_after=$(proc_cpu_ticks "$pid")
rss_after=$(proc_rss_kib "$pid")
failed=$(($(mesh_metric_sum 1 meshward_members_failed_total) +
  $(mesh_metric_sum 2 meshward_members_failed_total) - failed_before))
read -r loss avg max <<<"$(ping_summary "$(cat "$MW_TMP/ping.out")")"
rate=$(sed -n 's/.*rate_pps=\([0-9]*\).*/\1/p' "$MW_TMP/flood.out")
log "flood: $(cat "$MW_TMP/flood.out" "$MW_TMP/flood.log")"
log "at the end: $views; node 3 saw node 2 alive: $joined"
stress_figures mesh_handshake_flood "seconds=$seconds flood_pps=${rate:-?} ping_loss=${loss}%" \
  "ping_avg_ms=$avg ping_max_ms=$max newcomer_ping_ms=$handshake" \
  "cpu_attacked=$(cpu_percent "$cpu_before" "$cpu_after" "$seconds")%" \
  "rss_before_kib=$rss_before rss_after_kib=$rss_after members_failed=$failed"

check_flood_outcome "handshake flood" "$rate" "$loss" "$failed"
if [[ $handshake != none ]]; then
  pass "a node that joined during the flood reached node 2 over a new tunnel in ${handshake} ms (< 2 s)"
else
  fail "a node that joined during the flood: saw node 2 alive: $joined; its first ping (2 s) got no answer"
fi
mw_finish
