// SPDX-License-Identifier: Apache-2.0
// Reader and Writer: sticky-failure cursors over spans.
#include "base/bytes.h"

namespace mw::base {

bool Reader::take(size_t n) {
  if (!ok_ || n > data_.size() - pos_) {
    ok_ = false;
    return false;
  }
  return true;
}

uint8_t Reader::u8() {
  if (!take(1)) return 0;
  return data_[pos_++];
}

uint16_t Reader::u16be() {
  if (!take(2)) return 0;
  uint16_t v = load_u16be(&data_[pos_]);
  pos_ += 2;
  return v;
}

uint16_t Reader::u16le() {
  if (!take(2)) return 0;
  uint16_t v = uint16_t(data_[pos_] | data_[pos_ + 1] << 8);
  pos_ += 2;
  return v;
}

uint32_t Reader::u32be() {
  if (!take(4)) return 0;
  uint32_t v = load_u32be(&data_[pos_]);
  pos_ += 4;
  return v;
}

uint32_t Reader::u32le() {
  if (!take(4)) return 0;
  uint32_t v = load_u32le(&data_[pos_]);
  pos_ += 4;
  return v;
}

uint64_t Reader::u64be() {
  // One bounds check for all eight bytes: a short read must return 0, not a half-read value.
  if (!take(8)) return 0;
  uint64_t v = uint64_t(load_u32be(&data_[pos_])) << 32 | load_u32be(&data_[pos_ + 4]);
  pos_ += 8;
  return v;
}

uint64_t Reader::u64le() {
  if (!take(8)) return 0;
  uint64_t v = load_u64le(&data_[pos_]);
  pos_ += 8;
  return v;
}

void Reader::copy(MutableBytes out) {
  if (out.empty()) return;  // nothing to read; a failed cursor stays failed
  if (!take(out.size())) {
    std::memset(out.data(), 0, out.size());
    return;
  }
  std::memcpy(out.data(), data_.data() + pos_, out.size());
  pos_ += out.size();
}

Bytes Reader::view(size_t n) {
  if (!take(n)) return {};
  Bytes v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

void Reader::skip(size_t n) {
  if (take(n)) pos_ += n;
}

Bytes Reader::rest() { return view(remaining()); }

bool Writer::take(size_t n) {
  if (!ok_ || n > out_.size() - pos_) {
    ok_ = false;
    return false;
  }
  return true;
}

void Writer::u8(uint8_t v) {
  if (take(1)) out_[pos_++] = v;
}

void Writer::u16be(uint16_t v) {
  if (!take(2)) return;
  store_u16be(&out_[pos_], v);
  pos_ += 2;
}

void Writer::u16le(uint16_t v) {
  if (!take(2)) return;
  out_[pos_] = uint8_t(v);
  out_[pos_ + 1] = uint8_t(v >> 8);
  pos_ += 2;
}

void Writer::u32be(uint32_t v) {
  if (!take(4)) return;
  store_u32be(&out_[pos_], v);
  pos_ += 4;
}

void Writer::u32le(uint32_t v) {
  if (!take(4)) return;
  store_u32le(&out_[pos_], v);
  pos_ += 4;
}

void Writer::u64be(uint64_t v) {
  // All eight bytes or none, like every other write.
  if (!take(8)) return;
  store_u32be(&out_[pos_], uint32_t(v >> 32));
  store_u32be(&out_[pos_ + 4], uint32_t(v));
  pos_ += 8;
}

void Writer::u64le(uint64_t v) {
  if (!take(8)) return;
  store_u64le(&out_[pos_], v);
  pos_ += 8;
}

void Writer::bytes(Bytes b) {
  if (!take(b.size())) return;
  if (!b.empty()) std::memcpy(&out_[pos_], b.data(), b.size());
  pos_ += b.size();
}

void Writer::zeros(size_t n) {
  if (!take(n) || n == 0) return;
  std::memset(out_.data() + pos_, 0, n);
  pos_ += n;
}

MutableBytes Writer::reserve(size_t n) {
  if (!take(n)) return {};
  MutableBytes r = out_.subspan(pos_, n);
  pos_ += n;
  return r;
}

}  // namespace mw::base
