// A 4-ary min-heap of ids keyed by (time, id), with O(log n) update and removal by id.
// The fluid model keeps one entry per transmitting subflow: its predicted drain time.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/units.hpp"

namespace moesim::sim {

class IndexedHeap {
 public:
  explicit IndexedHeap(size_t capacity) : pos_(capacity, kAbsent) {}

  bool empty() const { return heap_.empty(); }
  TimePs top_time() const { return heap_.front().time; }
  uint32_t top_id() const { return heap_.front().id; }
  // Inserts `id` or moves it to its new time.
  void set(uint32_t id, TimePs time) {
    if (pos_[id] == kAbsent) {
      pos_[id] = static_cast<uint32_t>(heap_.size());
      heap_.push_back({time, id});
      up(pos_[id]);
    } else {
      const uint32_t i = pos_[id];
      const TimePs old = heap_[i].time;
      heap_[i].time = time;
      if (time < old)
        up(i);
      else
        down(i);
    }
  }
  void pop() {
    pos_[heap_.front().id] = kAbsent;
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      pos_[heap_.front().id] = 0;
      down(0);
    }
  }

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  struct Entry {
    TimePs time;
    uint32_t id;
    bool operator<(const Entry& o) const { return time < o.time || (time == o.time && id < o.id); }
  };
  void place(uint32_t i, Entry e) {
    heap_[i] = e;
    pos_[e.id] = i;
  }
  void up(uint32_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const uint32_t parent = (i - 1) / 4;
      if (!(e < heap_[parent])) break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, e);
  }
  void down(uint32_t i) {
    const Entry e = heap_[i];
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    while (true) {
      const uint32_t first = 4 * i + 1;
      if (first >= n) break;
      uint32_t best = first;
      const uint32_t last = first + 4 < n ? first + 4 : n;
      for (uint32_t c = first + 1; c < last; ++c) {
        if (heap_[c] < heap_[best]) best = c;
      }
      if (!(heap_[best] < e)) break;
      place(i, heap_[best]);
      i = best;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::vector<uint32_t> pos_;
};

}  // namespace moesim::sim
