#include "experiments/run_pairs.hpp"

#include <chrono>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/model.hpp"

namespace moesim::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

size_t run_pairs(const topo::Routing& routing, const Workload& w, const Scenario& sc,
                 const std::function<void(RunOutcome&&)>& sink) {
  size_t runs = 0;
  for (const sim::Transport& transport : sc.transports) {
    const auto t0 = std::chrono::steady_clock::now();
    sim::PathSet paths;
    try {
      paths = sim::assign_paths(routing, w, transport, sc.seed);
    } catch (const InputError& e) {
      if (transport.policy != sim::PathPolicy::Plan || sc.transports.size() == 1) throw;
      fmt::print("skipped: {} ({})\n", to_string(transport), e.what());
      continue;
    }
    const double path_s = seconds_since(t0);
    if (paths.split_cap.flows > 0) {
      fmt::print(
          "note: {}: {} flows have fewer than {} up-down equal-cost paths (at most {}) and are "
          "split over those only: on a tiered Clos K is capped there, never topped up with "
          "valley paths\n",
          to_string(transport), paths.split_cap.flows, transport.k, paths.split_cap.max_paths);
    }
    for (const std::string& model_name : sc.models) {
      const auto model = sc.registry->make(model_name, sc.model_config);
      if (!model->supports(transport)) {
        fmt::print("skipped: {} with --model {} (not defined for this model)\n",
                   to_string(transport), model_name);
        continue;
      }
      sc.budget.require(
          sim::path_set_bytes(paths) + model->state_bytes(w, paths),
          fmt::format("--model {} with --transport {} on {} flows ({} subflows)", model_name,
                      to_string(transport), w.num_flows(), paths.num_subflows()),
          "its paths, per-flow records and the model's state, e.g. a byte per packet",
          "less traffic (--size, fewer hosts) or a larger --mtu");
      const auto t1 = std::chrono::steady_clock::now();
      RunOutcome o{to_string(transport), model_name, model->run(routing, w, paths), 0};
      o.wall_s = path_s + seconds_since(t1);
      ++runs;
      sink(std::move(o));
    }
  }
  return runs;
}

}  // namespace moesim::cli
