// SPDX-License-Identifier: Apache-2.0
// Bounds-checked byte cursors. A read or write past the end never touches memory out of range:
// it marks the cursor failed (sticky), reads give zeros, and the caller checks ok() once at the
// end.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace mw::base {

using Bytes = std::span<const uint8_t>;
using MutableBytes = std::span<uint8_t>;

class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  size_t position() const { return pos_; }
  bool at_end() const { return ok_ && pos_ == data_.size(); }

  uint8_t u8();
  uint16_t u16be();
  uint16_t u16le();
  uint32_t u32be();
  uint32_t u32le();
  uint64_t u64be();
  uint64_t u64le();
  // Copies out.size() bytes; on failure fills out with zeros.
  void copy(MutableBytes out);
  // A view of the next n bytes (empty on failure). The view aliases the input.
  Bytes view(size_t n);
  void skip(size_t n);
  Bytes rest();

 private:
  bool take(size_t n);
  Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class Writer {
 public:
  explicit Writer(MutableBytes out) : out_(out) {}

  bool ok() const { return ok_; }
  size_t length() const { return pos_; }
  size_t remaining() const { return ok_ ? out_.size() - pos_ : 0; }
  Bytes written() const { return Bytes(out_.data(), pos_); }

  void u8(uint8_t v);
  void u16be(uint16_t v);
  void u16le(uint16_t v);
  void u32be(uint32_t v);
  void u32le(uint32_t v);
  void u64be(uint64_t v);
  void u64le(uint64_t v);
  void bytes(Bytes b);
  void zeros(size_t n);
  // Reserves n bytes and returns them for the caller to fill (empty on failure).
  MutableBytes reserve(size_t n);

 private:
  bool take(size_t n);
  MutableBytes out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Unaligned little/big-endian loads and stores on raw buffers the caller has bounds-checked.
inline uint32_t load_u32le(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t load_u64le(const uint8_t* p) {
  return uint64_t(load_u32le(p)) | uint64_t(load_u32le(p + 4)) << 32;
}
inline void store_u32le(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}
inline void store_u64le(uint8_t* p, uint64_t v) {
  store_u32le(p, uint32_t(v));
  store_u32le(p + 4, uint32_t(v >> 32));
}
// The bytes of a string (a label, a context string, a name), without copying.
inline Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

inline uint16_t load_u16be(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_u32be(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline void store_u16be(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_u32be(uint8_t* p, uint32_t v) {
  store_u16be(p, uint16_t(v >> 16));
  store_u16be(p + 2, uint16_t(v));
}

}  // namespace mw::base
