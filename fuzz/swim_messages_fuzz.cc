// SPDX-License-Identifier: Apache-2.0
// Fuzzes the mesh datagram and statement decoders (meshward mesh protocol v1, docs/mesh.md).
// Invariants: no crash, no sanitizer report; anything the strict decoders accept re-encodes to
// exactly the same bytes (the datagram up to its trailer, the statement as consumed); the
// header decoder agrees with the full decoder.
#include <cstdint>
#include <cstring>
#include <vector>

#include "discovery/messages.h"
#include "discovery/statement.h"
#include "fuzz_check.h"

using namespace mw;
using namespace mw::swim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::Bytes in(data, size);

  Message m;
  DecodeError err = decode_message(in, &m);
  Header h;
  DecodeError header_err = decode_header(in, &h);
  if (err == DecodeError::kOk) {
    fuzz::check(header_err == DecodeError::kOk && h.type == m.type && h.sender == m.sender &&
                h.counter == m.counter);
    fuzz::check(size <= kMaxDatagramLen && m.gossip.size() <= kMaxGossipItems);
    std::vector<uint8_t> again = encode_message(m);
    fuzz::check(again.size() == size);
    size_t trailer = kDatagramMacLen + (m.type == MessageType::kJoin ? kJoinSignatureLen : 0);
    fuzz::check(std::memcmp(again.data(), data, size - trailer) == 0);
    for (const GossipItem& g : m.gossip) {
      const Statement& s = g.statement;
      bool self_claim = s.kind == StatementKind::kAlive || s.kind == StatementKind::kLeave;
      fuzz::check(!self_claim || s.author == s.subject);
      fuzz::check(s.endpoints.size() <= kMaxEndpoints);
    }
  }

  base::Reader r(in);
  Statement s;
  if (decode_statement(r, &s) == DecodeError::kOk) {
    size_t used = r.position();
    fuzz::check(statement_len(s) == used);
    std::vector<uint8_t> buf(used);
    base::Writer w(buf);
    encode_statement(w, s);
    fuzz::check(w.ok() && std::memcmp(buf.data(), data, used) == 0);
    (void)verify_statement(s);  // must not crash on any key or signature
  }
  return 0;
}
