// SPDX-License-Identifier: Apache-2.0
// Fuzzes ReplayWindow with counters drawn from the input, checked against a set-based model.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>

#include "base/bytes.h"
#include "wireguard/constants.h"
#include "wireguard/replay.h"

namespace {

using mw::wg::ReplayWindow;

constexpr uint64_t kW = ReplayWindow::kWindowSize;

// Every accepted counter in a set, plus the highest: accept iff new, below the reject limit,
// and at most kW below the highest.
struct Model {
  std::set<uint64_t> seen;
  std::optional<uint64_t> highest;

  bool accept(uint64_t c) {
    if (c >= mw::wg::kRejectAfterMessages) return false;
    if (highest && c <= *highest && *highest - c > kW) return false;
    if (!seen.insert(c).second) return false;
    if (!highest || c > *highest) highest = c;
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReplayWindow window;
  Model model;
  mw::base::Reader r(mw::base::Bytes(data, size));
  uint64_t last = 0;
  while (r.remaining() > 0) {
    const uint8_t op = r.u8();
    uint64_t c = 0;
    const uint64_t top = model.highest.value_or(0);
    switch (op % 8) {
      case 0:  // any 64-bit counter
        c = r.u64le();
        break;
      case 1:  // a little ahead of the last one
        c = last + (op >> 3) + 1;
        break;
      case 2:  // behind the highest by up to 2^16
        c = top - std::min<uint64_t>(top, r.u16le());
        break;
      case 3:  // around the edge of the window
        c = top - std::min<uint64_t>(top, kW - 16 + (op >> 3));
        break;
      case 4:  // a jump of up to about four rings
        c = top + uint64_t(r.u16le()) % (4 * 8192 + 64);
        break;
      case 5:  // around the reject limit
        c = mw::wg::kRejectAfterMessages - 16 + (op >> 3);
        break;
      case 6:  // the last one again
        c = last;
        break;
      default:
        window.reset();
        model = Model();
        last = 0;
        continue;
    }
    if (!r.ok()) break;
    if (window.accept(c) != model.accept(c)) __builtin_trap();
    last = c;
  }
  return 0;
}
