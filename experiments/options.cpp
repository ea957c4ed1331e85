#include "experiments/options.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include "experiments/chakra_options.hpp"
#include "experiments/ini_file.hpp"
#include "experiments/moe_input_options.hpp"
#include "sim/core/error.hpp"
#include "sim/packet/cc.hpp"
#include "sim/transport.hpp"
#include "topologies/registry.hpp"
#include "workloads/balance_registry.hpp"
#include "workloads/moe_presets.hpp"
#include "workloads/placement_registry.hpp"
#include "workloads/trace.hpp"

namespace po = boost::program_options;

namespace moesim::cli {
namespace {

constexpr uint64_t kMaxCount = 1'000'000;  // switches, hosts, ports: far beyond any fabric
constexpr uint64_t kU32 = UINT32_MAX;
constexpr double kHuge = 1e300;

OptionSpec count(const char* n, const char* def, const char* g, const char* help, uint64_t min = 0,
                 uint64_t max = kMaxCount) {
  return count_option(n, def, g, help, min, max);
}
OptionSpec real(const char* n, const char* def, const char* g, const char* help, double min,
                double max) {
  return real_option(n, def, g, help, min, max);
}
OptionSpec bytes(const char* n, const char* def, const char* g, const char* help) {
  return unit_option(OptionKind::Bytes, n, def, g, help);
}
OptionSpec rate(const char* n, const char* def, const char* g, const char* help) {
  return unit_option(OptionKind::Rate, n, def, g, help);
}
OptionSpec time(const char* n, const char* def, const char* g, const char* help) {
  return unit_option(OptionKind::Time, n, def, g, help);
}
OptionSpec yes_no(const char* n, const char* def, const char* g, const char* help) {
  return unit_option(OptionKind::YesNo, n, def, g, help);
}
OptionSpec text(const char* n, const char* def, const char* g, const char* help) {
  return text_option(n, def, g, help);
}
OptionSpec choice(const char* n, const char* def, const char* g, std::string help,
                  std::vector<std::string> choices) {
  return choice_option(n, def, g, help, std::move(choices));
}
// A preset-shaped MoE value: a whole number, or "preset" for the --moe-model's own.
// `moesim place --policy` and `moesim balance --policy`: the placements that need no topology
// and the balancing policies that plan from counts.
std::vector<std::string> policy_names() {
  std::vector<std::string> names = workload::placement_names(false);
  for (std::string& n : workload::balance_names(true))
    names.push_back(std::move(n));
  return names;
}

OptionSpec preset_count(const char* n, const char* help) {
  return param(with_keywords(count(n, "preset", "workload", help, 1, kU32), {"preset"}));
}

std::vector<OptionSpec> make_specs() {
  std::vector<OptionSpec> t = {
      // topology
      param(choice("topology", "leaf-spine", "topology", "topology kind", topo::topology_names())),
      param(count("seed", "1", "topology",
                  "root random seed (random topologies, ECMP salts, permutation, spraying)", 0,
                  UINT64_MAX)),
      param(count("leaves", "8", "topology", "leaf-spine: leaf switches (count)")),
      param(count("spines", "16", "topology", "leaf-spine, rail: spine switches (count)")),
      param(count("hosts-per-leaf", "16", "topology",
                  "leaf-spine: hosts (GPUs/NICs) under each leaf (count)")),
      param(rate("host-rate", "400Gbps", "topology", "host-to-leaf link rate")),
      param(with_keywords(
          rate("fabric-rate", "auto", "topology",
               "leaf-to-spine link rate; auto = hosts-per-leaf * host-rate / (spines * "
               "oversubscription)"),
          {"auto"})),
      param(real("oversubscription", "1", "topology",
                 "host capacity / uplink capacity at a leaf, used when fabric-rate is auto (ratio)",
                 0, kHuge)),
      param(time("latency", "1us", "topology", "propagation latency of every network link")),
      param(count("gpus-per-server", "1", "topology",
                  "GPUs per server joined by an NVLink-like switch; 1 = no NVLink (count)")),
      param(rate("nvlink-rate", "2880Gbps", "topology", "per-GPU NVLink rate (SimAI's default)")),
      param(
          time("nvlink-latency", "25ns", "topology", "GPU-to-NVSwitch latency (SimAI's default)")),
      param(count("k", "8", "topology", "fat-tree: switch radix (even; k^3/4 hosts)")),
      param(count("servers", "16", "topology", "rail: servers of --gpus-per-server GPUs (count)")),
      param(count("switches", "64", "topology", "rsn, jellyfish: switches (count)")),
      param(count("hosts-per-switch", "2", "topology",
                  "rsn, jellyfish: hosts under each switch (count)")),
      param(
          count("degree", "6", "topology", "jellyfish: switch-to-switch ports per switch (count)")),
      param(count("dimension", "2", "topology", "rsn: dimension d of the box (1, 2 or 3)")),
      param(yes_no("torus", "yes", "topology", "rsn: periodic box")),
      param(choice("degree-law", "fixed", "topology", "rsn: expected-degree distribution",
                   {"fixed", "poisson", "power-law"})),
      param(real("mean-degree", "6", "topology", "rsn: mean expected degree <kappa>", 0, 1e6)),
      param(real("degree-exponent", "2.5", "topology",
                 "rsn: power-law exponent of the degrees (> 2)", 0, 1e6)),
      param(real("degree-min", "2", "topology", "rsn: smallest power-law expected degree", 0, 1e6)),
      param(choice("kernel", "gaussian", "topology", "rsn: distance kernel",
                   {"gaussian", "exponential", "power-law", "uniform"})),
      param(real("kernel-scale", "0.1", "topology", "rsn: kernel length scale (box side = 1)", 0,
                 1e6)),
      param(real("kernel-exponent", "3", "topology", "rsn: power-law kernel exponent (> dimension)",
                 0, 1e6)),
      param(real("long-range", "0", "topology",
                 "rsn: share of the kernel that is uniform over the box (0 to 1)", 0, 1)),
      param(real("km-per-unit", "1", "topology", "rsn: physical length of the box side (km)", 0,
                 1e9)),
      param(time("delay-per-km", "5us", "topology", "rsn: propagation delay per km (fibre: 5 us)")),
      param(time("switch-delay", "500ns", "topology",
                 "rsn: per-hop switch delay added to every link")),
      param(yes_no("keep-giant", "no", "topology",
                   "rsn: a disconnected draw keeps its largest component (yes) or is an error "
                   "(no)")),
      param(text("topology-file", "", "topology",
                 "file: edge-list CSV (u,v,rate,latency; hosts named host*/gpu*) or GraphML")),
      param(choice("route-cost", "latency", "topology",
                   "link cost of routing: latency (ps + 1) | hops (1 per link; multipath on "
                   "spatial graphs)",
                   {"latency", "hops"})),
      param(text("fail-links", "", "topology",
                 "fail links before routing: a count (random switch-to-switch links, stream "
                 "'failures') or names such as leaf0-spine1,leaf2-spine0")),
      param(text("degrade-links", "", "topology",
                 "run links below their rate: LINK=RATE,... such as leaf0-spine1=100Gbps")),
      param(bytes("buffer", "1MiB", "topology",
                  "output-port buffer of every link, packet model (about 1 MB per 400G port on a "
                  "64-port switch with 64 MB of shared buffer)")),
      // workload
      param(choice("workload", "all-to-all", "workload", "traffic pattern",
                   {"all-to-all", "all-to-allv", "permutation", "ring-allreduce", "all-gather",
                    "reduce-scatter", "incast", "moe", "chakra"})),
      param(bytes("size", "1MiB", "workload",
                  "bytes per pair (all-to-all, permutation, incast) or per-GPU buffer (ring "
                  "collectives)")),
      param(text("matrix", "", "workload",
                 "all-to-allv traffic matrix CSV (bytes, one row per source)")),
      param(count("incast-target", "0", "workload", "incast destination host (index)", 0, kU32)),
      param(choice("moe-model", "mixtral-8x7b", "workload",
                   "moe: model preset for the shape and router", workload::moe_preset_names())),
      preset_count("experts", "moe: routed experts per layer (count)"),
      preset_count("top-k", "moe: experts per token (count)"),
      preset_count("hidden", "moe: hidden size (elements per token)"),
      preset_count("expert-ffn", "moe: expert FFN width (elements)"),
      preset_count("moe-layers", "moe: MoE layers per iteration (count)"),
      preset_count("bytes-per-element", "moe: bytes per hidden element on the wire (2 = BF16)"),
      param(count("tokens-per-gpu", "4096", "workload",
                  "moe: tokens each GPU routes per layer (DeepEP's benchmark batch)", 1, kU32)),
      param(count("iterations", "1", "workload", "moe: iterations (count)", 1, kU32)),
      param(with_keywords(
          real("zipf-s", "preset", "workload",
               "moe: Zipf exponent of expert popularity in the synthetic router", 0, 10),
          {"preset"})),
      param(with_keywords(
          choice("placement", "auto", "workload",
                 "moe: expert placement: " + workload::placement_help() +
                     "; auto = contiguous, or eplb when there are more slots than experts",
                 workload::placement_names()),
          {"auto"})),
      param(count("slots-per-gpu", "0", "workload",
                  "moe: expert slots per GPU (0 = experts / GPUs rounded up); spare slots hold "
                  "replicas",
                  0, kU32)),
      param(choice("balance", "none", "workload",
                   "moe: load balancing: " + workload::balance_help(), workload::balance_names())),
      param(real("alf-rate", "0.001", "workload",
                 "moe: --balance alf bias step per iteration and layer, in gate-score units "
                 "(DeepSeek-V3's gamma = 0.001, arXiv 2412.19437 §4.2)",
                 0, 1)),
      param(choice("capacity", "dropless", "workload", "moe: capacity handling",
                   {"dropless", "drop", "pad"})),
      param(real("capacity-factor", "1.25", "workload",
                 "moe: capacity = ceil(tokens x k / experts x CF)", 1e-6, 1e6)),
      param(choice("drop-policy", "probability", "workload",
                   "moe: which slots a full expert drops: probability (lowest gate weight) | "
                   "position",
                   {"probability", "position"})),
      param(choice("replica", "round-robin", "workload", "moe: replica choice",
                   {"round-robin", "nearest", "least-loaded"})),
      param(real("gpu-tflops", "989.4", "workload", "moe: GPU peak (TFLOP/s; H100 SXM BF16 dense)",
                 1e-3, 1e6)),
      param(time("attention-time", "0us", "workload",
                 "moe: per-GPU dense compute per layer (attention, shared experts)")),
      // parallel layout (moe)
      param(count("tp", "1", "workload",
                  "moe: tensor-parallel size T (a TP group is T GPUs of one server)", 1, kU32)),
      param(count("pp", "1", "workload",
                  "moe: pipeline-parallel stages P, each a consecutive block of the layers", 1,
                  kU32)),
      param(with_keywords(
          count("dp", "all", "workload",
                "moe: data-parallel size D; T x P x D = GPUs (all = GPUs / (T x P))", 1, kU32),
          {"all"})),
      param(with_keywords(count("ep", "all", "workload",
                                "moe: expert-parallel size E, dividing D: experts are sharded over "
                                "each group of E GPUs (all = D)",
                                1, kU32),
                          {"all"})),
      param(choice("step", "forward", "workload",
                   "moe: forward (the MoE layers, iterations one after another) | prefill "
                   "(serving: forward of the prompt tokens) | decode (serving: --decode-steps "
                   "steps of --batch tokens per GPU) | train (micro-batches forward and backward "
                   "in 1F1B, gradient sync in buckets, optimizer)",
                   {"forward", "prefill", "decode", "train"})),
      param(count("decode-steps", "16", "workload",
                  "moe --step decode: decode steps (a replayed trace: at most this many of its "
                  "iterations after the first)",
                  1, kU32)),
      param(with_keywords(
          count("batch", "none", "workload",
                "moe --step decode: tokens (sequences) per GPU in each decode step", 1, kU32),
          {"none"})),
      param(count("context", "1024", "workload",
                  "moe --step decode: KV-cache tokens per sequence at the first decode step "
                  "(one more each step)",
                  0, kU32)),
      param(real("gpu-hbm-gbs", "3350", "workload",
                 "moe: GPU memory bandwidth in GB/s (H100 SXM: 3350), for decode attention", 1e-3,
                 1e9)),
      param(choice("overlap", "none", "workload",
                   "moe: none | two-batch (each micro-batch in two halves whose phases "
                   "interleave: one half's all-to-all under the other's compute)",
                   {"none", "two-batch"})),
      param(choice("dispatch", "direct", "workload",
                   "moe: direct (a token once to every GPU holding one of its experts) | "
                   "hierarchical (DeepEP internode: once per destination server, to the GPU of "
                   "the same rail there, which relays it over NVLink; combine mirrored)",
                   {"direct", "hierarchical"})),
      param(with_keywords(
          count("max-nodes-per-token", "none", "workload",
                "moe: node-limited routing (DeepSeek-V3: 4): a token's experts on at most this "
                "many of the servers its EP group spans (the group-limited router, one expert "
                "group per server)",
                1, kU32),
          {"none"})),
      param(count("micro-batches", "1", "workload",
                  "moe --step train: micro-batches per step (each its own router iteration)", 1,
                  kU32)),
      param(bytes("grad-bucket", "25MB", "workload",
                  "moe --step train: gradient bucket (PyTorch DDP's default 25 MB)")),
      param(choice("grad-sync", "allreduce", "workload",
                   "moe --step train: allreduce (DDP) | reduce-scatter (ZeRO: half the ring)",
                   {"allreduce", "reduce-scatter"})),
      param(time("optimizer-time", "0us", "workload",
                 "moe --step train: optimizer compute per GPU at the end of the step")),
      list_option("rank-order", "tp,ep,dp,pp", "workload",
                  "moe: parallel dimensions from fastest- to slowest-varying over GPU ids",
                  {"tp", "ep", "dp", "pp"}),
      // simulation
      param(list_option("model", "analytic,fluid,packet", "simulation",
                        "network model(s), comma-separated: analytic | fluid | packet | simgrid "
                        "(SimGrid 3.32, CM02 max-min; also simgrid:latency-first, and "
                        "simgrid:LV08 which is not max-min)")),
      param(list_option("transport", "ecmp,split:4,plan,spray:random,ideal", "simulation",
                        fmt::format("transport(s), comma-separated: {} (flow-level models run "
                                    "spray:* as ideal; packet has no ideal)",
                                    fmt::join(sim::transport_names(), " | ")))),
      param(bytes("mtu", "4KiB", "simulation", "packet model: wire bytes of a full data packet")),
      param(bytes("header", "64B", "simulation",
                  "packet model: header bytes per packet, also the size of ACKs, NACKs, trimmed "
                  "packets")),
      param(bytes("ecn-threshold", "64KiB", "simulation",
                  "packet model: DCTCP marking threshold on a switch port's data queue")),
      param(choice("recovery", "trim", "simulation",
                   "packet model loss recovery: trim (full queues forward headers; NACK) | drop "
                   "(timeout)",
                   {"trim", "drop"})),
      param(time("rto", "1ms", "simulation", "packet model: retransmission timeout")),
      param(choice(
          "cc", "dctcp", "simulation",
          fmt::format("packet model congestion control: {}", fmt::join(sim::cc_names(), " | ")),
          sim::cc_names())),
      param(choice("fabric", "lossy", "simulation",
                   "packet model: lossy (full queues trim or drop, --recovery) | lossless "
                   "(RoCEv2 over PFC: switches pause upstream ports, nothing is lost)",
                   {"lossy", "lossless"})),
      param(choice("marking", "auto", "simulation",
                   "packet model ECN marking: step (at --ecn-threshold) | red (RED between "
                   "--red-min and --red-max up to --red-pmax) | auto (red for dcqcn, else step)",
                   {"auto", "step", "red"})),
      param(bytes("red-min", "5KB", "simulation",
                  "packet model, RED marking: queue where marking starts (DCQCN's Kmin)")),
      param(bytes("red-max", "100KB", "simulation",
                  "packet model, RED marking: queue from which every packet is marked (Kmax)")),
      param(real("red-pmax", "0.1", "simulation",
                 "packet model, RED marking: marking probability just below --red-max (Pmax)", 0,
                 1)),
      param(with_keywords(
          bytes("ack-every", "16KiB", "simulation",
                "packet model: a receiver ACKs every this many payload bytes of a subflow (and "
                "at once on a trim, hole, duplicate, request or last packet); 0 = every packet"),
          {"0"})),
      // output
      text("out", "", "output",
           "output directory (created; must not hold results yet); default: next free "
           "moesim-out/run-NNN"),
      with_keywords(
          list_option("detail", "", "output", "extra CSV files, comma-separated",
                      {"flows", "links", "collectives", "layers", "phases", "timeseries"}),
          {""}),
      time("sample-every", "10us", "output",
           "--detail timeseries: the packet model samples every port this often"),
      text("config", "", "output", "config file with the same keys (key = value per line)"),
      with_keywords(bytes("max-memory", "auto", "output",
                          "memory budget: a run whose topology, routing, flows or packets would "
                          "need more is refused before it starts; auto = half of the RAM"),
                    {"auto"}),
      // policy (moesim place, moesim balance)
      with_keywords(choice("policy", "", "policy",
                           fmt::format("place: a placement policy ({}); balance: {}",
                                       fmt::join(workload::placement_names(false), " | "),
                                       fmt::join(workload::balance_names(true), " | ")),
                           policy_names()),
                    {""}),
      text("counts", "", "policy",
           "balance: per-expert token counts CSV with columns expert,count"),
      count("slots", "0", "policy", "place: physical expert slots R (0 = one per expert)", 0, kU32),
      count("groups", "1", "policy", "place: expert groups G of a group-limited router (EPLB)", 1,
            kU32),
      count("nodes", "1", "policy", "place: server nodes N (EPLB hierarchical)", 1, kU32),
      count("gpus", "8", "policy", "place, balance, trace gen: GPUs P (expert-parallel ranks)", 1,
            kMaxCount),
      count("local-experts", "1", "policy", "balance: experts native to each GPU M (E = P x M)", 1,
            kU32),
      real("alpha", "1", "policy", "balance: LLEP capacity factor (max tokens / mean; > 0)", 1e-9,
           kHuge),
      count("min-tokens", "1024", "policy", "balance: LLEP smallest spilled chunk (tokens)", 0,
            kU32),
      // stats (moesim trace stats: local routing consistency, workloads/trace_segments.hpp)
      count("segment-tokens", "16", "stats",
            "trace stats: m, consecutive tokens of one batch (in trace order) per segment for "
            "SRP and SCH",
            1, 65536),
      count("segment-stride", "1", "stats",
            "trace stats: a segment starts every S tokens (1 = every window, as the paper's "
            "code; S = m: disjoint segments)",
            1, kU32),
      with_keywords(count("cache-experts", "auto", "stats",
                          "trace stats: C, the experts SCH's cache holds (1..experts; auto = "
                          "2 x top-k, at most the experts)",
                          1, workload::kMaxExperts),
                    {"auto"}),
      // experiment
      text("mixtral-trace", "", "experiment",
           "placement experiment: the real trace to replay (default: the Mixtral gsm8k JSONL in "
           "../shared/data/traces)"),
      list_option("kernels", "gaussian,exponential,power-law", "experiment",
                  "rsn experiment: distance kernels to compare, comma-separated",
                  {"gaussian", "exponential", "power-law", "uniform"}),
      list_option("long-range-values", "0,0.01,0.05,0.2", "experiment",
                  "rsn experiment: long-range kernel shares m to sweep, comma-separated (0 to 1)"),
      list_option("spray-workloads", "all-to-all,permutation,ring-allreduce,moe", "experiment",
                  "spraying experiment: workloads, comma-separated",
                  {"all-to-all", "all-to-allv", "permutation", "ring-allreduce", "all-gather",
                   "reduce-scatter", "incast", "moe"}),
      list_option("sizes", "256KiB", "experiment",
                  "spraying experiment: --size values (per pair, or per GPU buffer), "
                  "comma-separated"),
      list_option("oversubscriptions", "1,2,3", "experiment",
                  "spraying experiment: --oversubscription values, comma-separated"),
      list_option("failures", "0,1,2", "experiment",
                  "spraying experiment: failed switch links (random, stream 'failures'), "
                  "comma-separated counts"),
      list_option("ccs", "dctcp,nscc,dcqcn", "experiment",
                  "spraying experiment: congestion controls, comma-separated (dcqcn runs on a "
                  "lossless fabric)",
                  sim::cc_names()),
  };
  const std::vector<OptionSpec> inputs = moe_input_options();  // trace, trace-layout, loads
  t.insert(
      std::find_if(t.begin(), t.end(), [](const auto& o) { return o.name == "moe-model"; }) + 1,
      inputs.begin(), inputs.end());
  std::ranges::move(chakra_option_specs(), std::back_inserter(t));
  return t;
}

bool in_groups(const OptionSpec& d, const std::vector<std::string>& groups) {
  return std::any_of(groups.begin(), groups.end(), [&](const auto& g) { return d.in_group(g); });
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string unknown_option_message(const std::string& raw, const std::vector<std::string>& groups,
                                   const std::string& where) {
  std::string name = raw;
  while (name.starts_with("-"))
    name.erase(0, 1);
  name = name.substr(0, name.find('='));
  const std::string near = closest_option(name, groups);
  if (near.empty()) {
    return fmt::format("{}: unknown option '{}': expected an option of this command (see --help)",
                       where, raw);
  }
  return fmt::format("{}: unknown option '{}': did you mean --{}? (see --help)", where, raw, near);
}

}  // namespace

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = make_specs();
  return specs;
}

const OptionSpec* find_option(const std::string& name) {
  for (const OptionSpec& d : option_specs()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string closest_option(const std::string& name, const std::vector<std::string>& groups) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const OptionSpec& d : option_specs()) {
    if (!in_groups(d, groups)) continue;
    // An abbreviation is always worth suggesting; otherwise a few typos at most.
    const size_t dist = d.name.starts_with(name) ? 0 : edit_distance(name, d.name);
    if (dist < best_d) best = d.name, best_d = dist;
  }
  return best_d <= std::max<size_t>(2, name.size() / 3) ? best : "";
}

po::options_description describe(const std::vector<std::string>& groups) {
  po::options_description all("Options");
  for (const std::string& group : groups) {
    po::options_description desc(group + " options");
    for (const OptionSpec& d : option_specs()) {
      if (!d.in_group(group)) continue;
      const std::string help = d.kind == OptionKind::Text ? d.help : d.help + "; " + d.expected();
      desc.add_options()(d.name.c_str(), po::value<std::string>()->default_value(d.def),
                         help.c_str());
    }
    all.add(desc);
  }
  return all;
}

MemoryBudget memory_budget(const Settings& s) {
  if (!s.is("max-memory", "auto")) {
    return MemoryBudget(s.bytes("max-memory").count, s.where("max-memory"));
  }
  const uint64_t ram = physical_memory();
  if (ram == 0) return MemoryBudget(UINT64_MAX, "--max-memory auto: the machine's RAM is unknown");
  return MemoryBudget(ram / 2, fmt::format("--max-memory auto: half of this machine's {}",
                                           human_bytes(static_cast<double>(ram))));
}

Settings parse_settings(const std::vector<std::string>& args,
                        const std::vector<std::string>& groups) {
  po::options_description desc("Options");
  for (const OptionSpec& d : option_specs()) {
    if (in_groups(d, groups)) desc.add_options()(d.name.c_str(), po::value<std::string>(), "");
  }
  desc.add_options()("help,h", "print this help");
  po::variables_map vm;
  try {
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(desc).style(style).run(), vm);
  } catch (const po::unknown_option& e) {
    throw InputError(unknown_option_message(e.get_option_name(), groups, "command line"));
  } catch (const po::error& e) {
    throw InputError(fmt::format("command line: {}: expected options from --help", e.what()));
  }
  Settings s;
  s.help = vm.count("help") > 0;
  for (const OptionSpec& d : option_specs()) {
    if (in_groups(d, groups)) s.set(d, d.def, "default");
  }
  const bool has_config = in_groups(*find_option("config"), groups);
  const auto given = [&](const std::string& name) { return vm.count(name) > 0; };
  if (has_config && given("config")) {
    const std::string path = vm["config"].as<std::string>();
    s.set("config", path, "command line");
    for (const IniLine& l : read_ini_file(path, "--config", true)) {
      const OptionSpec* d = find_option(l.key);
      if (!d || !in_groups(*d, groups) || l.key == "config") {
        throw InputError(unknown_option_message(l.key, groups, l.where));
      }
      s.set(*d, l.value, l.where);  // parsed (and so checked) even if the command line wins
    }
  }
  for (const OptionSpec& d : option_specs()) {
    if (in_groups(d, groups) && given(d.name)) {
      s.set(d, vm[d.name].as<std::string>(), "command line");
    }
  }
  return s;
}

}  // namespace moesim::cli
