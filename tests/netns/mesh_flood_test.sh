#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The short CI version of bench/netns-mesh-flood: two mesh nodes, node 2 flooded with spoofed
# handshake initiations (valid mac1) at the tool's full rate for 12 s while node 1 pings node 2's
# mesh address every 20 ms. Mesh traffic must not wait behind handshake work: < 1 % of the
# pings lost, and neither node declares the other failed.
set -euo pipefail
source "$(dirname "$0")/mesh_lib.sh"
trap mw_cleanup EXIT
mesh_require
[[ -x ${MW_FLOOD:-} ]] || skip "needs MW_FLOOD (mw-handshake-flood)"
repo=$(cd "$(dirname "$0")/../.." && pwd)

out=$(MW_FLOOD=$MW_FLOOD MW_MESHWARD=$MW_MESHWARD bash "$repo/bench/netns-mesh-flood" --seconds 12 \
  2>&1) || { log "$out"; die "bench/netns-mesh-flood failed"; }
log "$(grep -E '^(mesh ping|flood:|at the end)' <<<"$out")"
loss=$(sed -n 's/.*loss \([0-9.]*\)%.*/\1/p' <<<"$out")
failed=$(sed -n 's/.*members declared failed during it: \([0-9]*\).*/\1/p' <<<"$out")
if [[ -n $loss ]] && awk -v l="$loss" 'BEGIN { exit !(l < 1) }'; then
  pass "mesh ping under the handshake flood: ${loss}% lost (< 1 %)"
else
  fail "mesh ping under the handshake flood: expected < 1 % lost, saw '${loss:-no figure}'"
fi
check_eq "members declared failed during the flood" 0 "${failed:-none}"
mw_finish
