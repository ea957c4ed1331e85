#include "workloads/layer_exchange.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

std::vector<ExchangeFlow> direct(Workload& w, const LayerTraffic& lt,
                                 std::span<const uint32_t> gpus, uint64_t bytes_per_token,
                                 bool reverse, uint32_t tag) {
  std::vector<ExchangeFlow> out;
  const auto n = static_cast<uint32_t>(gpus.size());
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 1; k < n; ++k) {  // shifted order, as pairwise exchange sends
      const uint32_t a = gpus[i], b = gpus[(i + k) % n];
      const uint64_t tokens = lt.at(a, b);
      if (tokens == 0) continue;
      const uint32_t src = reverse ? b : a, dst = reverse ? a : b;
      out.push_back({w.add_flow(src, dst, Bytes{tokens * bytes_per_token}, tag), src, dst});
    }
  }
  return out;
}

// Per (EP group, server), the GPUs of `gpus` there in ascending order.
using ServerGpus = std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>>;

std::vector<ExchangeFlow> hierarchical(Workload& w, const LayerTraffic& lt,
                                       std::span<const uint32_t> gpus, const ParallelLayout& layout,
                                       uint64_t bytes_per_token, bool reverse, uint32_t tag) {
  if (lt.num_servers != layout.num_servers() ||
      lt.server_tokens.size() != size_t{lt.num_gpus} * lt.num_servers) {
    throw InternalError(
        fmt::format("add_exchange: hierarchical dispatch over {} servers with server tokens for {}",
                    layout.num_servers(), lt.num_servers));
  }
  ServerGpus on;
  std::map<uint32_t, std::vector<uint32_t>> servers_of_group;  // ascending server ids
  for (const uint32_t g : gpus) {
    const uint32_t group = layout.coord(g).ep_group, s = layout.server(g);
    std::vector<uint32_t>& list = on[{group, s}];
    if (list.empty()) servers_of_group[group].push_back(s);
    list.push_back(g);
  }
  for (auto& [group, list] : servers_of_group)
    std::sort(list.begin(), list.end());
  std::vector<ExchangeFlow> out;
  const auto flow = [&](uint32_t src, uint32_t dst, uint64_t tokens, bool entry, bool exit) {
    const uint32_t id = w.add_flow(src, dst, Bytes{tokens * bytes_per_token}, tag);
    out.push_back({id, src, dst, entry, exit});
    return id;
  };
  std::vector<uint32_t> inner;
  for (const uint32_t a : gpus) {
    const uint32_t group = layout.coord(a).ep_group, own = layout.server(a);
    const std::vector<uint32_t>& local = on[{group, own}];
    const auto position =
        static_cast<uint32_t>(std::find(local.begin(), local.end(), a) - local.begin());
    // Inside a's server: NVLink, direct, in shifted order.
    for (size_t k = 1; k < local.size(); ++k) {
      const uint32_t b = local[(position + k) % local.size()];
      const uint64_t t = lt.at(a, b);
      if (t == 0) continue;
      if (reverse) {
        flow(b, a, t, true, true);
      } else {
        flow(a, b, t, true, true);
      }
    }
    // Every other server once, in shifted order from a's own: one network flow to (or, in
    // combine, from) the relay, the GPU there of a's position in its server (its rail).
    const std::vector<uint32_t>& servers = servers_of_group[group];
    const auto own_at =
        static_cast<size_t>(std::find(servers.begin(), servers.end(), own) - servers.begin());
    for (size_t k = 1; k < servers.size(); ++k) {
      const uint32_t s = servers[(own_at + k) % servers.size()];
      const uint64_t crossing = lt.at_server(a, s);
      if (crossing == 0) continue;
      const std::vector<uint32_t>& there = on[{group, s}];
      const uint32_t relay = there[position % there.size()];
      const bool relay_holds = lt.at(a, relay) > 0;
      if (!reverse) {  // a -> relay, then NVLink relay -> h
        const uint32_t hop = flow(a, relay, crossing, true, relay_holds);
        for (const uint32_t h : there) {
          const uint64_t t = lt.at(a, h);
          if (h == relay || t == 0) continue;
          w.add_dependency(hop, flow(relay, h, t, false, true));
        }
        continue;
      }
      inner.clear();  // NVLink h -> relay, then relay -> a once all of them are in
      for (const uint32_t h : there) {
        const uint64_t t = lt.at(a, h);
        if (h != relay && t > 0) inner.push_back(flow(h, relay, t, true, false));
      }
      const uint32_t hop = flow(relay, a, crossing, relay_holds, true);
      for (const uint32_t f : inner)
        w.add_dependency(f, hop);
    }
  }
  return out;
}

}  // namespace

std::vector<ExchangeFlow> add_exchange(Workload& w, const LayerTraffic& lt,
                                       std::span<const uint32_t> gpus, uint64_t bytes_per_token,
                                       bool reverse, uint32_t tag, Dispatch mode,
                                       const ParallelLayout* layout) {
  if (mode == Dispatch::direct) return direct(w, lt, gpus, bytes_per_token, reverse, tag);
  if (layout == nullptr) throw InternalError("add_exchange: hierarchical dispatch without layout");
  return hierarchical(w, lt, gpus, *layout, bytes_per_token, reverse, tag);
}

}  // namespace moesim::workload
