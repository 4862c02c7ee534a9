#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The NAT lab: an "internet" bridge, public hosts, NAT routers of several kinds (nftables in their
# own namespaces, chainable behind a carrier-grade NAT), hosts behind them, a real STUN server
# (Debian's stund) and miniupnpd for UPnP-IGD / NAT-PMP / PCP; plus natlab_check (in
# natlab_check.sh), which proves a router behaves as its kind says before a test relies on it.
#
# Sourced by tests; on top of ../netns/lib.sh (log, pass, fail, check_eq, die, skip, mw_finish,
# wait_until, pid_alive, netns_create; MW_TMP, MW_PIDS, MW_NAMESPACES). natlab_init installs
# natlab_cleanup as the EXIT trap: it kills only the PIDs recorded in MW_PIDS and deletes only
# the namespaces recorded in MW_NAMESPACES.
#
# Every namespace name carries our PID: the internet is nli-$$, the echo servers and the stranger
# live in nlp-$$, and a node NAME lives in nl-NAME-$$. Interface names are local to their
# namespace (eth0, wan0, lan0) except the far ends of veths, nlv<N>, unique within the lab.
#
# Address plan (IPv4; public nodes and routers' public legs also get fd99::A:B/64 for 10.99.A.B;
# a router made with --ipv6 PREFIX routes that /64 to its LAN, behind a stateful firewall):
#   10.99.0.0/16     the internet, one bridge (inet0 in nli-$$)
#   10.99.0.2:7001   echo server E1     10.99.0.3:7002  echo server E2     (in nlp-$$)
#   10.99.0.4        the stranger: sends unsolicited datagrams (natlab_check: ports 20000 + 100 N
#                    ... + 99 for router N; natlab_check's hosts use 40000 + 200 N ... + 199)
#   10.99.0.5-9      reserved for the lab;  10.99.0.10 and up: natlab_public hosts (e.g. STUN)
#   10.99.1.0/24     suggested for routers' public legs
#   100.64.N.0/24    suggested for CGN LANs;  10.2NN.0.0/24 suggested for home LANs
# See README.md beside this file for the nftables rules of each router kind.
#
# Environment:
#   MW_KEEP_LOGS=1  keep $MW_TMP (nft rule files, stund / miniupnpd / echo logs) after the run

[[ -n ${MW_NATLAB_LOADED:-} ]] && return 0
MW_NATLAB_LOADED=1

# shellcheck source=tests/netns/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"

# nft, conntrack, stund and miniupnpd live in /usr/sbin, which a CI job's PATH may lack.
case ":$PATH:" in
  *:/usr/sbin:*) ;;
  *) PATH=$PATH:/usr/sbin:/sbin ;;
esac

NATLAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NATLAB_PROBE=$NATLAB_DIR/udp_probe.py
NATLAB_NET=nli-$$   # the internet namespace
NATLAB_BRIDGE=inet0 # its bridge
NATLAB_PROBE_NS=nlp-$$
NATLAB_PREFIX=16 # of the internet, 10.99.0.0/16
NATLAB_ECHO1=10.99.0.2:7001
NATLAB_ECHO2=10.99.0.3:7002
NATLAB_STRANGER=10.99.0.4
NATLAB_ECHO6="[fd99::2]:7001" # E1 over IPv6
NATLAB_STRANGER6=fd99::4
NATLAB_MAP_TIMEOUT=120 # seconds an idle EIM mapping lives (the conntrack UDP stream timeout)
NATLAB_KINDS="eim-eif eim-apdf edm cgn upnp"

NATLAB_LINK_COUNT=0   # veth far ends made so far: nlv1, nlv2, ...
NATLAB_ROUTER_COUNT=0 # routers made so far
NATLAB_STUN="" # IP:PORT of the STUN server, once started
# shellcheck disable=SC2034 # for the tests
NATLAB_STUN_ALT="" # its second address (RFC 3489 CHANGE-REQUEST)
# shellcheck disable=SC2034 # for the tests
NATLAB_STUN_PID=""

declare -gA NATLAB_NS       # name -> namespace
declare -gA NATLAB_ROLE     # name -> public | router | host
declare -gA NATLAB_IP       # name -> its address (router: its public leg)
declare -gA NATLAB_KIND     # router -> kind
declare -gA NATLAB_INDEX    # router -> 1, 2, ... in creation order
declare -gA NATLAB_LAN      # router -> LAN CIDR
declare -gA NATLAB_GW       # router -> its LAN address
declare -gA NATLAB_HAIRPIN  # router -> on | off
declare -gA NATLAB_UPSTREAM # router -> upstream router ("" = the internet)
declare -gA NATLAB_HOSTS    # router -> its hosts, space separated, in creation order
declare -gA NATLAB_ROUTER   # host -> its router
declare -gA NATLAB_UPNP_PID # upnp router -> miniupnpd PID
declare -gA NATLAB_UPNP_STUN # upnp router -> the STUN server its miniupnpd asks
declare -gA NATLAB_V6LAN    # router -> its IPv6 LAN prefix (--ipv6), e.g. fd00:202::/64
declare -gA NATLAB_IP6      # name -> its IPv6 address (public nodes, routers, hosts on a v6 LAN)

# ---- preconditions ---------------------------------------------------------------------------

# natlab_require [TOOL...]: exits 77 (ctest's skip) unless we are root with ip, nft, conntrack,
# python3 and every TOOL.
natlab_require() {
  [[ $(id -u) -eq 0 ]] || skip "needs root"
  local tool
  for tool in ip nft conntrack python3 "$@"; do
    command -v "$tool" >/dev/null || skip "needs $tool"
  done
}

# ---- small helpers ---------------------------------------------------------------------------

natlab_ip2int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
natlab_int2ip() {
  local n=$1
  echo "$(((n >> 24) & 255)).$(((n >> 16) & 255)).$(((n >> 8) & 255)).$((n & 255))"
}
# natlab_in_cidr IP CIDR: IP lies inside CIDR.
natlab_in_cidr() {
  local ip net bits mask
  ip=$(natlab_ip2int "$1")
  net=$(natlab_ip2int "${2%/*}")
  bits=${2#*/}
  mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
  (((ip & mask) == (net & mask)))
}
# natlab_v6 IP: the fd99:: address of a public IPv4 address 10.99.A.B (empty for others), in
# the canonical form tools print: fd99::A:B, or fd99::B when A is 0.
natlab_v6() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  if [[ $a.$b == 10.99 && $c == 0 ]]; then echo "fd99::$d"; fi
  if [[ $a.$b == 10.99 && $c != 0 ]]; then echo "fd99::$c:$d"; fi
}
# natlab_v6_in PREFIX N: address N (written as the last hextet) of the /64 PREFIX:
# natlab_v6_in fd00:202::/64 2 is fd00:202::2.
natlab_v6_in() { echo "${1%::/64}::$2"; }
# natlab_v6_routes_to NS: routes in namespace NS (on the internet) to every router's IPv6 LAN
# so far, through the router's public leg.
natlab_v6_routes_to() {
  local r
  for r in "${!NATLAB_V6LAN[@]}"; do
    ip -n "$1" -6 route replace "${NATLAB_V6LAN[$r]}" via "${NATLAB_IP6[$r]}"
  done
}
# natlab_has_addr NS IP: IP is assigned in namespace NS.
natlab_has_addr() {
  local addrs
  addrs=$(ip -n "$1" -o -4 addr show)
  [[ $addrs == *" $2/"* ]]
}
natlab_valid_name() { [[ $1 =~ ^[a-z][a-z0-9]{0,11}$ ]]; }

# natlab_ns NAME: the namespace of a lab node.
natlab_ns() {
  [[ -n ${NATLAB_NS[$1]:-} ]] || {
    echo "natlab: no node named '$1'" >&2
    return 1
  }
  echo "${NATLAB_NS[$1]}"
}
# natlab_exec NAME CMD...: runs CMD inside node NAME's namespace.
natlab_exec() {
  local ns
  ns=$(natlab_ns "$1") || return 1
  shift
  ip netns exec "$ns" "$@"
}
# natlab_probe NAME ARGS...: udp_probe.py inside node NAME's namespace (python3 -S: the stdlib
# only, no site-packages, a quicker start).
natlab_probe() {
  local ns
  ns=$(natlab_ns "$1") || return 1
  shift
  ip netns exec "$ns" python3 -S "$NATLAB_PROBE" "$@"
}
# natlab_ip NAME: a node's address (a router's: its public leg).
natlab_ip() { echo "${NATLAB_IP[$1]}"; }
# natlab_public_ip ROUTER: the address the internet sees for ROUTER's hosts (the outermost
# router's public leg when ROUTER sits behind others).
natlab_public_ip() {
  local r=$1 i
  for ((i = 0; i < 8; i++)); do
    [[ -z ${NATLAB_UPSTREAM[$r]:-} ]] && break
    r=${NATLAB_UPSTREAM[$r]}
  done
  echo "${NATLAB_IP[$r]}"
}
# natlab_outer ROUTER: the outermost router on ROUTER's way to the internet.
natlab_outer() {
  local r=$1 i
  for ((i = 0; i < 8; i++)); do
    [[ -z ${NATLAB_UPSTREAM[$r]:-} ]] && break
    r=${NATLAB_UPSTREAM[$r]}
  done
  echo "$r"
}
# natlab_counter NAME VAR: sets VAR to the next value of counter NAME (0, 1, ...). Counters live
# in $MW_TMP, so that they advance in subshells too (natlab_check inside $(...)).
natlab_counter() {
  local _nlc_file=$MW_TMP/counter-$1 _nlc_n # (names no caller's VAR will have)
  _nlc_n=$(cat "$_nlc_file" 2>/dev/null || echo 0)
  echo $((_nlc_n + 1)) >"$_nlc_file"
  printf -v "$2" '%s' "$_nlc_n"
}
natlab_new_link() {
  NATLAB_LINK_COUNT=$((NATLAB_LINK_COUNT + 1))
  NATLAB_LINK="nlv$NATLAB_LINK_COUNT"
}
# natlab_quiet_sysctls NS: no bridge netfilter (bridged frames must not meet the NAT rules), no
# ICMP redirects from a router sending a hairpinned packet back out of its LAN.
natlab_quiet_sysctls() {
  # shellcheck disable=SC2016 # $f is the inner shell's
  ip netns exec "$1" sh -c '
    for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables \
             /proc/sys/net/bridge/bridge-nf-call-arptables; do
      [ -e "$f" ] && echo 0 >"$f"
    done
    echo 0 >/proc/sys/net/ipv4/conf/all/send_redirects
    echo 0 >/proc/sys/net/ipv4/conf/default/send_redirects'
}
# natlab_start NAME LOG CMD...: runs CMD in node NAME's namespace in the background, output to
# $MW_TMP/LOG, records the PID in MW_PIDS and NATLAB_LAST_PID.
natlab_start() {
  local ns log=$MW_TMP/$2
  ns=$(natlab_ns "$1") || return 1
  shift 2
  ip netns exec "$ns" "$@" >>"$log" 2>&1 &
  NATLAB_LAST_PID=$!
  MW_PIDS+=("$NATLAB_LAST_PID")
}
# natlab_forget_pid PID: drops a reaped PID from MW_PIDS, so that the cleanup cannot signal
# another process that was given the number since.
natlab_forget_pid() {
  local pid kept=()
  for pid in "${MW_PIDS[@]}"; do
    [[ $pid == "$1" ]] || kept+=("$pid")
  done
  MW_PIDS=("${kept[@]}")
}
# natlab_stop PID: TERM, then KILL after 3 s; reaps it and forgets it.
natlab_stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait_until 30 0.1 pid_gone "$1" || kill -KILL "$1" 2>/dev/null || true
  { wait "$1" || true; } 2>/dev/null
  natlab_forget_pid "$1"
}

# ---- the internet ----------------------------------------------------------------------------

# natlab_init: the internet (namespace nli-$$ with bridge inet0) and the probe namespace nlp-$$
# with the echo servers E1, E2 and the stranger's address. Installs natlab_cleanup as the EXIT
# trap.
natlab_init() {
  trap natlab_cleanup EXIT
  mkdir -p "$MW_TMP"
  netns_create "$NATLAB_NET"
  natlab_quiet_sysctls "$NATLAB_NET"
  ip -n "$NATLAB_NET" link add "$NATLAB_BRIDGE" type bridge
  ip -n "$NATLAB_NET" link set "$NATLAB_BRIDGE" up
  natlab_attach_public nlp "$NATLAB_PROBE_NS" "${NATLAB_ECHO1%:*}"
  local ip
  for ip in "${NATLAB_ECHO2%:*}" "$NATLAB_STRANGER"; do
    ip -n "$NATLAB_PROBE_NS" addr add "$ip/$NATLAB_PREFIX" dev eth0
  done
  ip -n "$NATLAB_PROBE_NS" addr add "$NATLAB_STRANGER6/64" dev eth0 nodad
  natlab_start nlp echo1.log python3 -S "$NATLAB_PROBE" echo --bind "$NATLAB_ECHO1" --seconds 3600
  natlab_start nlp echo2.log python3 -S "$NATLAB_PROBE" echo --bind "$NATLAB_ECHO2" --seconds 3600
  natlab_start nlp echo6.log python3 -S "$NATLAB_PROBE" echo --bind "$NATLAB_ECHO6" --seconds 3600
  wait_until 50 0.1 natlab_probe nlp map --bind "$NATLAB_STRANGER:7099" --to "$NATLAB_ECHO1" \
    --to "$NATLAB_ECHO2" --timeout 0.5 >/dev/null ||
    die "natlab_init: the echo servers $NATLAB_ECHO1 and $NATLAB_ECHO2 did not answer within 5 s"
}

# natlab_cleanup: the EXIT trap (mw_cleanup: stop our PIDs, delete our namespaces, remove
# $MW_TMP unless MW_KEEP_LOGS=1).
natlab_cleanup() {
  mw_cleanup
}

# natlab_attach_public NAME NS IP: namespace NS as node NAME, with eth0 on the internet bridge.
natlab_attach_public() {
  local name=$1 ns=$2 ip=$3 v6
  netns_create "$ns"
  NATLAB_NS[$name]=$ns
  NATLAB_ROLE[$name]=public
  NATLAB_IP[$name]=$ip
  natlab_new_link
  ip link add eth0 netns "$ns" type veth peer name "$NATLAB_LINK" netns "$NATLAB_NET"
  ip -n "$NATLAB_NET" link set "$NATLAB_LINK" master "$NATLAB_BRIDGE" up
  ip -n "$ns" addr add "$ip/$NATLAB_PREFIX" dev eth0
  v6=$(natlab_v6 "$ip")
  if [[ -n $v6 ]]; then
    ip -n "$ns" addr add "$v6/64" dev eth0 nodad
    NATLAB_IP6[$name]=$v6
  fi
  ip -n "$ns" link set eth0 up
  natlab_v6_routes_to "$ns"
}

# natlab_public NAME IP: a host attached directly to the internet with a public address
# (10.99.0.10 and up), e.g. a seed node or the STUN server's host.
natlab_public() {
  local name=$1 ip=$2
  natlab_valid_name "$name" || die "natlab_public: bad name '$name' (a-z0-9, at most 12)"
  [[ -z ${NATLAB_NS[$name]:-} ]] || die "natlab_public: '$name' exists"
  natlab_in_cidr "$ip" 10.99.0.0/16 || die "natlab_public: $ip is not in 10.99.0.0/16"
  natlab_attach_public "$name" "nl-$name-$$" "$ip"
}

# ---- routers ---------------------------------------------------------------------------------

# natlab_router NAME KIND PUBLIC_IP LAN_CIDR [--upstream ROUTER] [--hairpin on|off]
#   [--stun IP:PORT]
# A router namespace: wan0 on the internet (or, with --upstream, on another router's LAN) with
# PUBLIC_IP, and the bridge lan0 with the first address of LAN_CIDR. KIND is one of
#   eim-eif   endpoint-independent mapping and filtering ("full cone"), port preserving
#   eim-apdf  endpoint-independent mapping, address-and-port-dependent filtering
#   edm       endpoint-dependent mapping ("symmetric", a random port per destination), APDF
#   cgn       a carrier-grade NAT: eim-eif, meant for a 100.64.0.0/10 LAN with routers on it
#   upnp      eim-apdf plus miniupnpd (UPnP-IGD, NAT-PMP, PCP) on lan0; needs a STUN server
#             (--stun, default the lab's from natlab_stun_start): miniupnpd learns its external
#             address by STUN, as it refuses a private one on its WAN interface
# --hairpin on (eim kinds): a LAN host sending to the router's public IP and a mapped port
# reaches the LAN host that owns the mapping, from the sender's mapped address.
# --ipv6 PREFIX (a /64 of fd00::/8; not with --upstream): the LAN also gets PREFIX, routed
# without translation (every public node and router learns the route) behind a stateful
# firewall as home routers have: what the LAN sent to may answer, nothing else gets in
# (address-and-port-dependent filtering, no mapping).
natlab_router() {
  local name=$1 kind=$2 pub=$3 lan=$4 upstream="" hairpin=off stun=$NATLAB_STUN v6lan=""
  shift 4 || die "natlab_router: usage NAME KIND PUBLIC_IP LAN_CIDR [options]"
  while (($#)); do
    (($# >= 2)) || die "natlab_router $name: option $1 needs a value"
    case $1 in
      --upstream) upstream=$2 ;;
      --hairpin) hairpin=$2 ;;
      --stun) stun=$2 ;;
      --ipv6) v6lan=$2 ;;
      *) die "natlab_router $name: unknown option '$1'" ;;
    esac
    shift 2
  done
  natlab_valid_name "$name" || die "natlab_router: bad name '$name' (a-z0-9, at most 12)"
  [[ -z ${NATLAB_NS[$name]:-} ]] || die "natlab_router: '$name' exists"
  [[ " $NATLAB_KINDS " == *" $kind "* ]] || die "natlab_router $name: unknown kind '$kind'"
  [[ $hairpin == on || $hairpin == off ]] || die "natlab_router $name: --hairpin on|off"
  [[ $hairpin == off || $kind != edm ]] || die "natlab_router $name: no hairpin for edm"
  if ! [[ $lan =~ ^[0-9.]+/([0-9]+)$ ]] || ((BASH_REMATCH[1] < 8 || BASH_REMATCH[1] > 30)); then
    die "natlab_router $name: bad LAN '$lan' (a.b.c.d/8 to /30)"
  fi
  [[ $kind != upnp || -n $stun ]] ||
    die "natlab_router $name: upnp needs a STUN server (natlab_stun_start first, or --stun)"
  if [[ -n $v6lan ]]; then
    [[ $v6lan =~ ^fd[0-9a-f]{2}(:[0-9a-f]{1,4}){0,2}::/64$ ]] ||
      die "natlab_router $name: bad --ipv6 '$v6lan' (a /64 of fd00::/8, e.g. fd00:202::/64)"
    [[ -z $upstream ]] || die "natlab_router $name: --ipv6 needs a router on the internet"
  fi

  local ns=nl-$name-$$ gw
  gw=$(natlab_int2ip $(($(natlab_ip2int "${lan%/*}") + 1)))
  netns_create "$ns"
  NATLAB_NS[$name]=$ns
  NATLAB_ROLE[$name]=router
  NATLAB_ROUTER_COUNT=$((NATLAB_ROUTER_COUNT + 1))
  NATLAB_INDEX[$name]=$NATLAB_ROUTER_COUNT
  NATLAB_IP[$name]=$pub
  NATLAB_KIND[$name]=$kind
  NATLAB_LAN[$name]=$lan
  NATLAB_GW[$name]=$gw
  NATLAB_HAIRPIN[$name]=$hairpin
  NATLAB_UPSTREAM[$name]=$upstream
  NATLAB_HOSTS[$name]=""
  natlab_quiet_sysctls "$ns"
  ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1

  # The public leg.
  natlab_new_link
  if [[ -z $upstream ]]; then
    natlab_in_cidr "$pub" 10.99.0.0/16 || die "natlab_router $name: $pub is not in 10.99.0.0/16"
    ip link add wan0 netns "$ns" type veth peer name "$NATLAB_LINK" netns "$NATLAB_NET"
    ip -n "$NATLAB_NET" link set "$NATLAB_LINK" master "$NATLAB_BRIDGE" up
    ip -n "$ns" addr add "$pub/$NATLAB_PREFIX" dev wan0
    NATLAB_IP6[$name]=$(natlab_v6 "$pub")
    ip -n "$ns" addr add "${NATLAB_IP6[$name]}/64" dev wan0 nodad
    ip -n "$ns" link set wan0 up
    natlab_v6_routes_to "$ns"
  else
    [[ ${NATLAB_ROLE[$upstream]:-} == router ]] || die "natlab_router $name: no router '$upstream'"
    natlab_in_cidr "$pub" "${NATLAB_LAN[$upstream]}" ||
      die "natlab_router $name: $pub is not in $upstream's LAN ${NATLAB_LAN[$upstream]}"
    ip link add wan0 netns "$ns" type veth peer name "$NATLAB_LINK" netns "${NATLAB_NS[$upstream]}"
    ip -n "${NATLAB_NS[$upstream]}" link set "$NATLAB_LINK" master lan0 up
    ip -n "$ns" addr add "$pub/${NATLAB_LAN[$upstream]#*/}" dev wan0
    ip -n "$ns" link set wan0 up
    ip -n "$ns" route add default via "${NATLAB_GW[$upstream]}"
  fi

  # The LAN.
  ip -n "$ns" link add lan0 type bridge
  ip -n "$ns" addr add "$gw/${lan#*/}" dev lan0
  ip -n "$ns" link set lan0 up

  if [[ -n $v6lan ]]; then
    NATLAB_V6LAN[$name]=$v6lan
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.forwarding=1
    ip -n "$ns" addr add "$(natlab_v6_in "$v6lan" 1)/64" dev lan0 nodad
    # Everyone on the internet routes the new LAN through this router's public leg.
    local other
    for other in "${!NATLAB_NS[@]}"; do
      [[ $other == "$name" ]] && continue
      if [[ ${NATLAB_ROLE[$other]} == public ||
        (${NATLAB_ROLE[$other]} == router && -z ${NATLAB_UPSTREAM[$other]}) ]]; then
        ip -n "${NATLAB_NS[$other]}" -6 route replace "$v6lan" via "${NATLAB_IP6[$name]}"
      fi
    done
  fi

  natlab_nft_rules "$name" "$stun" >"$MW_TMP/nft-$name.nft"
  ip netns exec "$ns" nft -f "$MW_TMP/nft-$name.nft" ||
    die "natlab_router $name: nft refused $MW_TMP/nft-$name.nft"
  if [[ $kind == upnp ]]; then
    natlab_upnp_start "$name" "$stun"
  fi
}

# natlab_nft_rules ROUTER STUN: prints the nftables ruleset of ROUTER (table ip natlab; for
# upnp also table inet miniupnpd, whose chains miniupnpd fills). README.md explains each rule.
natlab_nft_rules() {
  local r=$1 stun=$2 kind=${NATLAB_KIND[$1]} pub=${NATLAB_IP[$1]} lan=${NATLAB_LAN[$1]}
  local hairpin=${NATLAB_HAIRPIN[$1]} eim=1 eif=0 t=${NATLAB_MAP_TIMEOUT}s
  [[ $kind == edm ]] && eim=0
  [[ $kind == eim-eif || $kind == cgn ]] && eif=1

  echo "# natlab router $r: $kind, public $pub, LAN $lan, hairpin $hairpin"
  echo "table ip natlab {"
  if ((eim)); then
    cat <<EOF
	# The UDP mappings both ways, filled by outbound packets (chain record): external port ->
	# inside address . port, and inside address . port -> public address . port.
	map fullcone {
		type inet_service : ipv4_addr . inet_service
		flags dynamic,timeout
		timeout $t
	}
	map inside {
		type ipv4_addr . inet_service : ipv4_addr . inet_service
		flags dynamic,timeout
		timeout $t
	}
EOF
  fi
  echo "	chain prerouting {"
  echo "		type nat hook prerouting priority dstnat; policy accept;"
  ((eif)) && echo "		iifname \"wan0\" ip daddr $pub dnat ip to udp dport map @fullcone"
  [[ $hairpin == on ]] && echo "		iifname \"lan0\" ip daddr $pub dnat ip to udp dport map @fullcone"
  echo "	}"
  echo "	chain postrouting {"
  echo "		type nat hook postrouting priority srcnat; policy accept;"
  if [[ $hairpin == on ]]; then
    echo "		oifname \"lan0\" ip saddr $lan ct status dnat snat ip to ip saddr . udp sport map @inside"
    echo "		oifname \"lan0\" ip saddr $lan ct status dnat snat ip to $pub"
  fi
  if ((eim)); then
    echo "		oifname \"wan0\" ip saddr $lan snat ip to ip saddr . udp sport map @inside"
    echo "		oifname \"wan0\" ip saddr $lan udp sport @fullcone snat ip to $pub random"
    echo "		oifname \"wan0\" ip saddr $lan snat ip to $pub"
  else
    echo "		oifname \"wan0\" ip saddr $lan snat ip to $pub fully-random"
  fi
  echo "	}"
  if ((eim)); then
    cat <<EOF
	# After source NAT (priority srcnat + 10): ip saddr . udp sport is the external address.
	chain record {
		type filter hook postrouting priority srcnat + 10; policy accept;
		oifname "wan0" ct direction original ct original ip saddr $lan update @fullcone { udp sport : ct original ip saddr . ct original proto-src } update @inside { ct original ip saddr . ct original proto-src : ip saddr . udp sport }
		oifname "wan0" ct direction reply ct reply ip saddr $lan update @fullcone { udp sport : ct reply ip saddr . ct reply proto-src } update @inside { ct reply ip saddr . ct reply proto-src : ip saddr . udp sport }
	}
EOF
  fi
  echo "	chain forward {"
  echo "		type filter hook forward priority filter; policy accept;"
  echo "		ct state established,related accept"
  echo "		iifname \"lan0\" accept"
  [[ $eif == 1 || $kind == upnp ]] && echo "		iifname \"wan0\" ct status dnat accept"
  echo "		iifname \"wan0\" drop"
  echo "	}"
  echo "	# Nothing unsolicited reaches the router: such a packet would leave a conntrack entry"
  echo "	# that makes a later outbound mapping to its sender take another port."
  echo "	chain input {"
  echo "		type filter hook input priority filter; policy accept;"
  echo "		ct state established,related accept"
  echo "		meta l4proto icmp accept"
  if [[ $kind == upnp ]]; then
    local sip=${stun%:*} sport=${stun##*:}
    echo "		iifname \"wan0\" ip saddr { $sip, $(natlab_stun_alt_of "$sip") } udp sport { $sport, $((sport + 1)) } accept"
  fi
  echo "		iifname \"wan0\" drop"
  echo "	}"
  echo "}"
  if [[ -n ${NATLAB_V6LAN[$r]:-} ]]; then
    cat <<EOF
# IPv6: routed, not translated; a stateful firewall lets in only the answers to what the LAN
# sent (conntrack's reply direction: the very address and port sent to).
table ip6 natlab6 {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
		iifname "lan0" accept
		iifname "wan0" drop
	}
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		meta l4proto ipv6-icmp accept
		iifname "wan0" drop
	}
}
EOF
  fi
  if [[ $kind == upnp ]]; then
    cat <<EOF
# miniupnpd adds its port mappings here (upnp_table_name etc. in its config).
table inet miniupnpd {
	chain forward {
		type filter hook forward priority filter - 1; policy accept;
		jump miniupnpd
	}
	chain miniupnpd {
	}
	chain prerouting {
		type nat hook prerouting priority dstnat - 1; policy accept;
		jump prerouting_miniupnpd
	}
	chain postrouting {
		type nat hook postrouting priority srcnat - 1; policy accept;
		jump postrouting_miniupnpd
	}
	chain prerouting_miniupnpd {
	}
	chain postrouting_miniupnpd {
	}
}
EOF
  fi
}

# ---- hosts -----------------------------------------------------------------------------------

# natlab_host NAME ROUTER LAN_IP [--v6-only]: a host on ROUTER's LAN (eth0), default route via
# the router. On a router with --ipv6 PREFIX it also gets PREFIX's address numbered like LAN_IP's
# last byte (10.202.0.2: fd00:202::2) and an IPv6 default route; --v6-only leaves out the IPv4
# default route, so that only IPv6 leaves the LAN.
natlab_host() {
  local name=$1 router=$2 ip=$3 ns=nl-$1-$$ v6only=0
  if (($# > 3)); then
    [[ $4 == --v6-only && $# == 4 ]] || die "natlab_host $name: unknown option '${*:4}'"
    [[ -n ${NATLAB_V6LAN[$router]:-} ]] || die "natlab_host $name: --v6-only needs a router with --ipv6"
    v6only=1
  fi
  natlab_valid_name "$name" || die "natlab_host: bad name '$name' (a-z0-9, at most 12)"
  [[ -z ${NATLAB_NS[$name]:-} ]] || die "natlab_host: '$name' exists"
  [[ ${NATLAB_ROLE[$router]:-} == router ]] || die "natlab_host $name: no router '$router'"
  natlab_in_cidr "$ip" "${NATLAB_LAN[$router]}" ||
    die "natlab_host $name: $ip is not in $router's LAN ${NATLAB_LAN[$router]}"
  netns_create "$ns"
  NATLAB_NS[$name]=$ns
  NATLAB_ROLE[$name]=host
  NATLAB_IP[$name]=$ip
  # shellcheck disable=SC2034 # for the tests
  NATLAB_ROUTER[$name]=$router
  NATLAB_HOSTS[$router]="${NATLAB_HOSTS[$router]} $name"
  NATLAB_HOSTS[$router]=${NATLAB_HOSTS[$router]# }
  natlab_new_link
  ip link add eth0 netns "$ns" type veth peer name "$NATLAB_LINK" netns "${NATLAB_NS[$router]}"
  ip -n "${NATLAB_NS[$router]}" link set "$NATLAB_LINK" master lan0 up
  ip -n "$ns" addr add "$ip/${NATLAB_LAN[$router]#*/}" dev eth0
  if [[ -n ${NATLAB_V6LAN[$router]:-} ]]; then
    NATLAB_IP6[$name]=$(natlab_v6_in "${NATLAB_V6LAN[$router]}" "${ip##*.}")
    ip -n "$ns" addr add "${NATLAB_IP6[$name]}/64" dev eth0 nodad
  fi
  ip -n "$ns" link set eth0 up
  ((v6only)) || ip -n "$ns" route add default via "${NATLAB_GW[$router]}"
  if [[ -n ${NATLAB_V6LAN[$router]:-} ]]; then
    ip -n "$ns" -6 route add default via "$(natlab_v6_in "${NATLAB_V6LAN[$router]}" 1)"
  fi
}

# ---- STUN ------------------------------------------------------------------------------------

# natlab_stun_alt_of IP: the second address the STUN server at IP uses (IP + 1).
natlab_stun_alt_of() { natlab_int2ip $(($(natlab_ip2int "$1") + 1)); }

# natlab_stun_start NAME IP [PORT]: Debian's stund on public node NAME at IP:PORT (default
# 3478), with IP + 1 (added to NAME's eth0) and PORT + 1 as its alternate address for RFC 3489
# CHANGE-REQUEST. Waits up to 5 s for a Binding request to be answered.
natlab_stun_start() {
  local name=$1 ip=$2 port=${3:-3478} alt ns
  ns=$(natlab_ns "$name") || die "natlab_stun_start: no node '$name'"
  [[ ${NATLAB_ROLE[$name]} == public ]] || die "natlab_stun_start: '$name' is not a public node"
  command -v stund >/dev/null || skip "needs stund (Debian package stun-server)"
  alt=$(natlab_stun_alt_of "$ip")
  natlab_has_addr "$ns" "$ip" || ip -n "$ns" addr add "$ip/$NATLAB_PREFIX" dev eth0
  natlab_has_addr "$ns" "$alt" || ip -n "$ns" addr add "$alt/$NATLAB_PREFIX" dev eth0
  natlab_start "$name" "stund-$name.log" stund -h "$ip" -a "$alt" -p "$port" -o $((port + 1))
  # shellcheck disable=SC2034 # for the tests
  NATLAB_STUN_PID=$NATLAB_LAST_PID
  NATLAB_STUN=$ip:$port
  # shellcheck disable=SC2034 # for the tests
  NATLAB_STUN_ALT=$alt
  wait_until 25 0.2 natlab_probe "$name" stun --server "$NATLAB_STUN" --bind "$alt:0" \
    --timeout 0.5 >/dev/null ||
    die "natlab_stun_start: stund on $NATLAB_STUN did not answer a Binding request within 5 s"
}

# natlab_stun NAME PORT: the mapped address the STUN server reports for NAME's socket on PORT.
natlab_stun() {
  natlab_probe "$1" stun --server "$NATLAB_STUN" --bind "${NATLAB_IP[$1]}:$2" --timeout 2
}

# ---- UPnP-IGD / NAT-PMP / PCP ----------------------------------------------------------------

# natlab_upnp_start ROUTER STUN: writes miniupnpd's config to $MW_TMP and runs it in the
# foreground (-d) in ROUTER's namespace with its own pid file; waits up to 5 s for its NAT-PMP
# port (UDP 5351) on the LAN address. It learns its external address from STUN.
natlab_upnp_start() {
  local r=$1 stun=$2 conf=$MW_TMP/miniupnpd-$1.conf uuid
  command -v miniupnpd >/dev/null || skip "needs miniupnpd (Debian package miniupnpd-nftables)"
  uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$conf" <<EOF
# natlab: miniupnpd on router $r (LAN ${NATLAB_LAN[$r]}, public ${NATLAB_IP[$r]})
ext_ifname=wan0
listening_ip=lan0
http_port=2189
enable_upnp=yes
enable_natpmp=yes
secure_mode=yes
system_uptime=yes
notify_interval=60
clean_ruleset_interval=600
min_lifetime=60
max_lifetime=86400
uuid=$uuid
serial=natlab
model_number=1
ext_perform_stun=yes
ext_stun_host=${stun%:*}
ext_stun_port=${stun##*:}
minissdpdsocket=$MW_TMP/minissdpd-$r.sock
upnp_table_name=miniupnpd
upnp_nat_table_name=miniupnpd
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
allow 1024-65535 ${NATLAB_LAN[$r]} 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
  natlab_start "$r" "miniupnpd-$r.log" miniupnpd -d -f "$conf" -P "$MW_TMP/miniupnpd-$r.pid"
  NATLAB_UPNP_PID[$r]=$NATLAB_LAST_PID
  NATLAB_UPNP_STUN[$r]=$stun
  wait_until 50 0.1 natlab_upnp_ready "$r" ||
    die "natlab_upnp_start $r: miniupnpd did not listen on ${NATLAB_GW[$r]}:5351 within 5 s"
}
natlab_upnp_ready() {
  local sockets
  pid_alive "${NATLAB_UPNP_PID[$1]}" || return 1
  sockets=$(natlab_exec "$1" ss -Hlun "src ${NATLAB_GW[$1]}:5351" 2>/dev/null) || return 1
  [[ -n $sockets ]]
}
# natlab_upnp_stop ROUTER: stops miniupnpd (by PID) and empties the chains it filled.
natlab_upnp_stop() {
  local r=$1 chain
  [[ -n ${NATLAB_UPNP_PID[$r]:-} ]] || return 0
  natlab_stop "${NATLAB_UPNP_PID[$r]}"
  unset "NATLAB_UPNP_PID[$r]"
  for chain in miniupnpd prerouting_miniupnpd postrouting_miniupnpd; do
    natlab_exec "$r" nft flush chain inet miniupnpd "$chain" 2>/dev/null || true
  done
}

# ---- NAT reboot ------------------------------------------------------------------------------

# natlab_flush ROUTER: forgets every mapping, as a NAT reboot would: empties ROUTER's conntrack
# table and its fullcone map; an upnp router's miniupnpd is restarted without its mappings.
natlab_flush() {
  local r=$1
  [[ ${NATLAB_ROLE[$r]:-} == router ]] || die "natlab_flush: no router '$r'"
  if [[ ${NATLAB_KIND[$r]} == upnp ]]; then natlab_upnp_stop "$r"; fi
  natlab_exec "$r" conntrack -F >/dev/null 2>&1 || true
  if [[ ${NATLAB_KIND[$r]} != edm ]]; then
    natlab_exec "$r" nft flush map ip natlab fullcone
    natlab_exec "$r" nft flush map ip natlab inside
  fi
  natlab_exec "$r" conntrack -F >/dev/null 2>&1 || true # what arrived in between
  if [[ -n ${NATLAB_V6LAN[$r]:-} ]]; then natlab_exec "$r" conntrack -F -f ipv6 >/dev/null 2>&1 || true; fi
  if [[ ${NATLAB_KIND[$r]} == upnp ]]; then natlab_upnp_start "$r" "${NATLAB_UPNP_STUN[$r]}"; fi
}

# natlab_check and the probes it is made of.
# shellcheck source=tests/natlab/natlab_check.sh
source "$NATLAB_DIR/natlab_check.sh"
