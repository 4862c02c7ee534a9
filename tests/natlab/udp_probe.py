#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""UDP probes for the NAT lab: echo servers that report the source they saw, a STUN Binding
client (RFC 5389), one-socket mapping probes, and send/listen for filtering checks.

Every command is bounded in time and count, binds the address it is given, and prints plain
lines (or JSON for `map --json`), so that bash can read the results.

  echo   --bind IP:PORT [--seconds S]          reply "ip:port" (the source seen) to each datagram
  stun   --server IP:PORT [--bind IP:PORT] [--timeout S]
                                               print the XOR-MAPPED-ADDRESS as ip:port
  map    --bind IP:PORT --to A:P [--to B:P ...] [--timeout S] [--json]
                                               from ONE socket, ask each echo server what it saw
  listen --bind IP:PORT --seconds S [--max N]  print "listening IP:PORT", then "from ip:port TEXT"
                                               per datagram; on SIGTERM report what is queued and
                                               stop; exit 0 if one arrived, 1 if none
  send   --bind IP:PORT --to A:P [--count N] [--interval S] [--text T]

Exit codes: 0 success, 1 nothing answered or arrived (timeout), 2 usage or socket errors.
"""

import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

# RFC 5389 section 6 (header), 15.2 (XOR-MAPPED-ADDRESS), 15.1 (MAPPED-ADDRESS).
STUN_MAGIC_COOKIE = 0x2112A442
STUN_BINDING_REQUEST = 0x0001
STUN_BINDING_SUCCESS = 0x0101
ATTR_MAPPED_ADDRESS = 0x0001
ATTR_XOR_MAPPED_ADDRESS = 0x0020
ATTR_XOR_MAPPED_ADDRESS_DRAFT = 0x8020  # pre-RFC 5389 servers
MAX_DATAGRAM = 2048
MAX_ECHO_REPLIES = 100000  # an echo server stops after this many, whatever its deadline


def endpoint(text):
    """Parses "IPv4:PORT" or "[IPv6]:PORT" into a (host, port) tuple."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected IP:PORT, got {text!r}")
    host = host.strip("[]")
    return host, int(port)


def show(addr):
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def udp_socket(bind):
    family = socket.AF_INET6 if ":" in bind[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(bind)
    return sock


def cmd_echo(args):
    sock = udp_socket(args.bind)
    deadline = time.monotonic() + args.seconds
    for _ in range(MAX_ECHO_REPLIES):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            _, src = sock.recvfrom(MAX_DATAGRAM)
        except socket.timeout:
            break
        except OSError:  # ICMP errors surfacing on the socket
            continue
        try:
            sock.sendto(show(src).encode(), src)
        except OSError:
            pass
    return 0


def stun_request():
    transaction_id = os.urandom(12)
    header = struct.pack("!HHI", STUN_BINDING_REQUEST, 0, STUN_MAGIC_COOKIE)
    return header + transaction_id, transaction_id


def stun_mapped(message, transaction_id):
    """The mapped address of a Binding success response, XOR-MAPPED-ADDRESS preferred; None
    when the message is not that response."""
    if len(message) < 20:
        return None
    kind, length, cookie = struct.unpack("!HHI", message[:8])
    if kind != STUN_BINDING_SUCCESS or cookie != STUN_MAGIC_COOKIE:
        return None
    if message[8:20] != transaction_id or 20 + length > len(message):
        return None
    found = {}
    pos, end = 20, 20 + length
    while pos + 4 <= end:
        attr, attr_len = struct.unpack("!HH", message[pos : pos + 4])
        value = message[pos + 4 : pos + 4 + attr_len]
        pos += 4 + ((attr_len + 3) & ~3)
        if len(value) < 8 or value[1] not in (1, 2):
            continue
        port = struct.unpack("!H", value[2:4])[0]
        raw = value[4:8] if value[1] == 1 else value[4:20]
        if attr in (ATTR_XOR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS_DRAFT):
            port ^= STUN_MAGIC_COOKIE >> 16
            key = struct.pack("!I", STUN_MAGIC_COOKIE) + transaction_id
            raw = bytes(b ^ key[i] for i, b in enumerate(raw))
            found["xor"] = (raw, port)
        elif attr == ATTR_MAPPED_ADDRESS:
            found.setdefault("plain", (raw, port))
    best = found.get("xor") or found.get("plain")
    if best is None:
        return None
    raw, port = best
    family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, raw), port


def cmd_stun(args):
    bind = args.bind or (("::" if ":" in args.server[0] else "0.0.0.0"), 0)
    sock = udp_socket(bind)
    request, transaction_id = stun_request()
    deadline = time.monotonic() + args.timeout
    # Retransmit every 200 ms until the deadline (bounded by it, at most 50 sends).
    for _ in range(50):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            sock.sendto(request, args.server)
        except OSError:
            pass
        resend = time.monotonic() + min(0.2, left)
        while True:
            wait = resend - time.monotonic()
            if wait <= 0:
                break
            sock.settimeout(wait)
            try:
                message, _ = sock.recvfrom(MAX_DATAGRAM)
            except socket.timeout:
                break
            except OSError:
                continue
            mapped = stun_mapped(message, transaction_id)
            if mapped is not None:
                print(show(mapped))
                return 0
    print(f"no STUN response from {show(args.server)} within {args.timeout} s", file=sys.stderr)
    return 1


def cmd_map(args):
    sock = udp_socket(args.bind)
    seen = {}
    deadline = time.monotonic() + args.timeout
    for _ in range(50):
        left = deadline - time.monotonic()
        if left <= 0 or len(seen) == len(args.to):
            break
        for target in args.to:
            if target not in seen:
                try:
                    sock.sendto(b"map", target)
                except OSError:
                    pass
        resend = time.monotonic() + min(0.2, left)
        while len(seen) < len(args.to):
            wait = resend - time.monotonic()
            if wait <= 0:
                break
            sock.settimeout(wait)
            try:
                data, src = sock.recvfrom(MAX_DATAGRAM)
            except socket.timeout:
                break
            except OSError:
                continue
            for target in args.to:
                if (src[0], src[1]) == target:
                    seen[target] = data.decode(errors="replace").strip()
    results = [seen.get(target, "none") for target in args.to]
    if args.json:
        print(json.dumps({show(t): r for t, r in zip(args.to, results)}))
    else:
        for result in results:
            print(result)
    return 0 if len(seen) == len(args.to) else 1


class Stop(Exception):
    """SIGTERM: stop listening, but first report what already sits in the socket buffer."""


def on_sigterm(signum, frame):
    raise Stop()


def cmd_listen(args):
    sock = udp_socket(args.bind)
    signal.signal(signal.SIGTERM, on_sigterm)
    print(f"listening {show(args.bind)}", flush=True)
    deadline = time.monotonic() + args.seconds
    count = 0
    try:
        while count < args.max:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data, src = sock.recvfrom(MAX_DATAGRAM)
            except socket.timeout:
                break
            except OSError:
                continue
            count += 1
            print(f"from {show(src)} {data.decode(errors='replace').strip()}", flush=True)
    except Stop:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sock.setblocking(False)
        for _ in range(args.max):
            if count >= args.max:
                break
            try:
                data, src = sock.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                break
            except OSError:
                continue
            count += 1
            print(f"from {show(src)} {data.decode(errors='replace').strip()}", flush=True)
    return 0 if count else 1


def cmd_send(args):
    sock = udp_socket(args.bind)
    for i in range(args.count):
        try:
            sock.sendto(args.text.encode(), args.to)
        except OSError as err:  # e.g. an ICMP error from an earlier datagram
            print(f"send: {err}", file=sys.stderr)
        if i + 1 < args.count:
            time.sleep(args.interval)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("echo", help="reply to each datagram with its source ip:port")
    p.add_argument("--bind", type=endpoint, required=True)
    p.add_argument("--seconds", type=float, default=300.0)
    p.set_defaults(run=cmd_echo)

    p = sub.add_parser("stun", help="RFC 5389 Binding request; print the mapped address")
    p.add_argument("--server", type=endpoint, required=True)
    p.add_argument("--bind", type=endpoint)
    p.add_argument("--timeout", type=float, default=2.0)
    p.set_defaults(run=cmd_stun)

    p = sub.add_parser("map", help="from one socket, ask each echo server what it saw")
    p.add_argument("--bind", type=endpoint, required=True)
    p.add_argument("--to", type=endpoint, action="append", required=True)
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_map)

    p = sub.add_parser("listen", help="print every datagram that arrives for a while")
    p.add_argument("--bind", type=endpoint, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--max", type=int, default=1000, help="stop after this many datagrams")
    p.set_defaults(run=cmd_listen)

    p = sub.add_parser("send", help="send datagrams from a bound socket")
    p.add_argument("--bind", type=endpoint, required=True)
    p.add_argument("--to", type=endpoint, required=True)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--text", default="probe")
    p.set_defaults(run=cmd_send)

    args = parser.parse_args()
    if getattr(args, "seconds", 0) and args.seconds > 3600:
        parser.error("--seconds is at most 3600")
    try:
        return args.run(args)
    except OSError as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
