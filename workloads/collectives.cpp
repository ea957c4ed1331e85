// Collective patterns as Workload DAGs. Every builder adds its nodes in a fixed order
// (documented per builder) so node ids, and hence results, depend only on the parameters.
#include "workloads/collectives.hpp"

#include <numeric>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

constexpr const char* kKinds =
    "all-to-all, all-to-allv, permutation, ring-allreduce, all-gather, reduce-scatter, incast";

void check_hosts(std::string_view kind, uint32_t n) {
  if (n < 2) throw InputError(fmt::format("{}: needs at least 2 hosts, got {}", kind, n));
}

void check_size(std::string_view kind, Bytes size) {
  if (size.count == 0) {
    throw InputError(fmt::format("--size: 0B: {} needs a positive size", kind));
  }
}

// `size` moved `times` times must fit a 64-bit byte count. Workload::add_flow checks the
// running total too; checking here first lets the message name --size.
void check_total(std::string_view kind, Bytes size, uint64_t times) {
  uint64_t total = 0;
  if (__builtin_mul_overflow(size.count, times, &total)) {
    throw InputError(fmt::format(
        "--size: {}B moved {} times by {} is more than 18446744073709551615 bytes (2^64 - 1) in "
        "total: expected a smaller --size",
        size.count, times, kind));
  }
}

// Ring collectives split the buffer into n chunks; a zero-byte chunk would be a flow of nothing.
void check_ring(std::string_view kind, uint32_t n, Bytes size) {
  check_hosts(kind, n);
  if (size.count < n) {
    throw InputError(fmt::format(
        "--size: {} is smaller than the {} hosts of the ring: expected at least one byte per chunk",
        size, n));
  }
}

// Chunk c of a buffer split n ways: size/n bytes, the first size%n chunks one byte more, so the
// n chunks add up to exactly `size`.
Bytes chunk_bytes(Bytes size, uint32_t n, uint32_t c) {
  return Bytes{size.count / n + (c < size.count % n ? 1 : 0)};
}

}  // namespace

std::vector<uint32_t> add_ring(Workload& w, std::span<const uint32_t> ranks, Bytes size,
                               uint32_t num_steps, std::span<const uint32_t> tag_of_step,
                               std::span<const std::vector<uint32_t>> after) {
  const auto n = static_cast<uint32_t>(ranks.size());
  std::vector<uint32_t> into(n);  // id of the previous step's flow into each rank
  std::vector<uint32_t> next_into(n);
  for (uint32_t s = 0; s < num_steps; ++s) {
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t dst = (i + 1) % n;
      const uint32_t chunk = (i + n - s % n) % n;
      const uint32_t id =
          w.add_flow(ranks[i], ranks[dst], chunk_bytes(size, n, chunk), tag_of_step[s]);
      if (s > 0) w.add_dependency(into[i], id);
      if (s == 0 && !after.empty()) {
        for (const uint32_t before : after[i])
          w.add_dependency(before, id);
      }
      next_into[dst] = id;
    }
    std::swap(into, next_into);
  }
  return into;
}

namespace {

// Appends `num_steps` ring steps to `w`. In step s host i sends chunk (i - s) mod n to i+1: the
// chunk it received in step s-1, so that flow depends on the one into host i. Node ids are
// step-major, host-minor. Continuing the same formula past n-1 steps gives the all-gather half
// of all-reduce: after reduce-scatter host i holds reduced chunk (i + 1) mod n and sends it on.
void add_ring_steps(Workload& w, uint32_t n, Bytes size, uint32_t num_steps,
                    const std::vector<uint32_t>& tag_of_step) {
  std::vector<uint32_t> hosts(n);
  for (uint32_t i = 0; i < n; ++i)
    hosts[i] = i;
  add_ring(w, hosts, size, num_steps, tag_of_step, {});
}

Workload ring(std::string_view kind, uint32_t n, Bytes size) {
  check_ring(kind, n, size);
  check_total(kind, size, n - 1);  // each of the n - 1 steps moves the whole buffer once
  Workload w(n);
  const uint32_t tag = w.add_tag(Tag{std::string(kind), "", -1, -1});
  add_ring_steps(w, n, size, n - 1, std::vector<uint32_t>(n - 1, tag));
  w.finalize();
  return w;
}

// all-to-allv on `num_hosts` hosts; the matrix covers hosts 0..rows-1. Source-major, and
// each source's flows in shifted order (see all_to_all).
Workload matrix_flows(const TrafficMatrix& tm, uint32_t num_hosts) {
  if (tm.rows() != tm.cols()) {
    throw InputError(fmt::format("all-to-allv: traffic matrix is {}x{}: expected a square matrix",
                                 tm.rows(), tm.cols()));
  }
  Workload w(num_hosts);
  const uint32_t tag = w.add_tag(Tag{"all-to-allv", "", -1, -1});
  const Eigen::Index n = tm.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index k = 1; k < n; ++k) {
      const Eigen::Index j = (i + k) % n;
      if (tm(i, j) == 0) continue;
      w.add_flow(static_cast<uint32_t>(i), static_cast<uint32_t>(j), Bytes{tm(i, j)}, tag);
    }
  }
  w.finalize();
  return w;
}

// Fisher–Yates from the identity, rejected until no host maps to itself: uniform over
// derangements, about e draws on average.
std::vector<uint32_t> random_derangement(uint32_t n, Rng& rng) {
  std::vector<uint32_t> perm(n);
  for (;;) {
    std::iota(perm.begin(), perm.end(), 0u);
    for (uint32_t i = n - 1; i > 0; --i) {
      std::swap(perm[i], perm[rng.below(uint64_t{i} + 1)]);
    }
    bool fixed_point = false;
    for (uint32_t i = 0; i < n; ++i)
      fixed_point = fixed_point || perm[i] == i;
    if (!fixed_point) return perm;
  }
}

}  // namespace

Workload all_to_all(uint32_t n, Bytes size) {
  check_hosts("all-to-all", n);
  check_size("all-to-all", size);
  check_total("all-to-all", size, uint64_t{n} * (n - 1));
  Workload w(n);
  const uint32_t tag = w.add_tag(Tag{"all-to-all", "", -1, -1});
  std::vector<uint32_t> hosts(n);
  std::iota(hosts.begin(), hosts.end(), 0u);
  add_all_to_all(w, hosts, Bytes{size.count * n}, tag);  // n slices of `size`; fits (above)
  w.finalize();
  return w;
}

std::vector<uint32_t> add_all_to_all(Workload& w, std::span<const uint32_t> ranks, Bytes buffer,
                                     uint32_t tag) {
  const auto n = static_cast<uint32_t>(ranks.size());
  std::vector<uint32_t> ids;
  ids.reserve(size_t{n} * (n - 1));
  // Shifted peer order, as pairwise-exchange all-to-all implementations do, so that a NIC
  // serving its flows round robin is not in step with every other NIC towards the same
  // destination (an incast wave).
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 1; k < n; ++k) {
      const uint32_t j = (i + k) % n;
      ids.push_back(w.add_flow(ranks[i], ranks[j], chunk_bytes(buffer, n, j), tag));
    }
  }
  return ids;
}

Workload all_to_allv(const TrafficMatrix& tm) {
  return matrix_flows(tm, static_cast<uint32_t>(tm.rows()));
}

Workload permutation(uint32_t n, Bytes size, Rng& rng) {
  check_hosts("permutation", n);  // one host has no derangement: the sampler would never stop
  check_size("permutation", size);
  check_total("permutation", size, n);
  const std::vector<uint32_t> perm = random_derangement(n, rng);
  Workload w(n);
  const uint32_t tag = w.add_tag(Tag{"permutation", "", -1, -1});
  for (uint32_t i = 0; i < n; ++i)
    w.add_flow(i, perm[i], size, tag);
  w.finalize();
  return w;
}

Workload ring_allreduce(uint32_t n, Bytes size) {
  check_ring("ring-allreduce", n, size);
  check_total("ring-allreduce", size, 2 * (uint64_t{n} - 1));
  Workload w(n);
  const uint32_t rs = w.add_tag(Tag{"ring-allreduce", "reduce-scatter", -1, -1});
  const uint32_t ag = w.add_tag(Tag{"ring-allreduce", "all-gather", -1, -1});
  std::vector<uint32_t> tag_of_step(n - 1, rs);
  tag_of_step.resize(2 * (n - 1), ag);
  add_ring_steps(w, n, size, 2 * (n - 1), tag_of_step);
  w.finalize();
  return w;
}

Workload all_gather(uint32_t n, Bytes size) {
  return ring("all-gather", n, size);
}

Workload reduce_scatter(uint32_t n, Bytes size) {
  return ring("reduce-scatter", n, size);
}

Workload incast(uint32_t n, Bytes size, uint32_t target) {
  check_hosts("incast", n);
  check_size("incast", size);
  check_total("incast", size, n - 1);
  if (target >= n) {
    throw InputError(
        fmt::format("--incast-target: {} is not a host: expected a host id below {}", target, n));
  }
  Workload w(n);
  const uint32_t tag = w.add_tag(Tag{"incast", "", -1, -1});
  for (uint32_t i = 0; i < n; ++i) {
    if (i != target) w.add_flow(i, target, size, tag);
  }
  w.finalize();
  return w;
}

double collective_flows(const CollectiveSpec& spec) {
  const double n = spec.num_hosts;
  if (spec.kind == "permutation") return n;
  if (spec.kind == "incast") return n > 0 ? n - 1 : 0;
  if (spec.kind == "ring-allreduce") return 2 * (n - 1) * n;  // 2(n-1) steps of n flows
  return n * (n > 0 ? n - 1 : 0);  // all-to-all(v), all-gather, reduce-scatter: (n-1) steps
}

Workload make_collective(const CollectiveSpec& spec) {
  const uint32_t n = spec.num_hosts;
  if (spec.kind == "all-to-all") return all_to_all(n, spec.size);
  if (spec.kind == "permutation") {
    Rng rng = make_stream(spec.seed, "workload");
    return permutation(n, spec.size, rng);
  }
  if (spec.kind == "ring-allreduce") return ring_allreduce(n, spec.size);
  if (spec.kind == "all-gather") return all_gather(n, spec.size);
  if (spec.kind == "reduce-scatter") return reduce_scatter(n, spec.size);
  if (spec.kind == "incast") return incast(n, spec.size, spec.incast_target);
  if (spec.kind == "all-to-allv") {
    check_hosts("all-to-allv", n);
    if (spec.matrix_file.empty()) {
      throw InputError("--matrix: all-to-allv needs a traffic matrix file");
    }
    const TrafficMatrix tm = read_traffic_matrix(spec.matrix_file);
    if (tm.rows() > n) {
      throw InputError(
          fmt::format("{}: {}x{} matrix is larger than the {} hosts: expected at "
                      "most {} rows",
                      spec.matrix_file, tm.rows(), tm.cols(), n, n));
    }
    Workload w = matrix_flows(tm, n);
    if (w.num_flows() == 0) {
      // Nothing to simulate: CCT 0 and a bound of 0 would read as results.
      throw InputError(fmt::format(
          "{}: the {}x{} matrix has no nonzero entry off its diagonal: expected at least one "
          "flow (row i, column j > 0 bytes from host i to host j)",
          spec.matrix_file, tm.rows(), tm.cols()));
    }
    return w;
  }
  throw InputError(
      fmt::format("--workload: '{}' is not a collective: expected one of {}", spec.kind, kKinds));
}

}  // namespace moesim::workload
