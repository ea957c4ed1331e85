#include "experiments/options.hpp"

#include <fstream>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "sim/core/error.hpp"

namespace po = boost::program_options;

namespace moesim::cli {

const std::vector<OptionDef>& option_defs() {
  static const std::vector<OptionDef> defs = {
      {"topology", "leaf-spine", "topology",
       "topology kind: leaf-spine | fat-tree | rail | rsn | jellyfish | file", true},
      {"seed", "1", "topology",
       "root random seed (random topologies, ECMP salts, permutation, spraying)", true},
      {"leaves", "8", "topology", "leaf-spine: leaf switches (count)", true},
      {"spines", "16", "topology", "leaf-spine, rail: spine switches (count)", true},
      {"hosts-per-leaf", "16", "topology", "leaf-spine: hosts (GPUs/NICs) under each leaf (count)",
       true},
      {"host-rate", "400Gbps", "topology", "host-to-leaf link rate (e.g. 400Gbps, 100G)", true},
      {"fabric-rate", "auto", "topology",
       "leaf-to-spine link rate; auto = hosts-per-leaf * host-rate / (spines * oversubscription)",
       true},
      {"oversubscription", "1", "topology",
       "host capacity / uplink capacity at a leaf, used when fabric-rate is auto (ratio)", true},
      {"latency", "1us", "topology", "propagation latency of every network link (e.g. 500ns)",
       true},
      {"gpus-per-server", "1", "topology",
       "GPUs per server joined by an NVLink-like switch; 1 = no NVLink (count)", true},
      {"nvlink-rate", "2880Gbps", "topology", "per-GPU NVLink rate (SimAI's default)", true},
      {"nvlink-latency", "25ns", "topology", "GPU-to-NVSwitch latency (SimAI's default)", true},
      {"k", "8", "topology", "fat-tree: switch radix (even; k^3/4 hosts)", true},
      {"servers", "16", "topology", "rail: servers of --gpus-per-server GPUs (count)", true},
      {"switches", "64", "topology", "rsn, jellyfish: switches (count)", true},
      {"hosts-per-switch", "2", "topology", "rsn, jellyfish: hosts under each switch (count)",
       true},
      {"degree", "6", "topology", "jellyfish: switch-to-switch ports per switch (count)", true},
      {"dimension", "2", "topology", "rsn: dimension d of the box (1, 2 or 3)", true},
      {"torus", "yes", "topology", "rsn: periodic box (yes | no)", true},
      {"degree-law", "fixed", "topology",
       "rsn: expected-degree distribution: fixed | poisson | power-law", true},
      {"mean-degree", "6", "topology", "rsn: mean expected degree <kappa>", true},
      {"degree-exponent", "2.5", "topology", "rsn: power-law exponent of the degrees (> 2)", true},
      {"degree-min", "2", "topology", "rsn: smallest power-law expected degree", true},
      {"kernel", "gaussian", "topology",
       "rsn: distance kernel: gaussian | exponential | power-law | uniform", true},
      {"kernel-scale", "0.1", "topology", "rsn: kernel length scale (box side = 1)", true},
      {"kernel-exponent", "3", "topology", "rsn: power-law kernel exponent (> dimension)", true},
      {"long-range", "0", "topology",
       "rsn: share of the kernel that is uniform over the box (0 to 1)", true},
      {"km-per-unit", "1", "topology", "rsn: physical length of the box side (km)", true},
      {"delay-per-km", "5us", "topology", "rsn: propagation delay per km (fibre: 5 us)", true},
      {"switch-delay", "500ns", "topology", "rsn: per-hop switch delay added to every link", true},
      {"keep-giant", "no", "topology",
       "rsn: a disconnected draw keeps its largest component (yes) or is an error (no)", true},
      {"topology-file", "", "topology",
       "file: edge-list CSV (u,v,rate,latency; hosts named host*/gpu*) or GraphML", true},
      {"route-cost", "latency", "topology",
       "link cost of routing: latency (ps + 1) | hops (1 per link; multipath on spatial graphs)",
       true},
      {"buffer", "1MiB", "topology",
       "output-port buffer of every link, packet model (bytes; about 1 MB per 400G port on a "
       "64-port switch with 64 MB of shared buffer)",
       true},
      {"workload", "all-to-all", "workload",
       "all-to-all | all-to-allv | permutation | ring-allreduce | all-gather | reduce-scatter | "
       "incast | moe",
       true},
      {"size", "1MiB", "workload",
       "bytes per pair (all-to-all, permutation, incast) or per-GPU buffer (ring collectives)",
       true},
      {"matrix", "", "workload", "all-to-allv traffic matrix CSV (bytes, one row per source)",
       true},
      {"incast-target", "0", "workload", "incast destination host (index)", true},
      {"moe-model", "mixtral-8x7b", "workload",
       "moe: model preset for the shape and router: mixtral-8x7b | deepseek-v3 | olmoe-1b-7b",
       true},
      {"trace", "", "workload",
       "moe: replay this router trace (JSONL as in data/traces, long CSV, .mtrace) instead of "
       "the synthetic router",
       true},
      {"experts", "preset", "workload", "moe: routed experts per layer (count)", true},
      {"top-k", "preset", "workload", "moe: experts per token (count)", true},
      {"hidden", "preset", "workload", "moe: hidden size (elements per token)", true},
      {"expert-ffn", "preset", "workload", "moe: expert FFN width (elements)", true},
      {"moe-layers", "preset", "workload", "moe: MoE layers per iteration (count)", true},
      {"bytes-per-element", "preset", "workload",
       "moe: bytes per hidden element on the wire (2 = BF16)", true},
      {"tokens-per-gpu", "4096", "workload",
       "moe: tokens each GPU routes per layer (DeepEP's benchmark batch)", true},
      {"iterations", "1", "workload", "moe: iterations (count)", true},
      {"zipf-s", "preset", "workload",
       "moe: Zipf exponent of expert popularity in the synthetic router", true},
      {"placement", "auto", "workload",
       "moe: contiguous | round-robin | random | eplb | topology-aware; auto = contiguous, or "
       "eplb when there are more slots than experts",
       true},
      {"slots-per-gpu", "0", "workload",
       "moe: expert slots per GPU (0 = experts / GPUs rounded up); spare slots hold replicas",
       true},
      {"balance", "none", "workload",
       "moe: none | llep (least-loaded expert parallelism) | alf (auxiliary-loss-free bias "
       "balancing across iterations, DeepSeek-V3; synthetic router only, with the preset's gate: "
       "the softmax gate for presets that sample, i.e. mixtral-8x7b and olmoe-1b-7b)",
       true},
      {"alf-rate", "0.001", "workload",
       "moe: --balance alf bias step per iteration and layer, in gate-score units (0 to 1; "
       "DeepSeek-V3's gamma = 0.001, arXiv 2412.19437 §4.2)",
       true},
      {"capacity", "dropless", "workload", "moe: dropless | drop | pad (capacity factor)", true},
      {"capacity-factor", "1.25", "workload", "moe: capacity = ceil(tokens x k / experts x CF)",
       true},
      {"drop-policy", "probability", "workload",
       "moe: which slots a full expert drops: probability (lowest gate weight) | position", true},
      {"replica", "round-robin", "workload",
       "moe: replica choice: round-robin | nearest | least-loaded", true},
      {"gpu-tflops", "989.4", "workload", "moe: GPU peak (TFLOP/s; H100 SXM BF16 dense)", true},
      {"attention-time", "0us", "workload",
       "moe: per-GPU dense compute per layer (attention, shared experts)", true},
      {"model", "analytic,fluid,packet", "simulation",
       "network model(s), comma-separated: analytic | fluid | packet | simgrid (SimGrid 3.32, "
       "CM02 max-min; also simgrid:latency-first, and simgrid:LV08 which is not max-min)",
       true},
      {"transport", "ecmp,split:4,plan,spray:random,ideal", "simulation",
       "transport(s), comma-separated: ecmp | split:K | plan | spray:random | spray:rr | "
       "spray:adaptive | ideal (flow-level models run spray:* as ideal; packet has no ideal)",
       true},
      {"mtu", "4KiB", "simulation", "packet model: wire bytes of a full data packet", true},
      {"header", "64B", "simulation",
       "packet model: header bytes per packet, also the size of ACKs, NACKs, trimmed packets",
       true},
      {"ecn-threshold", "64KiB", "simulation",
       "packet model: DCTCP marking threshold on a switch port's data queue (bytes)", true},
      {"recovery", "trim", "simulation",
       "packet model loss recovery: trim (full queues forward headers; NACK) | drop (timeout)",
       true},
      {"rto", "1ms", "simulation", "packet model: retransmission timeout", true},
      {"out", "", "output",
       "output directory (created; must not hold results yet); default: next free "
       "moesim-out/run-NNN",
       false},
      {"detail", "", "output",
       "extra CSV files, comma-separated: flows | links | collectives | layers (moe)", false},
      {"config", "", "output", "config file with the same keys (key = value per line)", false},
      {"policy", "", "policy",
       "place: contiguous | round-robin | random | eplb | eplb-hierarchical | eplb-global; "
       "balance: llep",
       false},
      {"loads", "", "policy", "place: per-expert loads CSV with columns layer,expert,load", false},
      {"counts", "", "policy", "balance: per-expert token counts CSV with columns expert,count",
       false},
      {"slots", "0", "policy", "place: physical expert slots R (0 = one per expert)", false},
      {"groups", "1", "policy", "place: expert groups G of a group-limited router (EPLB)", false},
      {"nodes", "1", "policy", "place: server nodes N (EPLB hierarchical)", false},
      {"gpus", "8", "policy", "place, balance: GPUs P (expert-parallel ranks)", false},
      {"local-experts", "1", "policy", "balance: experts native to each GPU M (E = P x M)", false},
      {"alpha", "1", "policy", "balance: LLEP capacity factor (max tokens / mean)", false},
      {"min-tokens", "1024", "policy", "balance: LLEP smallest spilled chunk (tokens)", false},
      {"mixtral-trace", "", "experiment",
       "placement experiment: the real trace to replay (default: the Mixtral gsm8k JSONL in "
       "../shared/data/traces)",
       false},
      {"kernels", "gaussian,exponential,power-law", "experiment",
       "rsn experiment: distance kernels to compare, comma-separated", false},
      {"long-range-values", "0,0.01,0.05,0.2", "experiment",
       "rsn experiment: long-range kernel shares m to sweep, comma-separated (0 to 1)", false},
  };
  return defs;
}

po::options_description describe(const std::vector<std::string>& groups) {
  po::options_description all("Options");
  for (const std::string& group : groups) {
    po::options_description desc(group + " options");
    for (const OptionDef& d : option_defs()) {
      if (d.group != group) continue;
      desc.add_options()(d.name.c_str(), po::value<std::string>()->default_value(d.def),
                         d.help.c_str());
    }
    all.add(desc);
  }
  return all;
}

const std::string& Settings::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InternalError("option not declared: " + name);
  return it->second.first;
}

std::string Settings::where(const std::string& name) const {
  const std::string& src = values_.at(name).second;
  if (src == "default" || src == "command line") return "--" + name;
  return fmt::format("{}: {}", src, name);
}

const std::string& Settings::source(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InternalError("option not declared: " + name);
  return it->second.second;
}

void Settings::set(const std::string& name, std::string value, std::string source) {
  values_[name] = {std::move(value), std::move(source)};
}

namespace {

bool in_groups(const OptionDef& d, const std::vector<std::string>& groups) {
  for (const auto& g : groups) {
    if (d.group == g) return true;
  }
  return false;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Reads `key = value` lines; '#' or ';' start a comment line. Keys must be known options of
// the selected groups (config itself excluded); each key at most once.
void read_config(const std::string& path, const std::vector<std::string>& groups, Settings& s,
                 const std::map<std::string, bool>& on_command_line) {
  std::ifstream in(path);
  if (!in) {
    throw InputError(fmt::format("--config: cannot open '{}': expected a readable file", path));
  }
  std::map<std::string, int> seen;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    const size_t eq = t.find('=');
    if (eq == std::string::npos) {
      throw InputError(fmt::format("{}:{}: '{}': expected key = value", path, lineno, t));
    }
    const std::string key = trim(t.substr(0, eq));
    const std::string value = trim(t.substr(eq + 1));
    bool known = false;
    for (const OptionDef& d : option_defs()) {
      known = known || (d.name == key && in_groups(d, groups) && key != "config");
    }
    if (!known) {
      throw InputError(
          fmt::format("{}:{}: unknown key '{}': expected an option of this command "
                      "(see --help)",
                      path, lineno, key));
    }
    if (seen.count(key)) {
      throw InputError(fmt::format("{}:{}: key '{}' repeats line {}: expected each key once", path,
                                   lineno, key, seen[key]));
    }
    seen[key] = lineno;
    if (!on_command_line.count(key)) s.set(key, value, fmt::format("{}:{}", path, lineno));
  }
}

}  // namespace

Settings parse_settings(const std::vector<std::string>& args,
                        const std::vector<std::string>& groups) {
  po::options_description desc = describe(groups);
  desc.add_options()("help,h", "print this help");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
  } catch (const po::error& e) {
    throw InputError(fmt::format("command line: {}: expected options from --help", e.what()));
  }
  Settings s;
  s.help = vm.count("help") > 0;
  std::map<std::string, bool> on_command_line;
  for (const OptionDef& d : option_defs()) {
    if (!in_groups(d, groups)) continue;
    const bool given = vm.count(d.name) && !vm[d.name].defaulted();
    if (given) on_command_line[d.name] = true;
    s.set(d.name, vm[d.name].as<std::string>(), given ? "command line" : "default");
  }
  bool has_config = false;
  for (const auto& g : groups)
    has_config = has_config || g == "output";
  if (has_config && !s.get("config").empty()) {
    read_config(s.get("config"), groups, s, on_command_line);
  }
  return s;
}

}  // namespace moesim::cli
