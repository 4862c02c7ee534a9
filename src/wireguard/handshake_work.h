// SPDX-License-Identifier: Apache-2.0
// HandshakeWork: a received handshake message (initiation or response) that passed the checks
// costing no Diffie-Hellman (Device::screen_handshake: mac1, and under load mac2 and the
// per-source rate), with copies of the keys its DH needs. compute() does the DH and touches
// nothing else, so it may run on any thread; Device::finish_handshake then completes the
// message on the device's thread. So a device's owner keeps the DH off its packet thread
// without sharing the device between threads.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "wireguard/messages.h"
#include "wireguard/noise.h"

namespace mw::wg {

struct HandshakeWork {
  MessageType type = MessageType::kInitiation;
  std::array<uint8_t, kInitiationLen> bytes{};  // the message (a response uses the first 92)
  size_t length = 0;
  base::Endpoint source;
  LocalStatic local;                        // the device's static key when screened
  uint64_t local_generation = 0;            // ... and which one it was
  crypto::PrivateKey initiation_ephemeral;  // a response: our initiation's ephemeral key
  uint32_t initiation_index = 0;            // ... and that initiation's index

  // Set by compute().
  bool computed = false;  // every DH succeeded (and, for an initiation, the static decrypted)
  InitiationDh initiation_dh;
  ResponseDh response_dh;

  base::Bytes message() const { return base::Bytes(bytes.data(), length); }
  // The DH of the message: any thread, once.
  void compute();
};

}  // namespace mw::wg
