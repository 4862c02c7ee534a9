// SPDX-License-Identifier: Apache-2.0
// Applies a parsed UAPI set request to a wg::Device and reads a Device back as UAPI status.
// The socket side (listen port, fwmark) is the caller's: it happens before this is called.
#pragma once

#include "base/time.h"
#include "wireguard/device.h"
#include "wireguard/uapi.h"

namespace mw::node {

// Applies every field of `request` except listen_port and fwmark. Cannot fail: the request was
// validated whole when parsed. Peers equal to our own public key are ignored, as wireguard-go.
void apply_set_request(wg::Device& device, const wg::uapi::SetRequest& request, base::Instant now,
                       wg::DeviceOutput& out);

// The device's configuration and peer state as `wg show` reads it.
wg::uapi::DeviceStatus device_status(const wg::Device& device, uint16_t listen_port,
                                     uint32_t fwmark);

}  // namespace mw::node
