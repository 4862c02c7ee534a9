// SPDX-License-Identifier: Apache-2.0
// Fuzzes the STUN decoders (nat/stun_message.h, RFC 8489). Invariants: no crash, no sanitizer
// report; what is not STUN by the header checks is never parsed; a parsed success carries an
// address of a known family; a request parses only as a request and answers only as answers;
// a request we encode (plain or with CHANGE-REQUEST) parses back to its transaction; a
// server's other address is of a known family, and only in a success.
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "nat/stun_message.h"

using namespace mw;
using namespace mw::nat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::Bytes in(data, size);
  bool stun = is_stun(in);
  StunParsed response = parse_binding_response(in);
  auto request = parse_binding_request(in);
  if (!stun) fuzz::check(!response.message && !request);
  if (stun) fuzz::check((data[0] & 0xC0) == 0 && (size - kStunHeaderLen) % 4 == 0);
  fuzz::check(!(response.message && request));
  if (response.message) {
    fuzz::check(std::memcmp(response.message->transaction.data(), data + 8, 12) == 0);
    if (response.message->type == kStunBindingSuccess) {
      fuzz::check(!response.message->mapped.address.empty());
      if (response.message->other) fuzz::check(!response.message->other->address.empty());
    } else {
      fuzz::check(!response.message->other);
      fuzz::check(response.message->type == kStunBindingError);
      fuzz::check(response.message->error_code >= 0 && response.message->error_code <= 955);
    }
  }
  if (size >= 12) {
    TransactionId id;
    std::memcpy(id.data(), data, 12);
    auto encoded = encode_binding_request(id);
    auto back = parse_binding_request(encoded);
    fuzz::check(back && *back == id);
    auto change = encode_change_request(id, size > 12 ? data[12] : 0);
    auto change_back = parse_binding_request(change);
    fuzz::check(change_back && *change_back == id);
    fuzz::check(!parse_binding_response(change).message);
  }
  return 0;
}
