#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks every #include under src/ against the layer table of STYLE.md section 2.

A project include "layer/file.h" must name a layer the including layer may depend on, and the
system headers of OpenSSL/libsodium (crypto only) and of Linux (os only) stay in their layers.
Exits 1 and lists every violation.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": {"base"},
    "crypto": {"crypto", "base"},
    "os": {"os", "base"},
    "wireguard": {"wireguard", "crypto", "base"},
    "trust": {"trust", "crypto", "base"},
    "discovery": {"discovery", "trust", "crypto", "base"},
    "nat": {"nat", "trust", "crypto", "base"},
    "dataplane": {"dataplane", "wireguard", "os", "crypto", "base"},
    "control": {"control", "base"},
    # cli also reads and writes the config directory, through os/file.h only.
    "cli": {"cli", "control", "trust", "os", "crypto", "base"},
    "node": {"node", "dataplane", "discovery", "nat", "trust", "wireguard", "control", "os",
             "crypto", "base"},
    "app": {"app", "cli", "node", "control", "base"},
}
# System headers that only one layer may include.
SYSTEM_OWNERS = [
    (re.compile(r"^(openssl/|sodium)"), "crypto", False),
    (re.compile(r"^(linux/|sys/|netinet/|arpa/|net/|netpacket/|ifaddrs\.h|liburing|libmnl/|"
                r"miniupnpc/|natpmp\.h)"), "os", False),
    # POSIX C headers: system calls are os/'s job (tests may use them to set the scene).
    (re.compile(r"^(unistd|poll|signal|netdb|fcntl|dirent|pwd|grp|termios|sched|dlfcn|pthread|"
                r"spawn|syslog|semaphore|mqueue)\.h$"), "os", True),
]
# Files outside their owner's layer that may still include one of its system headers.
SYSTEM_EXCEPTIONS = {
    "base/unique_fd.cc",  # close(2): UniqueFd is the base type every fd lives in
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        root = pathlib.Path(sys.argv[2]).resolve()
    errors = []
    files = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        files += 1
        layer = path.relative_to(root).parts[0]
        if layer not in ALLOWED:
            errors.append(f"{path}: folder src/{layer} is not in the layer table (STYLE.md §2)")
            continue
        is_test = path.name.endswith("_test.cc") or "testing" in path.parts
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            where = f"{path.relative_to(root.parent)}:{lineno}"
            if kind == '"':
                target = name.split("/")[0]
                if "/" not in name or target not in ALLOWED:
                    errors.append(f"{where}: include \"{name}\" must be \"<layer>/<file>.h\"")
                elif target not in ALLOWED[layer] and not (is_test and target == "base"):
                    errors.append(f"{where}: {layer}/ may not include {target}/ (\"{name}\")")
            else:
                rel = path.relative_to(root).as_posix()
                for pattern, owner, tests_may in SYSTEM_OWNERS:
                    if pattern.match(name) and layer != owner and not (tests_may and is_test) \
                            and rel not in SYSTEM_EXCEPTIONS:
                        errors.append(f"{where}: <{name}> belongs in {owner}/ only")
    for e in errors:
        print(e)
    print(f"layers: {files} files checked, {len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
