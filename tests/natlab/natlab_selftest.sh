#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves the NAT lab itself: one router of every kind with a host behind it, each checked by
# natlab_check; the STUN server reports the expected mapped address behind each; natlab_flush
# really forgets mappings; miniupnpd maps ports for upnpc (UPnP-IGD) and natpmpc (NAT-PMP), and
# those mappings admit unsolicited datagrams from the internet.
#
# Topology (natlab.sh's address plan):
#   internet 10.99.0.0/16: stun 10.99.0.10 (+ .11), E1/E2/stranger 10.99.0.2-4
#   eif  eim-eif             10.99.1.1  LAN 10.201.0.0/24  h1 10.201.0.2
#   apdf eim-apdf            10.99.1.2  LAN 10.202.0.0/24  h2 10.202.0.2
#   sym  edm                 10.99.1.3  LAN 10.203.0.0/24  h3 10.203.0.2
#   cgn1 cgn                 10.99.1.4  LAN 100.64.1.0/24  m1 100.64.1.10 (directly on the CGN)
#     home1 eim-eif behind cgn1  100.64.1.2  LAN 10.204.0.0/24  h4 10.204.0.2
#   hp   eim-eif, hairpin on 10.99.1.5  LAN 10.205.0.0/24  h5 10.205.0.2
#   igd  upnp                10.99.1.6  LAN 10.206.0.0/24  h6 10.206.0.2
set -euo pipefail

# shellcheck source=tests/natlab/natlab.sh
source "$(dirname "$0")/natlab.sh"

trap natlab_cleanup EXIT
natlab_require stund miniupnpd upnpc natpmpc ss ping
START_MS=$(now_ms)

natlab_init
natlab_public stun 10.99.0.10
natlab_stun_start stun 10.99.0.10 3478

natlab_router eif eim-eif 10.99.1.1 10.201.0.0/24
natlab_host h1 eif 10.201.0.2
natlab_router apdf eim-apdf 10.99.1.2 10.202.0.0/24
natlab_host h2 apdf 10.202.0.2
natlab_router sym edm 10.99.1.3 10.203.0.0/24
natlab_host h3 sym 10.203.0.2
natlab_router cgn1 cgn 10.99.1.4 100.64.1.0/24
natlab_host m1 cgn1 100.64.1.10
natlab_router home1 eim-eif 100.64.1.2 10.204.0.0/24 --upstream cgn1
natlab_host h4 home1 10.204.0.2
natlab_router hp eim-eif 10.99.1.5 10.205.0.0/24 --hairpin on
natlab_host h5 hp 10.205.0.2
natlab_router igd upnp 10.99.1.6 10.206.0.0/24
natlab_host h6 igd 10.206.0.2
log "lab built in $(($(now_ms) - START_MS)) ms"

# IPv6 on the internet: public nodes and routers' public legs (the NAT itself is IPv4 only).
if natlab_exec stun ping -6 -n -q -c 1 -W 2 fd99::1:5 >/dev/null 2>&1; then
  pass "IPv6 on the internet: fd99::10 reaches router hp at fd99::1:5"
else
  fail "IPv6 on the internet: no reply from fd99::1:5 (router hp) to fd99::10"
fi

# ---- every router behaves as its kind --------------------------------------------------------

natlab_check_all eif:eim-eif apdf:eim-apdf sym:edm cgn1:cgn home1:eim-eif hp:eim-eif igd:upnp ||
  true # each router is its own pass or fail line
log "checks done at $(($(now_ms) - START_MS)) ms"

# ---- the STUN server sees what each kind should show -----------------------------------------

# Each host its own port: m1 and h4 share cgn1's public address (see the CGN test below).
port=5000
for pair in h1:eif h2:apdf h4:home1 h5:hp h6:igd m1:cgn1; do
  host=${pair%:*}
  router=${pair#*:}
  port=$((port + 1))
  mapped=$(natlab_stun "$host" "$port" || echo none)
  check_eq "STUN behind $router ($(natlab_ip "$host"):$port)" \
    "$(natlab_public_ip "$router"):$port" "$mapped"
done
mapped=$(natlab_stun h3 5000 || echo none)
if [[ ${mapped%:*} == 10.99.1.3 && ${mapped##*:} =~ ^[0-9]+$ ]]; then
  pass "STUN behind sym (edm): the router's address, a port of its choice: $mapped"
else
  fail "STUN behind sym (edm): expected 10.99.1.3:<port>, saw $mapped"
fi

# ---- a CGN keeps mappings endpoint-independent when two subscribers use one port ------------

# m1 takes 10.99.1.4:5100 first; h4 (through home1, 100.64.1.2:5100) cannot have it, gets
# another port, and keeps that one to every destination.
mapfile -t first < <(natlab_probe m1 map --bind 100.64.1.10:5100 --to "$NATLAB_ECHO1" \
  --to "$NATLAB_ECHO2" || true)
mapfile -t second < <(natlab_probe h4 map --bind 10.204.0.2:5100 --to "$NATLAB_ECHO2" \
  --to "$NATLAB_ECHO1" || true)
check_eq "cgn1: the first subscriber on port 5100 keeps it to E1 and E2" \
  "10.99.1.4:5100 10.99.1.4:5100" "${first[*]:-none}"
if [[ ${second[0]:-none} == "${second[1]:-}" && ${second[0]} == 10.99.1.4:* &&
  ${second[0]} != 10.99.1.4:5100 ]]; then
  pass "cgn1: the second subscriber on port 5100 gets one other port for E2 and E1: ${second[0]}"
else
  fail "cgn1: expected the second subscriber one port other than 5100 for both, saw ${second[*]:-none}"
fi

# ---- natlab_flush forgets mappings -----------------------------------------------------------

# eim-eif: the stranger gets in before the flush, not after.
natlab_probe h1 map --bind 10.201.0.2:6000 --to "$NATLAB_ECHO1" >/dev/null
got=$(natlab_arrives h1 6000 natlab_stranger_send 7300 10.99.1.1:6000)
check_eq "eif before flush: unsolicited datagram to 10.99.1.1:6000 arrives from" "$NATLAB_STRANGER:7300" "$got"
natlab_flush eif
got=$(natlab_arrives h1 6000 natlab_stranger_send 7300 10.99.1.1:6000)
check_eq "eif after flush: the stranger's datagram to 10.99.1.1:6000" none "$got"

# eim-apdf: the contacted endpoint gets in before the flush, not after.
natlab_probe h2 send --bind 10.202.0.2:6000 --to "$NATLAB_STRANGER:7301" --count 1 >/dev/null
got=$(natlab_arrives h2 6000 natlab_stranger_send 7301 10.99.1.2:6000)
check_eq "apdf before flush: the contacted endpoint's datagram arrives from" "$NATLAB_STRANGER:7301" "$got"
natlab_flush apdf
got=$(natlab_arrives h2 6000 natlab_stranger_send 7301 10.99.1.2:6000)
check_eq "apdf after flush: the once contacted endpoint's datagram" none "$got"

# edm: one socket to one server keeps its mapping until the flush, then gets a new port.
before=$(natlab_probe h3 map --bind 10.203.0.2:6000 --to "$NATLAB_ECHO1" || echo none)
again=$(natlab_probe h3 map --bind 10.203.0.2:6000 --to "$NATLAB_ECHO1" || echo none)
check_eq "sym: the same socket and server keep their mapping" "$before" "$again"
natlab_flush sym
after=$(natlab_probe h3 map --bind 10.203.0.2:6000 --to "$NATLAB_ECHO1" || echo none)
if [[ $after != none && $after != "$before" ]]; then
  pass "sym after flush: a new mapping ($before, then $after)"
else
  fail "sym after flush: expected a new mapping, saw $before, then $after"
fi

# ---- UPnP-IGD and NAT-PMP through miniupnpd ----------------------------------------------------

# The router learned its external address by STUN and reports it (found by SSDP discovery).
# upnpc -i: miniupnpc calls an IGD with a private external address "not connected".
ext=$(natlab_exec h6 upnpc -i -s 2>/dev/null | sed -n 's/^ExternalIPAddress = //p' | head -n 1 || true)
check_eq "upnpc -s: the IGD's external address" 10.99.1.6 "$ext"

# Unmapped, the stranger is filtered; after `upnpc -a` it gets in.
got=$(natlab_arrives h6 6001 natlab_stranger_send 7302 10.99.1.6:6001)
check_eq "igd before upnpc -a: the stranger's datagram to 10.99.1.6:6001" none "$got"
IGD_URL=http://10.206.0.1:2189/rootDesc.xml # skips the 2 s discovery
if natlab_exec h6 upnpc -i -u "$IGD_URL" -e natlab -a 10.206.0.2 6001 6001 UDP 120 \
  >"$MW_TMP/upnpc.out" 2>&1; then
  if grep -q "external 10.99.1.6:6001 UDP is redirected to internal 10.206.0.2:6001" \
    "$MW_TMP/upnpc.out"; then
    pass "upnpc -a: 10.99.1.6:6001/udp -> 10.206.0.2:6001"
  else
    fail "upnpc -a: unexpected answer: $(tr '\n' ' ' <"$MW_TMP/upnpc.out")"
  fi
else
  fail "upnpc -a failed: $(tr '\n' ' ' <"$MW_TMP/upnpc.out")"
fi
got=$(natlab_arrives h6 6001 natlab_stranger_send 7303 10.99.1.6:6001)
check_eq "igd after upnpc -a: the stranger's datagram to 10.99.1.6:6001 arrives from" \
  "$NATLAB_STRANGER:7303" "$got"

# NAT-PMP: the mapping natpmpc gets admits the stranger.
if natlab_exec h6 natpmpc -g 10.206.0.1 -a 6002 6002 udp 120 >"$MW_TMP/natpmpc.out" 2>&1; then
  port=$(sed -n 's/^Mapped public port \([0-9]*\) protocol UDP to local port 6002 .*/\1/p' \
    "$MW_TMP/natpmpc.out" | head -n 1)
  pub=$(sed -n 's/^Public IP address : //p' "$MW_TMP/natpmpc.out" | head -n 1)
  check_eq "natpmpc: public address" 10.99.1.6 "$pub"
  if [[ -n $port ]]; then
    pass "natpmpc -a: 10.99.1.6:$port/udp -> 10.206.0.2:6002"
    got=$(natlab_arrives h6 6002 natlab_stranger_send 7304 "10.99.1.6:$port")
    check_eq "igd after natpmpc -a: the stranger's datagram to 10.99.1.6:$port arrives from" \
      "$NATLAB_STRANGER:7304" "$got"
  else
    fail "natpmpc -a: no mapping in its answer: $(tr '\n' ' ' <"$MW_TMP/natpmpc.out")"
  fi
else
  fail "natpmpc -a failed: $(tr '\n' ' ' <"$MW_TMP/natpmpc.out")"
fi

# A NAT reboot forgets the UPnP mapping too.
natlab_flush igd
got=$(natlab_arrives h6 6001 natlab_stranger_send 7303 10.99.1.6:6001)
check_eq "igd after flush: the stranger's datagram to 10.99.1.6:6001" none "$got"

log "selftest took $(($(now_ms) - START_MS)) ms"
mw_finish
