#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent model of the WireGuard handshake and first transport messages, for golden tests.

Written from the equations of the whitepaper ("WireGuard: Next Generation Kernel Network
Tunnel", section 5.4: Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, HKDF over HMAC-BLAKE2s, mac1 and
mac2, transport data) using only hashlib/hmac and the `cryptography` package. It shares no code
with meshward's C++ implementation; src/wireguard/noise_golden_test.cc embeds its output.

Usage:
  python3 tools/wg_golden_model.py          # name = hex, one value per line, for both PSK runs
  python3 tools/wg_golden_model.py --cxx    # the same values as C++ constants to paste

The model plays both roles and checks itself (each side consumes what the other produced and
both agree on the transport keys) before it prints anything.
"""

import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
MTU = 1420

# ---- Fixed inputs. Private keys are raw 32-byte strings: X25519 clamps them (RFC 7748 5). ----
INITIATOR_STATIC_PRIVATE = bytes(range(0x01, 0x21))
RESPONDER_STATIC_PRIVATE = bytes(range(0x21, 0x41))
INITIATOR_EPHEMERAL_PRIVATE = bytes(range(0x41, 0x61))
RESPONDER_EPHEMERAL_PRIVATE = bytes(range(0x61, 0x81))
PRESHARED_KEY = bytes(range(0xA0, 0xC0))
ZERO_PRESHARED_KEY = bytes(32)
INITIATOR_INDEX = 0x11223344
RESPONDER_INDEX = 0x55667788
# TAI64N: 8 bytes big-endian 2^62 + seconds, 4 bytes big-endian nanoseconds (a multiple of 2^24).
TIMESTAMP = bytes.fromhex("400000006553f10001000000")


def _ones_complement_checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def _echo_request_packet():
    """A 28-byte IPv4 ICMP echo request (header only) from 10.0.0.1 to 10.0.0.2."""
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x0001, 0x0001))
    struct.pack_into("!H", icmp, 2, _ones_complement_checksum(bytes(icmp)))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0x0001, 0, 64, 1, 0,
                               bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
    struct.pack_into("!H", ip, 10, _ones_complement_checksum(bytes(ip)))
    return bytes(ip + icmp)


PACKET = _echo_request_packet()

# ---- Primitives (whitepaper 5.4 "Protocol & Cryptography"). ----


def HASH(data):
    return hashlib.blake2s(data, digest_size=32).digest()


def MAC(key, data):
    return hashlib.blake2s(data, digest_size=16, key=key).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(n, key, data):
    """KDF_n: tau0 = HMAC(key, input), tau1 = HMAC(tau0, 0x1), tau_i = HMAC(tau0, tau_{i-1} || i)."""
    tau0 = HMAC(key, data)
    out = []
    prev = b""
    for i in range(1, n + 1):
        prev = HMAC(tau0, prev + bytes([i]))
        out.append(prev)
    return out


def DH(private, public):
    shared = X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(public))
    return shared


def DH_PUBKEY(private):
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def NONCE(counter):
    # 32 zero bits followed by the 64-bit little-endian counter.
    return b"\x00" * 4 + struct.pack("<Q", counter)


def AEAD(key, counter, plain, auth):
    return ChaCha20Poly1305(key).encrypt(NONCE(counter), plain, auth)


def AEAD_OPEN(key, counter, sealed, auth):
    return ChaCha20Poly1305(key).decrypt(NONCE(counter), sealed, auth)


def add_macs(msg_without_macs, receiver_static_public):
    """mac1 = MAC(HASH(LABEL_MAC1 || Spub_receiver), msg_alpha); mac2 = zeros (no cookie)."""
    mac1 = MAC(HASH(LABEL_MAC1 + receiver_static_public), msg_without_macs)
    return msg_without_macs + mac1 + bytes(16)


# ---- Handshake (whitepaper 5.4.2 and 5.4.3). ----


def initial_chaining_key():
    return HASH(CONSTRUCTION)


def initial_hash():
    return HASH(initial_chaining_key() + IDENTIFIER)


def create_initiation(s_priv_i, s_pub_r, e_priv_i, sender, timestamp):
    s_pub_i = DH_PUBKEY(s_priv_i)
    c = initial_chaining_key()
    h = HASH(initial_hash() + s_pub_r)
    e_pub_i = DH_PUBKEY(e_priv_i)
    c = KDF(1, c, e_pub_i)[0]
    h = HASH(h + e_pub_i)
    c, k = KDF(2, c, DH(e_priv_i, s_pub_r))
    enc_static = AEAD(k, 0, s_pub_i, h)
    h = HASH(h + enc_static)
    c, k = KDF(2, c, DH(s_priv_i, s_pub_r))
    enc_timestamp = AEAD(k, 0, timestamp, h)
    h = HASH(h + enc_timestamp)
    body = struct.pack("<B3xI", 1, sender) + e_pub_i + enc_static + enc_timestamp
    assert len(body) == 116
    msg = add_macs(body, s_pub_r)
    return msg, {"c": c, "h": h, "e_priv": e_priv_i}


def consume_initiation(s_priv_r, msg):
    s_pub_r = DH_PUBKEY(s_priv_r)
    assert len(msg) == 148 and msg[:4] == b"\x01\x00\x00\x00"
    assert msg[116:132] == MAC(HASH(LABEL_MAC1 + s_pub_r), msg[:116])
    sender = struct.unpack("<I", msg[4:8])[0]
    e_pub_i, enc_static, enc_timestamp = msg[8:40], msg[40:88], msg[88:116]
    c = initial_chaining_key()
    h = HASH(initial_hash() + s_pub_r)
    c = KDF(1, c, e_pub_i)[0]
    h = HASH(h + e_pub_i)
    c, k = KDF(2, c, DH(s_priv_r, e_pub_i))
    s_pub_i = AEAD_OPEN(k, 0, enc_static, h)
    h = HASH(h + enc_static)
    c, k = KDF(2, c, DH(s_priv_r, s_pub_i))
    timestamp = AEAD_OPEN(k, 0, enc_timestamp, h)
    h = HASH(h + enc_timestamp)
    return {"c": c, "h": h, "e_pub_i": e_pub_i, "s_pub_i": s_pub_i, "sender": sender,
            "timestamp": timestamp}


def create_response(state, e_priv_r, psk, sender):
    c, h = state["c"], state["h"]
    e_pub_r = DH_PUBKEY(e_priv_r)
    c = KDF(1, c, e_pub_r)[0]
    h = HASH(h + e_pub_r)
    c = KDF(1, c, DH(e_priv_r, state["e_pub_i"]))[0]
    c = KDF(1, c, DH(e_priv_r, state["s_pub_i"]))[0]
    c, tau, k = KDF(3, c, psk)
    h = HASH(h + tau)
    enc_nothing = AEAD(k, 0, b"", h)
    h = HASH(h + enc_nothing)
    body = struct.pack("<B3xII", 2, sender, state["sender"]) + e_pub_r + enc_nothing
    assert len(body) == 60
    msg = add_macs(body, state["s_pub_i"])
    return msg, {"c": c, "h": h}


def consume_response(state, s_priv_i, psk, msg):
    s_pub_i = DH_PUBKEY(s_priv_i)
    assert len(msg) == 92 and msg[:4] == b"\x02\x00\x00\x00"
    assert msg[60:76] == MAC(HASH(LABEL_MAC1 + s_pub_i), msg[:60])
    e_pub_r, enc_nothing = msg[12:44], msg[44:60]
    c, h = state["c"], state["h"]
    c = KDF(1, c, e_pub_r)[0]
    h = HASH(h + e_pub_r)
    c = KDF(1, c, DH(state["e_priv"], e_pub_r))[0]
    c = KDF(1, c, DH(s_priv_i, e_pub_r))[0]
    c, tau, k = KDF(3, c, psk)
    h = HASH(h + tau)
    assert AEAD_OPEN(k, 0, enc_nothing, h) == b""
    h = HASH(h + enc_nothing)
    return {"c": c, "h": h}


def transport_keys(c):
    """(T_send_i = T_recv_r, T_recv_i = T_send_r) = KDF2(C, empty) (whitepaper 5.4.5)."""
    first, second = KDF(2, c, b"")
    return first, second


# ---- Transport data (whitepaper 5.4.6). ----


def padded_length(plain_len, mtu):
    padded = (plain_len + 15) // 16 * 16
    return min(padded, mtu) if plain_len <= mtu else plain_len


def seal_transport(key, receiver, counter, packet):
    plain = packet + bytes(padded_length(len(packet), MTU) - len(packet))
    return struct.pack("<B3xIQ", 4, receiver, counter) + AEAD(key, counter, plain, b"")


def run(psk):
    s_pub_r = DH_PUBKEY(RESPONDER_STATIC_PRIVATE)
    initiation, istate = create_initiation(INITIATOR_STATIC_PRIVATE, s_pub_r,
                                           INITIATOR_EPHEMERAL_PRIVATE, INITIATOR_INDEX, TIMESTAMP)
    rstate = consume_initiation(RESPONDER_STATIC_PRIVATE, initiation)
    assert rstate["s_pub_i"] == DH_PUBKEY(INITIATOR_STATIC_PRIVATE)
    assert rstate["timestamp"] == TIMESTAMP and rstate["sender"] == INITIATOR_INDEX
    response, rstate = create_response(rstate, RESPONDER_EPHEMERAL_PRIVATE, psk, RESPONDER_INDEX)
    istate = consume_response(istate, INITIATOR_STATIC_PRIVATE, psk, response)
    assert istate == rstate
    send_i, recv_i = transport_keys(istate["c"])
    recv_r, send_r = transport_keys(rstate["c"])
    assert send_i == recv_r and recv_i == send_r
    data = seal_transport(send_i, RESPONDER_INDEX, 0, PACKET)
    keepalive = seal_transport(send_r, INITIATOR_INDEX, 0, b"")
    assert AEAD_OPEN(recv_r, 0, data[16:], b"")[:len(PACKET)] == PACKET
    assert AEAD_OPEN(recv_i, 0, keepalive[16:], b"") == b""
    return [
        ("initiation", initiation),
        ("response", response),
        ("initiator_send_key", send_i),
        ("initiator_receive_key", recv_i),
        ("responder_send_key", send_r),
        ("responder_receive_key", recv_r),
        ("transport_data", data),
        ("transport_keepalive", keepalive),
    ]


def inputs():
    return [
        ("initial_chaining_key", initial_chaining_key()),
        ("initial_hash", initial_hash()),
        ("initiator_static_private", INITIATOR_STATIC_PRIVATE),
        ("initiator_static_public", DH_PUBKEY(INITIATOR_STATIC_PRIVATE)),
        ("responder_static_private", RESPONDER_STATIC_PRIVATE),
        ("responder_static_public", DH_PUBKEY(RESPONDER_STATIC_PRIVATE)),
        ("initiator_ephemeral_private", INITIATOR_EPHEMERAL_PRIVATE),
        ("responder_ephemeral_private", RESPONDER_EPHEMERAL_PRIVATE),
        ("preshared_key", PRESHARED_KEY),
        ("timestamp", TIMESTAMP),
        ("packet", PACKET),
    ]


def _cxx_name(name):
    return "k" + "".join(part.capitalize() for part in name.split("_"))


def _print_cxx(name, value):
    hexstr = value.hex()
    chunks = [hexstr[i:i + 64] for i in range(0, len(hexstr), 64)] or [""]
    if len(chunks) == 1:
        print('constexpr char %s[] = "%s";' % (_cxx_name(name), chunks[0]))
        return
    print("constexpr char %s[] =" % _cxx_name(name))
    for i, chunk in enumerate(chunks):
        print('    "%s"%s' % (chunk, ";" if i == len(chunks) - 1 else ""))


def main(argv):
    cxx = "--cxx" in argv[1:]
    emit = _print_cxx if cxx else (lambda name, value: print("%s = %s" % (name, value.hex())))
    print(("// " if cxx else "# ") + "inputs (indices: initiator %08x, responder %08x; MTU %d)" %
          (INITIATOR_INDEX, RESPONDER_INDEX, MTU))
    for name, value in inputs():
        emit(name, value)
    for label, psk, suffix in (("non-zero preshared key", PRESHARED_KEY, "psk"),
                               ("all-zero preshared key", ZERO_PRESHARED_KEY, "no_psk")):
        print(("// " if cxx else "# ") + label)
        for name, value in run(psk):
            emit("%s_%s" % (suffix, name), value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
