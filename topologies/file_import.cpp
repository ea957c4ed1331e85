// The edge-list CSV reader, the checks and assembly shared with the GraphML reader, and the
// file-opening entry points. See file_import.hpp for the formats.
#include "topologies/file_import.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/bom.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"
#include "topologies/file_import_detail.hpp"

namespace moesim::topo {
namespace detail {

VertexKind kind_from_name(std::string_view name, const FileImportParams& p) {
  const auto has = [&](const std::vector<std::string>& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string& pre) { return name.starts_with(pre); });
  };
  if (has(p.host_prefixes)) return VertexKind::Host;
  if (has(p.nvswitch_prefixes)) return VertexKind::NvSwitch;
  return VertexKind::Switch;
}

namespace {

LinkKind derive_kind(VertexKind a, VertexKind b) {
  if (a == VertexKind::NvSwitch || b == VertexKind::NvSwitch) return LinkKind::NvLink;
  if (a == VertexKind::Host || b == VertexKind::Host) return LinkKind::HostLink;
  return LinkKind::Fabric;
}

// Throws if some host cannot reach host 0 (through any vertices: a reachability check, not a
// routing one; the routing view itself never forwards through hosts).
void require_hosts_connected(std::string_view source, const std::vector<RawVertex>& vertices,
                             const std::vector<RawLink>& links) {
  std::vector<uint32_t> parent(vertices.size());
  std::iota(parent.begin(), parent.end(), 0u);
  const auto find = [&](uint32_t v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const RawLink& l : links)
    parent[find(l.a)] = find(l.b);
  std::optional<uint32_t> first;
  for (uint32_t v = 0; v < vertices.size(); ++v) {
    if (vertices[v].kind != VertexKind::Host) continue;
    if (!first) {
      first = v;
    } else if (find(v) != find(*first)) {
      throw InputError(fmt::format(
          "{}: host '{}' ({}) cannot reach host '{}' ({}): expected a connected topology", source,
          quote_excerpt(vertices[v].name), vertices[v].where, quote_excerpt(vertices[*first].name),
          vertices[*first].where));
    }
  }
}

}  // namespace

Topology assemble(std::string description, std::string_view source,
                  const std::vector<RawVertex>& vertices, const std::vector<RawLink>& links) {
  std::map<std::string_view, const RawVertex*> names;
  for (const RawVertex& v : vertices) {
    const auto [it, fresh] = names.emplace(v.name, &v);
    if (!fresh) {
      throw InputError(fmt::format("{}: name: value '{}': expected a name not already used by {}",
                                   v.where, quote_excerpt(v.name), it->second->where));
    }
  }
  if (std::none_of(vertices.begin(), vertices.end(),
                   [](const RawVertex& v) { return v.kind == VertexKind::Host; })) {
    throw InputError(fmt::format("{}: no hosts: expected at least one host vertex", source));
  }
  std::map<std::pair<uint32_t, uint32_t>, const RawLink*> seen;
  for (const RawLink& l : links) {
    if (l.a == l.b) {
      throw InputError(
          fmt::format("{}: value '{}': expected two different endpoints (no "
                      "self-loops)",
                      l.where, quote_excerpt(vertices[l.a].name)));
    }
    const auto [it, fresh] = seen.emplace(std::minmax(l.a, l.b), &l);
    if (!fresh) {
      throw InputError(fmt::format(
          "{}: link '{}'-'{}' repeats {}: expected each link once (give one link with the summed "
          "rate)",
          l.where, quote_excerpt(vertices[l.a].name), quote_excerpt(vertices[l.b].name),
          it->second->where));
    }
  }
  require_hosts_connected(source, vertices, links);

  Topology t(std::move(description));
  for (const RawVertex& v : vertices)
    t.add_vertex(v.kind, v.name, v.server);
  for (const RawLink& l : links) {
    const LinkKind kind = l.kind.value_or(derive_kind(vertices[l.a].kind, vertices[l.b].kind));
    t.add_link(l.a, l.b, kind, l.rate, l.latency, l.buffer);
  }
  return t;
}

}  // namespace detail

namespace {

std::string_view trim(std::string_view s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r'; };
  while (!s.empty() && !not_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && !not_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::ifstream open(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw InputError(
        fmt::format("{}: cannot open: expected a readable topology file", path.string()));
  }
  return in;
}

}  // namespace

Topology read_edge_list(std::istream& in, std::string_view source, const FileImportParams& p) {
  using detail::RawLink;
  using detail::RawVertex;
  std::vector<RawVertex> order;  // first appearance
  std::map<std::string, uint32_t, std::less<>> index;
  std::vector<RawLink> links;
  std::vector<std::string_view> header;
  std::string line;
  skip_bom(in);
  for (uint64_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const auto fields = split(text);
    const auto where = [&](std::string_view field) {
      return fmt::format("{}:{}:{}", source, line_no, field);
    };
    if (header.empty()) {
      static const std::vector<std::string_view> kShort{"u", "v", "rate", "latency"};
      static const std::vector<std::string_view> kLong{"u", "v", "rate", "latency", "buffer"};
      if (fields != kShort && fields != kLong) {
        throw InputError(fmt::format("{}:{}: header '{}': expected u,v,rate,latency[,buffer]",
                                     source, line_no, quote_excerpt(text)));
      }
      header = fields == kShort ? kShort : kLong;
      continue;
    }
    if (fields.size() != header.size()) {
      throw InputError(fmt::format("{}:{}: value '{}': expected {} fields ({}), got {}", source,
                                   line_no, quote_excerpt(text), header.size(),
                                   fmt::join(header, ","), fields.size()));
    }
    RawLink l;
    for (int end = 0; end < 2; ++end) {
      const std::string_view name = fields[end];
      const std::string_view field = end == 0 ? "u" : "v";
      if (name.empty()) {
        throw InputError(fmt::format("{}: value '': expected a vertex name", where(field)));
      }
      auto it = index.find(name);
      if (it == index.end()) {
        it = index.emplace(std::string(name), static_cast<uint32_t>(order.size())).first;
        order.push_back(
            RawVertex{std::string(name), detail::kind_from_name(name, p), -1, where(field)});
      }
      (end == 0 ? l.a : l.b) = it->second;
    }
    l.rate = parse_rate(fields[2], where("rate"));
    if (l.rate.bps == 0) {
      throw InputError(fmt::format("{}: value '{}': expected a rate > 0", where("rate"),
                                   quote_excerpt(fields[2])));
    }
    l.latency = parse_time(fields[3], where("latency"));
    l.buffer = header.size() == 5 ? parse_bytes(fields[4], where("buffer")) : p.buffer;
    if (l.buffer.count == 0) {
      throw InputError(fmt::format("{}: value '{}': expected a size > 0", where("buffer"),
                                   quote_excerpt(fields[4])));
    }
    l.where = fmt::format("{}:{}", source, line_no);
    links.push_back(std::move(l));
  }
  if (header.empty()) {
    throw InputError(fmt::format("{}: empty: expected a header u,v,rate,latency[,buffer]", source));
  }

  // Hosts first, then the rest, each in first-appearance order.
  std::vector<uint32_t> perm(order.size());
  std::iota(perm.begin(), perm.end(), 0u);
  std::stable_partition(perm.begin(), perm.end(),
                        [&](uint32_t v) { return order[v].kind == VertexKind::Host; });
  std::vector<uint32_t> new_id(order.size());
  std::vector<RawVertex> vertices;
  int32_t servers = 0;
  for (const uint32_t v : perm) {
    new_id[v] = static_cast<uint32_t>(vertices.size());
    vertices.push_back(order[v]);
    if (vertices.back().kind == VertexKind::NvSwitch) vertices.back().server = servers++;
  }
  for (RawLink& l : links) {
    l.a = new_id[l.a];
    l.b = new_id[l.b];
    // A host joined to an NVLink switch is in that switch's server.
    for (const auto& [h, s] : {std::pair{l.a, l.b}, std::pair{l.b, l.a}}) {
      if (vertices[h].kind == VertexKind::Host && vertices[s].kind == VertexKind::NvSwitch) {
        vertices[h].server = vertices[s].server;
      }
    }
  }
  const auto num_hosts = std::count_if(vertices.begin(), vertices.end(), [](const RawVertex& v) {
    return v.kind == VertexKind::Host;
  });
  return detail::assemble(fmt::format("edge list {}: {} vertices ({} hosts), {} links", source,
                                      vertices.size(), num_hosts, links.size()),
                          source, vertices, links);
}

Topology load_edge_list(const std::filesystem::path& path, const FileImportParams& p) {
  std::ifstream in = open(path);
  return read_edge_list(in, path.string(), p);
}

Topology load_graphml(const std::filesystem::path& path, const FileImportParams& p) {
  std::ifstream in = open(path);
  return read_graphml(in, path.string(), p);
}

Topology load_topology_file(const std::filesystem::path& path, const FileImportParams& p) {
  const std::string ext = path.extension().string();
  if (ext == ".csv") return load_edge_list(path, p);
  if (ext == ".graphml" || ext == ".xml") return load_graphml(path, p);
  throw InputError(
      fmt::format("{}: extension '{}': expected .csv (edge list) or .graphml", path.string(), ext));
}

}  // namespace moesim::topo
