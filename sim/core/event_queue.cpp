// EventQueue: a radix heap on time with per-bucket scheduling order (see the header).
#include "sim/core/event_queue.hpp"

#include <algorithm>
#include <bit>

#include "sim/core/error.hpp"

namespace moesim {
namespace {

TimePs least_time(const std::vector<Event>& bucket) {
  TimePs least = bucket.front().time;
  for (const Event& e : bucket)
    least = std::min(least, e.time);
  return least;
}

}  // namespace

int EventQueue::bucket_of(int64_t time, int64_t last) {
  const auto diff = static_cast<uint64_t>(time ^ last);
  return diff == 0 ? 0 : 64 - std::countl_zero(diff);
}

void EventQueue::schedule(TimePs time, uint32_t kind, uint32_t id) {
  if (time < now_) {
    throw InternalError(
        fmt::format("EventQueue::schedule: event (kind {}, id {}) at {} is before now ({})", kind,
                    id, time, now_));
  }
  const int b = bucket_of(time.ps, now_.ps);
  buckets_[b].push_back(Event{time, next_seq_++, kind, id});
  nonempty_ |= uint64_t{1} << b;
  ++size_;
  if (least_known_ && time < least_) least_ = time;
}

void EventQueue::refill() {
  // The least non-empty bucket holds the earliest events: every time in bucket b agrees with
  // now() above bit b - 1 and has that bit set, so it is later than every time in a bucket > b.
  const int b = std::countr_zero(nonempty_);
  std::vector<Event>& from = buckets_[b];
  const TimePs least = least_known_ ? least_ : least_time(from);
  // Re-bucketing against `least` sends every event below b (they agree with `least` on bit
  // b - 1 and above), in order; buckets below b are empty, so each keeps scheduling order.
  for (const Event& e : from) {
    const int to = bucket_of(e.time.ps, least.ps);
    buckets_[to].push_back(e);
    nonempty_ |= uint64_t{1} << to;
  }
  from.clear();
  nonempty_ &= ~(uint64_t{1} << b);
  now_ = least;
}

TimePs EventQueue::next_time() const {
  if (size_ == 0) throw InternalError("EventQueue::next_time: queue is empty");
  if (nonempty_ & 1) return now_;
  if (!least_known_) {
    least_ = least_time(buckets_[std::countr_zero(nonempty_)]);
    least_known_ = true;
  }
  return least_;
}

Event EventQueue::pop() {
  if (size_ == 0) throw InternalError("EventQueue::pop: queue is empty");
  if (!(nonempty_ & 1)) refill();
  std::vector<Event>& now = buckets_[0];
  const Event e = now[head_++];
  if (head_ == now.size()) {
    now.clear();
    head_ = 0;
    nonempty_ &= ~uint64_t{1};
  }
  --size_;
  ++popped_;
  least_known_ = false;
  return e;
}

}  // namespace moesim
