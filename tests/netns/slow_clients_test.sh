#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Clients that hold connections must not lock wg(8) out of the UAPI socket or spin the daemon:
# 1. out of descriptors: meshward-wg under `prlimit --nofile=24` with 20 idle UAPI clients.
#    accept() fails with EMFILE while connections wait; the daemon must pause its listener (one
#    warning in the log) rather than spin, and serve `wg show` again once the clients go;
# 2. 64 idle UAPI clients renewed every 1.5 s (more than the 32 connections a server keeps):
#    every `wg show` meanwhile succeeds, since a new connection evicts the idlest and an idle
#    one lasts 2 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env
require_impl "$MW_WG"
command -v prlimit >/dev/null || skip "no prlimit"
command -v python3 >/dev/null || skip "no python3"

# idle_clients SOCKET COUNT RENEW SECONDS: COUNT connections to SOCKET that never send, all
# closed and opened again every RENEW seconds, for SECONDS in all (bounded).
idle_clients() {
  python3 - "$@" <<'EOF'
import socket, sys, time
path, count, renew, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
end = time.monotonic() + seconds
while time.monotonic() < end:
    held = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError:
            s.close()
            continue
        held.append(s)
    time.sleep(min(renew, max(0.0, end - time.monotonic())))
    for s in held:
        s.close()
EOF
}

# cpu_ticks PID: user + system time of PID so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

netns_create "$NS_A"
sock=$WG_RUN_DIR/$IF_A.sock

# --- 1. EMFILE
ip netns exec "$NS_A" env LOG_LEVEL=info prlimit --nofile=24:24 "$MW_WG" -f "$IF_A" \
  >>"$MW_TMP/$IF_A.log" 2>&1 &
pid=$!
MW_PIDS+=("$pid")
MW_DAEMON_PID[$IF_A]=$pid
wait_until 50 0.1 daemon_ready "$NS_A" "$IF_A" || die "meshward-wg under prlimit did not start"
idle_clients "$sock" 20 4 4 &
clients=$!
MW_PIDS+=("$clients")
sleep 0.5
before=$(cpu_ticks "$pid")
sleep 1.5
used=$(($(cpu_ticks "$pid") - before))
ticks=$(getconf CLK_TCK)
if ((used * 100 < ticks * 30)); then  # 20 % of 1.5 s
  pass "out of descriptors, 20 idle clients: the daemon used $used ticks of CPU in 1.5 s (< 20 %)"
else
  fail "out of descriptors, 20 idle clients: the daemon used $used ticks of CPU in 1.5 s (busy loop?)"
fi
warnings=$(grep -c "cannot accept connections" "$MW_TMP/$IF_A.log" || true)
check_eq "the accept failure is logged once" 1 "$warnings"
wait "$clients" || true
if wait_until 50 0.1 uapi_ready "$IF_A"; then
  pass "wg show works again once the idle clients are gone"
else
  fail "wg show does not work after the idle clients went"
fi
wg_stop "$IF_A"

# --- 2. idle clients renewed faster than the server's timeout
wg_start "$NS_A" "$IF_A" "$MW_WG"
idle_clients "$sock" 64 1.5 8 &
clients=$!
MW_PIDS+=("$clients")
sleep 0.5
ok=0
tries=30
for _ in $(seq $tries); do
  if timeout 5 wg show "$IF_A" public-key >/dev/null 2>&1; then ok=$((ok + 1)); fi
  sleep 0.2
done
wait "$clients" || true
check_eq "wg show beside 64 idle clients renewed every 1.5 s: successes of $tries" "$tries" "$ok"

mw_finish
