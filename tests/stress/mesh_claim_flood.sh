#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stress case (issue 13, item 1): mesh datagrams that claim a trusted but offline identity, from
# sources rotated over 32,768 /24s. Node 1 trusts nodes 2 and 3; node 3 never starts. An attacker
# namespace sends node 1 mesh pings that claim to be node 3 (a random MAC, so each is dropped),
# each from a new /24, as fast as mw-mesh-claim-flood goes, while node 1 pings node 2 over the
# mesh every 20 ms. Node 3's pair key must cost one X25519, not one per datagram: < 1 % of the
# pings lost, and no member declared failed. Prints the flood rate, the loss, node 1's CPU and
# memory, and its drop counters.
#
# Usage: tests/stress/mesh_claim_flood.sh [--seconds S]   (default 12; bench/stress runs 30)
set -euo pipefail
source "$(dirname "$0")/stress_lib.sh"
trap mw_cleanup EXIT
seconds=$(stress_seconds 12 "$@")
mesh_require
MW_CLAIM_FLOOD=${MW_CLAIM_FLOOD:-$MW_REPO/build/bin/mw-mesh-claim-flood}
[[ -x $MW_CLAIM_FLOOD ]] || skip "needs MW_CLAIM_FLOOD (mw-mesh-claim-flood)"
SPOOFED=10.128.0.0/9

mesh_net_create 4 # node 4's namespace is the attacker's (no daemon)
for i in 1 2 3; do mesh_node_init "$i"; done
mesh_trust_all 1 2
mesh_trust 1 3
mesh_up 1 --metrics 127.0.0.1:9474
mesh_up 2 --seed "$(mesh_seed 1)" --metrics 127.0.0.1:9474
mesh_wait_converged 30 1 2 >/dev/null || die "nodes 1 and 2 did not converge within 30 s"
ns1=$(mesh_ns 1)
ip -n "$ns1" route add "$SPOOFED" via "$(mesh_underlay4 4)"
mesh_ping 1 "$(mesh_addr4 2)" || die "no mesh ping from node 1 to node 2 before the flood"

pid=${MESH_PID[1]}
failed_before=$(($(mesh_metric_sum 1 meshward_members_failed_total) +
  $(mesh_metric_sum 2 meshward_members_failed_total)))
rss_before=$(proc_rss_kib "$pid")
cpu_before=$(proc_cpu_ticks "$pid")
ip netns exec "$(mesh_ns 4)" "$MW_CLAIM_FLOOD" --target "$(mesh_underlay4 1):$MESH_PORT" \
  --claim "${MESH_KEY[3]}" --target-id "${MESH_KEY[1]}" --seconds "$seconds" \
  --sources "$SPOOFED" >"$MW_TMP/flood.out" 2>"$MW_TMP/flood.log" &
flood=$!
MW_PIDS+=("$flood")
sleep 0.5
count=$(((seconds - 2) * 50))
ping_out=$(ip netns exec "$ns1" ping -q -c "$count" -i 0.02 -W 1 "$(mesh_addr4 2)" 2>&1 || true)
views="node 1 sees node 2 $(mesh_state_of 1 2), node 2 sees node 1 $(mesh_state_of 2 1)"
wait "$flood" 2>/dev/null || true
cpu_after=$(proc_cpu_ticks "$pid")
rss_after=$(proc_rss_kib "$pid")
failed=$(($(mesh_metric_sum 1 meshward_members_failed_total) +
  $(mesh_metric_sum 2 meshward_members_failed_total) - failed_before))
read -r loss avg max <<<"$(ping_summary "$ping_out")"
rate=$(sed -n 's/.*rate_pps=\([0-9]*\).*/\1/p' "$MW_TMP/flood.out")
drops=$(mesh_metric_samples 1 meshward_mesh_drops_total | grep -o 'reason="[a-z_]*"} [0-9]*' |
  sed 's/reason="\([a-z_]*\)"} /\1=/' | tr '\n' ' ')
log "flood: $(cat "$MW_TMP/flood.out" "$MW_TMP/flood.log")"
log "at the end: $views; node 1's mesh drops: ${drops:-none}"
stress_figures mesh_claim_flood "seconds=$seconds flood_pps=${rate:-?} ping_loss=${loss}%" \
  "ping_avg_ms=$avg ping_max_ms=$max cpu_attacked=$(cpu_percent "$cpu_before" "$cpu_after" "$seconds")%" \
  "rss_before_kib=$rss_before rss_after_kib=$rss_after members_failed=$failed"

check_flood_outcome "claim flood" "$rate" "$loss" "$failed"
mw_finish
