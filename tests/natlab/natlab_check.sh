#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# natlab_check, which proves with probes that a NAT lab router behaves as its kind says, and the
# probes it is made of: a listener that reports what arrived, and the stranger's datagrams.
#
# Sourced by natlab.sh (its variables and helpers: NATLAB_*, natlab_probe, natlab_counter).
# Nothing here depends on scheduling: a listener is stopped only after the sender has returned
# (plus 0.2 s), and reports what the kernel has queued in its socket.

# natlab_take_port ROUTER VAR: sets VAR to a fresh port for natlab_check of ROUTER: router N has
# 40000 + 200 N ... + 199 for its hosts, so that checks of different routers may run in parallel.
natlab_take_port() {
  local _nl_n
  natlab_counter "port-$1" _nl_n
  printf -v "$2" '%s' $((40000 + 200 * NATLAB_INDEX[$1] + _nl_n % 200))
}
# natlab_stranger_port ROUTER VAR: sets VAR to the stranger's next source port for natlab_check
# of ROUTER (20000 + 100 N ... + 99).
natlab_stranger_port() {
  local _nl_n
  natlab_counter "stranger-$1" _nl_n
  printf -v "$2" '%s' $((20000 + 100 * NATLAB_INDEX[$1] + _nl_n % 100))
}
# natlab_listen_start NAME PORT: a listener on NAME's address and PORT in the background that
# stops at the first datagram (or after 10 s); waits until it is bound. Sets NATLAB_LISTEN_PID
# and NATLAB_LISTEN_OUT (its output file). With NATLAB_LISTEN_V6=1 (a caller's local), it
# listens on NAME's IPv6 address.
natlab_listen_start() {
  local ns addr=${NATLAB_IP[$1]}
  ns=$(natlab_ns "$1") || return 1
  [[ ${NATLAB_LISTEN_V6:-0} == 1 ]] && addr=[${NATLAB_IP6[$1]}]
  NATLAB_LISTEN_OUT=$MW_TMP/listen-$1-$2.out
  : >"$NATLAB_LISTEN_OUT"
  ip netns exec "$ns" python3 -S "$NATLAB_PROBE" listen --bind "$addr:$2" --seconds 10 \
    --max 1 >"$NATLAB_LISTEN_OUT" 2>&1 &
  NATLAB_LISTEN_PID=$!
  MW_PIDS+=("$NATLAB_LISTEN_PID")
  wait_until 150 0.02 grep -q '^listening' "$NATLAB_LISTEN_OUT"
}
# natlab_listen_result: gives the datagrams 0.2 s to be delivered (in the kernel: the listener
# need not have run), then stops the listener, which reports what is queued in its socket.
# Prints the source of the first datagram, or "none".
natlab_listen_result() {
  local pid=$NATLAB_LISTEN_PID from
  wait_until 10 0.02 pid_gone "$pid" || kill -TERM "$pid" 2>/dev/null || true
  wait_until 50 0.1 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  { wait "$pid" || true; } 2>/dev/null
  natlab_forget_pid "$pid"
  from=$(awk '$1 == "from" { print $2; exit }' "$NATLAB_LISTEN_OUT")
  echo "${from:-none}"
}
# natlab_stranger_send FROM_PORT TO: the stranger (10.99.0.4) sends 3 datagrams to TO.
natlab_stranger_send() {
  natlab_probe nlp send --bind "$NATLAB_STRANGER:$1" --to "$2" --count 3 --interval 0.05 \
    --text stranger >/dev/null 2>&1 || true
}
# natlab_stranger6_send FROM_PORT TO: the same from the stranger's IPv6 address.
natlab_stranger6_send() {
  natlab_probe nlp send --bind "[$NATLAB_STRANGER6]:$1" --to "$2" --count 3 --interval 0.05 \
    --text stranger >/dev/null 2>&1 || true
}
# natlab_arrives HOST PORT CMD...: listens on HOST:PORT while CMD runs (and 0.2 s after); prints
# the source of what arrived, or "none".
natlab_arrives() {
  local host=$1 port=$2
  shift 2
  natlab_listen_start "$host" "$port" || {
    echo "listener-failed"
    return 0
  }
  "$@"
  natlab_listen_result
}

# natlab_wrong TEXT: one wrong fact of natlab_check (counts into its `wrong`, prints with its
# `tag`: bash's dynamic scope).
natlab_wrong() {
  wrong=$((wrong + 1))
  echo "$tag: WRONG $*"
}

# natlab_check_apdf HOST BIND STRANGER SEND TO SP1 SP2: a part of natlab_check and natlab_check6
# (their `tag` and `wrong`: bash's dynamic scope). HOST sends from BIND to STRANGER:SP1; then the
# stranger's datagrams to TO (what the internet sees of BIND) must be dropped from SP2 and get in
# from SP1: address-and-port-dependent filtering. STRANGER is shown as the listener prints it
# ("10.99.0.4" or "[fd99::4]"); SEND is natlab_stranger_send or natlab_stranger6_send.
natlab_check_apdf() {
  local host=$1 bind=$2 stranger=$3 send=$4 to=$5 sp1=$6 sp2=$7 got
  natlab_probe "$host" send --bind "$bind" --to "$stranger:$sp1" --count 1 >/dev/null 2>&1 || true
  got=$(natlab_arrives "$host" "${bind##*:}" "$send" "$sp2" "$to")
  if [[ $got == none ]]; then
    echo "$tag: another port of a contacted address ($stranger:$sp2) filtered"
  else
    natlab_wrong "filtering: expected $stranger:$sp2 (not contacted) dropped, saw $got"
  fi
  got=$(natlab_arrives "$host" "${bind##*:}" "$send" "$sp1" "$to")
  if [[ $got == "$stranger:$sp1" ]]; then
    echo "$tag: filtering address-and-port-dependent (the contacted $got gets in)"
  else
    natlab_wrong "filtering: expected the contacted $stranger:$sp1 to get in, saw $got"
  fi
}

# natlab_check ROUTER KIND: proves with probes from ROUTER's first host that the way from that
# host to the internet behaves as KIND (eim-eif, eim-apdf, edm, cgn, upnp; behind a CGN the
# whole path is checked). Prints one line per fact; returns 1 naming what is wrong.
#   mapping     one socket, two echo servers (other address, other port): same external
#               address = endpoint-independent (eim kinds), different = endpoint-dependent (edm)
#   external    the address is the public IP of the outermost router
#   ports       eim kinds keep the host's port
#   filtering   the stranger, never contacted, sends to the mapping: it arrives for eim-eif and
#               cgn only; for eim-apdf and upnp, after the host sent to stranger:P, P gets in
#               and another port of the stranger does not
#   hairpin     the host sends from a second socket to its own mapping: arrives iff the
#               outermost router has --hairpin on (and every router below it is EIF)
natlab_check() {
  local r=$1 kind=$2 host p1 p2 pub wrong=0 e1 e2 m1 m2 got sp1 sp2 want
  [[ " $NATLAB_KINDS " == *" $kind "* ]] || {
    echo "natlab_check $r: unknown kind '$kind'"
    return 1
  }
  [[ ${NATLAB_ROLE[$r]:-} == router ]] || {
    echo "natlab_check $r: no such router"
    return 1
  }
  host=${NATLAB_HOSTS[$r]%% *}
  [[ -n $host ]] || {
    echo "natlab_check $r: no host on its LAN"
    return 1
  }
  local tag="natlab_check $r ($kind, via $host)"
  natlab_take_port "$r" p1
  natlab_take_port "$r" p2
  pub=$(natlab_public_ip "$r")

  # Mapping.
  local seen=()
  mapfile -t seen < <(natlab_probe "$host" map --bind "${NATLAB_IP[$host]}:$p1" \
    --to "$NATLAB_ECHO1" --to "$NATLAB_ECHO2" --timeout 2 || true)
  e1=${seen[0]:-none}
  e2=${seen[1]:-none}
  if [[ $e1 == none || $e2 == none ]]; then
    echo "$tag: WRONG no answer from the echo servers (E1 saw $e1, E2 saw $e2)"
    return 1
  fi
  m1=${e1%:*}
  m2=${e2%:*}
  if [[ $e1 == "$e2" ]]; then
    echo "$tag: mapping endpoint-independent ($e1 to both echo servers)"
    [[ $kind != edm ]] || natlab_wrong "mapping: expected endpoint-dependent, saw $e1 to both echo servers"
  else
    echo "$tag: mapping endpoint-dependent (E1 saw $e1, E2 saw $e2)"
    [[ $kind == edm ]] || natlab_wrong "mapping: expected endpoint-independent, saw $e1 and $e2"
  fi
  if [[ $m1 == "$pub" && $m2 == "$pub" ]]; then
    echo "$tag: external address $pub"
  else
    natlab_wrong "external address: expected $pub, saw $m1 and $m2"
  fi
  if [[ $kind != edm ]]; then
    if [[ ${e1##*:} == "$p1" ]]; then
      echo "$tag: port preserved ($p1)"
    else
      natlab_wrong "port: expected $p1 kept, saw ${e1##*:}"
    fi
  fi

  # Filtering: the stranger never heard of us.
  natlab_stranger_port "$r" sp1
  got=$(natlab_arrives "$host" "$p1" natlab_stranger_send "$sp1" "$e1")
  if [[ $kind == eim-eif || $kind == cgn ]]; then
    if [[ $got == "$NATLAB_STRANGER:$sp1" ]]; then
      echo "$tag: filtering endpoint-independent (unsolicited from $got arrived)"
    else
      natlab_wrong "filtering: expected the stranger's datagram to $e1 to arrive, saw $got"
    fi
  else
    if [[ $got == none ]]; then
      echo "$tag: unsolicited datagram from $NATLAB_STRANGER:$sp1 to $e1 filtered"
    else
      natlab_wrong "filtering: expected the unsolicited datagram to $e1 to be dropped, saw it from $got"
    fi
  fi
  # Address-and-port-dependent: after we sent to stranger:sp1, sp1 gets in, sp2 does not.
  if [[ $kind == eim-apdf || $kind == upnp ]]; then
    natlab_stranger_port "$r" sp2
    natlab_check_apdf "$host" "${NATLAB_IP[$host]}:$p1" "$NATLAB_STRANGER" natlab_stranger_send \
      "$e1" "$sp1" "$sp2"
  fi

  # Hairpin: from a second socket to our own mapping.
  local outer i want_hairpin=0 x
  outer=$(natlab_outer "$r")
  if [[ ${NATLAB_HAIRPIN[$outer]} == on ]]; then
    want_hairpin=1
    x=$r
    for ((i = 0; i < 8; i++)); do
      [[ $x == "$outer" ]] && break
      [[ ${NATLAB_KIND[$x]} == eim-eif || ${NATLAB_KIND[$x]} == cgn ]] || want_hairpin=0
      x=${NATLAB_UPSTREAM[$x]}
    done
  fi
  got=$(natlab_arrives "$host" "$p1" natlab_probe "$host" send \
    --bind "${NATLAB_IP[$host]}:$p2" --to "$e1" --count 3 --text hairpin)
  if ((want_hairpin)); then
    want=$pub:$p2
    if [[ $got == "$want" ]]; then
      echo "$tag: hairpin on (from $got to $e1 arrived)"
    else
      natlab_wrong "hairpin: expected a datagram to $e1 from $want, saw $got"
    fi
  else
    if [[ $got == none ]]; then
      echo "$tag: hairpin off (to $e1 from inside did not arrive)"
    else
      natlab_wrong "hairpin: expected none through $e1 from inside, saw it from $got"
    fi
  fi
  ((wrong == 0))
}

# natlab_check6 ROUTER: proves with probes from ROUTER's first host that its IPv6 (--ipv6) is
# routed without translation behind a stateful firewall:
#   routed      the echo server sees the host's own IPv6 address and port
#   filtering   the stranger, never contacted, is dropped; after the host sent to stranger:P,
#               P gets in and another port of the stranger does not
natlab_check6() {
  local r=$1 host p1 wrong=0 seen got sp1 sp2 own
  [[ -n ${NATLAB_V6LAN[$r]:-} ]] || {
    echo "natlab_check6 $r: no router with --ipv6"
    return 1
  }
  host=${NATLAB_HOSTS[$r]%% *}
  [[ -n $host ]] || {
    echo "natlab_check6 $r: no host on its LAN"
    return 1
  }
  local tag="natlab_check6 $r (via $host)" NATLAB_LISTEN_V6=1
  natlab_take_port "$r" p1
  own="[${NATLAB_IP6[$host]}]:$p1"
  # Up to three tries: the first datagram of a fresh IPv6 path may wait on neighbour discovery.
  for _ in 1 2 3; do
    seen=$(natlab_probe "$host" map --bind "$own" --to "$NATLAB_ECHO6" --timeout 1 || true)
    [[ $seen == "$own" ]] && break
  done
  if [[ $seen == "$own" ]]; then
    echo "$tag: routed, not translated (the echo server saw $seen)"
  else
    natlab_wrong "routing: expected the echo server to see $own, saw '${seen:-none}'"
  fi
  natlab_stranger_port "$r" sp1
  natlab_stranger_port "$r" sp2
  got=$(natlab_arrives "$host" "$p1" natlab_stranger6_send "$sp1" "$own")
  if [[ $got == none ]]; then
    echo "$tag: unsolicited datagram from [$NATLAB_STRANGER6]:$sp1 filtered"
  else
    natlab_wrong "filtering: expected the unsolicited datagram to $own dropped, saw it from $got"
  fi
  natlab_check_apdf "$host" "$own" "[$NATLAB_STRANGER6]" natlab_stranger6_send "$own" "$sp1" "$sp2"
  ((wrong == 0))
}

# natlab_check_all ROUTER:KIND...: natlab_check of every listed router at once (each router's
# checks have their own ports); each router's facts are logged and its check is one pass or fail
# line. Returns 1 when any router does not behave as its kind.
natlab_check_all() {
  local c status line bad=0
  declare -A pid_of=()
  for c in "$@"; do
    natlab_check "${c%%:*}" "${c#*:}" >"$MW_TMP/check-${c%%:*}.out" 2>&1 &
    pid_of[$c]=$!
    MW_PIDS+=("${pid_of[$c]}")
  done
  for c in "$@"; do
    status=0
    wait "${pid_of[$c]}" || status=$?
    natlab_forget_pid "${pid_of[$c]}"
    while IFS= read -r line; do log "$line"; done <"$MW_TMP/check-${c%%:*}.out"
    if ((status == 0)); then
      pass "the lab: ${c%%:*} behaves as ${c#*:}"
    else
      fail "the lab: ${c%%:*} does not behave as ${c#*:}"
      bad=1
    fi
  done
  return "$bad"
}
