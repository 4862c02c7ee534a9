#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stress case (issue 13, item 5): slow clients against a mesh node's request servers. For the
# whole run, 40 idle TCP connections to its metrics port and 36 to its control socket are held,
# all closed and opened again every 4.5 s (the renewal that beat a 5 s header deadline), while a
# scrape of /metrics and a `meshward status` are tried in turn. A full server evicts its idlest
# connection rather than refusing the new one, and an idle one lasts 2 s: >= 99 % of scrapes and
# status calls must succeed. Prints both success rates and the daemon's CPU and memory.
#
# Usage: tests/stress/mesh_slow_clients.sh [--seconds S]   (default 12; bench/stress runs 30)
set -euo pipefail
source "$(dirname "$0")/stress_lib.sh"
trap mw_cleanup EXIT
seconds=$(stress_seconds 12 "$@")
mesh_require

mesh_net_create 1
mesh_node_init 1
mesh_up 1 --metrics 127.0.0.1:9474
pid=${MESH_PID[1]}
ns=$(mesh_ns 1)
sock=$(mesh_sock 1)
mesh_metrics 1 >/dev/null || die "no scrape before the load"

rss_before=$(proc_rss_kib "$pid")
cpu_before=$(proc_cpu_ticks "$pid")
# The idle clients: COUNT connections to the metrics port (inside the namespace) and to the
# control socket, renewed every RENEW seconds, for SECONDS in all (bounded).
ip netns exec "$ns" python3 - "$sock" 40 36 4.5 "$seconds" <<'PY' &
import socket, sys, time
path, tcp_count, unix_count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
renew, seconds = float(sys.argv[4]), float(sys.argv[5])
end = time.monotonic() + seconds
while time.monotonic() < end:
    held = []
    for family, address, count in ((socket.AF_INET, ("127.0.0.1", 9474), tcp_count),
                                   (socket.AF_UNIX, path, unix_count)):
        for _ in range(count):
            s = socket.socket(family, socket.SOCK_STREAM)
            try:
                s.connect(address)
            except OSError:
                s.close()
                continue
            held.append(s)
    time.sleep(min(renew, max(0.0, end - time.monotonic())))
    for s in held:
        s.close()
PY
clients=$!
MW_PIDS+=("$clients")
sleep 0.5
scrapes=0 scrapes_ok=0 calls=0 calls_ok=0
end=$(($(now_ms) + (seconds - 1) * 1000))
while (($(now_ms) < end)); do
  scrapes=$((scrapes + 1))
  mesh_metrics 1 >/dev/null 2>&1 && scrapes_ok=$((scrapes_ok + 1))
  calls=$((calls + 1))
  timeout 5 "$MW_MESHWARD" status --socket "$sock" >/dev/null 2>&1 && calls_ok=$((calls_ok + 1))
  sleep 0.1
done
wait "$clients" 2>/dev/null || true
cpu_after=$(proc_cpu_ticks "$pid")
rss_after=$(proc_rss_kib "$pid")
scrape_pct=$(awk -v a="$scrapes_ok" -v b="$scrapes" 'BEGIN { printf "%.1f", 100 * a / b }')
status_pct=$(awk -v a="$calls_ok" -v b="$calls" 'BEGIN { printf "%.1f", 100 * a / b }')
stress_figures mesh_slow_clients "seconds=$seconds idle_clients=76" \
  "scrapes_ok=${scrape_pct}% scrapes=$scrapes status_ok=${status_pct}% status_calls=$calls" \
  "cpu_attacked=$(cpu_percent "$cpu_before" "$cpu_after" "$seconds")%" \
  "rss_before_kib=$rss_before rss_after_kib=$rss_after"
if less_than "$scrape_pct" 99; then
  fail "scrapes beside 40 idle metrics clients: $scrapes_ok of $scrapes succeeded (< 99 %)"
else
  pass "scrapes beside 40 idle metrics clients: $scrapes_ok of $scrapes succeeded"
fi
if less_than "$status_pct" 99; then
  fail "status beside 36 idle control clients: $calls_ok of $calls succeeded (< 99 %)"
else
  pass "status beside 36 idle control clients: $calls_ok of $calls succeeded"
fi
mw_finish
