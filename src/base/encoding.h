// SPDX-License-Identifier: Apache-2.0
// Hex and standard base64 (RFC 4648 §4) codecs; decoders are strict and never read out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace mw::base {

std::string hex_encode(Bytes data);
// Lower- or upper-case hex of even length; nullopt on any other character or odd length.
std::optional<std::vector<uint8_t>> hex_decode(std::string_view text);
// Decodes into exactly out.size() bytes; false if the text is not exactly that long.
bool hex_decode_exact(std::string_view text, MutableBytes out);

std::string base64_encode(Bytes data);
// Padded standard alphabet; nullopt on bad characters, bad padding or non-zero trailing bits.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
bool base64_decode_exact(std::string_view text, MutableBytes out);

}  // namespace mw::base
