#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Failure detection and rejoin: five nodes converge; node 5 is killed with SIGKILL (no leave
# message); every other node marks it dead within the SWIM bounds and drops its WireGuard peer.
# Restarted from the same config dir, it rejoins with a fresh incarnation: alive everywhere, the
# same mesh addresses, and traffic both ways again.
set -euo pipefail
source "$(dirname "$0")/mesh_lib.sh"
trap mw_cleanup EXIT
mesh_require
N=5
ALL=(1 2 3 4 5)
REST=(1 2 3 4)
VICTIM=5

mesh_net_create "$N"
for i in "${ALL[@]}"; do mesh_node_init "$i"; done
mesh_trust_all
mesh_up 1
for i in 2 3 4 5; do mesh_up "$i" --seed "$(mesh_seed 1)"; done
expect_converged 30 "before the failure" "${ALL[@]}" || mw_finish
expect_mesh_pings 1 -- "$VICTIM"
incarnation_before=$(mesh_status_json "$VICTIM" | mesh_json 'j["incarnation"]')

# shellcheck disable=SC2317 # called through wait_until
rest_see_victim() { # STATE_REGEX: every other node reports the victim in a matching state
  local i
  for i in "${REST[@]}"; do [[ $(mesh_state_of "$i" "$VICTIM") =~ ^($1)$ ]] || return 1; done
}
# shellcheck disable=SC2317
victim_peer_gone() {
  local i
  for i in "${REST[@]}"; do
    if wgx "$(mesh_ns "$i")" show "$(mesh_if "$i")" peers | grep -qxF "${MESH_WGKEY[$VICTIM]}"; then
      return 1
    fi
  done
}

# 1. SIGKILL: detection with no help from the victim.
killed=$(now_ms)
mesh_kill "$VICTIM" KILL || die "node $VICTIM did not exit on SIGKILL"
if wait_until 150 0.1 rest_see_victim 'suspect|dead|absent'; then
  pass "every other node stopped calling node $VICTIM alive after $(($(now_ms) - killed)) ms"
else
  fail "expected every other node to mark node $VICTIM suspect or dead within 15 s"
  mesh_report_views "${REST[@]}"
fi
if wait_until 250 0.1 rest_see_victim 'dead|absent'; then
  detected=$(($(now_ms) - killed))
  pass "every other node marks node $VICTIM dead after $detected ms"
  log "failure detection time (SIGKILL to dead everywhere): $detected ms"
else
  fail "expected every other node to mark node $VICTIM dead within 25 s of the kill"
  mesh_report_views "${REST[@]}"
fi
if wait_until 50 0.1 victim_peer_gone; then
  pass "wg show on nodes ${REST[*]}: node $VICTIM's WireGuard peer is gone"
else
  fail "wg show: expected node $VICTIM's WireGuard key ${MESH_WGKEY[$VICTIM]} gone from every" \
    "other node's peers within 5 s of its death"
fi
survivors_fine=1
for i in "${REST[@]}"; do
  others=()
  for j in "${REST[@]}"; do ((i == j)) || others+=("$j"); done
  mesh_sees_alive "$i" "${others[@]}" || survivors_fine=0
done
if ((survivors_fine)); then
  pass "the survivors still see each other alive"
else
  fail "the survivors' view of each other changed"
  mesh_report_views "${REST[@]}"
fi
if ! mesh_ping 1 "${MESH_V4[$VICTIM]}" 1; then
  pass "node 1 no longer reaches node $VICTIM's mesh IPv4"
else
  fail "node 1 still reaches ${MESH_V4[$VICTIM]} after node $VICTIM was killed"
fi

# 2. Restart from the same config dir: the stale control socket, UAPI socket and a dead entry
# under an older incarnation must not keep it out.
restarted=$(now_ms)
mesh_up "$VICTIM" --seed "$(mesh_seed 1)"
if wait_until 250 0.1 rest_see_victim alive; then
  pass "node $VICTIM is alive again everywhere $(($(now_ms) - restarted)) ms after its restart"
else
  fail "expected node $VICTIM alive on every other node within 25 s of its restart"
  mesh_report_views "${REST[@]}"
fi
expect_converged 10 "after the rejoin" "${ALL[@]}" || true
seen=$(mesh_status_json "$VICTIM" | mesh_json '" ".join((j["ipv4"], j["ipv6"]))')
check_eq "node $VICTIM's mesh addresses after the restart" \
  "${MESH_V4[$VICTIM]} ${MESH_V6[$VICTIM]}" "$seen"
incarnation_after=$(mesh_status_json "$VICTIM" | mesh_json 'j["incarnation"]')
log "node $VICTIM's incarnation: $incarnation_before before, $incarnation_after after the restart"
expect_mesh_pings 1 2 "$VICTIM" -- 1 2 "$VICTIM"
mw_finish
