#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Roaming: when B's outer address or port changes (NAT rebinding, a new listen port, a switch to
# IPv6, a moved address) and B sends from the new one, A learns the new endpoint from the
# authenticated packet (wg show endpoints) and traffic resumes both ways.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env nft
require_impl "$MW_WG"
IMPL_A=${IMPL_A:-$MW_WG}
IMPL_B=${IMPL_B:-$MW_WG}

# shellcheck disable=SC2317 # called through wait_until
a_endpoint_is() { [[ $(endpoint_of "$NS_A" "$IF_A" "$PUB_B") == "$1" ]]; }
# expect_endpoint WHAT WANT: A's endpoint for B becomes WANT within 2 s.
expect_endpoint() {
  local seen
  if wait_until 20 0.1 a_endpoint_is "$2"; then
    pass "$1: A's endpoint for B is now $2"
  else
    seen=$(endpoint_of "$NS_A" "$IF_A" "$PUB_B")
    fail "$1: expected A's endpoint for B to become $2, saw $seen"
  fi
}

log "A: $IMPL_A; B: $IMPL_B"
pair_setup "$IMPL_A" "$IMPL_B"
expect_ping "$NS_A" "$INNER4_B" 5 "before roaming: IPv4 ping A -> B"
check_eq "before roaming: A's endpoint for B" "$OUTER4_B:$PORT_B" "$(endpoint_of "$NS_A" "$IF_A" "$PUB_B")"

# 1. NAT rebinding: a source NAT in B's namespace now maps B's packets to 10.77.0.3:52000. B's
# namespace had no conntrack user before, so the existing flow gets the new mapping at once.
ip -n "$NS_B" addr add 10.77.0.3/24 dev "$VETH" # so that B answers ARP for the mapped address
ip netns exec "$NS_B" nft -f - <<NFT
table ip mwroam {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "$VETH" udp sport $PORT_B snat to 10.77.0.3:52000
  }
}
NFT
expect_ping "$NS_B" "$INNER4_A" 3 "NAT rebinding to 10.77.0.3:52000: IPv4 ping B -> A"
expect_endpoint "NAT rebinding" "10.77.0.3:52000"
expect_ping "$NS_A" "$INNER6_B" 2 "NAT rebinding: IPv6 ping A -> B (through the new mapping)"
ip netns exec "$NS_B" nft delete table ip mwroam

# 2. B's listen port changes (a new flow, which the NAT rule above never matched).
wgx "$NS_B" set "$IF_B" listen-port 51999
expect_ping "$NS_B" "$INNER4_A" 3 "B moved to port 51999: IPv4 ping B -> A"
expect_endpoint "B moved to port 51999" "$OUTER4_B:51999"
expect_ping "$NS_A" "$INNER4_B" 2 "B moved to port 51999: IPv4 ping A -> B"

# 3. B switches the outer family: it sends to A's IPv6 address, so A must answer over IPv6.
wgx "$NS_B" set "$IF_B" peer "$PUB_A" endpoint "[$OUTER6_A]:$PORT_A"
expect_ping "$NS_B" "$INNER6_A" 3 "B moved to outer IPv6: IPv6 ping B -> A"
expect_endpoint "B moved to outer IPv6" "[$OUTER6_B]:51999"
expect_ping "$NS_A" "$INNER4_B" 2 "B moved to outer IPv6: IPv4 ping A -> B"

# 4. B's address moves: 10.77.0.2 (and .3) vanish, 10.77.0.4 appears. B must stop using the
# source address it last answered from once that address is gone, as the kernel does
# (socket.c: a cached source that is no longer local is cleared). wireguard-go retries without
# its cached source only on EINVAL, while kernel 6.x answers ENETUNREACH, so it stays stuck.
wgx "$NS_B" set "$IF_B" peer "$PUB_A" endpoint "$OUTER4_A:$PORT_A"
expect_ping "$NS_B" "$INNER4_A" 3 "B back on outer IPv4: IPv4 ping B -> A"
expect_endpoint "B back on outer IPv4" "$OUTER4_B:51999"
if [[ $(basename "$IMPL_B") == wireguard-go ]]; then
  log "note: step 4 (a moved address) skipped: wireguard-go as B keeps its stale sticky source"
else
  expect_ping "$NS_A" "$INNER4_B" 2 "B back on outer IPv4: IPv4 ping A -> B (B caches its source)"
  ip -n "$NS_B" -4 addr flush dev "$VETH"
  ip -n "$NS_B" addr add 10.77.0.4/24 dev "$VETH"
  expect_ping "$NS_B" "$INNER4_A" 3 "B moved to 10.77.0.4 (old address gone): IPv4 ping B -> A"
  expect_endpoint "B moved to 10.77.0.4" "10.77.0.4:51999"
  expect_ping "$NS_A" "$INNER6_B" 2 "B moved to 10.77.0.4: IPv6 ping A -> B"
fi
mw_finish
