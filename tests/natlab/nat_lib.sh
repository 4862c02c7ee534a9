#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# meshward daemons in the NAT lab: tests/netns/mesh_lib.sh's nodes (config dirs, keys, trust,
# `meshward up`, status as JSON) living in natlab namespaces instead of mesh_lib's own. Node I
# runs in the namespace of lab node ${NAT_NODE[I]}.
#
# Sourced by the nat_*_test.sh here, after natlab.sh.

[[ -n ${MW_NAT_LIB_LOADED:-} ]] && return 0
MW_NAT_LIB_LOADED=1

# shellcheck source=tests/natlab/natlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/natlab.sh"
# shellcheck source=tests/netns/mesh_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../netns/mesh_lib.sh"

declare -gA NAT_NODE # mesh node number -> lab node name

# mesh_lib's namespace of node I becomes the lab node's.
mesh_ns() { natlab_ns "${NAT_NODE[$1]}"; }

# The lab's internet is 10.99.0.0/16, meshward's default mesh IPv4 prefix: the nodes here take
# another, or their tunnels' route would swallow the lab's public addresses.
NAT_MESH_PREFIX4=10.150.0.0/16

# nat_node I NAME: mesh node I lives in lab node NAME (a public node or a host).
nat_node() {
  NAT_NODE[$1]=$2
  ((MESH_NODE_COUNT >= $1)) || MESH_NODE_COUNT=$1
  mkdir -p "$(mesh_dir "$1")"
  echo "ipv4_prefix = \"$NAT_MESH_PREFIX4\"" >"$(mesh_dir "$1")/meshward.toml"
  mesh_node_init "$1"
}

# nat_path_of I J: the path node I reports to node J ("direct", "indirect", "absent", "").
nat_path_of() {
  mesh_status_json "$1" | mesh_json "next((m['path'] for m in j['members']
    if m['identity'] == '${MESH_KEY[$2]}'), 'absent')" 2>/dev/null || echo error
}

# nat_via_of I J: how node I's direct path to node J goes ("punched", "mapped", "reflexive",
# "lan", "public", "" when not said or not direct).
nat_via_of() {
  mesh_status_json "$1" | mesh_json "next((m['via'] for m in j['members']
    if m['identity'] == '${MESH_KEY[$2]}'), 'absent')" 2>/dev/null || echo error
}

# nat_paths_are WANT I J: both I and J report the other on path WANT.
nat_paths_are() {
  [[ $(nat_path_of "$1" "$2") == "$3" && $(nat_path_of "$2" "$1") == "$3" ]]
}

# nat_wait_path SECONDS WANT I J: waits until both report WANT; prints the milliseconds.
nat_wait_path() { wait_ms "$1" 0.1 nat_paths_are "$3" "$4" "$2"; }

# nat_flush_gap ROUTER FROM TO: node FROM pings node TO's mesh IPv6 every 0.2 s (IPv6: two
# members' derived IPv4 addresses may collide, and then IPv4 is not routed); ROUTER's NAT is
# flushed (a reboot) after 3 s; prints the seconds from the flush to the next reply, or "none"
# when none came within 20 s.
nat_flush_gap() {
  local router=$1 from=$2 to=$3 out=$MW_TMP/flush-ping.out flush_ms pid
  ip netns exec "$(mesh_ns "$from")" ping -n -i 0.2 -w 23 -D "$(mesh_addr6 "$to")" >"$out" 2>&1 &
  pid=$!
  MW_PIDS+=("$pid")
  sleep 3
  flush_ms=$(now_ms)
  natlab_flush "$router"
  wait "$pid" || true
  python3 - "$out" "$flush_ms" <<'PY'
import re, sys
flush = int(sys.argv[2]) / 1000
times = [float(m.group(1)) for m in re.finditer(r"\[(\d+\.\d+)\] \d+ bytes from", open(sys.argv[1]).read())]
after = [t for t in times if t > flush]
print(f"{after[0] - flush:.1f}" if after else "none")
PY
}

# nat_netcheck_wait I FIELD WANT: node I's netcheck FIELD once it reads WANT (at most 10 s), else
# the last value read.
nat_netcheck_wait() {
  local got="" n
  for ((n = 0; n < 50; n++)); do
    got=$(nat_netcheck_field "$1" "$2")
    [[ $got == "$3" ]] && break
    sleep 0.2
  done
  echo "$got"
}

# nat_expect_flush_gap ROUTER FROM TO: nat_flush_gap, passed when traffic came back within 10 s.
nat_expect_flush_gap() {
  local gap
  gap=$(nat_flush_gap "$@")
  if [[ $gap != none ]] && python3 -c "import sys; sys.exit(0 if float('$gap') <= 10 else 1)"; then
    pass "$1's state flushed mid-ping: replies again after $gap s"
  else
    fail "$1's state flushed mid-ping: expected replies again within 10 s, got '$gap'"
  fi
}

# nat_netcheck_field I FIELD: one field of node I's `netcheck --json` (from its daemon).
nat_netcheck_field() {
  mesh_cli "$1" netcheck --socket "$(mesh_sock "$1")" --json 2>/dev/null |
    mesh_json "j['$2']" 2>/dev/null
}
