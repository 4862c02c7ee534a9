// SPDX-License-Identifier: Apache-2.0
// Transport keypairs (whitepaper §5.4.6) and a peer's previous/current/next slots, with the
// responder's key confirmation: a fresh responder keypair waits in `next` until the initiator's
// first transport packet arrives on it.
#pragma once

#include <memory>

#include "base/time.h"
#include "crypto/keys.h"
#include "wireguard/replay.h"

namespace mw::wg {

struct Keypair {
  crypto::SymmetricKey send_key;
  crypto::SymmetricKey receive_key;
  uint64_t send_counter = 0;  // the next counter to send
  ReplayWindow replay;
  base::Instant created{};
  bool is_initiator = false;
  uint32_t local_index = 0;   // what the peer puts in receiver_index
  uint32_t remote_index = 0;  // what we put in receiver_index
};

struct Keypairs {
  std::unique_ptr<Keypair> previous;
  std::unique_ptr<Keypair> current;
  std::unique_ptr<Keypair> next;

  // The slot holding the keypair with this local index, or nullptr.
  Keypair* find(uint32_t local_index) const;
  bool empty() const { return !previous && !current && !next; }
};

}  // namespace mw::wg
