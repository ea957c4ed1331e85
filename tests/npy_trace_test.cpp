// Tests for NumPy routed-expert arrays as traces (trace_npy.cpp, npy_format.cpp). The arrays are
// written by numpy itself (Debian's python3-numpy, through the interpreter CMake found for the
// plots), together with the equivalent JSONL written by the same script, so the reader is
// checked against an independent writer of both forms: a wrong axis order, element size, dtype
// or header parse gives another trace than the JSONL's.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "tests/cli_util.hpp"
#include "tests/trace_fixtures.hpp"
#include "workloads/trace.hpp"
#include "workloads/trace_io.hpp"

namespace {

namespace wl = moesim::workload;
using moesim::test::TraceTempDir;

// Runs a python script (numpy imported as np) in `dir`; requires success.
void python(const TraceTempDir& dir, const std::string& body) {
  const std::string script = dir.write("make.py", "import json\nimport numpy as np\n" + body);
  const std::string cmd =
      fmt::format("cd '{}' && '{}' '{}' 2> py.err", dir.path(""), MOESIM_PLOT_PYTHON, script);
  INFO(moesim::test::read_text(dir.path("py.err")));
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// A [3 layers, 50 tokens, top-2] array of distinct expert ids in 0..7 from a seeded numpy
// generator, with softmax-like weights; `ids` and `w` in the script, plus their JSONL twin
// (one line per (layer, token), layers in order) in ref.jsonl.
const char* kMakeIds = R"(
rng = np.random.default_rng(7)
L, T, K, E = 3, 50, 2, 8
ids = np.stack([np.stack([rng.choice(E, K, replace=False) for _ in range(T)]) for _ in range(L)])
w = rng.random((L, T, K)).astype(np.float32)
with open('ref.jsonl', 'w') as f:
    for l in range(L):
        for t in range(T):
            f.write(json.dumps({'iteration': 0, 'layer': l, 'experts': [int(e) for e in ids[l, t]],
                                'gating_probs': [float(x) for x in w[l, t]], 'token_idx': t}) + '\n')
)";

std::map<uint32_t, std::vector<uint64_t>> layer_counts(const wl::Trace& t) {
  std::map<uint32_t, std::vector<uint64_t>> out;
  for (const wl::Batch& b : t.batches) {
    auto& c = out[b.layer];
    c.resize(t.shape.num_experts);
    for (const wl::ExpertId e : b.experts)
      ++c[e];
  }
  return out;
}

wl::Trace read(const std::string& path, uint32_t experts = 8,
               wl::NpyLayout layout = wl::NpyLayout::layers_tokens_k) {
  wl::TraceReadOptions o{experts, 0};
  o.npy_layout = layout;
  return wl::read_trace(path, o);
}

// The message of the InputError reading `path` throws.
std::string error_of(const std::string& path, uint32_t experts = 8) {
  try {
    read(path, experts);
  } catch (const moesim::InputError& e) {
    return e.what();
  }
  FAIL("no InputError for " << path);
  return {};
}

}  // namespace

TEST_CASE("npy trace: numpy.save of [layers, tokens, k] reads as the equivalent JSONL") {
  TraceTempDir dir;
  // int64 (numpy's default integer), int16 and uint8 ids: the element size and signedness
  // are taken from the header, so all three give the JSONL's experts.
  python(dir, std::string(kMakeIds) +
                  "np.save('i8.npy', ids)\n"
                  "np.save('i2.npy', ids.astype(np.int16))\n"
                  "np.save('u1.npy', ids.astype(np.uint8))\n");
  wl::Trace ref = read(dir.path("ref.jsonl"));
  REQUIRE(ref.batches.size() == 3);
  // A .npy holds no weights: compare with the JSONL's experts and token ids alone.
  ref.shape.has_weights = false;
  for (wl::Batch& b : ref.batches)
    b.weights.clear();
  for (const char* name : {"i8.npy", "i2.npy", "u1.npy"}) {
    INFO(name);
    const wl::Trace t = read(dir.path(name));
    CHECK(t == ref);
    CHECK(layer_counts(t) == layer_counts(ref));
  }
  // 3 x 50 x 2 slots over 8 experts: every layer's counts sum to 100.
  for (const auto& [layer, c] : layer_counts(ref)) {
    uint64_t sum = 0;
    for (const uint64_t n : c)
      sum += n;
    CHECK(sum == 100);
  }
}

TEST_CASE("npy trace: [tokens, layers, k] with --trace-layout tokens-layers-k") {
  TraceTempDir dir;
  python(dir, std::string(kMakeIds) +
                  "np.save('tlk.npy', np.ascontiguousarray(ids.transpose(1, 0, 2)))\n");
  wl::Trace ref = read(dir.path("ref.jsonl"));
  ref.shape.has_weights = false;
  for (wl::Batch& b : ref.batches)
    b.weights.clear();
  CHECK(read(dir.path("tlk.npy"), 8, wl::NpyLayout::tokens_layers_k) == ref);
  // Read in the default layout the same file is 50 layers of 3 tokens: another trace.
  CHECK(read(dir.path("tlk.npy")).batches.size() == 50);
}

TEST_CASE("npy trace: .npz with weights, stored and deflated, reads as the JSONL with weights") {
  TraceTempDir dir;
  python(dir, std::string(kMakeIds) +
                  "np.savez('s.npz', topk_ids=ids.astype(np.int32), topk_weights=w)\n"
                  "np.savez_compressed('c.npz', ids=ids, weights=w.astype(np.float64))\n");
  const wl::Trace ref = read(dir.path("ref.jsonl"));
  REQUIRE(ref.shape.has_weights);
  CHECK(read(dir.path("s.npz")) == ref);
  // float64 weights of float32 values convert back exactly.
  CHECK(read(dir.path("c.npz")) == ref);
}

TEST_CASE("npy trace: trace convert writes .npz and .npy that numpy loads back as written") {
  TraceTempDir dir;
  python(dir, kMakeIds);
  const wl::Trace ref = read(dir.path("ref.jsonl"));
  wl::write_trace(dir.path("out.npz"), ref);
  CHECK(read(dir.path("out.npz")) == ref);  // our reader: a round trip
  // numpy: the arrays hold what the JSONL says, in [layers, tokens, k], as int32 / float32.
  python(dir, std::string(kMakeIds) +
                  "z = np.load('out.npz')\n"
                  "assert sorted(z.files) == ['experts', 'weights'], z.files\n"
                  "assert z['experts'].dtype == np.int32 and z['weights'].dtype == np.float32\n"
                  "assert (z['experts'] == ids).all() and (z['weights'] == w).all()\n");
  // A .npy has no room for weights: refused, and nothing left behind.
  CHECK_THROWS_AS(wl::write_trace(dir.path("out.npy"), ref), moesim::InputError);
  CHECK_FALSE(std::filesystem::exists(dir.path("out.npy")));
  CHECK_FALSE(std::filesystem::exists(dir.path("out.npy.tmp")));
  wl::Trace ids_only = ref;
  ids_only.shape.has_weights = false;
  for (wl::Batch& b : ids_only.batches)
    b.weights.clear();
  wl::write_trace(dir.path("ids.npy"), ids_only);
  python(dir, std::string(kMakeIds) + "assert (np.load('ids.npy') == ids).all()\n");
  // Several iterations do not fit one array: the hand trace (2 iterations) is refused.
  CHECK_THROWS_AS(wl::write_trace(dir.path("two.npz"), moesim::test::hand_trace()),
                  moesim::InputError);
}

TEST_CASE("npy trace: wrong dtype, shape, ids or layout are one-line errors naming the file") {
  TraceTempDir dir;
  python(dir,
         "a = np.array([[[0, 1], [2, 3]]])\n"  // 1 layer, 2 tokens, top-2
         "np.save('float.npy', a.astype(np.float32))\n"
         "np.save('big.npy', a.astype('>i8'))\n"
         "np.save('flat.npy', a[0])\n"
         "np.save('range.npy', a + 6)\n"  // ids 6..9 with 8 experts
         "np.save('neg.npy', a - 1)\n"
         "np.save('fortran.npy', np.asfortranarray(np.zeros((2, 3, 2), dtype=np.int32)))\n"
         "np.save('obj.npy', np.array([[[0, 1]]], dtype=object), allow_pickle=True)\n"
         "open('short.npy', 'wb').write(open('range.npy', 'rb').read()[:-3])\n"
         "np.savez('two.npz', a=a, b=a)\n"
         // float64 weights beyond float32's range (1e39 > 3.4e38) would become inf in memory.
         "np.savez('huge.npz', ids=a, weights=np.array([[[0.5, 1e39], [0.5, 0.5]]]))\n"
         "np.savez('nan.npz', ids=a, weights=np.array([[[0.5, 0.5], [np.nan, 0.5]]]))\n"
         // A member that is no .npy: its reader throws while opening it (which once leaked
         // the open member: ASan's leak check in CI is what fails then).
         "import zipfile\n"
         "zipfile.ZipFile('junk.npz', 'w').writestr('a.npy', b'not an npy file')\n");
  const auto has = [&](const std::string& name, const std::string& what) {
    const std::string msg = error_of(dir.path(name));
    INFO(msg);
    CHECK(msg.find(name) != std::string::npos);
    CHECK(msg.find(what) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  };
  has("float.npy", "dtype <f4: expected integer expert ids");
  has("big.npy", ">i8");
  has("flat.npy", "shape (2, 2): expected 3 dimensions [layers, tokens, k]");
  // Element [0, 1, 0] is 2 + 6 = 8, the first id past 0..7 (row-major order).
  has("range.npy", "[0, 1, 0]: expert 8: expected an expert id in 0..7");
  has("neg.npy", "[0, 0, 0]: expert -1");
  has("fortran.npy", "fortran");
  has("obj.npy", "|O");
  has("short.npy", "short.npy");
  has("two.npz", "integer arrays [a, b]");
  has("huge.npz", "huge.npz:weights: [0, 0, 1]: weight 1e+39: expected a finite gate weight >= 0");
  has("nan.npz", "nan.npz:weights: [0, 1, 0]: weight nan");
  has("junk.npz", "junk.npz:a");
}

TEST_CASE("npy trace: moesim run replays an array, and refuses a bad one with exit 2") {
  moesim::test::TempDir dir;
  TraceTempDir py;
  python(py, std::string(kMakeIds) +
                 "np.save('ids.npy', ids)\n"
                 "np.save('bad.npy', np.array([[[0, 9]]]))\n");
  const std::string args =
      "run --workload moe --experts 8 --top-k 2 --leaves 1 --spines 1 --hosts-per-leaf 8 "
      "--model analytic --transport ecmp --detail layers";
  REQUIRE(moesim::test::run_moesim(
              dir, fmt::format("{} --trace '{}' --out good", args, py.path("ids.npy"))) == 0);
  // 3 layers of 50 tokens, top-2.
  const std::string csv = moesim::test::slurp(dir.path / "good" / "layers.csv");
  CHECK(moesim::test::column_sum(csv, "tokens") == 3 * 50);
  CHECK(moesim::test::column_sum(csv, "slots") == 3 * 100);

  const int rc = moesim::test::run_moesim(
      dir, fmt::format("{} --trace '{}' --out out", args, py.path("bad.npy")));
  const std::string err = moesim::test::slurp(dir.path / "stderr.txt");
  INFO(err);
  CHECK(rc == 2);
  CHECK(err.find("bad.npy: [0, 0, 1]: expert 9") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path / "out"));
}
