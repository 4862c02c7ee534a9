#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The checks that interop_test.sh and ours_vs_ours_test.sh share: pings over IPv4 and IPv6 both
# ways, iperf3 TCP each way, and a fresh handshake initiated by each side in turn.
#
# Sourced after lib.sh; run_tunnel_suite IMPL_A IMPL_B does everything, then the caller calls
# mw_finish.

IPERF_PORT=5201
IPERF_SECONDS=3

# tcp_listening NS PORT
tcp_listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# iperf_run SERVER_NS SERVER_ADDR CLIENT_NS DESCRIPTION: one TCP test of IPERF_SECONDS from the
# client to a one-shot server bound to SERVER_ADDR; passes on a non-zero received rate.
iperf_run() {
  local sns=$1 saddr=$2 cns=$3 what=$4 spid json bps mbps
  ip netns exec "$sns" iperf3 -s -1 -B "$saddr" -p "$IPERF_PORT" >>"$MW_TMP/iperf3-server.log" 2>&1 &
  spid=$!
  MW_PIDS+=("$spid")
  if ! wait_until 50 0.1 tcp_listening "$sns" "$IPERF_PORT"; then
    fail "$what: expected the iperf3 server listening on $saddr:$IPERF_PORT within 5 s, it is not"
    return
  fi
  json=$(ip netns exec "$cns" timeout $((IPERF_SECONDS + 12)) iperf3 -c "$saddr" -p "$IPERF_PORT" \
    -t "$IPERF_SECONDS" --connect-timeout 3000 --json 2>&1 || true)
  bps=$(jq -r '.end.sum_received.bits_per_second // 0' <<<"$json" 2>/dev/null || echo 0)
  mbps=$(awk -v b="$bps" 'BEGIN { printf "%.1f", b / 1e6 }')
  if awk -v b="$bps" 'BEGIN { exit !(b > 0) }'; then
    pass "$what: iperf3 TCP ${IPERF_SECONDS} s received $mbps Mbit/s"
  else
    fail "$what: expected a non-zero iperf3 received rate, saw '$bps'" \
      "($(jq -r '.error // empty' <<<"$json" 2>/dev/null | head -c 200))"
  fi
  wait_until 30 0.1 pid_gone "$spid" || kill -TERM "$spid" 2>/dev/null || true
}

# handshake_from FIRST_NS FIRST_IF FIRST_PEER_PUB DST OTHER_NS OTHER_IF OTHER_PEER_PUB NAME:
# with no session on either side, FIRST pings DST; both sides must then report a handshake, and
# the byte counters must show who sent what: each initiation is 148 B (4 mod 16), a response
# 92 B (12 mod 16), transport messages are multiples of 16.
handshake_from() {
  local fns=$1 fif=$2 fpeer=$3 dst=$4 ons=$5 oif=$6 opeer=$7 name=$8 t_first t_other
  expect_ping "$fns" "$dst" 5 "ping from $name first (no session on either side)"
  t_first=$(handshake_time "$fns" "$fif" "$fpeer")
  t_other=$(handshake_time "$ons" "$oif" "$opeer")
  if [[ $t_first =~ ^[0-9]+$ && $t_first -gt 0 && $t_other =~ ^[0-9]+$ && $t_other -gt 0 ]]; then
    pass "$name initiated: latest-handshakes non-zero on both sides ($t_first, $t_other)"
  else
    fail "$name initiated: expected latest-handshakes non-zero on both sides," \
      "saw $t_first on $name and $t_other on the other"
  fi
  local tx_first tx_other
  tx_first=$(tx_bytes "$fns" "$fif" "$fpeer")
  tx_other=$(tx_bytes "$ons" "$oif" "$opeer")
  if [[ $((tx_first % 16)) == 4 && $((tx_other % 16)) == 12 ]]; then
    pass "$name sent one initiation (tx $tx_first = 4 mod 16), the other one response" \
      "(tx $tx_other = 12 mod 16)"
  else
    fail "$name initiated: expected tx = 4 mod 16 on $name (one 148 B initiation) and 12 mod 16" \
      "on the other (one 92 B response), saw $tx_first and $tx_other"
  fi
}

run_tunnel_suite() {
  local impl_a=$1 impl_b=$2
  log "A: $impl_a in $NS_A ($IF_A); B: $impl_b in $NS_B ($IF_B)"
  pair_setup "$impl_a" "$impl_b"

  expect_ping "$NS_A" "$INNER4_B" 5 "IPv4 ping A -> B"
  expect_ping "$NS_B" "$INNER4_A" 2 "IPv4 ping B -> A"
  expect_ping "$NS_A" "$INNER6_B" 2 "IPv6 ping A -> B"
  expect_ping "$NS_B" "$INNER6_A" 2 "IPv6 ping B -> A"
  local n
  n=$(ping_count "$NS_A" "$INNER4_B" 10 1372)
  check_eq "10 IPv4 pings of 1400 B A -> B, replies" 10 "$n"
  n=$(ping_count "$NS_B" "$INNER6_A" 10 1352)
  check_eq "10 IPv6 pings of 1400 B B -> A, replies" 10 "$n"

  iperf_run "$NS_B" "$INNER4_B" "$NS_A" "A -> B over IPv4"
  iperf_run "$NS_A" "$INNER6_A" "$NS_B" "B -> A over IPv6"
  # On an AVX-512 CPU, meshward-wg re-executed itself at start to keep OpenSSL off its 512-bit
  # paths (unless the environment already chose).
  if [[ $(basename "$impl_a") == meshward-wg ]] && grep -qw avx512f /proc/cpuinfo &&
    [[ -z ${OPENSSL_ia32cap+set} && ${MESHWARD_OPENSSL_AVX512:-} != 1 ]]; then
    check_eq "OpenSSL's 512-bit paths off in A's environment" "OPENSSL_ia32cap=:~0x10000" \
      "$(tr '\0' '\n' <"/proc/${MW_DAEMON_PID[$IF_A]}/environ" | grep '^OPENSSL_ia32cap=' || true)"
  fi
  # meshward-wg probed its TUN offloads with a real round trip and uses what passed.
  if [[ $(basename "$impl_a") == meshward-wg ]]; then
    local probe path
    probe=$(grep -o 'TUN offload probe: .*' "$MW_TMP/$IF_A.log" | head -n 1 || true)
    path=$(grep -o 'TUN offload [A-Za-z+]*,' "$MW_TMP/$IF_A.log" | head -n 1 || true)
    if [[ ${MESHWARD_NO_TUN_OFFLOAD:-} == 1 ]]; then
      check_eq "no TUN offload probe when offloads are off" "" "$probe"
      check_eq "A's TUN offload with MESHWARD_NO_TUN_OFFLOAD=1" "TUN offload off," "$path"
    elif [[ $probe =~ ^TUN\ offload\ probe:\ (TSO\+USO|TSO)\ passed\ a\ round\ trip ]]; then
      pass "TUN offload probe: ${BASH_REMATCH[1]} passed a round trip"
      check_eq "A's TUN offload is what passed" "TUN offload ${BASH_REMATCH[1]}," "$path"
    else
      fail "TUN offload probe: expected 'TSO+USO passed' or 'TSO passed' in A's log, saw '$probe'"
    fi
  fi
  # With crypto workers asked for, A really runs them (the loop thread plus N-1 workers), and
  # its handshake thread besides.
  if [[ -n ${MESHWARD_CRYPTO_WORKERS:-} ]]; then
    local comms
    comms=$(cat /proc/"${MW_DAEMON_PID[$IF_A]}"/task/*/comm)
    check_eq "crypto worker threads of A with MESHWARD_CRYPTO_WORKERS=$MESHWARD_CRYPTO_WORKERS" \
      "$((MESHWARD_CRYPTO_WORKERS - 1))" "$(grep -c '^mw-crypto$' <<<"$comms")"
    check_eq "handshake threads of A" 1 "$(grep -c '^mw-handshake$' <<<"$comms")"
    check_eq "threads of A" "$((MESHWARD_CRYPTO_WORKERS + 1))" "$(wc -l <<<"$comms")"
  fi

  pair_reset_peers
  handshake_from "$NS_A" "$IF_A" "$PUB_B" "$INNER4_B" "$NS_B" "$IF_B" "$PUB_A" A
  pair_reset_peers
  handshake_from "$NS_B" "$IF_B" "$PUB_A" "$INNER6_A" "$NS_A" "$IF_A" "$PUB_B" B

  stop_by_signal "$NS_A" "$IF_A" TERM A
  stop_by_signal "$NS_B" "$IF_B" INT B
}

# stop_by_signal NS IF SIGNAL NAME: the daemon exits within 5 s of SIGNAL and takes its UAPI
# socket and its interface with it.
stop_by_signal() {
  local ns=$1 ifname=$2 sig=$3 name=$4 pid=${MW_DAEMON_PID[$2]} what
  kill -"$sig" "$pid"
  what="SIG$sig to $name (pid $pid)"
  if wait_until 50 0.1 pid_gone "$pid"; then
    pass "$what: exited"
  else
    fail "$what: expected exit within 5 s, still running"
  fi
  if wait_until 20 0.1 path_gone "$WG_RUN_DIR/$ifname.sock"; then
    pass "$what: $WG_RUN_DIR/$ifname.sock removed"
  else
    fail "$what: expected $WG_RUN_DIR/$ifname.sock removed, it is still there"
  fi
  if wait_until 20 0.1 link_gone "$ns" "$ifname"; then
    pass "$what: interface $ifname gone"
  else
    fail "$what: expected interface $ifname gone, it is still there"
  fi
}
