// SPDX-License-Identifier: Apache-2.0
// Names of the membership enums, for logs, status output and tests.
#include "discovery/types.h"

namespace mw::swim {

const char* member_state_name(MemberState s) {
  switch (s) {
    case MemberState::kAlive: return "alive";
    case MemberState::kSuspect: return "suspect";
    case MemberState::kDead: return "dead";
    case MemberState::kLeft: return "left";
  }
  return "?";
}

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kJoined: return "joined";
    case EventKind::kUpdated: return "updated";
    case EventKind::kFailed: return "failed";
    case EventKind::kLeft: return "left";
    case EventKind::kRemoved: return "removed";
  }
  return "?";
}

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kMalformed: return "malformed";
    case DropReason::kBadVersion: return "bad_version";
    case DropReason::kUnknownSender: return "unknown_sender";
    case DropReason::kNotTrusted: return "not_trusted";
    case DropReason::kBadMac: return "bad_mac";
    case DropReason::kReplayed: return "replayed";
    case DropReason::kBadSignature: return "bad_signature";
    case DropReason::kRateLimited: return "rate_limited";
    case DropReason::kWrongTarget: return "wrong_target";
    case DropReason::kTableFull: return "table_full";
    case DropReason::kStale: return "stale";
    case DropReason::kUnknownSubject: return "unknown_subject";
    case DropReason::kOverBudget: return "over_budget";
    case DropReason::kCount: break;
  }
  return "?";
}

}  // namespace mw::swim
