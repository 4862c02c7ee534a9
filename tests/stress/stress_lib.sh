#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for the stress cases (tests/stress/*.sh), on top of tests/netns/mesh_lib.sh: the case's
# duration from --seconds, the CPU and memory of a process we started, and the one "figures"
# line that bench/stress collects.
#
# Each case is both a ctest test (a short run, with pass/fail checks against the issue's targets)
# and a benchmark (bench/stress runs it for longer and keeps its figures line). Every case is
# bounded by --seconds and by the timeouts of its steps.

[[ -n ${MW_STRESS_LIB_LOADED:-} ]] && return 0
MW_STRESS_LIB_LOADED=1

# shellcheck source=tests/netns/mesh_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../netns/mesh_lib.sh"

MW_STRESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MW_REPO=$(cd "$MW_STRESS_DIR/../.." && pwd)
CLK_TCK=$(getconf CLK_TCK)

# stress_seconds DEFAULT "$@": prints the value of --seconds S in the arguments (5..600), else
# DEFAULT; exits 2 on anything else.
stress_seconds() {
  local seconds=$1
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --seconds) seconds=${2:-}; shift 2 || true ;;
      *) echo "usage: $0 [--seconds S]" >&2; exit 2 ;;
    esac
  done
  [[ $seconds =~ ^[0-9]+$ && $seconds -ge 5 && $seconds -le 600 ]] ||
    { echo "--seconds: expected 5..600, got '$seconds'" >&2; exit 2; }
  echo "$seconds"
}

# proc_cpu_ticks PID: user + system CPU of PID so far, in clock ticks.
proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# proc_rss_kib PID: resident memory of PID, in KiB.
proc_rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
# cpu_percent TICKS_BEFORE TICKS_AFTER SECONDS: CPU use over that time, in % of one core.
cpu_percent() {
  awk -v a="$1" -v b="$2" -v s="$3" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }'
}
# less_than A B: A < B as numbers (A may be a decimal).
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# stress_figures CASE KEY=VALUE...: the case's figures on one line, as bench/stress reads them.
stress_figures() {
  local name=$1
  shift
  echo "figures $name: $*"
}

# ping_summary OUTPUT: "LOSS AVG MAX" from `ping -q` output (- for a missing figure).
ping_summary() {
  local loss avg max
  loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$1")
  avg=$(sed -n 's|.*= [0-9.]*/\([0-9.]*\)/[0-9.]*/.*|\1|p' <<<"$1")
  max=$(sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$1")
  echo "${loss:--} ${avg:--} ${max:--}"
}

# check_flood_outcome WHAT RATE LOSS FAILED: the checks every flood case shares: the flood sent
# something, < 1 % of the mesh pings were lost, and no member was declared failed.
check_flood_outcome() {
  local what=$1 rate=$2 loss=$3 failed=$4
  [[ -n $rate && $rate -gt 0 ]] ||
    fail "the $what sent nothing: $(cat "$MW_TMP/flood.out" "$MW_TMP/flood.log")"
  if [[ $loss != - ]] && less_than "$loss" 1; then
    pass "mesh ping 1 -> 2 under a $what of ${rate:-?}/s: ${loss}% lost (< 1 %)"
  else
    fail "mesh ping 1 -> 2 under the $what: expected < 1 % lost, saw '${loss}'"
  fi
  check_eq "members declared failed during the $what" 0 "$failed"
}
