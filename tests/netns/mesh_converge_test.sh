#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Convergence: five nodes that all trust each other, each told only about node 1, find every
# other member; each reports its derived addresses and its peers' endpoints; the TUN carries the
# addresses, MTU and routes; wg(8) lists the other four as peers; every ordered pair pings over
# both mesh addresses; and the metrics endpoint answers.
set -euo pipefail
source "$(dirname "$0")/mesh_lib.sh"
trap mw_cleanup EXIT
mesh_require
N=5
ALL=(1 2 3 4 5)

mesh_net_create "$N"
for i in "${ALL[@]}"; do mesh_node_init "$i"; done
mesh_trust_all

# Node 1 reports readiness to a stand-in for systemd's notify socket (the unit is Type=notify).
notify_sock=$MW_TMP/notify.sock
python3 - "$notify_sock" >"$MW_TMP/notify.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
try:
    print(s.recv(4096).decode(errors="replace"))
except socket.timeout:
    print("timeout")
PY
notify_pid=$!
MW_PIDS+=("$notify_pid")
wait_until 50 0.1 test -S "$notify_sock" || die "the notify stand-in did not bind $notify_sock"

start=$(now_ms)
MESH_ENV=(NOTIFY_SOCKET="$notify_sock")
mesh_up 1 --metrics 127.0.0.1:9474
# shellcheck disable=SC2034 # read by mesh_up
MESH_ENV=()
wait_until 50 0.1 pid_gone "$notify_pid" || true
check_eq "node 1's first message on \$NOTIFY_SOCKET" "READY=1" "$(head -n 1 "$MW_TMP/notify.out")"
for i in 2 3 4 5; do mesh_up "$i" --seed "$(mesh_seed 1)"; done
started=$(now_ms)
log "all $N daemons answer on their control sockets after $((started - start)) ms"
expect_converged 30 "5 nodes seeded with node 1" "${ALL[@]}" || mw_finish
log "convergence time: $MESH_CONVERGE_MS ms after the last start," \
  "$(($(now_ms) - start)) ms after the first"

# Each node's own report: the addresses `config show` derived, its interface and port.
for i in "${ALL[@]}"; do
  seen=$(mesh_status_json "$i" | mesh_json \
    '" ".join(str(x) for x in (j["ipv4"], j["ipv6"], j["interface"], j["port"]))')
  check_eq "node $i status: ipv4 ipv6 interface port" \
    "${MESH_V4[$i]} ${MESH_V6[$i]} $(mesh_if "$i") $MESH_PORT" "$seen"
done

# Node 1's view of each member: its derived addresses and where it listens on the underlay.
view=$(mesh_status_json 1)
for j in 2 3 4 5; do
  seen=$(mesh_json "[' '.join(str(m[k]) for k in ('ipv4', 'ipv6', 'endpoint', 'ipv4_routed'))
    for m in j['members'] if m['identity'] == '${MESH_KEY[$j]}']" <<<"$view")
  check_eq "node 1's status for node $j: ipv4 ipv6 endpoint ipv4_routed" \
    "${MESH_V4[$j]} ${MESH_V6[$j]} $(mesh_seed "$j") True" "$seen"
done

# The TUN of node 2 as the kernel sees it.
ns2=$(mesh_ns 2)
if2=$(mesh_if 2)
check_eq "node 2 interface MTU" 1420 "$(ip -n "$ns2" -o link show dev "$if2" |
  sed -n 's/.* mtu \([0-9]*\) .*/\1/p')"
addrs=$(ip -n "$ns2" -o addr show dev "$if2" scope global | awk '{print $4}' | sort | tr '\n' ' ')
check_eq "node 2 interface addresses" \
  "$(printf '%s\n' "${MESH_V4[2]}/16" "${MESH_V6[2]}/64" | sort | tr '\n' ' ')" "$addrs"
routes=$(ip -n "$ns2" -4 route show dev "$if2" | awk '{print $1}' | sort -u | tr '\n' ' ')
check_eq "node 2 IPv4 routes on the interface" "10.99.0.0/16 " "$routes"
routes=$(ip -n "$ns2" -6 route show dev "$if2" | awk '$1 !~ /^fe80/ {print $1}' | sort -u |
  tr '\n' ' ')
check_eq "node 2 IPv6 routes on the interface" "fd99:6d67::/64 " "$routes"

# wg(8) through the daemon's UAPI socket: node 1's peers are the other four's WireGuard keys.
want=$(printf '%s\n' "${MESH_WGKEY[2]}" "${MESH_WGKEY[3]}" "${MESH_WGKEY[4]}" "${MESH_WGKEY[5]}" |
  sort | tr '\n' ' ')
seen=$(wgx "$(mesh_ns 1)" show "$(mesh_if 1)" peers 2>&1 | sort | tr '\n' ' ')
check_eq "wg show on node 1: peers" "$want" "$seen"
# ... but the mesh owns them: a `wg set` is refused and changes nothing.
if out=$(wgx "$(mesh_ns 1)" set "$(mesh_if 1)" peer "${MESH_WGKEY[2]}" remove 2>&1); then
  fail "wg set on a mesh interface: expected a refusal, it succeeded"
else
  check_eq "wg set on a mesh interface is refused" \
    "Unable to modify interface: Operation not permitted" "$(tail -n 1 <<<"$out")"
fi
seen=$(wgx "$(mesh_ns 1)" show "$(mesh_if 1)" peers 2>&1 | sort | tr '\n' ' ')
check_eq "wg show on node 1 after the refused set: peers" "$want" "$seen"

expect_mesh_pings "${ALL[@]}" -- "${ALL[@]}"

# The text forms of status and peers answer too.
if out=$(mesh_cli 3 status --socket "$(mesh_sock 3)" 2>&1) && grep -q "${MESH_V4[3]}" <<<"$out"
then
  pass "meshward status (text) on node 3 names its address ${MESH_V4[3]}"
else
  fail "meshward status (text) on node 3: expected exit 0 naming ${MESH_V4[3]}, saw: $out"
fi
if out=$(mesh_cli 3 peers --socket "$(mesh_sock 3)" 2>&1) && grep -q "${MESH_V4[5]}" <<<"$out"
then
  pass "meshward peers (text) on node 3 lists node 5 (${MESH_V4[5]})"
else
  fail "meshward peers (text) on node 3: expected exit 0 listing ${MESH_V4[5]}, saw: $out"
fi

# Prometheus metrics on node 1's loopback.
metrics=$(ip netns exec "$(mesh_ns 1)" python3 -c '
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:9474/metrics", timeout=3) as r:
    sys.stdout.write("status %d\n" % r.status)
    sys.stdout.write(r.read().decode())
' 2>&1 || true)
if grep -q '^status 200$' <<<"$metrics" && grep -q '^# TYPE ' <<<"$metrics"; then
  pass "metrics on node 1: HTTP 200 with $(grep -c '^# TYPE ' <<<"$metrics") metric families"
else
  fail "metrics on node 1: expected HTTP 200 with # TYPE lines, saw: $(head -c 300 <<<"$metrics")"
fi
mw_finish
