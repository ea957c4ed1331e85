// The discrete-event core: a binary heap of small event records ordered by (time, seq).
// seq is the scheduling order, so events at equal times fire in the order they were scheduled.
// The queue is a value owned by a simulation run; there is no global queue.
#pragma once

#include <cstdint>
#include <optional>
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
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // Earliest pending time; the queue must not be empty.
  TimePs next_time() const { return heap_.front().time; }
  // Removes and returns the earliest event and advances now() to its time.
  Event pop();
  TimePs now() const { return now_; }
  uint64_t events_processed() const { return popped_; }

 private:
  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
  uint64_t popped_ = 0;
  TimePs now_{0};
};

}  // namespace moesim
