// The GraphML reader. Boost's read_graphml does the XML; every attribute it finds, whatever its
// declared type, is caught as text by a small dynamic_property_map (AttrSink), so this file
// alone decides which attributes are required and how their values are checked, and can name
// the node, edge, attribute and value in its errors.
#include <charconv>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/property_map/dynamic_property_map.hpp>

#include "sim/core/bom.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"
#include "topologies/file_import.hpp"
#include "topologies/file_import_detail.hpp"

namespace moesim::topo {
namespace {

using Attrs = std::map<std::string, std::string>;
struct Item {
  Attrs attrs;
};
using RawGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, Item, Item, Item>;
using RawVertexDesc = RawGraph::vertex_descriptor;
using RawEdgeDesc = RawGraph::edge_descriptor;

// The text of a value read_graphml produced (it converts to the key's declared type first).
std::string as_text(const boost::any& v) {
  if (const auto* s = boost::any_cast<std::string>(&v)) return *s;
  if (const auto* b = boost::any_cast<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = boost::any_cast<int>(&v)) return fmt::format("{}", *i);
  if (const auto* l = boost::any_cast<long>(&v)) return fmt::format("{}", *l);
  if (const auto* f = boost::any_cast<float>(&v)) return fmt::format("{}", *f);
  if (const auto* d = boost::any_cast<double>(&v)) return fmt::format("{}", *d);
  throw InternalError("graphml: attribute of an unexpected type");
}

// Stores attribute `name` of vertices, edges or the graph (per Key) as text in the item.
template <class Key>
class AttrSink : public boost::dynamic_property_map {
 public:
  AttrSink(RawGraph& g, std::string name) : g_(g), name_(std::move(name)) {}
  void put(const boost::any& key, const boost::any& value) override {
    item(boost::any_cast<Key>(key)).attrs[name_] = as_text(value);
  }
  boost::any get(const boost::any& key) override { return get_string(key); }
  std::string get_string(const boost::any& key) override {
    const Attrs& a = item(boost::any_cast<Key>(key)).attrs;
    const auto it = a.find(name_);
    return it == a.end() ? std::string() : it->second;
  }
  const std::type_info& key() const override { return typeid(Key); }
  const std::type_info& value() const override { return typeid(std::string); }

 private:
  Item& item(RawVertexDesc v) { return g_[v]; }
  Item& item(RawEdgeDesc e) { return g_[e]; }
  Item& item(RawGraph*) { return g_[boost::graph_bundle]; }
  RawGraph& g_;
  std::string name_;
};

boost::shared_ptr<boost::dynamic_property_map> make_sink(RawGraph& g, const std::string& name,
                                                         const boost::any& key) {
  if (key.type() == typeid(RawVertexDesc))
    return boost::make_shared<AttrSink<RawVertexDesc>>(g, name);
  if (key.type() == typeid(RawEdgeDesc)) return boost::make_shared<AttrSink<RawEdgeDesc>>(g, name);
  return boost::make_shared<AttrSink<RawGraph*>>(g, name);
}

const std::string* find(const Attrs& a, const std::string& name) {
  const auto it = a.find(name);
  return it == a.end() ? nullptr : &it->second;
}

template <class Int>
Int parse_int(const std::string& text, const std::string& where, std::string_view expected) {
  Int v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw InputError(
        fmt::format("{}: value '{}': expected {}", where, quote_excerpt(text), expected));
  }
  return v;
}

VertexKind parse_vertex_kind(const std::string& text, const std::string& where) {
  for (const VertexKind k : {VertexKind::Host, VertexKind::Leaf, VertexKind::Spine,
                             VertexKind::NvSwitch, VertexKind::Core, VertexKind::Switch}) {
    if (text == to_string(k)) return k;
  }
  throw InputError(
      fmt::format("{}: value '{}': expected host, leaf, spine, nvswitch, core or switch", where,
                  quote_excerpt(text)));
}

LinkKind parse_link_kind(const std::string& text, const std::string& where) {
  for (const LinkKind k : {LinkKind::HostLink, LinkKind::Fabric, LinkKind::NvLink}) {
    if (text == to_string(k)) return k;
  }
  throw InputError(
      fmt::format("{}: value '{}': expected host, fabric or nvlink", where, quote_excerpt(text)));
}

detail::RawVertex to_vertex(const Attrs& a, uint32_t index, uint32_t hosts_so_far,
                            std::string_view source, const FileImportParams& p) {
  detail::RawVertex v;
  const auto name = find(a, "name");
  v.name = name ? *name : fmt::format("v{}", index);
  v.where = fmt::format("{}: node {} ('{}')", source, index, quote_excerpt(v.name));
  const auto kind = find(a, "kind");
  v.kind = kind ? parse_vertex_kind(*kind, v.where + ": kind") : detail::kind_from_name(v.name, p);
  if (const auto server = find(a, "server")) {
    v.server = parse_int<int32_t>(*server, v.where + ": server", "an integer");
  }
  // Host numbers follow node order; a file that numbers them otherwise cannot be kept as is.
  if (const auto host = find(a, "host"); host && v.kind == VertexKind::Host) {
    if (parse_int<int64_t>(*host, v.where + ": host", "an integer") != hosts_so_far) {
      throw InputError(fmt::format(
          "{}: host: value '{}': expected hosts numbered 0, 1, ... in node order (this is host "
          "{})",
          v.where, quote_excerpt(*host), hosts_so_far));
    }
  }
  return v;
}

// A rate, time or size given either as an integer in base units (`int_key`) or as text with a
// unit (`text_key`).
template <class Parse>
auto quantity(const Attrs& a, const std::string& where, const std::string& int_key,
              const std::string& text_key, Parse parse_text, std::string_view expected)
    -> std::optional<decltype(parse_text(std::string_view(), std::string_view()))> {
  using T = decltype(parse_text(std::string_view(), std::string_view()));
  if (const auto v = find(a, int_key)) {
    const std::string at = where + ": " + int_key;
    const auto n = parse_int<int64_t>(*v, at, expected);
    if (n < 0) {
      throw InputError(fmt::format("{}: value '{}': expected {}", at, quote_excerpt(*v), expected));
    }
    if constexpr (std::is_same_v<T, TimePs>) {
      // The same bound as a time with a unit (parse_time), so latencies add up safely.
      if (n > kMaxInputTime.ps) {
        throw InputError(fmt::format("{}: value '{}': expected {} of at most {} (10^6 s)", at, *v,
                                     expected, kMaxInputTime.ps));
      }
      return TimePs{n};
    } else if constexpr (std::is_same_v<T, Bytes>) {
      return Bytes{static_cast<uint64_t>(n)};
    } else {
      return BitsPerSec{static_cast<uint64_t>(n)};
    }
  }
  if (const auto v = find(a, text_key)) return parse_text(*v, where + ": " + text_key);
  return std::nullopt;
}

}  // namespace

Topology read_graphml(std::istream& in, std::string_view source, const FileImportParams& p) {
  RawGraph g;
  boost::dynamic_properties dp([&g](const std::string& name, const boost::any& key,
                                    const boost::any&) { return make_sink(g, name, key); });
  skip_bom(in);
  try {
    boost::read_graphml(in, g, dp);
  } catch (const std::exception& e) {
    // Boost's message can quote the file's text.
    throw InputError(fmt::format("{}: value '{}': expected an undirected GraphML graph", source,
                                 quote_excerpt(e.what(), 200)));
  }

  std::vector<detail::RawVertex> vertices;
  uint32_t hosts = 0;
  for (uint32_t v = 0; v < boost::num_vertices(g); ++v) {
    vertices.push_back(to_vertex(g[v].attrs, v, hosts, source, p));
    hosts += vertices.back().kind == VertexKind::Host;
  }
  std::vector<detail::RawLink> links;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    const Attrs& a = g[*it].attrs;
    detail::RawLink l;
    l.a = static_cast<uint32_t>(boost::source(*it, g));
    l.b = static_cast<uint32_t>(boost::target(*it, g));
    l.where = fmt::format("{}: edge {} ('{}'-'{}')", source, links.size(),
                          quote_excerpt(vertices[l.a].name), quote_excerpt(vertices[l.b].name));
    const auto rate = quantity(
        a, l.where, "rate_bps", "rate", [](auto t, auto w) { return parse_rate(t, w); },
        "an integer rate in bit/s > 0");
    if (!rate) {
      throw InputError(fmt::format(
          "{}: rate_bps: missing: expected an attribute rate_bps (bit/s) or rate (with a unit)",
          l.where));
    }
    if (rate->bps == 0) {
      throw InputError(fmt::format("{}: rate: value '0bps': expected a rate > 0", l.where));
    }
    l.rate = *rate;
    const auto latency = quantity(
        a, l.where, "latency_ps", "latency", [](auto t, auto w) { return parse_time(t, w); },
        "an integer latency in ps >= 0");
    if (!latency) {
      throw InputError(fmt::format(
          "{}: latency_ps: missing: expected an attribute latency_ps (ps) or latency (with a "
          "unit)",
          l.where));
    }
    l.latency = *latency;
    l.buffer = quantity(
                   a, l.where, "buffer_bytes", "buffer",
                   [](auto t, auto w) { return parse_bytes(t, w); }, "an integer size in bytes > 0")
                   .value_or(p.buffer);
    if (l.buffer.count == 0) {
      throw InputError(fmt::format("{}: buffer: value '0B': expected a size > 0", l.where));
    }
    if (const auto kind = find(a, "kind")) l.kind = parse_link_kind(*kind, l.where + ": kind");
    links.push_back(std::move(l));
  }
  const auto description = find(g[boost::graph_bundle].attrs, "description");
  return detail::assemble(description ? *description
                                      : fmt::format("graphml {}: {} vertices ({} hosts), {} links",
                                                    source, vertices.size(), hosts, links.size()),
                          source, vertices, links);
}

}  // namespace moesim::topo
