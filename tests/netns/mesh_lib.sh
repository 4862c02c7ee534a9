#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for the mesh system tests, on top of lib.sh: N node namespaces joined by a bridge, one
# `meshward up` daemon per node with its own config dir and control socket, status as JSON, and
# bounded waits for membership to converge.
#
# Sourced by every mesh_*_test.sh; each test sets `trap mw_cleanup EXIT` itself, which kills only
# the PIDs recorded here and deletes only the namespaces created here.
#
# The layout: namespace $MESH_HUB holds the bridge mwbr0 and one veth end per node; node i lives
# in namespace $(mesh_ns i) on veth eth0 with the underlay addresses 10.77.0.i/24 and fd77::i/64
# and listens on UDP $MESH_PORT. Everything a node keeps on disk (config dir n<i>/, control
# socket n<i>.sock, log n<i>.log) is in $MW_TMP.
#
# Interface names carry our PID: the daemon serves the wg(8) UAPI socket at
# /var/run/wireguard/<ifname>.sock, a file system path every namespace shares.
#
# Environment:
#   MW_MESHWARD  the meshward binary under test (default: build/bin/meshward of this tree)
#   MW_MESH_LOG_LEVEL  the daemons' LOG_LEVEL (default info; their logs are shown on failure)
#   MW_KEEP_LOGS=1  keep $MW_TMP (config dirs, logs) after the run

[[ -n ${MW_MESH_LIB_LOADED:-} ]] && return 0
MW_MESH_LIB_LOADED=1

# shellcheck source=tests/netns/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MW_MESHWARD=${MW_MESHWARD:-$MW_NETNS_DIR/../../build/bin/meshward}
MW_MESH_LOG_LEVEL=${MW_MESH_LOG_LEVEL:-info}
MESH_HUB=mwm-hub-$$
MESH_BRIDGE=mwbr0
MESH_PORT=51821
MESH_NODE_COUNT=0
MESH_ENV=() # extra VAR=value settings for the next mesh_up (e.g. NOTIFY_SOCKET=...)

declare -gA MESH_PID   # node -> PID of its running daemon (unset when stopped)
declare -gA MESH_KEY   # node -> base64 identity key
# shellcheck disable=SC2034 # used by the tests
declare -gA MESH_WGKEY # node -> base64 WireGuard public key (as wg show lists it)
declare -gA MESH_V4    # node -> derived mesh IPv4
declare -gA MESH_V6    # node -> derived mesh IPv6

# ---- preconditions ---------------------------------------------------------------------------

# mesh_require [TOOL...]: exits 77 unless we are root with /dev/net/tun and the tools, and the
# meshward binary exists and knows `up`.
mesh_require() {
  require_env python3 "$@"
  [[ -x $MW_MESHWARD ]] || skip "meshward binary '$MW_MESHWARD' not found (set MW_MESHWARD)"
  "$MW_MESHWARD" up --help >/dev/null 2>&1 || skip "'$MW_MESHWARD' has no working \`up\` command"
}

# ---- names -----------------------------------------------------------------------------------

mesh_ns() { echo "mwm-$1-$$"; }
mesh_if() { echo "mw$1p$$"; } # at most 15 characters for any PID and node number below 100
mesh_dir() { echo "$MW_TMP/n$1"; }
mesh_sock() { echo "$MW_TMP/n$1.sock"; }
mesh_log() { echo "$MW_TMP/n$1.log"; }
mesh_underlay4() { echo "10.77.0.$1"; }
mesh_underlay6() { echo "fd77::$1"; }
mesh_seed() { echo "$(mesh_underlay4 "$1"):$MESH_PORT"; }
mesh_addr4() { echo "${MESH_V4[$1]}"; }
mesh_addr6() { echo "${MESH_V6[$1]}"; }

# mesh_cli I ARGS...: the meshward command line with node I's config dir (not inside its
# namespace: the control socket is a file, reachable from anywhere).
mesh_cli() {
  local i=$1
  shift
  MESHWARD_CONFIG_DIR=$(mesh_dir "$i") "$MW_MESHWARD" "$@"
}

# ---- the network -----------------------------------------------------------------------------

# mesh_net_create N: the hub namespace with the bridge and N node namespaces on it.
mesh_net_create() {
  local n=$1 i ns
  MESH_NODE_COUNT=$n
  netns_create "$MESH_HUB"
  ip -n "$MESH_HUB" link add "$MESH_BRIDGE" type bridge
  ip -n "$MESH_HUB" link set "$MESH_BRIDGE" up
  for ((i = 1; i <= n; i++)); do
    ns=$(mesh_ns "$i")
    netns_create "$ns"
    ip link add eth0 netns "$ns" type veth peer name "v$i" netns "$MESH_HUB"
    ip -n "$MESH_HUB" link set "v$i" master "$MESH_BRIDGE" up
    ip -n "$ns" addr add "$(mesh_underlay4 "$i")/24" dev eth0
    ip -n "$ns" addr add "$(mesh_underlay6 "$i")/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
  done
}

# ---- JSON ------------------------------------------------------------------------------------

# mesh_json EXPR: reads one JSON document on stdin and prints the Python expression EXPR over it
# (the document is `j`; a list prints one item per line, None prints nothing). Exit 1 when the
# input is not JSON.
mesh_json() {
  python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
v = eval(sys.argv[1])
if isinstance(v, (list, tuple)):
    for x in v:
        print(x)
elif isinstance(v, bool):
    print("true" if v else "false")
elif v is not None:
    print(v)
' "$1"
}

# ---- nodes -----------------------------------------------------------------------------------

# mesh_node_init I: creates node I's identity in its config dir and records its key, WireGuard
# key and derived addresses (from `meshward config show --json`, no daemon needed).
mesh_node_init() {
  local i=$1 show
  mkdir -p "$MW_TMP"
  mesh_cli "$i" keygen >/dev/null || die "keygen for node $i failed"
  show=$(mesh_cli "$i" config show --json) || die "config show --json for node $i failed"
  MESH_KEY[$i]=$(mesh_json 'j["identity"]["public_key"]' <<<"$show")
  # shellcheck disable=SC2034 # read by the tests
  MESH_WGKEY[$i]=$(mesh_json 'j["identity"]["wireguard_public_key"]' <<<"$show")
  MESH_V4[$i]=$(mesh_json 'j["identity"]["mesh_ipv4"]' <<<"$show")
  MESH_V6[$i]=$(mesh_json 'j["identity"]["mesh_ipv6"]' <<<"$show")
  [[ -n ${MESH_KEY[$i]} && -n ${MESH_V4[$i]} && -n ${MESH_V6[$i]} ]] ||
    die "node $i: config show --json has no identity.public_key/mesh_ipv4/mesh_ipv6: $show"
  mesh_cli "$i" export >"$MW_TMP/n$i.pub" || die "export for node $i failed"
}

# mesh_trust I J: node I authorizes node J's key (as peer "n<J>").
mesh_trust() {
  mesh_cli "$1" trust "$MW_TMP/n$2.pub" --name "n$2" >/dev/null ||
    die "node $1 could not trust node $2"
}

# mesh_trust_all [NODE...]: every listed node (default 1..N) trusts every other listed node.
mesh_trust_all() {
  local nodes=("$@") i j
  ((${#nodes[@]})) || mapfile -t nodes < <(seq 1 "$MESH_NODE_COUNT")
  for i in "${nodes[@]}"; do
    for j in "${nodes[@]}"; do
      ((i == j)) || mesh_trust "$i" "$j"
    done
  done
}

# mesh_status_json I: node I's `status --json` (fails when the daemon does not answer).
mesh_status_json() { mesh_cli "$1" status --socket "$(mesh_sock "$1")" --json 2>/dev/null; }
mesh_answers() { mesh_status_json "$1" | mesh_json 'j["identity"]' >/dev/null; }
# mesh_running I: node I's daemon runs and answers.
mesh_running() { pid_alive "${MESH_PID[$1]}" && mesh_answers "$1"; }

# mesh_up I [FLAGS...]: starts node I's daemon in its namespace (port $MESH_PORT, interface
# $(mesh_if I), its own control socket, log appended to $(mesh_log I)), records its PID and
# waits up to 10 s for the control socket to answer `status`. MESH_ENV is added to its
# environment.
mesh_up() {
  local i=$1 pid
  shift
  ip netns exec "$(mesh_ns "$i")" env LOG_LEVEL="$MW_MESH_LOG_LEVEL" \
    MESHWARD_CONFIG_DIR="$(mesh_dir "$i")" "${MESH_ENV[@]}" "$MW_MESHWARD" up --port "$MESH_PORT" \
    --interface "$(mesh_if "$i")" --socket "$(mesh_sock "$i")" "$@" >>"$(mesh_log "$i")" 2>&1 &
  pid=$!
  MW_PIDS+=("$pid")
  MESH_PID[$i]=$pid
  if ! wait_until 100 0.1 mesh_running "$i"; then
    local alive=exited
    pid_alive "$pid" && alive=running
    die "start node $i: expected its control socket to answer status within 10 s; process $alive"
  fi
}

# mesh_kill I [SIGNAL]: sends SIGNAL (default KILL) to node I's daemon and reaps it (5 s bound).
# (bash's "Killed" job notice is sent to /dev/null with the rest of this function's stderr).
mesh_kill() {
  local pid=${MESH_PID[$1]}
  {
    kill "-${2:-KILL}" "$pid" || true
    wait_until 50 0.1 pid_gone "$pid" || return 1
    wait "$pid" || true
  } 2>/dev/null
  unset "MESH_PID[$1]"
}

# ---- membership ------------------------------------------------------------------------------

# mesh_view I: node I's members other than itself, one "identity state" per line, sorted.
mesh_view() {
  mesh_status_json "$1" | mesh_json 'sorted(m["identity"] + " " + m["state"]
    for m in j["members"] if m["identity"] != j["identity"])' 2>/dev/null
}
# mesh_state_of I J: the state node I reports for node J ("absent" when not a member, "error"
# when I does not answer).
mesh_state_of() {
  local view
  view=$(mesh_view "$1") || {
    echo error
    return
  }
  awk -v k="${MESH_KEY[$2]}" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' \
    <<<"$view"
}
# mesh_alive_count I: how many other members node I reports alive.
mesh_alive_count() { mesh_view "$1" | awk '$2 == "alive"' | wc -l; }

# mesh_sees_exactly I J...: node I reports exactly the nodes J... as alive members, no others.
mesh_sees_exactly() {
  local i=$1 j want="" seen
  shift
  for j in "$@"; do want+="${MESH_KEY[$j]} alive"$'\n'; done
  want=$(LC_ALL=C sort <<<"${want%$'\n'}") # the order of Python's sorted()
  seen=$(mesh_view "$i") || return 1
  [[ $seen == "$want" ]]
}

# mesh_sees_alive I J...: node I reports each of J... as an alive member (others may be listed).
mesh_sees_alive() {
  local i=$1 j view
  shift
  view=$(mesh_view "$i") || return 1
  for j in "$@"; do grep -qxF "${MESH_KEY[$j]} alive" <<<"$view" || return 1; done
}

# mesh_converged NODE...: every listed node sees exactly the other listed nodes, all alive.
mesh_converged() {
  local i j others
  for i in "$@"; do
    others=()
    for j in "$@"; do ((i == j)) || others+=("$j"); done
    mesh_sees_exactly "$i" "${others[@]}" || return 1
  done
}

# mesh_wait_converged SECONDS NODE...: waits (checking every 0.2 s) until the listed nodes have
# converged; prints the milliseconds it took. Returns 1 at the deadline.
mesh_wait_converged() {
  local limit=$1
  shift
  wait_ms "$limit" 0.2 mesh_converged "$@"
}

# mesh_report_views NODE...: logs what each listed node sees (for failure messages).
mesh_report_views() {
  local i j line
  for i in "$@"; do
    line="node $i sees:"
    for ((j = 1; j <= MESH_NODE_COUNT; j++)); do
      ((i == j)) || line+=" n$j=$(mesh_state_of "$i" "$j")"
    done
    log "$line"
  done
}

# expect_converged SECONDS WHAT NODE...: pass when the nodes converge within SECONDS, else fail
# with every node's view. Sets MESH_CONVERGE_MS.
expect_converged() {
  local limit=$1 what=$2
  shift 2
  if MESH_CONVERGE_MS=$(mesh_wait_converged "$limit" "$@"); then
    pass "$what: nodes $* all see each other alive after $MESH_CONVERGE_MS ms"
  else
    fail "$what: expected nodes $* to see each other alive within $limit s"
    mesh_report_views "$@"
    return 1
  fi
}

# ---- metrics ---------------------------------------------------------------------------------

# mesh_metrics I [PORT]: node I's Prometheus text from 127.0.0.1:PORT (default 9474) in its
# namespace; node I must run with --metrics 127.0.0.1:PORT.
mesh_metrics() {
  ip netns exec "$(mesh_ns "$1")" python3 -c '
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=3) as r:
    sys.stdout.write(r.read().decode())
' "${2:-9474}"
}
# mesh_metric_sum I NAME: the sum of every sample of metric NAME (all labels) on node I.
mesh_metric_sum() {
  mesh_metrics "$1" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { print s + 0 }'
}
# mesh_metric_samples I NAME: the samples of metric NAME on node I, on one line.
mesh_metric_samples() {
  mesh_metrics "$1" | awk -v n="$2" '$1 == n || index($1, n "{") == 1' | tr '\n' ' '
}

# ---- traffic ---------------------------------------------------------------------------------

# mesh_ping I DST [TRIES]: a ping from node I's namespace reaches DST (each try waits 2 s for the
# reply; default 3 tries).
mesh_ping() {
  local i=$1 dst=$2 tries=${3:-3} t
  for ((t = 0; t < tries; t++)); do
    ip netns exec "$(mesh_ns "$i")" ping -n -q -c 1 -W 2 "$dst" >/dev/null 2>&1 && return 0
  done
  return 1
}

# expect_mesh_pings FROM... -- TO...: every FROM pings every other TO over both mesh addresses;
# one pass line per source, failures name each pair.
expect_mesh_pings() {
  local from=() to=() others i j fam dst ok count
  while [[ $1 != -- ]]; do
    from+=("$1")
    shift
  done
  shift
  to=("$@")
  for i in "${from[@]}"; do
    ok=1
    count=0
    others=()
    for j in "${to[@]}"; do
      ((i == j)) && continue
      others+=("$j")
      for fam in 4 6; do
        if [[ $fam == 4 ]]; then dst=${MESH_V4[$j]}; else dst=${MESH_V6[$j]}; fi
        if mesh_ping "$i" "$dst"; then
          count=$((count + 1))
        else
          ok=0
          fail "ping node $i -> node $j over IPv$fam ($dst): expected a reply within 3 tries"
        fi
      done
    done
    ((ok)) && pass "node $i pings node(s) ${others[*]} over mesh IPv4 and IPv6: $count of $count"
  done
}
