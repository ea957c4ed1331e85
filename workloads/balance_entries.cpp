// Registry entries of the balancing policies (rows of balance_registry.cpp): none, LLEP
// (llep.hpp, in the routing stage) and auxiliary-loss-free bias balancing (balance.hpp, inside
// the synthetic router).
#include "workloads/balance_registry.hpp"

namespace moesim::workload {
namespace {

void none(MoeSpec& spec, const BalanceOptions&) {
  spec.routing.balancer = Balancer::none;
}

void llep(MoeSpec& spec, const BalanceOptions&) {
  spec.routing.balancer = Balancer::llep;
}

LlepPlan llep_counts(std::span<const uint64_t> counts, const LlepConfig& config) {
  return llep_plan(counts, config);
}

// DeepSeek-V3 §2.1.2: the router balances itself with a per-layer bias, so routing itself does
// not rebalance. The bias needs gate scores, so a preset that samples its experts (no scores)
// routes with the softmax gate and the spec's calibrated logit noise and bias scale instead.
void alf(MoeSpec& spec, const BalanceOptions& options) {
  spec.routing.balancer = Balancer::none;
  TraceGenSpec& gen = spec.generator;
  if (gen.router == TraceRouter::kSample) {
    gen.router = TraceRouter::kSoftmax;
    gen.locality = 0;  // a sampling-router feature
  }
  gen.alf_update_rate = options.alf_rate;
}

}  // namespace

// {name, help, needs_router, configure, plan_counts}
extern const BalanceEntry no_balance = {"none", "replicas chosen by --replica", false, &none,
                                        nullptr};
extern const BalanceEntry llep_balance = {
    "llep", "least-loaded expert parallelism: spill tokens of overloaded GPUs to the least loaded",
    false, &llep, &llep_counts};
extern const BalanceEntry alf_balance = {
    "alf",
    "auxiliary-loss-free bias balancing across iterations, DeepSeek-V3; synthetic router only, "
    "with the preset's gate: the softmax gate for presets that sample, i.e. mixtral-8x7b and "
    "olmoe-1b-7b",
    true, &alf, nullptr};

}  // namespace moesim::workload
