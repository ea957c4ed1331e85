#include "experiments/scenario.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::cli {

sim::PacketConfig parse_packet_config(const Settings& s, uint64_t seed) {
  sim::PacketConfig c;
  c.mtu = s.bytes("mtu");
  c.header = s.bytes("header");
  c.ecn_threshold = s.bytes("ecn-threshold");
  c.rto = s.time("rto");
  c.cc = s.text("cc");
  c.ack_every = s.is("ack-every", "0") ? Bytes{0} : s.bytes("ack-every");
  c.lossless = s.is("fabric", "lossless");
  if (c.lossless && s.is("recovery", "drop")) {
    s.reject("recovery",
             "trim with --fabric lossless (PFC loses nothing, so there is nothing "
             "to drop and recover)");
  }
  const bool red = s.is("marking", "red") || (s.is("marking", "auto") && s.is("cc", "dcqcn"));
  if (red) {
    c.red_min = s.bytes("red-min");
    c.red_max = s.bytes("red-max");
    c.red_pmax = s.real("red-pmax");
    if (c.red_max <= c.red_min) {
      s.reject("red-max", fmt::format("more than --red-min {}", to_string(c.red_min)));
    }
  }
  c.recovery = s.is("recovery", "drop") ? sim::LossRecovery::Drop : sim::LossRecovery::Trim;
  if (c.mtu.count > 65535 || c.mtu.count < 128) s.reject("mtu", "128B to 65535B");
  if (c.header.count == 0 || c.header.count >= c.mtu.count) {
    s.reject("header", fmt::format("more than 0B and less than --mtu {}", to_string(c.mtu)));
  }
  if (c.rto.ps <= 0) s.reject("rto", "a time > 0");
  c.seed = seed;
  return c;
}

topo::RouteCost parse_route_cost(const Settings& s) {
  return s.is("route-cost", "hops") ? topo::RouteCost::Hops : topo::RouteCost::Latency;
}

topo::BuiltTopology build_topology(const Settings& s) {
  // Builders name the latency of each link class; all come from --latency.
  static const std::map<std::string, std::string> aliases = {{"host-latency", "latency"},
                                                             {"fabric-latency", "latency"}};
  const MemoryBudget budget = memory_budget(s);
  return with_sources(
      s, [&] { return topo::build_topology(s, &budget); }, aliases);
}

Scenario parse_scenario(const Settings& s, const sim::ModelRegistry& models) {
  Scenario sc;
  sc.options = s;
  sc.registry = &models;
  sc.route_cost = parse_route_cost(s);
  sc.workload.kind = s.text("workload");
  sc.workload.size = s.bytes("size");
  sc.workload.matrix_file = s.text("matrix");
  sc.workload.incast_target = static_cast<uint32_t>(s.count("incast-target"));
  sc.seed = s.count("seed");
  sc.budget = memory_budget(s);
  sc.workload.seed = sc.seed;
  if (sc.workload.kind == "all-to-allv" && sc.workload.matrix_file.empty()) {
    throw InputError(fmt::format("{}: all-to-allv needs --matrix: expected a traffic matrix CSV",
                                 s.where("workload")));
  }
  if (sc.workload.kind != "all-to-allv" && !sc.workload.matrix_file.empty()) {
    throw InputError(fmt::format("{}: '{}' is only used by --workload all-to-allv",
                                 s.where("matrix"), sc.workload.matrix_file));
  }
  sc.model_config.packet = parse_packet_config(s, sc.seed);
  sc.models = s.list("model");
  for (const auto& m : sc.models)
    models.make(m, sc.model_config, s.where("model"));  // validates the name
  for (const auto& t : s.list("transport")) {
    sc.transports.push_back(sim::parse_transport(t, s.where("transport")));
  }
  if (!s.text("detail").empty()) {
    for (const auto& d : s.list("detail")) {
      if ((d == "layers" || d == "phases") && sc.workload.kind != "moe") {
        throw InputError(
            fmt::format("{}: {} is only written for --workload moe", s.where("detail"), d));
      }
      sc.details.push_back(d);
    }
  }
  if (std::find(sc.details.begin(), sc.details.end(), "timeseries") != sc.details.end()) {
    if (std::find(sc.models.begin(), sc.models.end(), "packet") == sc.models.end()) {
      throw InputError(
          fmt::format("{}: timeseries is written by the packet model: expected "
                      "--model packet (alone or with others)",
                      s.where("detail")));
    }
    sc.model_config.packet.sample_every = s.time("sample-every");
    if (sc.model_config.packet.sample_every.ps <= 0) s.reject("sample-every", "a time > 0");
  }
  for (const OptionSpec& d : option_specs()) {
    if (d.is_param) sc.params.emplace_back(d.name, s.text(d.name));
  }
  return sc;
}

}  // namespace moesim::cli
