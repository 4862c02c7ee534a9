#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Key change: after `wg set A private-key <new>` and B's peer entry moved to A's new public key, a
# ping works at once (within 2 s) over a fresh handshake, whichever side sends first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env
require_impl "$MW_WG"
IMPL_A=${IMPL_A:-$MW_WG}
IMPL_B=${IMPL_B:-$MW_WG}

# change_key NAME: A takes the key NAME, B replaces its peer for A's old key with the new one.
change_key() {
  local old_pub=$PUB_A
  gen_key "$1"
  PUB_A=$(pub_of "$1")
  wgx "$NS_A" set "$IF_A" private-key "$(key_file "$1")"
  peer_remove "$NS_B" "$IF_B" "$old_pub"
  peer_set "$NS_B" "$IF_B" "$PUB_A" "$ALLOWED_OF_A" "$ENDPOINT_A"
  check_eq "after the change to key $1: wg show A public-key" "$PUB_A" \
    "$(wgx "$NS_A" show "$IF_A" public-key)"
}

# fresh_handshake WHAT BEFORE: A's latest handshake with B is newer than BEFORE, and B has one
# with A's new key.
fresh_handshake() {
  local after_a after_b
  after_a=$(handshake_time "$NS_A" "$IF_A" "$PUB_B")
  after_b=$(handshake_time "$NS_B" "$IF_B" "$PUB_A")
  if [[ $after_a -gt $2 && $after_b -gt 0 ]]; then
    pass "$1: fresh handshake (A: $2 -> $after_a, B with the new key: $after_b)"
  else
    fail "$1: expected A's latest handshake newer than $2 and B's non-zero, saw $after_a and" \
      "$after_b"
  fi
}

log "A: $IMPL_A; B: $IMPL_B"
pair_setup "$IMPL_A" "$IMPL_B"
expect_ping "$NS_A" "$INNER4_B" 5 "with the first key: IPv4 ping A -> B"
before=$(handshake_time "$NS_A" "$IF_A" "$PUB_B")
sleep 1.1 # handshake times have a resolution of one second

change_key a2
expect_ping "$NS_A" "$INNER4_B" 2 "key changed, A sends first: IPv4 ping A -> B"
fresh_handshake "key changed, A sends first" "$before"
expect_ping "$NS_B" "$INNER6_A" 2 "key changed: IPv6 ping B -> A"

before=$(handshake_time "$NS_A" "$IF_A" "$PUB_B")
sleep 1.1
change_key a3
expect_ping "$NS_B" "$INNER4_A" 2 "key changed again, B sends first: IPv4 ping B -> A"
fresh_handshake "key changed again, B sends first" "$before"
expect_ping "$NS_A" "$INNER6_B" 2 "key changed again: IPv6 ping A -> B"
mw_finish
