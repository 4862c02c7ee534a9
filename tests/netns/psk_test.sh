#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Preshared keys: with matching keys the tunnel works; with mismatched keys no packet ever passes,
# no handshake completes and no transport data is counted, until the keys match again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env
require_impl "$MW_WG"
IMPL_A=${IMPL_A:-$MW_WG}
IMPL_B=${IMPL_B:-$MW_WG}

gen_psk shared
gen_psk other
log "A: $IMPL_A; B: $IMPL_B"
pair_setup "$IMPL_A" "$IMPL_B" "$(psk_file shared)" "$(psk_file shared)"
if [[ $(wgx "$NS_A" show "$IF_A" preshared-keys | awk '{print $2}') == "$(cat "$(psk_file shared)")" ]]; then
  pass "wg show preshared-keys reports the key that was set"
else
  fail "wg show preshared-keys: expected the key that was set, saw" \
    "$(wgx "$NS_A" show "$IF_A" preshared-keys | awk '{print $2}')"
fi
expect_ping "$NS_A" "$INNER4_B" 5 "matching preshared key: IPv4 ping A -> B"
expect_ping "$NS_B" "$INNER6_A" 2 "matching preshared key: IPv6 ping B -> A"

# Mismatch: fresh peers on both sides (no session survives), A with one key, B with another.
pair_reset_peers "$(psk_file shared)" "$(psk_file other)"
tun_rx_a=$(if_stat "$NS_A" "$IF_A" rx_packets)
tun_rx_b=$(if_stat "$NS_B" "$IF_B" rx_packets)
got_ab=$(ping_count "$NS_A" "$INNER4_B" 4 56 3)
got_ba=$(ping_count "$NS_B" "$INNER4_A" 4 56 3)
check_eq "mismatched preshared key: replies to 4 pings A -> B over 3 s" 0 "${got_ab:-0}"
check_eq "mismatched preshared key: replies to 4 pings B -> A over 3 s" 0 "${got_ba:-0}"
check_eq "mismatched preshared key: latest handshake on A" 0 "$(handshake_time "$NS_A" "$IF_A" "$PUB_B")"
check_eq "mismatched preshared key: latest handshake on B" 0 "$(handshake_time "$NS_B" "$IF_B" "$PUB_A")"
check_eq "mismatched preshared key: packets A's interface received from the tunnel" 0 \
  $(($(if_stat "$NS_A" "$IF_A" rx_packets) - tun_rx_a))
check_eq "mismatched preshared key: packets B's interface received from the tunnel" 0 \
  $(($(if_stat "$NS_B" "$IF_B" rx_packets) - tun_rx_b))
# Each side receives only the other's initiations (148 B each; the responses it gets back fail
# to decrypt and are not counted); no transport message is ever accepted.
for side in A B; do
  if [[ $side == A ]]; then rx=$(rx_bytes "$NS_A" "$IF_A" "$PUB_B"); else rx=$(rx_bytes "$NS_B" "$IF_B" "$PUB_A"); fi
  if ((rx % 148 == 0)); then
    pass "mismatched preshared key: $side rx is $rx B = $((rx / 148)) initiations, no transport data"
  else
    fail "mismatched preshared key: expected $side rx to be whole 148 B initiations, saw $rx B"
  fi
done

# Matching keys again: fresh peers, the tunnel comes back at once.
pair_reset_peers "$(psk_file other)" "$(psk_file other)"
expect_ping "$NS_A" "$INNER4_B" 5 "preshared keys matching again: IPv4 ping A -> B"
mw_finish
