#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stress case (issue 13, item 8): clients that fill the UAPI server's buffers. 32 clients each
# write 15.6 MB of a request that never ends (no blank line) to meshward-wg's UAPI socket and
# hold it; before the fix this pushed the daemon to 545 MB. Each request is capped at 16 MiB and
# all buffered requests together at 64 MiB, so the daemon's peak RSS must stay below its start
# plus 64 MiB and a margin (96 MiB in all), and `wg show` must work meanwhile. Prints the bytes
# the clients got in, the peak RSS and the CPU.
#
# Usage: tests/stress/uapi_memory.sh [--seconds S]   (default 10: how long the clients hold)
set -euo pipefail
source "$(dirname "$0")/stress_lib.sh"
trap mw_cleanup EXIT
seconds=$(stress_seconds 10 "$@")
require_env python3
require_impl "$MW_WG"

netns_create "$NS_A"
wg_start "$NS_A" "$IF_A" "$MW_WG"
pid=${MW_DAEMON_PID[$IF_A]}
sock=$WG_RUN_DIR/$IF_A.sock

rss_before=$(proc_rss_kib "$pid")
cpu_before=$(proc_cpu_ticks "$pid")
python3 - "$sock" 32 15600000 "$seconds" >"$MW_TMP/clients.out" 2>&1 <<'PY' &
import socket, sys, time
path, count, size, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
line = b"public_key=" + b"A" * 43 + b"=\n"  # a request that never reaches its blank line
chunk = b"set=1\n" + line * (65536 // len(line))
held, sent_total, refused = [], 0, 0
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2.0)
    try:
        s.connect(path)
    except OSError:
        refused += 1
        continue
    sent = 0
    try:
        while sent < size:
            sent += s.send(chunk[: min(len(chunk), size - sent)])
            chunk = line * (65536 // len(line))
    except OSError:
        pass  # closed by the server (over a cap) or it stopped reading
    sent_total += sent
    held.append(s)
    chunk = b"set=1\n" + line * (65536 // len(line))
print(f"clients={len(held)} refused={refused} bytes_written={sent_total}", flush=True)
time.sleep(hold)
for s in held:
    s.close()
PY
clients=$!
MW_PIDS+=("$clients")
# While the clients hold their buffers: wg(8) still gets an answer.
shows=0 shows_ok=0
end=$(($(now_ms) + seconds * 1000))
while (($(now_ms) < end)) && pid_alive "$clients"; do
  shows=$((shows + 1))
  timeout 5 wg show "$IF_A" >/dev/null 2>&1 && shows_ok=$((shows_ok + 1))
  sleep 0.5
done
wait "$clients" 2>/dev/null || true
peak=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
cpu_after=$(proc_cpu_ticks "$pid")
rss_after=$(proc_rss_kib "$pid")
written=$(sed -n 's/.*bytes_written=\([0-9]*\).*/\1/p' "$MW_TMP/clients.out")
log "clients: $(cat "$MW_TMP/clients.out")"
stress_figures uapi_memory "seconds=$seconds clients=32 bytes_written=${written:-?}" \
  "rss_before_kib=$rss_before rss_peak_kib=$peak rss_after_kib=$rss_after" \
  "wg_show_ok=$shows_ok/$shows cpu_attacked=$(cpu_percent "$cpu_before" "$cpu_after" "$seconds")%"
limit=$((rss_before + 96 * 1024))
if ((peak <= limit)); then
  pass "peak RSS with 32 clients holding 15.6 MB requests: $((peak / 1024)) MiB (start $((rss_before / 1024)) MiB + at most 96)"
else
  fail "peak RSS with 32 clients holding 15.6 MB requests: $((peak / 1024)) MiB, above $((limit / 1024)) MiB"
fi
check_eq "wg show answered while the clients held their buffers" "$shows" "$shows_ok"
((shows > 0)) || fail "wg show was never tried (the clients ended at once: $(cat "$MW_TMP/clients.out"))"
wg show "$IF_A" >/dev/null && pass "wg show after the clients left" || fail "wg show after the clients left"
mw_finish
