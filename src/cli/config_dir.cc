// SPDX-License-Identifier: Apache-2.0
// Config directory resolution.
#include "cli/config_dir.h"

#include <cstdlib>

#include "os/process.h"

namespace mw::cli {

base::Result<std::string> resolve_config_dir(const ConfigDirInputs& in) {
  if (in.meshward_config_dir && *in.meshward_config_dir) return std::string(in.meshward_config_dir);
  if (in.is_root) return std::string("/etc/meshward");
  if (in.xdg_config_home && *in.xdg_config_home)
    return std::string(in.xdg_config_home) + "/meshward";
  if (in.home && *in.home) return std::string(in.home) + "/.config/meshward";
  return base::Error(
      "cannot find a config directory: set MESHWARD_CONFIG_DIR, XDG_CONFIG_HOME or HOME");
}

base::Result<std::string> default_config_dir() {
  return resolve_config_dir({std::getenv("MESHWARD_CONFIG_DIR"), std::getenv("XDG_CONFIG_HOME"),
                             std::getenv("HOME"), os::effective_uid() == 0});
}

}  // namespace mw::cli
