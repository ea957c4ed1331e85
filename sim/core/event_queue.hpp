// The discrete-event core: a queue of small event records ordered by (time, seq).
// seq is the scheduling order, so events at equal times fire in the order they were scheduled.
// The queue is a value owned by a simulation run; there is no global queue.
//
// Simulated time never goes back, so the queue is a radix heap (Ahuja, Mehlhorn, Orlin and
// Tarjan's monotone priority queue): an event goes into the bucket of the highest bit in which
// its time differs from the last popped time, so a push is O(1) and a pop moves each event at
// most 63 times over its life, against a binary heap's log2(n) cache-missing sifts per pop.
// Each bucket holds its events in scheduling order (a bucket is only ever refilled while
// empty, from one bucket, in that bucket's order), so the bucket of the current time, popped
// front to back, gives equal-time events in seq order with no comparison of seq at all.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/units.hpp"

namespace moesim {

struct Event {
  TimePs time;
  uint64_t seq = 0;
  uint32_t kind = 0;  // meaning chosen by the model that owns the queue
  uint32_t id = 0;    // e.g. a flow or task index
};

class EventQueue {
 public:
  // Schedules an event; `time` must not be before now() (InternalError otherwise).
  void schedule(TimePs time, uint32_t kind, uint32_t id);
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // Earliest pending time; the queue must not be empty.
  TimePs next_time() const;
  // Removes and returns the earliest event and advances now() to its time.
  Event pop();
  TimePs now() const { return now_; }
  uint64_t events_processed() const { return popped_; }

 private:
  // Bucket 0 holds the events at now(); bucket b > 0 those whose time differs from now() first
  // in bit b - 1 (times are non-negative, so 63 bits and 64 buckets).
  static constexpr int kBuckets = 64;
  static int bucket_of(int64_t time, int64_t last);
  void refill();  // bucket 0 empty, queue not: moves the least non-empty bucket down

  std::array<std::vector<Event>, kBuckets> buckets_;
  size_t head_ = 0;        // next event of bucket 0 to pop
  uint64_t nonempty_ = 0;  // bit b set when bucket b has events (bucket 0: events from head_)
  size_t size_ = 0;
  // next_time()'s answer while bucket 0 is empty, kept until the next pop: peeking repeatedly
  // (the fluid model does) must not rescan a large bucket each time.
  mutable TimePs least_{0};
  mutable bool least_known_ = false;
  uint64_t next_seq_ = 0;
  uint64_t popped_ = 0;
  TimePs now_{0};
};

}  // namespace moesim
