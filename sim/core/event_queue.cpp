// EventQueue: a binary min-heap on (time, seq). std::*_heap build a max-heap, so the comparator
// says "a fires after b"; seq breaks ties so equal-time events keep their scheduling order.
#include "sim/core/event_queue.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace moesim {
namespace {

// A function object, not a function: std::*_heap then inline the comparison.
struct FiresAfter {
  bool operator()(const Event& a, const Event& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

}  // namespace

void EventQueue::schedule(TimePs time, uint32_t kind, uint32_t id) {
  if (time < now_) {
    throw InternalError(
        fmt::format("EventQueue::schedule: event (kind {}, id {}) at {} is before now ({})", kind,
                    id, time, now_));
  }
  heap_.push_back(Event{time, next_seq_++, kind, id});
  std::push_heap(heap_.begin(), heap_.end(), FiresAfter{});
}

Event EventQueue::pop() {
  if (heap_.empty()) throw InternalError("EventQueue::pop: queue is empty");
  std::pop_heap(heap_.begin(), heap_.end(), FiresAfter{});
  const Event e = heap_.back();
  heap_.pop_back();
  now_ = e.time;
  ++popped_;
  return e;
}

}  // namespace moesim
