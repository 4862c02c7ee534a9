// SPDX-License-Identifier: Apache-2.0
// The STUN codec: Binding requests out, Binding answers in (RFC 8489 §5, §14).
#include "nat/stun_message.h"

#include <algorithm>

namespace mw::nat {
namespace {

constexpr uint8_t kFamilyV4 = 0x01;
constexpr uint8_t kFamilyV6 = 0x02;

// The value of a (XOR-)MAPPED-ADDRESS (RFC 8489 §14.1, §14.2): reserved u8 | family u8 | port
// u16 | address; XORed with the cookie (and, for IPv6, the transaction id) when `xored`.
std::optional<base::Endpoint> read_address(base::Bytes value, bool xored, base::Bytes header) {
  if (value.size() < 4) return std::nullopt;
  uint8_t family = value[1];
  uint16_t port = base::load_u16be(value.data() + 2);
  // The cookie and transaction id, the XOR key (header bytes 4..19).
  base::Bytes key = header.subspan(4, 16);
  if (xored) port ^= uint16_t(kStunMagicCookie >> 16);
  if (family == kFamilyV4 && value.size() == 8) {
    std::array<uint8_t, 4> a;
    for (size_t i = 0; i < 4; ++i) a[i] = uint8_t(value[4 + i] ^ (xored ? key[i] : 0));
    return base::Endpoint{base::IpAddress::v4(a), port};
  }
  if (family == kFamilyV6 && value.size() == 20) {
    std::array<uint8_t, 16> a;
    for (size_t i = 0; i < 16; ++i) a[i] = uint8_t(value[4 + i] ^ (xored ? key[i] : 0));
    // Some servers report an IPv4 client as an IPv4-mapped IPv6 address.
    static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped.begin(), kMapped.end(), a.begin()))
      return base::Endpoint{base::IpAddress::v4({a[12], a[13], a[14], a[15]}), port};
    return base::Endpoint{base::IpAddress::v6(a), port};
  }
  return std::nullopt;
}

TransactionId transaction_of(base::Bytes d) {
  TransactionId id;
  std::copy_n(d.begin() + 8, id.size(), id.begin());
  return id;
}

}  // namespace

const char* stun_parse_error_name(StunParseError e) {
  switch (e) {
    case StunParseError::kNotStun: return "not_stun";
    case StunParseError::kMalformed: return "malformed";
    case StunParseError::kBadFingerprint: return "bad_fingerprint";
    case StunParseError::kNotResponse: return "not_response";
    case StunParseError::kNoAddress: return "no_address";
  }
  return "unknown";
}

uint32_t crc32(base::Bytes data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : data) c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

TransactionId make_transaction_id(uint64_t a, uint64_t b) {
  TransactionId id;
  for (size_t i = 0; i < 8; ++i) id[i] = uint8_t(a >> (8 * i));
  for (size_t i = 0; i < 4; ++i) id[8 + i] = uint8_t(b >> (8 * i));
  return id;
}

namespace {

// The header and, after `attributes` bytes of attributes already in `out`, the FINGERPRINT.
template <size_t N>
void seal_request(std::array<uint8_t, N>& out, const TransactionId& id) {
  base::store_u16be(out.data(), kStunBindingRequest);
  base::store_u16be(out.data() + 2, uint16_t(N - kStunHeaderLen));
  base::store_u32be(out.data() + 4, kStunMagicCookie);
  std::copy(id.begin(), id.end(), out.begin() + 8);
  base::store_u16be(out.data() + N - 8, kStunAttrFingerprint);
  base::store_u16be(out.data() + N - 6, 4);
  uint32_t fp = crc32(base::Bytes(out.data(), N - 8)) ^ kStunFingerprintXor;
  base::store_u32be(out.data() + N - 4, fp);
}

}  // namespace

std::array<uint8_t, kStunRequestLen> encode_binding_request(const TransactionId& id) {
  std::array<uint8_t, kStunRequestLen> out{};
  seal_request(out, id);
  return out;
}

std::array<uint8_t, kStunChangeRequestLen> encode_change_request(const TransactionId& id,
                                                                 uint32_t flags) {
  std::array<uint8_t, kStunChangeRequestLen> out{};
  base::store_u16be(out.data() + 20, kStunAttrChangeRequest);
  base::store_u16be(out.data() + 22, 4);
  base::store_u32be(out.data() + 24, flags);
  seal_request(out, id);
  return out;
}

bool is_stun(base::Bytes d) {
  if (d.size() < kStunHeaderLen || (d[0] & 0xC0) != 0) return false;
  if (base::load_u32be(d.data() + 4) != kStunMagicCookie) return false;
  size_t length = base::load_u16be(d.data() + 2);
  return length % 4 == 0 && length == d.size() - kStunHeaderLen;
}

namespace {

// Walks the attributes of a message that passed is_stun(): `visit(type, value)` for each, with
// the FINGERPRINT checked. Returns the parse error, or nullopt when the walk succeeded.
template <typename Visit>
std::optional<StunParseError> walk_attributes(base::Bytes d, Visit visit) {
  size_t pos = kStunHeaderLen;
  while (pos < d.size()) {
    if (d.size() - pos < 4) return StunParseError::kMalformed;
    uint16_t type = base::load_u16be(d.data() + pos);
    size_t length = base::load_u16be(d.data() + pos + 2);
    size_t padded = (length + 3) & ~size_t{3};
    if (d.size() - pos - 4 < padded) return StunParseError::kMalformed;
    base::Bytes value = d.subspan(pos + 4, length);
    if (type == kStunAttrFingerprint) {
      // The last attribute, over every byte before it (RFC 8489 §14.7).
      if (length != 4 || pos + 8 != d.size()) return StunParseError::kMalformed;
      uint32_t want = crc32(d.first(pos)) ^ kStunFingerprintXor;
      if (base::load_u32be(value.data()) != want) return StunParseError::kBadFingerprint;
    } else {
      visit(type, value);
    }
    pos += 4 + padded;
  }
  return std::nullopt;
}

}  // namespace

std::optional<TransactionId> parse_binding_request(base::Bytes d) {
  if (!is_stun(d) || base::load_u16be(d.data()) != kStunBindingRequest) return std::nullopt;
  if (walk_attributes(d, [](uint16_t, base::Bytes) {})) return std::nullopt;
  return transaction_of(d);
}

StunParsed parse_binding_response(base::Bytes d) {
  StunParsed out;
  if (!is_stun(d)) return out;
  uint16_t type = base::load_u16be(d.data());
  if (type != kStunBindingSuccess && type != kStunBindingError) {
    out.error = StunParseError::kNotResponse;
    return out;
  }
  StunMessage m;
  m.type = type;
  m.transaction = transaction_of(d);
  std::optional<base::Endpoint> xored, plain, other, changed;
  bool bad_address = false;
  auto failed = walk_attributes(d, [&](uint16_t attr, base::Bytes value) {
    if (attr == kStunAttrXorMappedAddress && !xored) {
      xored = read_address(value, true, d);
      bad_address |= !xored;
    } else if (attr == kStunAttrMappedAddress && !plain) {
      plain = read_address(value, false, d);
      bad_address |= !plain;
    } else if (attr == kStunAttrOtherAddress && !other) {
      other = read_address(value, false, d);
      bad_address |= !other;
    } else if (attr == kStunAttrChangedAddress && !changed) {
      changed = read_address(value, false, d);
      bad_address |= !changed;
    } else if (attr == kStunAttrErrorCode && value.size() >= 4 && m.error_code == 0) {
      m.error_code = (value[2] & 0x07) * 100 + value[3];
    }
  });
  if (failed) {
    out.error = *failed;
    return out;
  }
  if (bad_address) {
    out.error = StunParseError::kMalformed;
    return out;
  }
  if (type == kStunBindingSuccess) {
    if (!xored && !plain) {
      out.error = StunParseError::kNoAddress;
      return out;
    }
    m.mapped = xored ? *xored : *plain;
    m.other = other ? other : changed;
  }
  out.message = m;
  return out;
}

}  // namespace mw::nat
