// SPDX-License-Identifier: Apache-2.0
// Files for configuration and secrets: atomic replacement (temp file created with its final
// mode at open, fsync, rename, fsync of the directory), bounded reads, and a check that a secret
// file is not readable by group or others.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace mw::os {

// Replaces `path` with `contents` atomically: a crash leaves either the old or the new file.
// The file is created with `mode` at open time (never chmod-ed after).
base::Result<void> write_file_atomic(const std::string& path, std::string_view contents,
                                     unsigned mode);
// Reads at most max_len bytes; a longer file is an error naming the path.
base::Result<std::string> read_file(const std::string& path, size_t max_len);
// Like read_file, but refuses a file that group or others may read, with a message saying
// how to fix it (chmod 600).
base::Result<std::string> read_secret_file(const std::string& path, size_t max_len);
bool file_exists(const std::string& path);
// The permission bits (e.g. 0600) of a file or directory.
base::Result<unsigned> file_mode(const std::string& path);
base::Result<void> set_file_mode(const std::string& path, unsigned mode);
// mkdir -p with `mode` for the directories it creates.
base::Result<void> make_dirs(const std::string& path, unsigned mode);
// Names of the regular files in `dir` (not recursive), sorted; empty if the directory is absent.
base::Result<std::vector<std::string>> list_files(const std::string& dir);
base::Result<void> remove_file(const std::string& path);
// True when standard input is a terminal (for confirmation prompts).
bool stdin_is_terminal();

}  // namespace mw::os
