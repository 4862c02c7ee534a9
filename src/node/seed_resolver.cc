// SPDX-License-Identifier: Apache-2.0
// SeedResolver: literal seeds inline, names on a lookup thread per round.
#include "node/seed_resolver.h"

#include "os/process.h"
#include "os/resolve.h"

namespace mw::node {
namespace {

// A seed whose host is an address needs no lookup.
bool is_literal(std::string_view seed, uint16_t default_port) {
  auto hp = os::split_host_port(seed, default_port);
  return !hp || base::IpAddress::parse(hp->host).has_value();  // a bad seed fails at once too
}

}  // namespace

SeedResolver::SeedResolver(Lookup lookup) : lookup_(std::move(lookup)) {}

SeedResolver::~SeedResolver() {
  if (!thread_.joinable()) return;
  if (round_->done) {
    thread_.join();
  } else {
    thread_.detach();  // the thread owns a reference to its round and its lookup
  }
}

std::vector<SeedResolver::Answer> SeedResolver::resolve(const std::vector<std::string>& seeds,
                                                        uint16_t default_port,
                                                        std::vector<std::string>* deferred) {
  std::vector<Answer> now;
  std::vector<std::string> names;
  for (const std::string& seed : seeds) {
    if (is_literal(seed, default_port)) {
      now.push_back({seed, os::resolve(seed, default_port)});
    } else {
      names.push_back(seed);
    }
  }
  if (names.empty()) return now;
  if (running_) {
    deferred->insert(deferred->end(), names.begin(), names.end());
    return now;
  }
  if (thread_.joinable()) thread_.join();  // a finished round whose answers were collected
  round_ = std::make_shared<Round>();
  running_ = true;
  thread_ = std::thread([round = round_, lookup = lookup_, names, default_port] {
    os::set_thread_name("mw-resolve");
    std::vector<Answer> answers;
    for (const std::string& name : names) answers.push_back({name, lookup(name, default_port)});
    std::lock_guard<std::mutex> lock(round->mutex);
    round->answers = std::move(answers);
    round->done = true;
  });
  return now;
}

std::vector<SeedResolver::Answer> SeedResolver::collect() {
  if (!running_ || !round_->done) return {};
  std::vector<Answer> answers;
  {
    std::lock_guard<std::mutex> lock(round_->mutex);
    answers = std::move(round_->answers);
  }
  thread_.join();
  running_ = false;
  return answers;
}

}  // namespace mw::node
