#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Admission and robustness: three nodes trust each other; a fourth trusts them but nobody trusts
# it, so it never becomes a member anywhere and reaches nobody (node 1 logs its join once, with
# the command that would admit it). Junk, forged mesh datagrams (the
# magic byte and a member's identity with garbage after; well-formed ones with counters far
# ahead and a random mac) and replayed real mesh datagrams change no one's membership, crash no
# daemon, and are counted by reason. The control socket is 0600 and the daemon refuses other
# users itself; `meshward down` stops a node cleanly (exit 0, socket and interface gone, the
# others see it leave). Finally nodes 1 and 2 come to trust the stranger (SIGHUP re-reads the
# trust files): it joins them; node 1 revokes it again: node 1 drops it.
set -euo pipefail
source "$(dirname "$0")/mesh_lib.sh"
trap mw_cleanup EXIT
mesh_require setpriv
TRUSTED=(1 2 3)
STRANGER=4

mesh_net_create 4
for i in 1 2 3 4; do mesh_node_init "$i"; done
mesh_trust_all "${TRUSTED[@]}"
for i in "${TRUSTED[@]}"; do mesh_trust "$STRANGER" "$i"; done
mesh_up 1 --metrics 127.0.0.1:9474
mesh_up 2 --seed "$(mesh_seed 1)" --metrics 127.0.0.1:9474
mesh_up 3 --seed "$(mesh_seed 1)"
mesh_up "$STRANGER" --seed "$(mesh_seed 1)" --seed "$(mesh_seed 2)"
expect_converged 30 "the trusted three" "${TRUSTED[@]}" || mw_finish

# shellcheck disable=SC2317 # called through wait_until
all_alive() {
  local i
  for i in "${TRUSTED[@]}"; do pid_alive "${MESH_PID[$i]}" || return 1; done
}
# expect_unchanged WHAT: the three still see exactly each other, all alive, and still run.
expect_unchanged() {
  if all_alive && mesh_converged "${TRUSTED[@]}"; then
    pass "$1: nodes ${TRUSTED[*]} run and see exactly each other, alive"
  else
    fail "$1: expected nodes ${TRUSTED[*]} running and seeing exactly each other alive"
    mesh_report_views "${TRUSTED[@]}"
  fi
}

# 1. The stranger: watched for 5 s (five probe periods) after the others converged.
stranger_seen=""
for ((t = 0; t < 10; t++)); do
  for i in "${TRUSTED[@]}"; do
    state=$(mesh_state_of "$i" "$STRANGER")
    [[ $state == absent ]] || stranger_seen+=" node $i: $state;"
  done
  sleep 0.5
done
if [[ -z $stranger_seen ]]; then
  pass "the untrusted node never appears in the members of nodes ${TRUSTED[*]} (5 s)"
else
  fail "the untrusted node appeared as a member:$stranger_seen"
fi
view=$(mesh_view "$STRANGER" | awk '{print $2}' | sort | uniq -c | xargs echo || true)
log "the untrusted node's own view: ${view:-no members}"
log "node 1's mesh drops so far: $(mesh_metric_samples 1 meshward_mesh_drops_total)"
for i in "${TRUSTED[@]}"; do
  if wgx "$(mesh_ns "$i")" show "$(mesh_if "$i")" peers | grep -qxF "${MESH_WGKEY[$STRANGER]}"; then
    fail "node $i has the untrusted node's WireGuard key among its peers"
  fi
done
if mesh_ping "$STRANGER" "${MESH_V4[1]}" 2; then
  fail "the untrusted node reaches node 1's mesh IPv4 ${MESH_V4[1]}"
else
  pass "the untrusted node cannot ping node 1's mesh IPv4"
fi
if mesh_ping 1 "${MESH_V6[$STRANGER]}" 2; then
  fail "node 1 reaches the untrusted node's mesh IPv6 ${MESH_V6[$STRANGER]}"
else
  pass "node 1 cannot ping the untrusted node's mesh IPv6"
fi
expect_unchanged "with the untrusted node knocking"
# Node 1's operator learns who knocked, and how to admit it: once, not once per join.
stranger_key=${MESH_KEY[$STRANGER]}
refusals=$(grep -cF "refused a join from $stranger_key at " "$(mesh_log 1)" || true)
if [[ $refusals == 1 ]] &&
  grep -qF "to admit it: meshward trust $stranger_key --name NAME" "$(mesh_log 1)"; then
  pass "node 1 logs the untrusted node's join once, with the command that admits it"
else
  fail "node 1: expected one 'refused a join from $stranger_key' line with the trust command, saw $refusals"
fi

# 2. Hostile datagrams from the stranger's namespace to every trusted node's port: random junk,
# datagrams with the mesh magic claiming member 2's identity followed by garbage (so a bad
# MAC/signature), an oversized one, WireGuard-shaped junk, each forged one sent twice.
drops_before=$(mesh_metric_sum 1 meshward_mesh_drops_total)
ip netns exec "$(mesh_ns "$STRANGER")" python3 - "${MESH_KEY[2]}" "$MESH_PORT" \
  10.77.0.1 10.77.0.2 10.77.0.3 fd77::1 <<'PY'
import base64, os, random, socket, sys
key = base64.b64decode(sys.argv[1])
port = int(sys.argv[2])
rng = random.Random(7)
junk = [os.urandom(rng.randrange(0, 1400)) for _ in range(200)] + [b"", b"\xed"]
forged = []
for version in (1, 0, 2):
    for mtype in range(0, 16):
        for tail in (0, 16, 64, 200, 1300):
            forged.append(bytes([0xED, version, mtype, 0]) + key + os.urandom(tail))
forged.append(bytes([0xED, 1, 1, 0]) + key + os.urandom(8000))  # oversized
for wg_type, length in ((1, 148), (2, 92), (3, 64), (4, 32), (4, 200)):
    forged.append(bytes([wg_type, 0, 0, 0]) + os.urandom(length - 4))
for dst in sys.argv[3:]:
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        for d in junk + forged + forged:
            s.sendto(d, (dst, port))
print(f"sent {len(junk) + 2 * len(forged)} datagrams to each of {len(sys.argv) - 3} addresses")
PY
sleep 3
expect_unchanged "after junk and forged datagrams"
drops_after=$(mesh_metric_sum 1 meshward_mesh_drops_total)
if ((drops_after > drops_before)); then
  pass "node 1 counted $((drops_after - drops_before)) dropped mesh datagrams:" \
    "$(mesh_metric_samples 1 meshward_mesh_drops_total)"
else
  fail "node 1's meshward_mesh_drops_total did not grow ($drops_before before, $drops_after after)"
fi

# 2b. Well-formed forgeries (docs/mesh.md §1, §4) from members 2 and 3 to node 1: ping (aimed at
# node 1), ack, nack, sync and gossip with empty gossip, counters from 1 up to 2^64-1 and a
# random mac. They must fail the mac check without moving the senders' replay windows: were a
# window advanced to 2^64-1 before the mac check, the real members' next datagrams would be
# dropped as replays and node 1 would soon suspect them.
bad_mac_before=$(mesh_metric_sum 1 'meshward_mesh_drops_total{reason="bad_mac"}')
ip netns exec "$(mesh_ns "$STRANGER")" python3 - "$MESH_PORT" "${MESH_KEY[1]}" \
  "${MESH_KEY[2]}" "${MESH_KEY[3]}" <<'PY'
import base64, os, socket, struct, sys, time
port, target = int(sys.argv[1]), base64.b64decode(sys.argv[2])
senders = [base64.b64decode(k) for k in sys.argv[3:]]
seq = struct.pack("<I", 7)
bodies = {1: seq + target + b"\0", 2: seq + b"\0", 4: seq + b"\0", 5: b"\0\0", 7: b"\0"}
counters = (1, time.time_ns(), time.time_ns() + 10**12, 2**63, 2**64 - 1)
n = 0
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    for sender in senders:
        for counter in counters:
            for mtype, body in bodies.items():
                d = bytes([0xED, 1, mtype, 0]) + sender + struct.pack("<Q", counter) + body
                s.sendto(d + os.urandom(16), ("10.77.0.1", port))
                n += 1
print(f"sent {n} well-formed forged datagrams to node 1")
PY
sleep 4
expect_unchanged "4 s after well-formed forgeries with counters up to 2^64-1"
bad_mac_after=$(mesh_metric_sum 1 'meshward_mesh_drops_total{reason="bad_mac"}')
if ((bad_mac_after > bad_mac_before)); then
  pass "node 1 dropped $((bad_mac_after - bad_mac_before)) forgeries as bad_mac"
else
  fail "node 1's bad_mac drops did not grow ($bad_mac_before before, $bad_mac_after after):" \
    "$(mesh_metric_samples 1 meshward_mesh_drops_total)"
fi

# 3. Replay: real mesh datagrams from nodes 1 and 3 to node 2, captured on its underlay for 3 s,
# sent again (from the stranger's namespace, each three times) to node 2: its replay windows
# drop them.
replayed_before=$(mesh_metric_sum 2 'meshward_mesh_drops_total{reason="replayed"}')
replayed=$(ip netns exec "$(mesh_ns 2)" python3 - "$MESH_PORT" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
me = socket.inet_aton("10.77.0.2")
trusted = {socket.inet_aton("10.77.0.1"), socket.inet_aton("10.77.0.3")}
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
s.bind(("eth0", 0))
s.settimeout(0.2)
got, deadline = [], time.time() + 3
while time.time() < deadline and len(got) < 50:
    try:
        pkt = s.recv(65535)
    except socket.timeout:
        continue
    ihl = (pkt[0] & 15) * 4
    if pkt[9] != 17:
        continue
    dport = struct.unpack("!H", pkt[ihl + 2:ihl + 4])[0]
    payload = pkt[ihl + 8:]
    # From the trusted nodes only: the stranger's own knocks are refused as not_trusted, not
    # as replays, whenever the 3 s window happens to catch one.
    if pkt[16:20] == me and pkt[12:16] in trusted and dport == port and payload[:1] == b"\xed":
        got.append(payload.hex())
print("\n".join(got))
PY
) || true
count=$(grep -c . <<<"$replayed" || true)
if ((count == 0)); then
  fail "replay: captured no mesh datagram (first byte 0xED) to node 2 in 3 s"
else
  ip netns exec "$(mesh_ns "$STRANGER")" python3 -c '
import socket, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    for line in sys.stdin.read().split():
        for _ in range(3):
            s.sendto(bytes.fromhex(line), ("10.77.0.2", int(sys.argv[1])))
' "$MESH_PORT" <<<"$replayed"
  log "replayed $count captured mesh datagrams to node 2, three times each"
  sleep 2
  expect_unchanged "after replayed mesh datagrams"
  replayed_after=$(mesh_metric_sum 2 'meshward_mesh_drops_total{reason="replayed"}')
  check_eq "node 2's replayed drops grew by (3 x $count captured)" $((3 * count)) \
    $((replayed_after - replayed_before))
  state=$(mesh_state_of 2 "$STRANGER")
  check_eq "node 2's view of the untrusted node after the replay" absent "$state"
fi

# 4. The control socket: mode 0600, and the daemon itself refuses another user.
sock1=$(mesh_sock 1)
check_eq "control socket mode" 600 "$(stat -c %a "$sock1")"
chmod 0711 "$MW_TMP" # let nobody reach the socket file, so the socket's own mode is what refuses
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups "$MW_MESHWARD" status --socket "$sock1"
}
if out=$(as_nobody 2>&1); then
  fail "status as uid 65534 on a 0600 socket: expected a failure, it succeeded: $out"
elif grep -qi permission <<<"$out"; then
  pass "status as uid 65534 is refused: $(head -n 1 <<<"$out")"
else
  fail "status as uid 65534: expected an error mentioning permission, saw: $out"
fi
chmod 0666 "$sock1" # now only the daemon's peer-credential check stands in the way
if out=$(as_nobody 2>&1); then
  fail "status as uid 65534 on a 0666 socket: expected the daemon to refuse, it answered: $out"
elif grep -qi permission <<<"$out"; then
  pass "status as uid 65534 through a 0666 socket is refused by the daemon: $(head -n 1 <<<"$out")"
else
  fail "status as uid 65534 through a 0666 socket: expected an error mentioning permission," \
    "saw: $out"
fi
chmod 0600 "$sock1"
chmod 0700 "$MW_TMP"

# 5. `meshward down` on node 3: a graceful leave.
pid3=${MESH_PID[3]}
if out=$(mesh_cli 3 down --socket "$(mesh_sock 3)" 2>&1); then
  pass "meshward down on node 3 exits 0"
else
  fail "meshward down on node 3: expected exit 0, saw: $out"
fi
if wait_until 100 0.1 pid_gone "$pid3"; then
  rc=0
  wait "$pid3" || rc=$?
  check_eq "node 3's daemon exit code after down" 0 "$rc"
  unset "MESH_PID[3]"
else
  fail "node 3's daemon still runs 10 s after meshward down"
fi
check_eq "node 3's control socket after down" absent \
  "$([[ -e $(mesh_sock 3) ]] && echo present || echo absent)"
check_eq "node 3's interface after down" absent \
  "$(link_exists "$(mesh_ns 3)" "$(mesh_if 3)" && echo present || echo absent)"
check_eq "node 3's UAPI socket after down" absent \
  "$([[ -e $WG_RUN_DIR/$(mesh_if 3).sock ]] && echo present || echo absent)"
# shellcheck disable=SC2317 # called through wait_until
node3_gone() {
  local i
  for i in 1 2; do [[ $(mesh_state_of "$i" 3) =~ ^(left|absent)$ ]] || return 1; done
}
if wait_until 50 0.2 node3_gone; then
  pass "nodes 1 and 2 see node 3 as left: $(mesh_state_of 1 3), $(mesh_state_of 2 3)"
else
  fail "expected nodes 1 and 2 to see node 3 left within 10 s"
  mesh_report_views 1 2
fi

# 6. Trust changes at run time: SIGHUP re-reads the trust files. The stranger, refused so far,
# retries its seeds with a backoff of up to 30 s (docs/mesh.md); restarting it makes it join
# at once instead of at its next retry.
mesh_trust 1 "$STRANGER"
mesh_trust 2 "$STRANGER"
kill -HUP "${MESH_PID[1]}" "${MESH_PID[2]}"
mesh_kill "$STRANGER" TERM || die "the stranger did not stop on SIGTERM"
hup=$(now_ms)
mesh_up "$STRANGER" --seed "$(mesh_seed 1)" --seed "$(mesh_seed 2)"
# shellcheck disable=SC2317 # called through wait_until
stranger_admitted() { mesh_sees_alive 1 "$STRANGER" && mesh_sees_alive 2 "$STRANGER"; }
if wait_until 100 0.2 stranger_admitted; then
  pass "after trust + SIGHUP on nodes 1 and 2, both see the restarted former stranger alive" \
    "($(($(now_ms) - hup)) ms)"
  if mesh_ping 1 "${MESH_V4[$STRANGER]}" 3; then
    pass "node 1 now pings the former stranger's mesh IPv4 ${MESH_V4[$STRANGER]}"
  else
    fail "node 1 cannot ping the newly trusted node's mesh IPv4 ${MESH_V4[$STRANGER]}"
  fi
else
  fail "expected nodes 1 and 2 to admit node $STRANGER within 20 s of trust + SIGHUP and its" \
    "restart"
  mesh_report_views 1 2
fi
mesh_cli 1 revoke "n$STRANGER" >/dev/null || fail "node 1: meshward revoke n$STRANGER failed"
kill -HUP "${MESH_PID[1]}"
# shellcheck disable=SC2317
stranger_dropped() {
  [[ $(mesh_state_of 1 "$STRANGER") != alive ]] &&
    ! wgx "$(mesh_ns 1)" show "$(mesh_if 1)" peers | grep -qxF "${MESH_WGKEY[$STRANGER]}"
}
if wait_until 50 0.2 stranger_dropped; then
  pass "after revoke + SIGHUP node 1 drops node $STRANGER: state" \
    "$(mesh_state_of 1 "$STRANGER"), WireGuard peer gone"
else
  fail "expected node 1 to drop node $STRANGER (not alive, no WireGuard peer) within 10 s of" \
    "revoke + SIGHUP; state $(mesh_state_of 1 "$STRANGER")"
fi
if mesh_sees_alive 1 2 && mesh_sees_alive 2 1; then
  pass "nodes 1 and 2 still see each other alive"
else
  fail "nodes 1 and 2 no longer see each other alive"
  mesh_report_views 1 2
fi
mw_finish
