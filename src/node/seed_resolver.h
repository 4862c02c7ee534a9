// SPDX-License-Identifier: Apache-2.0
// SeedResolver: seeds ("host:port") turned into endpoints without stalling the loop. Literal
// addresses are answered at once; names go to the system resolver on a thread of their own
// (one lookup round at a time), and the loop collects the answers when it next looks, so a slow
// or dead resolver never holds up traffic or the mesh protocol.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"

namespace mw::node {

class SeedResolver {
 public:
  struct Answer {
    std::string seed;
    base::Result<std::vector<base::Endpoint>> endpoints;
  };
  // The blocking lookup (os::resolve in the daemon), called on the resolver's thread.
  using Lookup =
      std::function<base::Result<std::vector<base::Endpoint>>(std::string_view, uint16_t)>;

  explicit SeedResolver(Lookup lookup);
  // Never waits for a lookup in flight: its thread is left to finish on its own.
  ~SeedResolver();
  SeedResolver(const SeedResolver&) = delete;
  SeedResolver& operator=(const SeedResolver&) = delete;

  // Answers the literal seeds now; starts looking up the names on the thread, unless a round is
  // still running (busy()): then the names are returned in `deferred` for a later call.
  std::vector<Answer> resolve(const std::vector<std::string>& seeds, uint16_t default_port,
                              std::vector<std::string>* deferred);
  // The answers of a finished round (once); empty while one runs or when idle.
  std::vector<Answer> collect();
  bool busy() const { return running_; }

 private:
  struct Round {
    std::mutex mutex;
    std::vector<Answer> answers;
    std::atomic<bool> done{false};
  };
  Lookup lookup_;
  std::shared_ptr<Round> round_;  // the round in flight, if any
  std::thread thread_;
  bool running_ = false;
};

}  // namespace mw::node
