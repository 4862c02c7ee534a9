#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Transfer counters: `wg show <if> transfer` on both sides equals, to the byte, the WireGuard wire
# sizes of the handshake and of N pings of known sizes (in the spirit of the kernel's netns.sh).
#
# The formula, checked against wireguard-go on both sides (the reference):
#   initiation 148 B, response 92 B, keepalive 32 B, each counted in the peer's rx/tx;
#   a transport message of an IP packet of L bytes is 16 (header) + P + 16 (tag), where
#   P = min(roundup(L, 16), MTU) is the padded plaintext; cookie replies are not counted.
# An IPv4 ping of payload S is L = 28 + S; IPv6 is L = 48 + S. N pings from A add N messages to
# A's tx and B's rx and N replies to B's tx and A's rx. Persistent keepalive is off and every
# phase finishes well within the 10 s passive-keepalive window, so no keepalive is sent unseen.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env
require_impl "$MW_WG"
IMPL_A=${IMPL_A:-$MW_WG}
IMPL_B=${IMPL_B:-$MW_WG}

# message_len L: wire length of the transport message carrying an IP packet of L bytes.
message_len() {
  local padded=$((($1 + 15) / 16 * 16))
  ((padded > MTU)) && padded=$MTU
  echo $((16 + padded + 16))
}

# snapshot: the four counters as "a_rx a_tx b_rx b_tx".
snapshot() {
  echo "$(rx_bytes "$NS_A" "$IF_A" "$PUB_B") $(tx_bytes "$NS_A" "$IF_A" "$PUB_B")" \
    "$(rx_bytes "$NS_B" "$IF_B" "$PUB_A") $(tx_bytes "$NS_B" "$IF_B" "$PUB_A")"
}

# check_delta WHAT BEFORE AFTER A_RX A_TX B_RX B_TX: the counters moved by exactly these.
check_delta() {
  local what=$1 before after want=("$4" "$5" "$6" "$7") names=("A rx" "A tx" "B rx" "B tx")
  local i seen=() ok=1
  read -r -a before <<<"$2"
  read -r -a after <<<"$3"
  for i in 0 1 2 3; do
    seen[i]=$((after[i] - before[i]))
    [[ ${seen[i]} == "${want[i]}" ]] || ok=0
  done
  if ((ok)); then
    pass "$what: A rx/tx +${seen[0]}/+${seen[1]}, B rx/tx +${seen[2]}/+${seen[3]}"
  else
    local detail=""
    for i in 0 1 2 3; do detail+=" ${names[i]} expected +${want[i]} saw +${seen[i]};"; done
    fail "$what:$detail"
  fi
}

# ping_phase FAMILY_DST COUNT SIZE HDR WHAT: COUNT pings of SIZE from A; all must be answered.
ping_phase() {
  local dst=$1 count=$2 size=$3 hdr=$4 what=$5 before after got m
  before=$(snapshot)
  got=$(ping_count "$NS_A" "$dst" "$count" "$size")
  if [[ $got != "$count" ]]; then
    fail "$what: expected $count replies, saw $got (counters not comparable)"
    return
  fi
  after=$(snapshot)
  m=$(message_len $((hdr + size)))
  check_delta "$what ($count x $m B each way)" "$before" "$after" \
    $((count * m)) $((count * m)) $((count * m)) $((count * m))
}

log "A: $IMPL_A; B: $IMPL_B"
pair_setup "$IMPL_A" "$IMPL_B"
zero=$(snapshot)
check_eq "counters of a fresh peer (A rx tx, B rx tx)" "0 0 0 0" "$zero"

# The handshake alone: turning persistent keepalive on sends one keepalive at once, which makes A
# initiate; the staged keepalive follows the response. Then turn it off again before it fires.
wgx "$NS_A" set "$IF_A" peer "$PUB_B" persistent-keepalive 25
# shellcheck disable=SC2317 # called through wait_until
b_has_handshake() { [[ $(handshake_time "$NS_B" "$IF_B" "$PUB_A") != 0 ]]; }
if ! wait_until 50 0.1 b_has_handshake; then
  fail "handshake from a persistent keepalive: expected B to report a handshake within 5 s," \
    "saw latest-handshake $(handshake_time "$NS_B" "$IF_B" "$PUB_A")"
fi
wgx "$NS_A" set "$IF_A" peer "$PUB_B" persistent-keepalive off
sleep 0.3
after=$(snapshot)
check_delta "handshake + one keepalive (148 + 32 from A, 92 from B)" "$zero" "$after" \
  92 $((148 + 32)) $((148 + 32)) 92

ping_phase "$INNER4_B" 5 56 28 "5 IPv4 pings of 56 B (84 B packets)"
ping_phase "$INNER6_B" 5 56 48 "5 IPv6 pings of 56 B (104 B packets)"
ping_phase "$INNER4_B" 4 1 28 "4 IPv4 pings of 1 B (29 B packets)"
ping_phase "$INNER4_B" 3 1390 28 "3 IPv4 pings of 1390 B (1418 B packets, padding capped at MTU)"
ping_phase "$INNER6_B" 3 1372 48 "3 IPv6 pings of 1372 B (1420 B packets, exactly the MTU)"
mw_finish
