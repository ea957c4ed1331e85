#include "sim/fluid/maxmin.hpp"

#include <algorithm>
#include <limits>
#include <queue>

namespace moesim::sim {
namespace {

// Levels within this relative distance of the bound are re-solved too: rounding can leave a
// flow that is, exactly, at the bound a hair below it, and freezing it there would be wrong.
constexpr double kLevelTolerance = 1e-9;

}  // namespace

MaxMinSolver::MaxMinSolver(std::vector<double> capacity, FlowLinks flows, size_t num_flows)
    : cap_(std::move(capacity)),
      fl_(flows),
      rate_(num_flows, 0.0),
      active_(num_flows, 0),
      alloc_(cap_.size(), 0.0),
      wsum_(cap_.size(), 0.0),
      bound_(std::numeric_limits<double>::infinity()),
      res_(cap_.size(), 0.0),
      wu_(cap_.size(), 0.0),
      nu_(cap_.size(), 0),
      list_begin_(cap_.size(), 0),
      list_end_(cap_.size(), 0),
      frozen_(num_flows, 0) {}

void MaxMinSolver::add(uint32_t f) {
  active_[f] = 1;
  rate_[f] = 0.0;
  arrivals_.push_back(f);
  for (uint32_t i = (*fl_.begin)[f]; i < (*fl_.begin)[f + 1]; ++i) {
    wsum_[(*fl_.links)[i]] += (*fl_.coefs)[i];
  }
}

void MaxMinSolver::remove(uint32_t f) {
  active_[f] = 0;
  const uint32_t b = (*fl_.begin)[f], e = (*fl_.begin)[f + 1];
  for (uint32_t i = b; i < e; ++i) {
    const uint32_t l = (*fl_.links)[i];
    alloc_[l] -= (*fl_.coefs)[i] * rate_[f];
    wsum_[l] -= (*fl_.coefs)[i];
  }
  bound_ = std::min(bound_, rate_[f]);
  rate_[f] = 0.0;
}

// Gathers U: active flows in buckets at levels >= bound_, plus the arrivals; takes their
// share out of alloc_ and builds, per touched link, the list of its U flows.
void MaxMinSolver::collect_unfrozen() {
  changes_.clear();
  // A new flow's rate is at least min over its links of capacity / coefficient sum, with the
  // sums taken after every arrival and departure of this batch.
  for (uint32_t f : arrivals_) {
    if (!active_[f]) continue;
    for (uint32_t i = (*fl_.begin)[f]; i < (*fl_.begin)[f + 1]; ++i) {
      const uint32_t l = (*fl_.links)[i];
      bound_ = std::min(bound_, cap_[l] / wsum_[l]);
    }
  }
  const double cut = bound_ * (1.0 - kLevelTolerance);
  size_t keep = buckets_.size();
  while (keep > 0 && buckets_[keep - 1].level >= cut)
    --keep;
  for (size_t b = keep; b < buckets_.size(); ++b) {
    for (uint32_t f : buckets_[b].flows) {
      if (active_[f] && !frozen_[f]) {
        frozen_[f] = 1;  // marks "already in U" while collecting
        changes_.push_back({f, rate_[f]});
      }
    }
  }
  buckets_.resize(keep);
  for (uint32_t f : arrivals_) {
    if (active_[f] && !frozen_[f]) {
      frozen_[f] = 1;
      changes_.push_back({f, 0.0});
    }
  }
  arrivals_.clear();

  touched_.clear();
  for (const Change& c : changes_) {
    frozen_[c.flow] = 0;
    for (uint32_t i = (*fl_.begin)[c.flow]; i < (*fl_.begin)[c.flow + 1]; ++i) {
      const uint32_t l = (*fl_.links)[i];
      const double coef = (*fl_.coefs)[i];
      if (nu_[l] == 0) {
        touched_.push_back(l);
        wu_[l] = 0.0;
      }
      ++nu_[l];
      wu_[l] += coef;
      alloc_[l] -= coef * c.old_rate;
    }
  }
  // Per-link lists of U flows (counting sort over touched links only).
  uint32_t pos = 0;
  for (uint32_t l : touched_) {
    list_begin_[l] = pos;
    pos += nu_[l];
    res_[l] = cap_[l] - alloc_[l];
  }
  list_.resize(pos);
  for (uint32_t l : touched_)
    nu_[l] = list_begin_[l];  // reuse as fill cursor
  for (const Change& c : changes_) {
    for (uint32_t i = (*fl_.begin)[c.flow]; i < (*fl_.begin)[c.flow + 1]; ++i) {
      const uint32_t l = (*fl_.links)[i];
      list_[nu_[l]++] = c.flow;
    }
  }
  for (uint32_t l : touched_) {
    list_end_[l] = nu_[l];
    nu_[l] -= list_begin_[l];  // back to counts
  }
}

// Progressive filling over U: repeatedly saturate the link with the smallest fair level.
//
// A link's fair level res/wu only rises while the filling goes on: a flow freezing on it at
// level λ <= res/wu takes c·λ of res and c of wu, which leaves (res - cλ)/(wu - c) >= res/wu.
// So a key in the heap is a lower bound of its link's level, and keys are refreshed lazily:
// the link on top is re-keyed when popped, and saturates only if its key is still current.
// Every other key is then >= it, so it is the true minimum (ties: the lower link id, as with
// eager keys). The heap holds each touched link once, instead of one entry per (frozen flow,
// link) — on an MoE dispatch under ideal, ~30 links per flow.
void MaxMinSolver::fill() {
  using Entry = std::pair<double, uint32_t>;  // (level lower bound, link)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  const auto fair_level = [this](uint32_t l) { return std::max(res_[l], 0.0) / wu_[l]; };
  for (uint32_t l : touched_)
    heap.push({fair_level(l), l});
  double level = buckets_.empty() ? 0.0 : buckets_.back().level;
  while (!heap.empty()) {
    const auto [key, l] = heap.top();
    heap.pop();
    if (nu_[l] == 0) continue;
    const double now = fair_level(l);
    if (now > key) {
      heap.push({now, l});
      continue;
    }
    // The level is the current value `now`, which may round a hair below the pushed key.
    level = std::max(level, now);  // levels never decrease; guards against rounding
    if (buckets_.empty() || buckets_.back().level != level) buckets_.push_back({level, {}});
    Bucket& bucket = buckets_.back();
    for (uint32_t j = list_begin_[l]; j < list_end_[l] && nu_[l] > 0; ++j) {
      const uint32_t f = list_[j];
      if (frozen_[f]) continue;
      frozen_[f] = 1;
      rate_[f] = level;
      bucket.flows.push_back(f);
      for (uint32_t i = (*fl_.begin)[f]; i < (*fl_.begin)[f + 1]; ++i) {
        const uint32_t m = (*fl_.links)[i];
        const double coef = (*fl_.coefs)[i];
        res_[m] -= coef * level;
        alloc_[m] += coef * level;
        wu_[m] -= coef;
        --nu_[m];
      }
    }
  }
  for (const Change& c : changes_)
    frozen_[c.flow] = 0;
}

std::span<const MaxMinSolver::Change> MaxMinSolver::solve() {
  collect_unfrozen();
  fill();
  bound_ = std::numeric_limits<double>::infinity();
  return changes_;
}

}  // namespace moesim::sim
