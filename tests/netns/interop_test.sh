#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop: meshward-wg in one namespace and wireguard-go in the other, both configured with wg(8),
# pass pings, iperf3 TCP each way and handshakes that either side initiates.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tunnel_suite.sh"
trap mw_cleanup EXIT
require_env iperf3 jq ss
require_impl "$MW_WG"
require_impl "$REF_WG"

run_tunnel_suite "$MW_WG" "$REF_WG"
mw_finish
