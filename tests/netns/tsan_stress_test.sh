#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two meshward-wg built with ThreadSanitizer (crypto on worker threads) carry traffic both ways
# while peers are added and removed, allowed IPs replaced and one side's key changed (a new
# handshake); afterwards the tunnel still works, both daemons live, and TSan reported nothing.
# MW_WG must be the TSan build of meshward-wg (scripts/test passes build-tsan/bin/meshward-wg).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env iperf3
require_impl "$MW_WG"

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 log_path=$MW_TMP/tsan"
export MESHWARD_CRYPTO_WORKERS=${MESHWARD_CRYPTO_WORKERS:-2}

pair_setup "$MW_WG" "$MW_WG"
ms=$(wait_ping "$NS_A" "$INNER4_B" 10) || die "no tunnel after ${ms} ms"
pass "tunnel up under TSan (${ms} ms)"

# Traffic both ways for the whole churn: a bidirectional iperf3 and pings each way.
ip netns exec "$NS_B" iperf3 -s -1 >"$MW_TMP/iperf3-server.log" 2>&1 &
MW_PIDS+=($!)
iperf_listening() { [[ -n $(ip netns exec "$NS_B" ss -Hltn 'sport = :5201') ]]; }
wait_until 50 0.1 iperf_listening || die "iperf3 server did not start"
ip netns exec "$NS_A" timeout 40 iperf3 -c "$INNER4_B" -t 14 --bidir >"$MW_TMP/iperf3.log" 2>&1 &
iperf_pid=$!
MW_PIDS+=("$iperf_pid")
ip netns exec "$NS_A" timeout 30 ping -n -q -i 0.02 -w 14 "$INNER6_B" >/dev/null 2>&1 &
MW_PIDS+=($!)
ip netns exec "$NS_B" timeout 30 ping -n -q -i 0.02 -w 14 "$INNER4_A" >/dev/null 2>&1 &
MW_PIDS+=($!)

# Churn: 6 rounds, bounded (about 12 s).
for round in 1 2 3 4 5 6; do
  gen_key "x$round"
  extra=$(pub_of "x$round")
  peer_set "$NS_A" "$IF_A" "$extra" "10.0.9.$round/32" "$OUTER4_B:9"
  peer_set "$NS_B" "$IF_B" "$extra" "10.0.8.$round/32" ""
  sleep 0.5
  peer_remove "$NS_A" "$IF_A" "$extra"
  peer_remove "$NS_B" "$IF_B" "$extra"
  # Set the real peer's allowed IPs again (wg set replaces them: a rebuild of its routes).
  wgx "$NS_A" set "$IF_A" peer "$PUB_B" allowed-ips "$ALLOWED_OF_B"
  if ((round % 2 == 0)); then
    # A new key for A: B swaps its peer entry, and the next packet handshakes anew.
    old=$PUB_A
    gen_key a
    PUB_A=$(pub_of a)
    wgx "$NS_A" set "$IF_A" private-key "$(key_file a)"
    peer_remove "$NS_B" "$IF_B" "$old"
    peer_set "$NS_B" "$IF_B" "$PUB_A" "$ALLOWED_OF_A" "$ENDPOINT_A"
  fi
  sleep 1.5
done
wait "$iperf_pid" || log "iperf3 ended with an error (expected while keys changed): $(tail -n 2 "$MW_TMP/iperf3.log" | tr '\n' ' ')"

for ifname in "$IF_A" "$IF_B"; do
  pid_alive "${MW_DAEMON_PID[$ifname]}" || die "daemon of $ifname exited (TSan exit code 66 means a report)"
done
pass "both daemons survived 6 rounds of churn under traffic"
ms=$(wait_ping "$NS_A" "$INNER4_B" 10) || die "tunnel A->B dead after the churn"
ms=$(wait_ping "$NS_B" "$INNER6_A" 10) || die "tunnel B->A dead after the churn"
pass "the tunnel works both ways after the churn"
if compgen -G "$MW_TMP/tsan*" >/dev/null; then
  cat "$MW_TMP"/tsan* >&2
  fail "ThreadSanitizer reported a problem"
else
  pass "no ThreadSanitizer report"
fi
mw_finish
