#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the netns system tests: two namespaces on a veth, WireGuard daemons, wg(8)
# configuration, bounded waits, cleanup of only what we started, and pass/fail accounting.
#
# Sourced by every *_test.sh here; each test sets `trap mw_cleanup EXIT` itself.
#
# Names carry our PID so that parallel runs never collide. The interfaces are not called wgtest0:
# the UAPI socket /var/run/wireguard/<ifname>.sock lives in the file system, which every network
# namespace shares, so two daemons of one name in two namespaces would fight over one socket.
#
# Environment:
#   MW_WG   the implementation under test (default: build/bin/meshward-wg of this tree)
#   REF_WG  the reference implementation (default: wireguard-go)
#   MW_KEEP_LOGS=1  keep the temp dir with the daemons' logs after the run

[[ -n ${MW_NETNS_LIB_LOADED:-} ]] && return 0
MW_NETNS_LIB_LOADED=1

MW_NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MW_WG=${MW_WG:-$MW_NETNS_DIR/../../build/bin/meshward-wg}
REF_WG=${REF_WG:-wireguard-go}
export LOG_LEVEL=error

NS_A=mwt-a-$$
NS_B=mwt-b-$$
IF_A=mwa$$ # at most 10 characters: IFNAMSIZ allows 15
IF_B=mwb$$
VETH=mwv0 # created inside each namespace, so the name is free there
OUTER4_A=10.77.0.1
OUTER4_B=10.77.0.2
OUTER6_A=fd77::1
OUTER6_B=fd77::2
INNER4_A=10.0.0.1
INNER4_B=10.0.0.2
INNER6_A=fd00::1
INNER6_B=fd00::2
PORT_A=51820
PORT_B=51821
MTU=1420
WG_RUN_DIR=/var/run/wireguard

MW_PASSED=0
MW_FAILED=0
MW_PIDS=()       # every process we started, killed by PID on exit
MW_NAMESPACES=() # every namespace we created, deleted on exit
MW_TMP=$(mktemp -d /tmp/mw-netns-$$.XXXXXX)
MW_FINISHED=0
MW_LAST_ERR=""
# Remembers where `set -e` stopped a script, so that an early exit still reports it.
set -o errtrace
trap 'MW_LAST_ERR="line $LINENO: $BASH_COMMAND"' ERR

# ---- reporting -------------------------------------------------------------------------------

log() { printf '     %s\n' "$*"; }
pass() {
  MW_PASSED=$((MW_PASSED + 1))
  printf 'ok   %s\n' "$*"
}
fail() {
  MW_FAILED=$((MW_FAILED + 1))
  printf 'FAIL %s\n' "$*"
}
# check_eq DESCRIPTION EXPECTED SEEN: pass when equal, else a failure naming both.
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1: $3"; else fail "$1: expected $2, saw $3"; fi
}
# A hard stop: a set-up step failed and nothing after it can mean anything.
die() {
  fail "$*"
  mw_finish
}
skip() {
  MW_FINISHED=1
  echo "SKIP: $*"
  exit 77
}
# Prints "N passed, M failed" and exits non-zero on any failure (or when nothing was checked).
mw_finish() {
  set +e
  MW_FINISHED=1
  if ((MW_FAILED > 0)); then mw_dump_logs; fi
  echo "$MW_PASSED passed, $MW_FAILED failed"
  if ((MW_FAILED > 0 || MW_PASSED == 0)); then exit 1; fi
  exit 0
}
mw_dump_logs() {
  local f
  for f in "$MW_TMP"/*.log; do
    [[ -s $f ]] || continue
    echo "---- last lines of $(basename "$f")"
    grep -v '[┌│└]' "$f" | tail -n 20 || true # without wireguard-go's banner
  done
}

# ---- preconditions ---------------------------------------------------------------------------

# require_env [TOOL...]: exits 77 (ctest's skip) unless we are root with /dev/net/tun, ip, wg,
# ping and every TOOL.
# shellcheck disable=SC2120
require_env() {
  [[ $(id -u) -eq 0 ]] || skip "needs root"
  [[ -c /dev/net/tun ]] || skip "needs /dev/net/tun"
  local tool
  for tool in ip wg ping "$@"; do
    command -v "$tool" >/dev/null || skip "needs $tool"
  done
}
# require_impl PATH_OR_NAME: exits 77 when the implementation is not there (not yet built).
require_impl() {
  command -v "$1" >/dev/null || skip "WireGuard implementation '$1' not found (set MW_WG/REF_WG)"
}

# ---- cleanup ---------------------------------------------------------------------------------

# The EXIT trap: reports an early stop, kills only the PIDs we recorded (TERM, then KILL after a
# bounded wait), deletes only our namespaces, removes our temp dir. Safe to call twice.
mw_cleanup() {
  local status=$?
  if ((!MW_FINISHED)); then
    MW_FINISHED=1
    fail "the script stopped early (status $status) at ${MW_LAST_ERR:-an unknown line}"
    mw_dump_logs
    echo "$MW_PASSED passed, $MW_FAILED failed"
  fi
  pair_teardown
  if [[ ${MW_KEEP_LOGS:-0} == 1 ]]; then
    echo "logs kept in $MW_TMP"
  else
    rm -rf "$MW_TMP"
  fi
}

# pair_teardown: stops every process we started and deletes our namespaces, keeping the temp
# dir, so that a script can set up another pair afterwards.
pair_teardown() {
  local pid i ns
  for pid in "${MW_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${MW_PIDS[@]}"; do
    for ((i = 0; i < 30; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  MW_PIDS=()
  for ns in "${MW_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  MW_NAMESPACES=()
  MW_DAEMON_PID=()
}

# ---- waiting ---------------------------------------------------------------------------------

# wait_until TRIES INTERVAL CMD...: runs CMD up to TRIES times, INTERVAL seconds apart, until it
# succeeds. Returns CMD's last status.
wait_until() {
  local tries=$1 interval=$2 i
  shift 2
  for ((i = 1; i <= tries; i++)); do
    if "$@"; then return 0; fi
    ((i < tries)) && sleep "$interval"
  done
  return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_ms SECONDS INTERVAL CMD...: runs CMD every INTERVAL seconds until it succeeds; prints the
# milliseconds that took. Returns 1 (still printing the time) at the deadline.
wait_ms() {
  local limit_ms=$(($1 * 1000)) interval=$2 start
  shift 2
  start=$(now_ms)
  until "$@"; do
    if (($(now_ms) - start >= limit_ms)); then
      echo $(($(now_ms) - start))
      return 1
    fi
    sleep "$interval"
  done
  echo $(($(now_ms) - start))
}

# ---- namespaces ------------------------------------------------------------------------------

# netns_create NAME: a namespace with lo up, recorded for cleanup.
netns_create() {
  ip netns add "$1"
  MW_NAMESPACES+=("$1")
  ip -n "$1" link set lo up
}

# netns_pair_create: NS_A and NS_B joined by a veth named $VETH on both sides, with
# 10.77.0.1/24, fd77::1/64 in A and 10.77.0.2/24, fd77::2/64 in B.
netns_pair_create() {
  netns_create "$NS_A"
  netns_create "$NS_B"
  ip link add "$VETH" netns "$NS_A" type veth peer name "$VETH" netns "$NS_B"
  ip -n "$NS_A" addr add "$OUTER4_A/24" dev "$VETH"
  ip -n "$NS_B" addr add "$OUTER4_B/24" dev "$VETH"
  ip -n "$NS_A" addr add "$OUTER6_A/64" dev "$VETH" nodad
  ip -n "$NS_B" addr add "$OUTER6_B/64" dev "$VETH" nodad
  ip -n "$NS_A" link set "$VETH" up
  ip -n "$NS_B" link set "$VETH" up
}

# ---- WireGuard daemons -----------------------------------------------------------------------

declare -gA MW_DAEMON_PID # ifname -> PID

# link_exists NS IF
link_exists() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }
# uapi_ready IF: the UAPI socket exists and answers a get.
uapi_ready() { [[ -S $WG_RUN_DIR/$1.sock ]] && wg show "$1" public-key >/dev/null 2>&1; }
# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}
pid_gone() { ! pid_alive "$1"; }
link_gone() { ! link_exists "$1" "$2"; }
path_gone() { [[ ! -e $1 ]]; }
# daemon_ready NS IF: the link exists in NS and its UAPI socket answers.
daemon_ready() { link_exists "$1" "$2" && uapi_ready "$2"; }

# wg_start NS IF IMPL: runs IMPL -f IF in NS in the background (output to a log in our temp
# dir; LOG_LEVEL=error, info for meshward-wg so that its start-up choices can be checked),
# records its PID and waits up to 5 s for the link and the UAPI socket.
wg_start() {
  local ns=$1 ifname=$2 impl=$3 pid level=$LOG_LEVEL
  [[ $(basename "$impl") == meshward-wg ]] && level=info
  ip netns exec "$ns" env LOG_LEVEL="$level" "$impl" -f "$ifname" >>"$MW_TMP/$ifname.log" 2>&1 &
  pid=$!
  MW_PIDS+=("$pid")
  MW_DAEMON_PID[$ifname]=$pid
  if ! wait_until 50 0.1 daemon_ready "$ns" "$ifname"; then
    local link=absent sock=absent alive=exited
    link_exists "$ns" "$ifname" && link=present
    [[ -S $WG_RUN_DIR/$ifname.sock ]] && sock=present
    pid_alive "$pid" && alive=running
    die "start $impl $ifname in $ns: expected link and UAPI socket within 5 s, saw link $link," \
      "socket $sock, process $alive"
  fi
}

# wg_stop IF: SIGTERM to the daemon of IF, then waits up to 5 s for it to exit.
wg_stop() {
  local pid=${MW_DAEMON_PID[$1]}
  kill -TERM "$pid" 2>/dev/null || true
  wait_until 50 0.1 pid_gone "$pid" || return 1
  wait "$pid" 2>/dev/null || true
}

# wgx NS ARGS...: wg(8) inside NS.
wgx() {
  local ns=$1
  shift
  ip netns exec "$ns" wg "$@"
}

# key helpers: keys are files in our temp dir, named after their role.
gen_key() { (umask 077 && wg genkey >"$MW_TMP/$1.key"); }
gen_psk() { (umask 077 && wg genpsk >"$MW_TMP/$1.psk"); }
key_file() { echo "$MW_TMP/$1.key"; }
psk_file() { echo "$MW_TMP/$1.psk"; }
pub_of() { wg pubkey <"$MW_TMP/$1.key"; }

# wg_addr_up NS IF ADDR4 ADDR6: inner addresses /24 and /64 (nodad), MTU 1420, link up.
wg_addr_up() {
  local ns=$1 ifname=$2
  ip -n "$ns" addr add "$3/24" dev "$ifname"
  ip -n "$ns" addr add "$4/64" dev "$ifname" nodad
  ip -n "$ns" link set "$ifname" mtu "$MTU" up
}

# peer_set NS IF PEER_PUB ALLOWED ENDPOINT [PSK_FILE]: adds or updates one peer.
peer_set() {
  local ns=$1 ifname=$2 pub=$3 allowed=$4 endpoint=$5 psk=${6:-}
  local args=(set "$ifname" peer "$pub" allowed-ips "$allowed")
  [[ -n $endpoint ]] && args+=(endpoint "$endpoint")
  [[ -n $psk ]] && args+=(preshared-key "$psk")
  wgx "$ns" "${args[@]}"
}
peer_remove() { wgx "$1" set "$2" peer "$3" remove; }

# Allowed IPs and endpoints of the standard pair.
ALLOWED_OF_A="$INNER4_A/32,$INNER6_A/128" # what B routes to A
ALLOWED_OF_B="$INNER4_B/32,$INNER6_B/128" # what A routes to B
ENDPOINT_A="$OUTER4_A:$PORT_A"
ENDPOINT_B="$OUTER4_B:$PORT_B"

# pair_setup IMPL_A IMPL_B [PSK_A_SIDE PSK_B_SIDE]: the standard two-node tunnel. Keys "a" and
# "b", IF_A in NS_A listening on PORT_A, IF_B in NS_B on PORT_B, each with the other as peer
# (endpoint on the outer IPv4 address), inner addresses up. No handshake has happened yet.
pair_setup() {
  local impl_a=$1 impl_b=$2 psk_a=${3:-} psk_b=${4:-}
  netns_pair_create
  gen_key a
  gen_key b
  PUB_A=$(pub_of a)
  PUB_B=$(pub_of b)
  wg_start "$NS_A" "$IF_A" "$impl_a"
  wg_start "$NS_B" "$IF_B" "$impl_b"
  wgx "$NS_A" set "$IF_A" private-key "$(key_file a)" listen-port "$PORT_A"
  wgx "$NS_B" set "$IF_B" private-key "$(key_file b)" listen-port "$PORT_B"
  peer_set "$NS_A" "$IF_A" "$PUB_B" "$ALLOWED_OF_B" "$ENDPOINT_B" "$psk_a"
  peer_set "$NS_B" "$IF_B" "$PUB_A" "$ALLOWED_OF_A" "$ENDPOINT_A" "$psk_b"
  wg_addr_up "$NS_A" "$IF_A" "$INNER4_A" "$INNER6_A"
  wg_addr_up "$NS_B" "$IF_B" "$INNER4_B" "$INNER6_B"
}

# pair_reset_peers [PSK_A_SIDE PSK_B_SIDE]: removes and re-adds the peer on both sides so that
# neither has a session, handshake time or counters.
pair_reset_peers() {
  local psk_a=${1:-} psk_b=${2:-}
  peer_remove "$NS_A" "$IF_A" "$PUB_B"
  peer_remove "$NS_B" "$IF_B" "$PUB_A"
  peer_set "$NS_A" "$IF_A" "$PUB_B" "$ALLOWED_OF_B" "$ENDPOINT_B" "$psk_a"
  peer_set "$NS_B" "$IF_B" "$PUB_A" "$ALLOWED_OF_A" "$ENDPOINT_A" "$psk_b"
}

# ---- reading wg show -------------------------------------------------------------------------

# peer_field NS IF PEER_PUB FIELD [COLUMN]: one column of `wg show IF FIELD` for one peer
# (latest-handshakes, endpoints, transfer: column 2 = rx, 3 = tx).
peer_field() {
  local col=${5:-2}
  wgx "$1" show "$2" "$4" | awk -v k="$3" -v c="$col" '$1 == k { print $c; found = 1 }
    END { if (!found) print "no-such-peer" }'
}
handshake_time() { peer_field "$1" "$2" "$3" latest-handshakes; }
rx_bytes() { peer_field "$1" "$2" "$3" transfer 2; }
tx_bytes() { peer_field "$1" "$2" "$3" transfer 3; }
endpoint_of() { peer_field "$1" "$2" "$3" endpoints; }
# if_stat NS IF COUNTER: a counter of /sys/class/net/IF/statistics as NS sees it.
if_stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# ---- traffic ---------------------------------------------------------------------------------

# ping_once NS DST: one echo with a 1 s reply timeout.
ping_once() { ip netns exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
# wait_ping NS DST SECONDS: pings once a time until a reply or the deadline; prints the
# milliseconds it took and returns 0 on a reply.
wait_ping() {
  local ns=$1 dst=$2 limit_ms=$(($3 * 1000)) start end i
  start=$(now_ms)
  for ((i = 0; i < 100; i++)); do
    if ip netns exec "$ns" ping -n -q -c 1 -W 1 "$dst" >/dev/null 2>&1; then
      end=$(now_ms)
      echo $((end - start))
      return 0
    fi
    end=$(now_ms)
    ((end - start < limit_ms)) || break
  done
  echo $((end - start))
  return 1
}
# ping_count NS DST COUNT [SIZE [DEADLINE]]: COUNT echoes 0.2 s apart (or spread over DEADLINE
# seconds); prints how many replies came back.
ping_count() {
  local out timing=(-i 0.2 -W 1)
  [[ -n ${5:-} ]] && timing=(-i "$(awk -v d="$5" -v n="$3" 'BEGIN { printf "%.2f", d / n }')" -w "$5")
  out=$(ip netns exec "$1" ping -n -q -c "$3" "${timing[@]}" -s "${4:-56}" "$2" 2>&1 || true)
  sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | head -n 1 | grep . || echo 0
}

# expect_ping NS DST SECONDS DESCRIPTION: pass if a ping gets through within SECONDS.
expect_ping() {
  local ms
  if ms=$(wait_ping "$1" "$2" "$3"); then
    pass "$4: reply after $ms ms"
  else
    fail "$4: expected a reply within $3 s, none after $ms ms"
  fi
}
