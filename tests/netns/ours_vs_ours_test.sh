#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two meshward-wg daemons, configured with wg(8), pass pings, iperf3 TCP each way and handshakes
# that either side initiates.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tunnel_suite.sh"
trap mw_cleanup EXIT
require_env iperf3 jq ss
require_impl "$MW_WG"

run_tunnel_suite "$MW_WG" "$MW_WG"
mw_finish
