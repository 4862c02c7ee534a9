// SPDX-License-Identifier: Apache-2.0
// SeedResolver: literal seeds at once without a lookup, names on the thread while the caller
// goes on, a second round deferred while one runs, failures returned as answers, and a
// resolver that never answers does not hold up destruction.
#include "node/seed_resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>

namespace mw::node {
namespace {

// A lookup that waits until the test lets it go, and counts its calls.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  int calls = 0;
  SeedResolver::Lookup lookup() {
    return
        [this](std::string_view name, uint16_t port) -> base::Result<std::vector<base::Endpoint>> {
          std::unique_lock<std::mutex> lock(mutex);
          ++calls;
          cv.wait(lock, [this] { return open; });
          if (name.starts_with("bad")) return base::make_error("no such host");
          return std::vector<base::Endpoint>{{base::IpAddress::v4({10, 1, 2, 3}), port}};
        };
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    cv.notify_all();
  }
};

std::vector<SeedResolver::Answer> wait_for_answers(SeedResolver& r) {
  for (int i = 0; i < 2000; ++i) {  // 10 s at most
    auto answers = r.collect();
    if (!answers.empty()) return answers;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

TEST(SeedResolver, LiteralSeedsAreAnsweredAtOnceWithoutALookup) {
  Gate gate;
  SeedResolver r(gate.lookup());
  std::vector<std::string> deferred;
  auto answers = r.resolve({"10.0.0.1:7", "[fd00::1]", "host:99999"}, 51821, &deferred);
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_TRUE(answers[0].endpoints);
  EXPECT_EQ((*answers[0].endpoints)[0].to_string(), "10.0.0.1:7");
  ASSERT_TRUE(answers[1].endpoints);
  EXPECT_EQ((*answers[1].endpoints)[0].port, 51821);
  EXPECT_FALSE(answers[2].endpoints) << "a bad port fails at once";
  EXPECT_FALSE(r.busy());
  EXPECT_EQ(gate.calls, 0);
}

TEST(SeedResolver, NamesResolveOnTheThreadWhileTheCallerGoesOn) {
  Gate gate;
  SeedResolver r(gate.lookup());
  std::vector<std::string> deferred;
  auto answers = r.resolve({"seed.example:5", "bad.example"}, 51821, &deferred);
  EXPECT_TRUE(answers.empty());
  EXPECT_TRUE(r.busy());
  EXPECT_TRUE(r.collect().empty()) << "nothing while the lookup waits";
  auto again = r.resolve({"other.example"}, 51821, &deferred);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(deferred, std::vector<std::string>{"other.example"}) << "one round at a time";
  gate.release();
  answers = wait_for_answers(r);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].seed, "seed.example:5");
  ASSERT_TRUE(answers[0].endpoints);
  EXPECT_EQ((*answers[0].endpoints)[0].to_string(), "10.1.2.3:51821");
  EXPECT_FALSE(answers[1].endpoints);
  EXPECT_FALSE(r.busy());
  EXPECT_TRUE(r.collect().empty()) << "answers are handed out once";
}

TEST(SeedResolver, ALookupThatNeverAnswersDoesNotHoldUpDestruction) {
  auto gate = std::make_shared<Gate>();
  {
    SeedResolver r([gate](std::string_view n, uint16_t p) { return gate->lookup()(n, p); });
    std::vector<std::string> deferred;
    r.resolve({"stuck.example"}, 1, &deferred);
    EXPECT_TRUE(r.busy());
  }  // returns at once: the thread is left to finish
  gate->release();
  // Let the thread end before other tests in this process (the offload probe refuses to fork
  // while the process has threads).
  for (int i = 0; i < 2000 && gate.use_count() > 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace mw::node
