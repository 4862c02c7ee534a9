#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# wg(8) commands against meshward-wg: setconf, showconf, addconf, syncconf, runtime listen-port
# and fwmark changes, a port already in use refused without side effects, peer removal, and a
# malformed raw UAPI request answered with errno=-22 that leaves the interface as it was.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap mw_cleanup EXIT
require_env
require_impl "$MW_WG"

netns_pair_create
wg_start "$NS_A" "$IF_A" "$MW_WG"
for k in a p1 p2 p3; do gen_key "$k"; done
gen_psk s1
conf=$MW_TMP/a.conf
cat >"$conf" <<EOC
[Interface]
PrivateKey = $(cat "$(key_file a)")
ListenPort = $PORT_A
FwMark = 0x1234

[Peer]
PublicKey = $(pub_of p1)
PresharedKey = $(cat "$(psk_file s1)")
AllowedIPs = 10.1.0.0/24, fd01::/64
Endpoint = 10.77.0.2:40001
PersistentKeepalive = 25

[Peer]
PublicKey = $(pub_of p2)
AllowedIPs = 10.2.0.0/24
EOC
wgx "$NS_A" setconf "$IF_A" "$conf"
check_eq "listen-port after setconf" "$PORT_A" "$(wgx "$NS_A" show "$IF_A" listen-port)"
check_eq "fwmark after setconf" "0x1234" "$(wgx "$NS_A" show "$IF_A" fwmark)"
check_eq "peer count after setconf" 2 "$(wgx "$NS_A" show "$IF_A" peers | wc -l)"
check_eq "p1 keepalive" 25 "$(peer_field "$NS_A" "$IF_A" "$(pub_of p1)" persistent-keepalive)"
check_eq "p1 preshared key" "$(cat "$(psk_file s1)")" \
  "$(peer_field "$NS_A" "$IF_A" "$(pub_of p1)" preshared-keys)"
check_eq "p1 allowed ips" "10.1.0.0/24 fd01::/64" \
  "$(wgx "$NS_A" show "$IF_A" allowed-ips | awk -v k="$(pub_of p1)" -F'\t' '$1 == k {print $2}')"

# showconf gives back what setconf set (keys, port, mark, peers), in wg's own format.
shown=$MW_TMP/shown.conf
wgx "$NS_A" showconf "$IF_A" >"$shown"
for want in "ListenPort = $PORT_A" "FwMark = 0x1234" "PublicKey = $(pub_of p2)" \
  "AllowedIPs = 10.2.0.0/24" "Endpoint = 10.77.0.2:40001" "PersistentKeepalive = 25"; do
  if grep -qxF "$want" "$shown"; then pass "showconf has '$want'"; else
    fail "showconf: expected the line '$want' in: $(tr '\n' '|' <"$shown")"; fi
done
wgx "$NS_A" setconf "$IF_A" "$shown"
check_eq "setconf of showconf's output keeps both peers" 2 \
  "$(wgx "$NS_A" show "$IF_A" peers | wc -l)"

# addconf adds a peer and keeps the others.
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.3.0.0/24\n' "$(pub_of p3)" >"$MW_TMP/add.conf"
wgx "$NS_A" addconf "$IF_A" "$MW_TMP/add.conf"
check_eq "peers after addconf" 3 "$(wgx "$NS_A" show "$IF_A" peers | wc -l)"

# syncconf to a config without p2 removes p2 only.
grep -v "^#" "$shown" | awk -v drop="$(pub_of p2)" '
  /^\[Peer\]/ { if (block != "" && !skip) printf "%s", block; block = $0 "\n"; skip = 0; next }
  block != "" { block = block $0 "\n"; if ($0 == "PublicKey = " drop) skip = 1; next }
  { print }
  END { if (block != "" && !skip) printf "%s", block }' >"$MW_TMP/sync.conf"
wgx "$NS_A" syncconf "$IF_A" "$MW_TMP/sync.conf"
peers=$(wgx "$NS_A" show "$IF_A" peers)
if grep -qxF "$(pub_of p2)" <<<"$peers"; then fail "syncconf: p2 should be gone, peers: $peers"
else pass "syncconf removed p2"; fi
check_eq "peers after syncconf" 1 "$(wc -l <<<"$peers")"

# Runtime listen-port change, and a port in use refused with nothing changed.
wgx "$NS_A" set "$IF_A" listen-port 40555
check_eq "listen-port after wg set" 40555 "$(wgx "$NS_A" show "$IF_A" listen-port)"
ip netns exec "$NS_A" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40666)); time.sleep(3)
' &
blocker=$!
MW_PIDS+=("$blocker")
sleep 0.3
if wgx "$NS_A" set "$IF_A" listen-port 40666 fwmark 0x99 2>"$MW_TMP/inuse.err"; then
  fail "wg set listen-port to a port in use: expected an error"
else
  pass "wg set listen-port to a port in use fails: $(head -1 "$MW_TMP/inuse.err")"
fi
check_eq "listen-port unchanged after the refused set" 40555 \
  "$(wgx "$NS_A" show "$IF_A" listen-port)"
check_eq "fwmark unchanged after the refused set" "0x1234" "$(wgx "$NS_A" show "$IF_A" fwmark)"
kill "$blocker" 2>/dev/null || true
wgx "$NS_A" set "$IF_A" fwmark 0
check_eq "fwmark off" "off" "$(wgx "$NS_A" show "$IF_A" fwmark)"

# A malformed raw UAPI request: errno=-22 and no change.
before=$(wgx "$NS_A" showconf "$IF_A")
reply=$(python3 - "$WG_RUN_DIR/$IF_A.sock" <<'EOPY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"set=1\nlisten_port=41000\nno_such_key=1\n\n")
s.settimeout(3)
data = b""
while not data.endswith(b"\n\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
EOPY
)
check_eq "reply to a malformed set" "errno=-22" "$reply"
check_eq "configuration unchanged by the malformed set" "$before" \
  "$(wgx "$NS_A" showconf "$IF_A")"
check_eq "interface still answers" 40555 "$(wgx "$NS_A" show "$IF_A" listen-port)"

# Removing the private key and all peers.
wgx "$NS_A" set "$IF_A" private-key /dev/null peer "$(pub_of p1)" remove peer "$(pub_of p3)" remove
check_eq "peers after removal" 0 "$(wgx "$NS_A" show "$IF_A" peers | grep -c . || true)"
check_eq "private key after removal" "(none)" "$(wgx "$NS_A" show "$IF_A" private-key)"

mw_finish
