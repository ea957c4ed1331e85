// The incremental max-min solver against hand-derived cases and an independent, naive
// progressive-filling reference.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "sim/core/rng.hpp"
#include "sim/fluid/maxmin.hpp"

using moesim::sim::FlowLinks;
using moesim::sim::MaxMinSolver;

namespace {

struct Instance {
  std::vector<double> cap;
  std::vector<uint32_t> begin{0};
  std::vector<uint32_t> links;
  std::vector<double> coefs;
  void flow(std::vector<uint32_t> ls, std::vector<double> cs) {
    links.insert(links.end(), ls.begin(), ls.end());
    coefs.insert(coefs.end(), cs.begin(), cs.end());
    begin.push_back(static_cast<uint32_t>(links.size()));
  }
  size_t num_flows() const { return begin.size() - 1; }
  FlowLinks view() const { return {&begin, &links, &coefs}; }
};

// Textbook progressive filling, O(flows * links) per step: raise every unfrozen flow to the
// smallest level at which some link with unfrozen flows saturates; freeze those flows.
std::vector<double> reference(const Instance& in, const std::vector<bool>& active) {
  const size_t n = in.num_flows();
  std::vector<double> rate(n, 0.0);
  std::vector<bool> frozen(n, false);
  for (size_t f = 0; f < n; ++f)
    frozen[f] = !active[f];
  while (true) {
    std::vector<double> used(in.cap.size(), 0.0), w(in.cap.size(), 0.0);
    for (size_t f = 0; f < n; ++f) {
      if (!active[f]) continue;
      for (uint32_t i = in.begin[f]; i < in.begin[f + 1]; ++i) {
        if (frozen[f])
          used[in.links[i]] += in.coefs[i] * rate[f];
        else
          w[in.links[i]] += in.coefs[i];
      }
    }
    double level = INFINITY;
    for (size_t l = 0; l < in.cap.size(); ++l) {
      if (w[l] > 0) level = std::min(level, (in.cap[l] - used[l]) / w[l]);
    }
    if (level == INFINITY) return rate;
    std::vector<bool> saturated(in.cap.size(), false);
    for (size_t l = 0; l < in.cap.size(); ++l) {
      saturated[l] = w[l] > 0 && (in.cap[l] - used[l]) / w[l] <= level * (1 + 1e-12);
    }
    for (size_t f = 0; f < n; ++f) {
      if (frozen[f]) continue;
      rate[f] = level;
      for (uint32_t i = in.begin[f]; i < in.begin[f + 1]; ++i) {
        if (saturated[in.links[i]]) frozen[f] = true;
      }
    }
  }
}

}  // namespace

TEST_CASE("sim::MaxMinSolver: three flows over two links") {
  // Link 0 has capacity 1, link 1 capacity 2. f0 uses link 0, f1 both, f2 link 1.
  // Link 0 saturates first at level 1/2 (two flows share 1): f0 = f1 = 0.5.
  // Link 1 then has 2 - 0.5 = 1.5 left for f2 alone: f2 = 1.5.
  Instance in;
  in.cap = {1.0, 2.0};
  in.flow({0}, {1.0});
  in.flow({0, 1}, {1.0, 1.0});
  in.flow({1}, {1.0});
  MaxMinSolver s(in.cap, in.view(), 3);
  for (uint32_t f = 0; f < 3; ++f)
    s.add(f);
  s.solve();
  CHECK(s.rate(0) == Approx(0.5));
  CHECK(s.rate(1) == Approx(0.5));
  CHECK(s.rate(2) == Approx(1.5));
  // When f0 leaves, f1 and f2 share link 1 equally (link 0 alone would allow f1 = 1): 1 each.
  s.remove(0);
  s.solve();
  CHECK(s.rate(1) == Approx(1.0));
  CHECK(s.rate(2) == Approx(1.0));
}

TEST_CASE("sim::MaxMinSolver: fractional coefficients split a flow over parallel links") {
  // One flow spread 1/2 + 1/2 over two links of capacity 1, plus a flow alone on link 0.
  // Link 0 carries 0.5*r0 + r1 and link 1 carries 0.5*r0. Filling: link 0 saturates at level
  // x with 1.5x = 1, x = 2/3, freezing both. Link 1 then carries 1/3 < 1.
  Instance in;
  in.cap = {1.0, 1.0};
  in.flow({0, 1}, {0.5, 0.5});
  in.flow({0}, {1.0});
  MaxMinSolver s(in.cap, in.view(), 2);
  s.add(0);
  s.add(1);
  s.solve();
  CHECK(s.rate(0) == Approx(2.0 / 3.0));
  CHECK(s.rate(1) == Approx(2.0 / 3.0));
}

TEST_CASE("sim::MaxMinSolver: incremental solves equal the reference after every change") {
  moesim::Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    Instance in;
    const uint32_t num_links = 4 + static_cast<uint32_t>(rng.below(12));
    for (uint32_t l = 0; l < num_links; ++l)
      in.cap.push_back(1.0 + static_cast<double>(rng.below(4)));
    const uint32_t num_flows = 10 + static_cast<uint32_t>(rng.below(60));
    for (uint32_t f = 0; f < num_flows; ++f) {
      std::vector<uint32_t> ls;
      std::vector<double> cs;
      const uint32_t hops = 1 + static_cast<uint32_t>(rng.below(4));
      for (uint32_t h = 0; h < hops; ++h) {
        const auto l = static_cast<uint32_t>(rng.below(num_links));
        if (std::find(ls.begin(), ls.end(), l) != ls.end()) continue;
        ls.push_back(l);
        cs.push_back(rng.below(3) == 0 ? 0.25 * static_cast<double>(1 + rng.below(4)) : 1.0);
      }
      in.flow(ls, cs);
    }
    MaxMinSolver s(in.cap, in.view(), num_flows);
    std::vector<bool> active(num_flows, false);
    for (int step = 0; step < 60; ++step) {
      // A batch of random arrivals and departures, as at one simulated instant.
      const uint64_t changes = 1 + rng.below(6);
      for (uint64_t k = 0; k < changes; ++k) {
        const auto f = static_cast<uint32_t>(rng.below(num_flows));
        if (active[f])
          s.remove(f);
        else
          s.add(f);
        active[f] = !active[f];
      }
      s.solve();
      const std::vector<double> expect = reference(in, active);
      for (uint32_t f = 0; f < num_flows; ++f) {
        INFO("trial " << trial << " step " << step << " flow " << f);
        REQUIRE(s.active(f) == active[f]);
        if (active[f]) REQUIRE(s.rate(f) == Approx(expect[f]).epsilon(1e-9));
      }
    }
  }
}
