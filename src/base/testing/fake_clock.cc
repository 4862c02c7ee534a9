// SPDX-License-Identifier: Apache-2.0
// FakeClock is header-only; this file anchors the testing library.
#include "base/testing/fake_clock.h"
