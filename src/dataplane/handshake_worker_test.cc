// SPDX-License-Identifier: Apache-2.0
// The handshake thread: work comes back computed, in order, through a bounded ring, and the
// wake fd tells the loop when.
#include "dataplane/handshake_worker.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/x25519.h"
#include "os/epoll.h"
#include "wireguard/cookie.h"
#include "wireguard/noise.h"

namespace mw::dp {
namespace {

struct Keys {
  wg::LocalStatic initiator, responder;
  wg::PeerKeys initiator_peer;
  Keys() {
    for (wg::LocalStatic* l : {&initiator, &responder}) {
      l->private_key = crypto::x25519_generate();
      l->public_key = crypto::x25519_public(l->private_key);
      l->present = true;
    }
    initiator_peer.remote_static = responder.public_key;
    wg::precompute_static_static(initiator, initiator_peer);
  }
  // A fresh initiation from the initiator to the responder, `index` as its sender index.
  wg::InitiationBytes initiation(uint32_t index) {
    wg::Handshake hs;
    wg::Initiation msg;
    EXPECT_TRUE(wg::create_initiation(initiator, initiator_peer, hs, index, wg::Tai64n{}, &msg));
    return wg::encode(msg);
  }
};

void fill(wg::HandshakeWork& w, const wg::LocalStatic& local, base::Bytes message) {
  w = wg::HandshakeWork();
  w.type = wg::MessageType::kInitiation;
  std::copy(message.begin(), message.end(), w.bytes.begin());
  w.length = message.size();
  w.local = local;
}

TEST(HandshakeWorker, ComputesInOrderAndWakesTheLoop) {
  auto worker = HandshakeWorker::start();
  ASSERT_TRUE(worker) << worker.error().message();
  HandshakeWorker& w = **worker;
  auto epoll = os::Epoll::create();
  ASSERT_TRUE(epoll);
  ASSERT_TRUE(epoll->add(w.wake_fd(), 1));
  Keys keys;
  // Fill the ring: every third message garbled, so it fails to compute.
  for (uint32_t i = 0; i < HandshakeWorker::kCapacity; ++i) {
    ASSERT_FALSE(w.full());
    wg::InitiationBytes m = keys.initiation(i);
    if (i % 3 == 0) m[50] ^= 1;  // inside the encrypted static
    fill(w.next(), keys.responder, m);
    w.submit();
  }
  EXPECT_TRUE(w.full()) << "the queue is bounded";
  EXPECT_EQ(w.in_flight(), HandshakeWorker::kCapacity);
  std::array<os::PollEvent, 2> events;
  auto n = epoll->wait(events, base::Duration::seconds(30));
  ASSERT_TRUE(n && *n == 1) << "the loop is woken";
  w.wait_idle();
  w.drained();
  uint32_t expected = 0;
  w.collect([&](const wg::HandshakeWork& done) {
    wg::Initiation msg;
    ASSERT_TRUE(wg::decode(done.message(), &msg));
    EXPECT_EQ(msg.sender_index, expected) << "in submission order";
    EXPECT_EQ(done.computed, expected % 3 != 0);
    if (done.computed) {
      EXPECT_EQ(done.initiation_dh.remote_static, keys.initiator.public_key);
    }
    EXPECT_TRUE(done.local.private_key.is_zero());
    ++expected;
  });
  EXPECT_EQ(expected, HandshakeWorker::kCapacity);
  EXPECT_EQ(w.in_flight(), 0u);
  EXPECT_FALSE(w.full());
  EXPECT_EQ(*epoll->wait(events, base::Duration::zero()), 0u) << "drained: not ready";
  // Collecting again finds nothing.
  size_t again = 0;
  w.collect([&](const wg::HandshakeWork&) { ++again; });
  EXPECT_EQ(again, 0u);
}

TEST(HandshakeWorker, StopsWithWorkInFlight) {
  auto worker = HandshakeWorker::start();
  ASSERT_TRUE(worker);
  Keys keys;
  for (uint32_t i = 0; i < 8; ++i) {
    fill((*worker)->next(), keys.responder, keys.initiation(i));
    (*worker)->submit();
  }
  worker->reset();  // joins without waiting for the work to be collected
}

}  // namespace
}  // namespace mw::dp
