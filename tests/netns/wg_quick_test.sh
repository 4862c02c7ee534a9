#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# wg-quick: a config file brought up with WG_QUICK_USERSPACE_IMPLEMENTATION set to the daemon
# under test carries pings to a peer, and `wg-quick down` leaves no interface, socket or process.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env wg-quick ss
require_impl "$MW_WG"
IMPL_A=${IMPL_A:-$MW_WG} # the one wg-quick starts
IMPL_B=${IMPL_B:-$REF_WG}
require_impl "$IMPL_B"
[[ -e /sys/module/wireguard ]] && skip "the wireguard kernel module is loaded: wg-quick would use it"

# The interface is named after the config file, which must match [a-zA-Z0-9_=+.-]{1,15}.
QIF=mwq$$
CONF=$MW_TMP/$QIF.conf

# daemon_pid: the PID of the process that listens on QIF's UAPI socket in NS_A.
daemon_pid() {
  ip netns exec "$NS_A" ss -Hxlp 2>/dev/null | awk -v s="$WG_RUN_DIR/$QIF.sock" '$5 == s' |
    sed -n 's/.*pid=\([0-9]\+\).*/\1/p' | head -n 1
}

log "wg-quick starts $IMPL_A in $NS_A; B: $IMPL_B"
netns_pair_create
gen_key a
gen_key b
PUB_A=$(pub_of a)
PUB_B=$(pub_of b)
wg_start "$NS_B" "$IF_B" "$IMPL_B"
wgx "$NS_B" set "$IF_B" private-key "$(key_file b)" listen-port "$PORT_B"
peer_set "$NS_B" "$IF_B" "$PUB_A" "$ALLOWED_OF_A" ""
wg_addr_up "$NS_B" "$IF_B" "$INNER4_B" "$INNER6_B"

(
  umask 077
  cat >"$CONF" <<CONF
[Interface]
Address = $INNER4_A/24, $INNER6_A/64
PrivateKey = $(cat "$(key_file a)")
ListenPort = $PORT_A

[Peer]
PublicKey = $PUB_B
AllowedIPs = $INNER4_B/32, $INNER6_B/128
Endpoint = $ENDPOINT_B
CONF
)

start=$(now_ms)
if ip netns exec "$NS_A" env WG_QUICK_USERSPACE_IMPLEMENTATION="$IMPL_A" \
  timeout 20 wg-quick up "$CONF" >"$MW_TMP/wg-quick-up.log" 2>&1; then
  pass "wg-quick up with $(basename "$IMPL_A") returned 0 after $(($(now_ms) - start)) ms"
else
  cat "$MW_TMP/wg-quick-up.log"
  die "wg-quick up: expected exit status 0, saw failure (output above)"
fi
pid=$(daemon_pid)
if [[ -n $pid ]]; then
  MW_PIDS+=("$pid") # started on our behalf: cleanup may stop it by this PID
  pass "the daemon listens on $WG_RUN_DIR/$QIF.sock (pid $pid)"
else
  fail "expected a process listening on $WG_RUN_DIR/$QIF.sock in $NS_A, found none"
fi
check_eq "MTU wg-quick chose (veth 1500 - 80)" 1420 "$(ip netns exec "$NS_A" cat "/sys/class/net/$QIF/mtu")"
check_eq "wg show $QIF listen-port" "$PORT_A" "$(wgx "$NS_A" show "$QIF" listen-port)"
expect_ping "$NS_A" "$INNER4_B" 5 "IPv4 ping A -> B over the wg-quick interface"
expect_ping "$NS_A" "$INNER6_B" 2 "IPv6 ping A -> B over the wg-quick interface"
expect_ping "$NS_B" "$INNER4_A" 2 "IPv4 ping B -> A (B learnt A's endpoint)"

if ip netns exec "$NS_A" timeout 20 wg-quick down "$CONF" >"$MW_TMP/wg-quick-down.log" 2>&1; then
  pass "wg-quick down returned 0"
else
  cat "$MW_TMP/wg-quick-down.log"
  fail "wg-quick down: expected exit status 0, saw failure (output above)"
fi
if wait_until 50 0.1 link_gone "$NS_A" "$QIF"; then
  pass "after down: interface $QIF is gone"
else
  fail "after down: expected interface $QIF gone within 5 s, it is still there"
fi
if wait_until 50 0.1 path_gone "$WG_RUN_DIR/$QIF.sock"; then
  pass "after down: socket $WG_RUN_DIR/$QIF.sock is gone"
else
  fail "after down: expected $WG_RUN_DIR/$QIF.sock removed within 5 s, it is still there"
fi
if [[ -n $pid ]]; then
  if wait_until 50 0.1 pid_gone "$pid"; then
    pass "after down: daemon pid $pid has exited"
  else
    fail "after down: expected daemon pid $pid to exit within 5 s, it is still running"
  fi
fi
mw_finish
