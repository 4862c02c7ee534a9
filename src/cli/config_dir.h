// SPDX-License-Identifier: Apache-2.0
// Where the config directory is: $MESHWARD_CONFIG_DIR, else /etc/meshward for root, else
// $XDG_CONFIG_HOME/meshward, else ~/.config/meshward.
#pragma once

#include <string>

#include "base/result.h"

namespace mw::cli {

struct ConfigDirInputs {
  const char* meshward_config_dir = nullptr;  // $MESHWARD_CONFIG_DIR
  const char* xdg_config_home = nullptr;      // $XDG_CONFIG_HOME
  const char* home = nullptr;                 // $HOME
  bool is_root = false;
};

base::Result<std::string> resolve_config_dir(const ConfigDirInputs& inputs);
// The same from this process's environment and effective uid.
base::Result<std::string> default_config_dir();

}  // namespace mw::cli
