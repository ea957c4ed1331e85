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

topo::LeafSpineParams parse_topology(const Settings& s) {
  if (s.get("topology") != "leaf-spine") {
    throw InputError(fmt::format("{}: '{}': expected leaf-spine (other topologies come later)",
                                 s.where("topology"), s.get("topology")));
  }
  topo::LeafSpineParams p;
  p.leaves = static_cast<uint32_t>(parse_count(s, "leaves", 1'000'000));
  p.spines = static_cast<uint32_t>(parse_count(s, "spines", 1'000'000));
  p.hosts_per_leaf = static_cast<uint32_t>(parse_count(s, "hosts-per-leaf", 1'000'000));
  p.host_rate = parse_rate(s.get("host-rate"), s.where("host-rate"));
  if (s.get("fabric-rate") != "auto") {
    p.fabric_rate = parse_rate(s.get("fabric-rate"), s.where("fabric-rate"));
  }
  p.oversubscription = parse_ratio(s, "oversubscription");
  p.host_latency = parse_time(s.get("latency"), s.where("latency"));
  p.fabric_latency = p.host_latency;
  p.gpus_per_server = static_cast<uint32_t>(parse_count(s, "gpus-per-server", 1'000'000));
  p.nvlink_rate = parse_rate(s.get("nvlink-rate"), s.where("nvlink-rate"));
  p.nvlink_latency = parse_time(s.get("nvlink-latency"), s.where("nvlink-latency"));
  p.buffer = parse_bytes(s.get("buffer"), s.where("buffer"));
  return p;
}

Scenario parse_scenario(const Settings& s) {
  Scenario sc;
  sc.topology = parse_topology(s);
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
      if (d != "flows" && d != "links" && d != "collectives") {
        throw InputError(
            fmt::format("{}: unknown detail '{}': expected flows, links or "
                        "collectives",
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
