// SPDX-License-Identifier: Apache-2.0
// PortMapper on a real loop over FakeIo with a fake gateway: the protocol order, keeping the
// one that works, renewal at half-life, back-off, the check against the reflexive address, the
// candidate, the report and metrics, and the deletion at exit.
#include "node/port_mapper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "node/testing/loop_rig.h"

namespace mw::node {
namespace {

using base::Duration;
using base::Endpoint;
using base::Instant;
using nat::MappingProtocol;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

// A gateway that grants the protocols it is told to, called on the mapper's thread.
class FakeGateway final : public MappingClient {
 public:
  base::Result<nat::PortMapping> map(MappingProtocol p, uint16_t internal_port, uint16_t,
                                     Duration lifetime) override {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(p);
    if (!works_.count(p) || !works_[p])
      return base::make_error("{}: refused", nat::mapping_protocol_name(p));
    return nat::PortMapping{p, external_, *base::IpAddress::parse("10.206.0.1"), internal_port,
                            granted_ ? *granted_ : lifetime};
  }
  base::Result<void> unmap(const nat::PortMapping& m) override {
    std::lock_guard<std::mutex> lock(mutex_);
    unmapped_.push_back(m);
    return {};
  }
  void set_works(MappingProtocol p, bool on) {
    std::lock_guard<std::mutex> lock(mutex_);
    works_[p] = on;
  }
  std::vector<MappingProtocol> take_calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(calls_, {});
  }
  std::vector<nat::PortMapping> unmapped() {
    std::lock_guard<std::mutex> lock(mutex_);
    return unmapped_;
  }
  Endpoint external_ = ep("10.99.1.6:51820");
  std::optional<Duration> granted_;

 private:
  std::mutex mutex_;
  std::map<MappingProtocol, bool> works_;
  std::vector<MappingProtocol> calls_;
  std::vector<nat::PortMapping> unmapped_;
};

class PortMapperTest : public ::testing::Test {
 protected:
  PortMapperTest() {
    nat_ = std::make_unique<NatService>(
        NatOptions{}, [this] { return ++rng_; },
        [](std::string_view, uint16_t) -> base::Result<std::vector<Endpoint>> {
          return base::make_error("no names");
        },
        [] { return std::vector<base::IpAddress>{*base::IpAddress::parse("10.206.0.2")}; });
    gateway_ = std::make_shared<FakeGateway>();
  }
  void start(PortMapperOptions options = {}) {
    options.lifetime = Duration::seconds(100);
    mapper_ = std::make_unique<PortMapper>(options, gateway_, *nat_);
    ASSERT_TRUE(nat_->start(rig_.loop(), now_).ok());
    mapper_->start(rig_.loop(), now_);
    settle();
  }
  // Turns the loop until the attempt in flight (if any) is collected.
  void settle() {
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(rig_.settle(now_));
      if (!mapper_->busy()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      now_ += Duration::millis(50);
    }
    FAIL() << "the attempt never finished";
  }
  void advance(Duration d) {
    now_ += d;
    settle();
  }
  void observe(const char* mapped) {
    nat_->observed_by_member("m", ep("10.99.0.20:51821"), ep(mapped), now_);
  }

  testing::LoopRig rig_;
  std::unique_ptr<NatService> nat_;
  std::shared_ptr<FakeGateway> gateway_;
  std::unique_ptr<PortMapper> mapper_;
  uint64_t rng_ = 0;
  Instant now_ = Instant::from_nanos(int64_t{1} << 40);
};

TEST_F(PortMapperTest, TriesUpnpThenNatPmpThenPcpAndKeepsTheFirstThatWorks) {
  gateway_->set_works(MappingProtocol::kPcp, true);
  start();
  EXPECT_EQ(gateway_->take_calls(),
            (std::vector<MappingProtocol>{MappingProtocol::kUpnp, MappingProtocol::kNatPmp,
                                          MappingProtocol::kPcp}));
  ASSERT_TRUE(mapper_->mapping());
  EXPECT_EQ(mapper_->mapping()->protocol, MappingProtocol::kPcp);
  // The renewal, at half the lease, asks PCP alone.
  advance(Duration::seconds(49));
  EXPECT_TRUE(gateway_->take_calls().empty());
  advance(Duration::seconds(1));
  EXPECT_EQ(gateway_->take_calls(), std::vector<MappingProtocol>{MappingProtocol::kPcp});
  control::PortMappingReport r = mapper_->report(now_);
  EXPECT_EQ(r.status, "mapped");
  EXPECT_EQ(r.protocol, "pcp");
  EXPECT_EQ(r.external, "10.99.1.6:51820");
  EXPECT_EQ(r.gateway, "10.206.0.1");
  EXPECT_NEAR(r.lease_s, 100, 1);
}

TEST_F(PortMapperTest, OfferedAsACandidateOnlyOnceStunAgrees) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  gateway_->external_ = ep("10.99.1.6:40000");
  start();
  ASSERT_TRUE(mapper_->mapping());
  EXPECT_EQ(mapper_->check(), nat::MappingCheck::kUnknown);
  EXPECT_FALSE(mapper_->report(now_).verified);
  EXPECT_EQ(nat_->candidates(),
            (std::vector<Candidate>{{ep("10.206.0.2:51820"), swim::CandidateKind::kHost}}));
  // Someone sees us at another address: a gateway behind another NAT. Not announced.
  observe("100.64.9.9:51820");
  EXPECT_EQ(mapper_->check(), nat::MappingCheck::kMismatch);
  EXPECT_FALSE(mapper_->verified());
  // The world sees us at the mapped IP: it leads the candidates.
  nat_->observed_by_member("m2", ep("10.99.0.21:51821"), ep("10.99.1.6:51820"), now_);
  EXPECT_EQ(mapper_->check(), nat::MappingCheck::kVerified);
  auto c = nat_->candidates();
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.front(), (Candidate{ep("10.99.1.6:40000"), swim::CandidateKind::kMapped}));
  // Then our own (the two observers saw two mappings: no reflexive address is offered).
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1], (Candidate{ep("10.206.0.2:51820"), swim::CandidateKind::kHost}));
  EXPECT_TRUE(nat_->report(now_).port_mapping.verified);
  EXPECT_EQ(nat_->report(now_).port_mapping.protocol, "upnp");
  control::MetricsWriter w;
  nat_->write_metrics(w);
  std::string text = w.finish();
  EXPECT_NE(text.find("meshward_port_mapping{protocol=\"upnp\",verified=\"true\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("meshward_port_mapping_attempts_total{protocol=\"upnp\"} 1"),
            std::string::npos);
}

TEST_F(PortMapperTest, FailuresBackOffAndAreReported) {
  start();
  EXPECT_EQ(gateway_->take_calls().size(), 3u);
  control::PortMappingReport r = mapper_->report(now_);
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.protocol, "none");
  EXPECT_NE(r.error.find("natpmp: refused"), std::string::npos) << r.error;
  advance(Duration::seconds(29));
  EXPECT_TRUE(gateway_->take_calls().empty());
  advance(Duration::seconds(1));
  EXPECT_EQ(gateway_->take_calls().size(), 3u);
  // Then 60 s: the gateway comes up meanwhile.
  gateway_->set_works(MappingProtocol::kNatPmp, true);
  advance(Duration::seconds(59));
  EXPECT_TRUE(gateway_->take_calls().empty());
  advance(Duration::seconds(1));
  EXPECT_EQ(gateway_->take_calls(),
            (std::vector<MappingProtocol>{MappingProtocol::kUpnp, MappingProtocol::kNatPmp}));
  EXPECT_EQ(mapper_->report(now_).status, "mapped");
  control::MetricsWriter w;
  mapper_->write_metrics(w);
  EXPECT_NE(w.finish().find("meshward_port_mapping_failures_total{protocol=\"upnp\"} 3"),
            std::string::npos)
      << w.finish();
}

TEST_F(PortMapperTest, AFailedRenewalKeepsTheMappingUntilItExpires) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  start();
  gateway_->take_calls();
  gateway_->set_works(MappingProtocol::kUpnp, false);
  advance(Duration::seconds(50));
  EXPECT_EQ(gateway_->take_calls(), std::vector<MappingProtocol>{MappingProtocol::kUpnp});
  EXPECT_TRUE(mapper_->mapping());
  // The retry 30 s later tries every protocol again.
  advance(Duration::seconds(30));
  EXPECT_EQ(gateway_->take_calls().size(), 3u);
  advance(Duration::seconds(20));
  EXPECT_FALSE(mapper_->mapping());
  EXPECT_EQ(mapper_->report(now_).status, "failed");
}

TEST_F(PortMapperTest, AMappingReplacedByAnotherProtocolIsDeleted) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  gateway_->set_works(MappingProtocol::kNatPmp, true);
  start();
  ASSERT_TRUE(mapper_->mapping());
  ASSERT_EQ(mapper_->mapping()->protocol, MappingProtocol::kUpnp);
  // UPnP stops answering: the renewal fails, and the retry finds NAT-PMP, which maps another
  // external port.
  gateway_->set_works(MappingProtocol::kUpnp, false);
  advance(Duration::seconds(50));
  EXPECT_TRUE(gateway_->unmapped().empty()) << "a failed renewal keeps the mapping";
  gateway_->external_ = ep("10.99.1.6:40001");
  advance(Duration::seconds(30));
  ASSERT_TRUE(mapper_->mapping());
  EXPECT_EQ(mapper_->mapping()->protocol, MappingProtocol::kNatPmp);
  auto gone = gateway_->unmapped();
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].protocol, MappingProtocol::kUpnp);
  EXPECT_EQ(gone[0].external, ep("10.99.1.6:51820"));
  // Renewing the same mapping deletes nothing.
  advance(Duration::seconds(50));
  EXPECT_EQ(mapper_->mapping()->protocol, MappingProtocol::kNatPmp);
  EXPECT_EQ(gateway_->unmapped().size(), 1u);
}

TEST_F(PortMapperTest, TheSameEntryUnderAnotherProtocolIsNotDeleted) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  gateway_->set_works(MappingProtocol::kNatPmp, true);
  start();
  gateway_->set_works(MappingProtocol::kUpnp, false);
  advance(Duration::seconds(50));
  advance(Duration::seconds(30));
  ASSERT_TRUE(mapper_->mapping());
  EXPECT_EQ(mapper_->mapping()->protocol, MappingProtocol::kNatPmp);
  EXPECT_TRUE(gateway_->unmapped().empty()) << "the gateway's one entry for that port";
}

TEST_F(PortMapperTest, OnlyTheChosenProtocolsAreAskedAndOffAsksNone) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  gateway_->set_works(MappingProtocol::kNatPmp, true);
  PortMapperOptions options;
  options.protocols = {MappingProtocol::kNatPmp};
  start(options);
  EXPECT_EQ(gateway_->take_calls(), std::vector<MappingProtocol>{MappingProtocol::kNatPmp});
  EXPECT_EQ(mapper_->mapping()->protocol, MappingProtocol::kNatPmp);
}

TEST_F(PortMapperTest, OffAsksNothing) {
  PortMapperOptions options;
  options.protocols.clear();
  start(options);
  advance(Duration::seconds(600));
  EXPECT_TRUE(gateway_->take_calls().empty());
  EXPECT_EQ(mapper_->next_deadline(), Instant::max());
  EXPECT_EQ(nat_->report(now_).port_mapping.status, "off");
}

TEST_F(PortMapperTest, TheMappingIsDeletedAtExit) {
  gateway_->set_works(MappingProtocol::kUpnp, true);
  start();
  ASSERT_TRUE(mapper_->mapping());
  rig_.loop().finish(now_);
  ASSERT_EQ(gateway_->unmapped().size(), 1u);
  EXPECT_EQ(gateway_->unmapped()[0].protocol, MappingProtocol::kUpnp);
  EXPECT_FALSE(mapper_->mapping());
}

}  // namespace
}  // namespace mw::node
