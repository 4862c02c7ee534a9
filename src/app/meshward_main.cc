// SPDX-License-Identifier: Apache-2.0
// meshward: the mesh VPN's command line (identity, trust, orgs; the daemon commands come with
// the mesh).
#include "cli/cli.h"

int main(int argc, char** argv) { return mw::cli::main_entry(argc, argv); }
