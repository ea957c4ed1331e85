#include "experiments/moe_input_options.hpp"

namespace moesim::cli {
namespace {

// One option for two commands: the MoE run's slot counts and `moesim place`'s loads.
OptionSpec loads() {
  OptionSpec o = param(text_option(
      "loads", "", "workload",
      "moe: counts-level layers from a CSV layer,expert,slots of slot counts per expert and "
      "layer (no token identity: each expert's slots come from the GPUs in equal shares, every "
      "slot its own transfer) instead of the synthetic router, every iteration the same; place: "
      "per-expert loads CSV with columns layer,expert,load"));
  o.also_in = {"policy"};
  return o;
}

}  // namespace

std::vector<OptionSpec> moe_input_options() {
  return {
      param(text_option("trace", "", "workload",
                        "moe: replay this router trace (JSONL as in data/traces, long CSV, "
                        ".mtrace, NumPy .npy / .npz) instead of the synthetic router")),
      param(choice_option("trace-layout", "layers-tokens-k", "workload",
                          "moe: axis order of a .npy / .npz trace's expert ids: [layers, tokens, "
                          "k] or [tokens, layers, k]",
                          {"layers-tokens-k", "tokens-layers-k"})),
      loads(),
  };
}

}  // namespace moesim::cli
