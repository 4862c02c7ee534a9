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

# nat_paths_are WANT I J: both I and J report the other on path WANT.
nat_paths_are() {
  [[ $(nat_path_of "$1" "$2") == "$3" && $(nat_path_of "$2" "$1") == "$3" ]]
}

# nat_wait_path SECONDS WANT I J: waits until both report WANT; prints the milliseconds.
nat_wait_path() {
  local limit_ms=$(($1 * 1000)) want=$2 i=$3 j=$4 start
  start=$(now_ms)
  until nat_paths_are "$i" "$j" "$want"; do
    if (($(now_ms) - start >= limit_ms)); then
      echo $(($(now_ms) - start))
      return 1
    fi
    sleep 0.1
  done
  echo $(($(now_ms) - start))
}

# nat_netcheck_field I FIELD: one field of node I's `netcheck --json` (from its daemon).
nat_netcheck_field() {
  mesh_cli "$1" netcheck --socket "$(mesh_sock "$1")" --json 2>/dev/null |
    mesh_json "j['$2']" 2>/dev/null
}
