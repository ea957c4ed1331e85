// The built-in path policies and the registry table (transport.hpp). Each lays out every flow
// of a Workload through the shared PathBuilder, in DAG node order.
#include <unordered_map>

#include "sim/path_builder.hpp"
#include "sim/plan.hpp"
#include "sim/transport.hpp"

namespace moesim::sim {
namespace {

// Runs `per_flow(builder, node id, node)` for every flow, keeping node_begin in step.
template <class F>
PathSet each_flow(const topo::Routing& routing, const Workload& w, const Transport& t,
                  uint64_t seed, F&& per_flow) {
  PathBuilder b(routing, w, seed);
  b.out().transport = t;
  for (uint32_t id = 0; id < w.size(); ++id) {
    b.out().node_begin.push_back(static_cast<uint32_t>(b.out().num_subflows()));
    const DagNode& n = w.node(id);
    if (n.kind == NodeKind::Flow) per_flow(b, id, n);
  }
  b.out().node_begin.push_back(static_cast<uint32_t>(b.out().num_subflows()));
  return std::move(b.out());
}

PathSet assign_ecmp(const topo::Routing& r, const Workload& w, const Transport& t, uint64_t seed) {
  return each_flow(r, w, t, seed, [](PathBuilder& b, uint32_t id, const DagNode& n) {
    b.add_single_path(id, b.ecmp_path(id, n), n.size.count);
  });
}

PathSet assign_split(const topo::Routing& r, const Workload& w, const Transport& t, uint64_t seed) {
  // split:K keeps, per sender, the bytes it has placed on each link so far.
  std::vector<std::unordered_map<uint32_t, double>> sender_load(w.num_hosts());
  return each_flow(r, w, t, seed, [&](PathBuilder& b, uint32_t id, const DagNode& n) {
    b.add_split(id, n, t.k, sender_load[n.src]);
  });
}

// ideal, and spray:* in the flow-level models (the expectation of spraying); the packet model
// re-routes sprayed packets per hop.
PathSet assign_ideal(const topo::Routing& r, const Workload& w, const Transport& t, uint64_t seed) {
  return each_flow(r, w, t, seed,
                   [](PathBuilder& b, uint32_t id, const DagNode& n) { b.add_ideal(id, n); });
}

PathSet assign_plan(const topo::Routing& r, const Workload& w, const Transport& t, uint64_t) {
  PathSet planned = plan_paths(r, w);
  planned.transport = t;
  return planned;
}

using K = PathPolicy;
using S = SprayMode;
const PathPolicyEntry ecmp = {
    "ecmp", "one path per flow, next hop hashed per hop", K::Ecmp, S::Random, 0, 0, &assign_ecmp};
const PathPolicyEntry split = {"split",
                               "K equal subflows on distinct paths, least-loaded at the sender",
                               K::Split,
                               S::Random,
                               2,
                               64,
                               &assign_split};
const PathPolicyEntry plan = {
    "plan",      "a global single-path assignment per wave (leaf-spine)", K::Plan, S::Random, 0, 0,
    &assign_plan};
const PathPolicyEntry spray_random = {
    "spray:random", "every packet picks a random next hop", K::Spray, S::Random, 0, 0,
    &assign_ideal};
const PathPolicyEntry spray_rr = {
    "spray:rr",   "every packet takes the next hop round robin", K::Spray, S::RoundRobin, 0, 0,
    &assign_ideal};
const PathPolicyEntry spray_adaptive = {
    "spray:adaptive", "every packet takes the least-queued next hop", K::Spray, S::Adaptive, 0, 0,
    &assign_ideal};
const PathPolicyEntry spray_reps = {
    "spray:reps",
    "every packet hashes an entropy per hop; an entropy is reused while its ACKs come back "
    "unmarked (REPS)",
    K::Spray,
    S::Reps,
    0,
    0,
    &assign_ideal};
const PathPolicyEntry ideal = {
    "ideal",      "fluid multipath: equal split over next hops per hop", K::Ideal, S::Random, 0, 0,
    &assign_ideal};

}  // namespace

std::span<const PathPolicyEntry* const> path_policy_registry() {
  static const PathPolicyEntry* const table[] = {
      &ecmp, &split, &plan, &spray_random, &spray_rr, &spray_adaptive, &spray_reps, &ideal};
  return table;
}

}  // namespace moesim::sim
