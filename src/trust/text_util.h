// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the trust codecs: whitespace trimming and the "<prefix>:<base64>" text form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace mw::trust::internal {

// Drops spaces, tabs, CR, LF, VT and FF at both ends.
std::string_view trim_space(std::string_view text);

// `prefix` + standard base64 of `data`.
std::string to_prefixed_base64(std::string_view prefix, base::Bytes data);

// Trims surrounding whitespace, requires `prefix` and decodes the rest as base64 of at most
// `max_len` bytes (the text length is bounded before decoding). `what` names the object in
// errors ("certificate").
base::Result<std::vector<uint8_t>> from_prefixed_base64(std::string_view text,
                                                        std::string_view prefix, size_t max_len,
                                                        std::string_view what);

// Two's-complement i64 little-endian, as in every trust layout.
inline void write_i64le(base::Writer& w, int64_t v) { w.u64le(static_cast<uint64_t>(v)); }
inline int64_t read_i64le(base::Reader& r) { return static_cast<int64_t>(r.u64le()); }

}  // namespace mw::trust::internal
