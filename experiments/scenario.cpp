#include "experiments/scenario.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/model.hpp"

namespace moesim::cli {
namespace {

uint64_t parse_count(const Settings& s, const std::string& name, uint64_t max) {
  const std::string& text = s.get(name);
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v > max) {
    throw InputError(
        fmt::format("{}: '{}': expected a whole number from 0 to {}", s.where(name), text, max));
  }
  return v;
}

double parse_ratio(const Settings& s, const std::string& name) {
  const std::string& text = s.get(name);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) ||
      v <= 0) {
    throw InputError(
        fmt::format("{}: '{}': expected a positive number such as 1 or 2.5", s.where(name), text));
  }
  return v;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text, const std::string& what) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (true) {
    const size_t comma = text.find(',', begin);
    std::string item = text.substr(begin, comma == std::string::npos ? comma : comma - begin);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) {
      throw InputError(
          fmt::format("{}: '{}': expected a comma-separated list without empty items", what, text));
    }
    items.push_back(item);
    if (comma == std::string::npos) return items;
    begin = comma + 1;
  }
}

sim::PacketConfig parse_packet_config(const Settings& s, uint64_t seed) {
  sim::PacketConfig c;
  c.mtu = parse_bytes(s.get("mtu"), s.where("mtu"));
  c.header = parse_bytes(s.get("header"), s.where("header"));
  c.ecn_threshold = parse_bytes(s.get("ecn-threshold"), s.where("ecn-threshold"));
  c.rto = parse_time(s.get("rto"), s.where("rto"));
  const std::string& rec = s.get("recovery");
  if (rec == "trim") {
    c.recovery = sim::LossRecovery::Trim;
  } else if (rec == "drop") {
    c.recovery = sim::LossRecovery::Drop;
  } else {
    throw InputError(fmt::format("{}: '{}': expected trim or drop", s.where("recovery"), rec));
  }
  if (c.mtu.count > 65535 || c.mtu.count < 128) {
    throw InputError(
        fmt::format("{}: {}: expected 128B to 65535B", s.where("mtu"), to_string(c.mtu)));
  }
  if (c.header.count == 0 || c.header.count >= c.mtu.count) {
    throw InputError(fmt::format("{}: {}: expected more than 0B and less than --mtu {}",
                                 s.where("header"), to_string(c.header), to_string(c.mtu)));
  }
  if (c.rto.ps <= 0) {
    throw InputError(fmt::format("{}: {}: expected a time > 0", s.where("rto"), to_string(c.rto)));
  }
  c.seed = seed;
  return c;
}

namespace {

double parse_real(const Settings& s, const std::string& name, double lo, double hi) {
  const std::string& text = s.get(name);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) ||
      v < lo || v > hi) {
    throw InputError(
        fmt::format("{}: '{}': expected a number from {} to {}", s.where(name), text, lo, hi));
  }
  return v;
}

bool parse_yes_no(const Settings& s, const std::string& name) {
  const std::string& text = s.get(name);
  if (text == "yes") return true;
  if (text == "no") return false;
  throw InputError(fmt::format("{}: '{}': expected yes or no", s.where(name), text));
}

uint32_t parse_u32(const Settings& s, const std::string& name) {
  return static_cast<uint32_t>(parse_count(s, name, 1'000'000));
}

}  // namespace

topo::TopologySpec parse_topology(const Settings& s) {
  topo::TopologySpec spec;
  spec.kind = topo::parse_topology_kind(s.get("topology"), s.where("topology"));
  const uint64_t seed = parse_count(s, "seed", UINT64_MAX);
  const BitsPerSec host_rate = parse_rate(s.get("host-rate"), s.where("host-rate"));
  std::optional<BitsPerSec> fabric_rate;
  if (s.get("fabric-rate") != "auto") {
    fabric_rate = parse_rate(s.get("fabric-rate"), s.where("fabric-rate"));
  }
  const double oversubscription = parse_ratio(s, "oversubscription");
  const TimePs latency = parse_time(s.get("latency"), s.where("latency"));
  const Bytes buffer = parse_bytes(s.get("buffer"), s.where("buffer"));
  const uint32_t gpus_per_server = parse_u32(s, "gpus-per-server");
  const BitsPerSec nvlink_rate = parse_rate(s.get("nvlink-rate"), s.where("nvlink-rate"));
  const TimePs nvlink_latency = parse_time(s.get("nvlink-latency"), s.where("nvlink-latency"));
  // A kind whose switch links have one rate and no oversubscription takes --fabric-rate as is,
  // with auto meaning the host rate.
  const BitsPerSec flat_rate = fabric_rate.value_or(host_rate);

  topo::LeafSpineParams& ls = spec.leaf_spine;
  ls.leaves = parse_u32(s, "leaves");
  ls.spines = parse_u32(s, "spines");
  ls.hosts_per_leaf = parse_u32(s, "hosts-per-leaf");
  ls.host_rate = host_rate;
  ls.fabric_rate = fabric_rate;
  ls.oversubscription = oversubscription;
  ls.host_latency = ls.fabric_latency = latency;
  ls.gpus_per_server = gpus_per_server;
  ls.nvlink_rate = nvlink_rate;
  ls.nvlink_latency = nvlink_latency;
  ls.buffer = buffer;

  topo::FatTreeParams& ft = spec.fat_tree;
  ft.k = parse_u32(s, "k");
  ft.host_rate = host_rate;
  ft.fabric_rate = fabric_rate;
  ft.oversubscription = oversubscription;
  ft.host_latency = ft.fabric_latency = latency;
  ft.buffer = buffer;

  topo::RailParams& rail = spec.rail;
  rail.servers = parse_u32(s, "servers");
  rail.gpus_per_server = gpus_per_server;
  rail.spines = ls.spines;
  rail.host_rate = host_rate;
  rail.fabric_rate = fabric_rate;
  rail.oversubscription = oversubscription;
  rail.host_latency = rail.fabric_latency = latency;
  rail.buffer = buffer;
  rail.nvlink_rate = nvlink_rate;
  rail.nvlink_latency = nvlink_latency;
  if (spec.kind == topo::TopologyKind::Rail && gpus_per_server < 2) {
    throw InputError(
        fmt::format("{}: '{}': the rail topology needs 2 or more GPUs per server "
                    "(one rail each), e.g. 8",
                    s.where("gpus-per-server"), s.get("gpus-per-server")));
  }

  topo::JellyfishParams& jf = spec.jellyfish;
  jf.switches = parse_u32(s, "switches");
  jf.degree = parse_u32(s, "degree");
  jf.hosts_per_switch = parse_u32(s, "hosts-per-switch");
  jf.host_rate = host_rate;
  jf.fabric_rate = flat_rate;
  jf.host_latency = jf.fabric_latency = latency;
  jf.buffer = buffer;
  jf.seed = seed;

  topo::RsnParams& rsn = spec.rsn;
  rsn.switches = jf.switches;
  rsn.hosts_per_switch = jf.hosts_per_switch;
  rsn.dimension = parse_u32(s, "dimension");
  rsn.periodic = parse_yes_no(s, "torus");
  rsn.degree_law = topo::parse_degree_law(s.get("degree-law"), s.where("degree-law"));
  rsn.mean_degree = parse_real(s, "mean-degree", 0, 1e6);
  rsn.degree_exponent = parse_real(s, "degree-exponent", 0, 1e6);
  rsn.degree_min = parse_real(s, "degree-min", 0, 1e6);
  rsn.kernel = topo::parse_rsn_kernel(s.get("kernel"), s.where("kernel"));
  rsn.kernel_scale = parse_real(s, "kernel-scale", 0, 1e6);
  rsn.kernel_exponent = parse_real(s, "kernel-exponent", 0, 1e6);
  rsn.long_range = parse_real(s, "long-range", 0, 1);
  rsn.km_per_unit = parse_real(s, "km-per-unit", 0, 1e9);
  rsn.delay_per_km = parse_time(s.get("delay-per-km"), s.where("delay-per-km"));
  rsn.switch_delay = parse_time(s.get("switch-delay"), s.where("switch-delay"));
  rsn.keep_giant = parse_yes_no(s, "keep-giant");
  rsn.host_rate = host_rate;
  rsn.fabric_rate = flat_rate;
  rsn.host_latency = latency;
  rsn.buffer = buffer;
  rsn.seed = seed;

  spec.file = s.get("topology-file");
  spec.file_import.buffer = buffer;
  if (spec.kind == topo::TopologyKind::File && spec.file.empty()) {
    throw InputError(fmt::format("{}: file needs --topology-file: expected a CSV or GraphML path",
                                 s.where("topology")));
  }
  if (spec.kind != topo::TopologyKind::File && !spec.file.empty()) {
    throw InputError(fmt::format("{}: '{}' is only used by --topology file",
                                 s.where("topology-file"), spec.file));
  }
  return spec;
}

topo::RouteCost parse_route_cost(const Settings& s) {
  const std::string& text = s.get("route-cost");
  if (text == "latency") return topo::RouteCost::Latency;
  if (text == "hops") return topo::RouteCost::Hops;
  throw InputError(fmt::format("{}: '{}': expected latency or hops", s.where("route-cost"), text));
}

Scenario parse_scenario(const Settings& s) {
  Scenario sc;
  sc.topology = parse_topology(s);
  sc.route_cost = parse_route_cost(s);
  sc.workload.kind = s.get("workload");
  sc.workload.size = parse_bytes(s.get("size"), s.where("size"));
  sc.workload.matrix_file = s.get("matrix");
  sc.workload.incast_target = static_cast<uint32_t>(parse_count(s, "incast-target", UINT32_MAX));
  sc.seed = parse_count(s, "seed", UINT64_MAX);
  sc.workload.seed = sc.seed;
  if (sc.workload.kind == "all-to-allv" && sc.workload.matrix_file.empty()) {
    throw InputError(fmt::format("{}: all-to-allv needs --matrix: expected a traffic matrix CSV",
                                 s.where("workload")));
  }
  if (sc.workload.kind != "all-to-allv" && !sc.workload.matrix_file.empty()) {
    throw InputError(fmt::format("{}: '{}' is only used by --workload all-to-allv",
                                 s.where("matrix"), sc.workload.matrix_file));
  }
  sc.packet = parse_packet_config(s, sc.seed);
  sc.models = split_list(s.get("model"), s.where("model"));
  for (const auto& m : sc.models)
    sim::make_model(m, sc.packet, s.where("model"));  // validates the name
  for (const auto& t : split_list(s.get("transport"), s.where("transport"))) {
    sc.transports.push_back(sim::parse_transport(t, s.where("transport")));
  }
  if (!s.get("detail").empty()) {
    for (const auto& d : split_list(s.get("detail"), s.where("detail"))) {
      if (d == "layers" && sc.workload.kind != "moe") {
        throw InputError(
            fmt::format("{}: layers is only written for --workload moe", s.where("detail")));
      }
      if (d != "flows" && d != "links" && d != "collectives" && d != "layers") {
        throw InputError(
            fmt::format("{}: unknown detail '{}': expected flows, links, "
                        "collectives or layers",
                        s.where("detail"), d));
      }
      sc.details.push_back(d);
    }
  }
  for (const OptionDef& d : option_defs()) {
    if (d.is_param) sc.params.emplace_back(d.name, s.get(d.name));
  }
  return sc;
}

}  // namespace moesim::cli
