// Tiers of Clos fabrics and the valley test (tiers.hpp).
#include "topologies/tiers.hpp"

namespace moesim::topo {

std::optional<uint32_t> tier(VertexKind k) {
  switch (k) {
    case VertexKind::Host:
    case VertexKind::NvSwitch:
      return 0;
    case VertexKind::Leaf:
      return 1;
    case VertexKind::Spine:
      return 2;
    case VertexKind::Core:
      return 3;
    case VertexKind::Switch:
      break;
  }
  return std::nullopt;
}

bool has_up_down_tiers(const Topology& t) {
  const Graph& g = t.graph();
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    if (!tier(g[v].kind)) return false;
  }
  for (const DirLink& l : t.links()) {
    if (l.kind != LinkKind::NvLink && tier(g[l.from].kind) == tier(g[l.to].kind)) return false;
  }
  return true;
}

bool is_up_down(const Topology& t, std::span<const uint32_t> links) {
  const Graph& g = t.graph();
  bool descended = false;
  for (const uint32_t id : links) {
    const auto from = tier(g[t.link(id).from].kind), to = tier(g[t.link(id).to].kind);
    if (!from || !to) return true;
    if (*to < *from) descended = true;
    if (*to > *from && descended) return false;
  }
  return true;
}

}  // namespace moesim::topo
