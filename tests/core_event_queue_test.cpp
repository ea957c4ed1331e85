// Tests for sim/core/event_queue: (time, seq) order, deterministic ties, causality.
#include <catch2/catch.hpp>

#include <set>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/event_queue.hpp"

using moesim::Event;
using moesim::EventQueue;
using moesim::TimePs;

TEST_CASE("core::EventQueue: starts empty at time zero") {
  EventQueue q;
  REQUIRE(q.empty());
  REQUIRE(q.size() == 0);
  REQUIRE(q.now() == TimePs{0});
  REQUIRE(q.events_processed() == 0);
}

TEST_CASE("core::EventQueue: pops in time order and advances now") {
  EventQueue q;
  q.schedule(TimePs{300}, 0, 3);
  q.schedule(TimePs{100}, 0, 1);
  q.schedule(TimePs{200}, 0, 2);
  REQUIRE(q.size() == 3);
  REQUIRE(q.next_time() == TimePs{100});
  for (uint32_t id = 1; id <= 3; ++id) {
    const Event e = q.pop();
    REQUIRE(e.id == id);
    REQUIRE(e.time == TimePs{100 * static_cast<int64_t>(id)});
    REQUIRE(q.now() == e.time);
    REQUIRE(q.events_processed() == id);
  }
  REQUIRE(q.empty());
}

TEST_CASE("core::EventQueue: equal-time events fire in scheduling order") {
  // 2000 events over 5 distinct times, interleaved so that every time is scheduled many times
  // between others; a heap that ignored seq would reorder the ties.
  EventQueue q;
  constexpr uint32_t kNumEvents = 2000;
  for (uint32_t i = 0; i < kNumEvents; ++i) {
    q.schedule(TimePs{static_cast<int64_t>((i * 7) % 5) * 1000}, i % 3, i);
  }
  Event prev = q.pop();
  REQUIRE(prev.seq == prev.id);  // seq counts schedule calls from 0, as does id here
  for (uint32_t n = 1; n < kNumEvents; ++n) {
    const Event e = q.pop();
    REQUIRE(e.seq == e.id);
    REQUIRE(e.kind == e.id % 3);
    REQUIRE(prev.time <= e.time);
    if (prev.time == e.time) REQUIRE(prev.seq < e.seq);
    prev = e;
  }
  REQUIRE(q.empty());
  REQUIRE(q.events_processed() == kNumEvents);
}

TEST_CASE("core::EventQueue: an event scheduled at now() fires after those already there") {
  EventQueue q;
  q.schedule(TimePs{10}, 0, 1);
  q.schedule(TimePs{10}, 0, 2);
  REQUIRE(q.pop().id == 1);
  q.schedule(q.now(), 0, 3);  // same time as the pending id 2, scheduled later
  REQUIRE(q.pop().id == 2);
  REQUIRE(q.pop().id == 3);
  REQUIRE(q.now() == TimePs{10});
}

TEST_CASE("core::EventQueue: rejects scheduling into the past") {
  EventQueue q;
  q.schedule(TimePs{1000}, 0, 0);
  q.pop();
  SECTION("one picosecond before now") {
    REQUIRE_THROWS_AS(q.schedule(TimePs{999}, 0, 1), moesim::InternalError);
  }
  SECTION("negative time") {
    REQUIRE_THROWS_AS(q.schedule(TimePs{-1}, 0, 1), moesim::InternalError);
  }
  SECTION("a rejected event is not queued") {
    REQUIRE_THROWS_AS(q.schedule(TimePs{0}, 0, 1), moesim::InternalError);
    REQUIRE(q.empty());
  }
}

TEST_CASE("core::EventQueue: pop on an empty queue is an internal error") {
  EventQueue q;
  REQUIRE_THROWS_AS(q.pop(), moesim::InternalError);
}

TEST_CASE("core::EventQueue: random interleaved schedules and pops follow a sorted reference") {
  // Thousands of schedules at random future times (many ties) interleaved with pops: every
  // pop must return the least (time, seq) pending, which a std::set of (time, seq) keeps
  // exactly. A heap that mis-sifts at any level (4 children per node here) reorders some pop.
  EventQueue q;
  std::set<std::pair<int64_t, uint64_t>> reference;
  uint64_t x = 12345, seq = 0;
  const auto next = [&x] {  // xorshift64: fixed, dependency-free pseudo-random stream
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int round = 0; round < 20000; ++round) {
    const uint64_t r = next();
    if (r % 3 != 0 || reference.empty()) {
      const int64_t t = q.now().ps + static_cast<int64_t>(next() % 50);
      q.schedule(TimePs{t}, 0, 0);
      reference.insert({t, seq++});
    } else {
      const Event e = q.pop();
      REQUIRE(std::make_pair(e.time.ps, e.seq) == *reference.begin());
      reference.erase(reference.begin());
    }
    REQUIRE(q.size() == reference.size());
  }
  while (!reference.empty()) {
    const Event e = q.pop();
    REQUIRE(std::make_pair(e.time.ps, e.seq) == *reference.begin());
    reference.erase(reference.begin());
  }
  REQUIRE(q.empty());
}
