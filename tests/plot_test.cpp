// End-to-end tests of `moesim plot`: PNG and SVG files with the expected number of series
// (plot.py prints `series: N`) for each kind of figure, and bad columns rejected by name.
#include <catch2/catch.hpp>

#include "tests/sweep_util.hpp"

using namespace moesim::sweep_test;

namespace {

// The `series: N` line plot.py prints, or -1.
int series_drawn(const ScratchDir& dir) {
  const std::string out = slurp(dir.path / "stdout.txt");
  const size_t at = out.find("series: ");
  return at == std::string::npos ? -1 : std::stoi(out.substr(at + 8));
}

// Both files exist, the PNG starts with the PNG signature and the SVG is an SVG document.
void check_figures(const ScratchDir& dir, const std::string& prefix) {
  const std::string png = slurp(dir.path / (prefix + ".png"));
  const std::string svg = slurp(dir.path / (prefix + ".svg"));
  CHECK(png.size() > 1000);
  CHECK(png.rfind("\x89PNG", 0) == 0);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(!fs::exists(dir.path / (prefix + ".png.tmp")));
}

// 2 transports x 2 oversubscriptions x 3 seeds of the tiny fabric.
void small_sweep(const ScratchDir& dir) {
  REQUIRE(moesim_in(dir,
                    "sweep --set transport=ecmp,ideal --set oversubscription=1,2 --seeds 3 "
                    "--out sw " +
                        kTiny) == 0);
}

}  // namespace

TEST_CASE("cli::plot: a sweep draws one line per hue with error bars over seeds") {
  ScratchDir dir;
  small_sweep(dir);
  REQUIRE(moesim_in(dir,
                    "plot sw/results.csv --x oversubscription --y cct_us --hue transport "
                    "--out fig/cct") == 0);
  CHECK(series_drawn(dir) == 2);
  check_figures(dir, "fig/cct");
  // Axis label with the unit from the column name, and the error-bar note.
  const std::string svg = slurp(dir.path / "fig" / "cct.svg");
  CHECK(svg.find("95% CI over up to 3 seeds") != std::string::npos);
}

TEST_CASE("cli::plot: bars with one panel per column value") {
  ScratchDir dir;
  small_sweep(dir);
  // One bar group per panel: 2 panels (oversubscription 1 and 2), no hue.
  REQUIRE(moesim_in(dir,
                    "plot sw/results.csv --kind bar --x transport --y max_link_util "
                    "--col oversubscription --error std --out bars") == 0);
  CHECK(series_drawn(dir) == 2);
  check_figures(dir, "bars");
}

TEST_CASE("cli::plot: FCT CDF per run from flows.csv and a link heatmap from links.csv") {
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "run " + kTiny +
                             " --transport ecmp,ideal,split:2 --detail flows,links "
                             "--out r") == 0);
  REQUIRE(moesim_in(dir, "plot r/flows.csv --kind cdf --out fct") == 0);
  CHECK(series_drawn(dir) == 3);  // one curve per transport/model run
  check_figures(dir, "fct");
  REQUIRE(moesim_in(dir, "plot r/links.csv --kind heatmap --out links") == 0);
  CHECK(series_drawn(dir) == 1);  // one panel: runs x links
  check_figures(dir, "links");
  REQUIRE(moesim_in(dir, "plot r/links.csv --kind heatmap --x link --y run --col run --out l3") ==
          0);
  CHECK(series_drawn(dir) == 3);  // one panel per run
}

TEST_CASE("cli::plot: a traffic matrix CSV draws as a heatmap") {
  ScratchDir dir;
  std::ofstream(dir.path / "tm.csv") << "0,1MiB,2MiB\n4096,0,1KiB\n3,2,0\n";
  REQUIRE(moesim_in(dir, "plot tm.csv --kind heatmap --out tm") == 0);
  CHECK(series_drawn(dir) == 1);
  check_figures(dir, "tm");
}

TEST_CASE("cli::plot: a bad column exits 2 naming it and listing the columns") {
  ScratchDir dir;
  small_sweep(dir);
  CHECK(moesim_in(dir, "plot sw/results.csv --x oversubscription --y no_such_metric --out f") == 2);
  const std::string err = slurp(dir.path / "stderr.txt");
  CHECK(err.rfind("moesim: error: --y 'no_such_metric'", 0) == 0);
  CHECK(err.find("cct_us") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(!fs::exists(dir.path / "f.png"));
  CHECK(moesim_in(dir, "plot sw/results.csv --x oversubscription --y transport --out f") == 2);
  CHECK(moesim_in(dir, "plot sw/results.csv --kind pie --x a --y b") == 2);
  CHECK(moesim_in(dir, "plot missing.csv --x a --y b") == 2);
  // A missing interpreter is bad set-up, reported as such.
  CHECK(run_in(dir, fmt::format("MOESIM_PYTHON=/nonexistent/python3 '{}' plot sw/results.csv "
                                "--x oversubscription --y cct_us",
                                MOESIM_BINARY)) == 2);
  CHECK(slurp(dir.path / "stderr.txt").find("python3-matplotlib") != std::string::npos);
}

TEST_CASE("cli::plot: rows that differ in a column that is not plotted are refused, not averaged") {
  ScratchDir dir;
  // 2 transports x 2 network models x 2 seeds of the tiny fabric = 8 rows.
  REQUIRE(moesim_in(dir,
                    "sweep --set transport=ecmp,ideal --set model=fluid,analytic --seeds 2 "
                    "--out sw --leaves 2 --spines 2 --hosts-per-leaf 2 --size 64KiB") == 0);
  // x = transport: each point would hold a fluid and an analytic run. Refused by name.
  CHECK(moesim_in(dir, "plot sw/results.csv --x transport --y cct_us --out f") == 2);
  std::string err = slurp(dir.path / "stderr.txt");
  CHECK(err.rfind("moesim: error: ", 0) == 0);
  CHECK(err.find("model (fluid, analytic)") != std::string::npos);
  CHECK(err.find("--where") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(!fs::exists(dir.path / "f.png"));
  CHECK(!fs::exists(dir.path / "f.svg"));
  // Keeping one model: 2 points (ecmp, ideal) of 2 rows each, the seeds, averaged and said so.
  REQUIRE(moesim_in(dir,
                    "plot sw/results.csv --x transport --y cct_us --where model=fluid "
                    "--out f") == 0);
  std::string out = slurp(dir.path / "stdout.txt");
  CHECK(out.find("points: 2, rows per point: 2, averaged over seed (1, 2)") != std::string::npos);
  CHECK(series_drawn(dir) == 1);
  check_figures(dir, "f");
  // A panel per model instead: 2 models x 2 transports = 4 points.
  REQUIRE(moesim_in(dir, "plot sw/results.csv --x transport --y cct_us --col model --out g") == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("points: 4, rows per point: 2") != std::string::npos);
  CHECK(series_drawn(dir) == 2);
  // Two filters and one seed: a point is one row, nothing averaged.
  REQUIRE(moesim_in(dir,
                    "plot sw/results.csv --kind bar --x transport --y cct_us --where "
                    "model=fluid --where seed=1 --out h") == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("points: 2, rows per point: 1\n") != std::string::npos);
  // A value no row has, and a column that does not exist: named, with the choices.
  CHECK(moesim_in(dir,
                  "plot sw/results.csv --x transport --y cct_us --where model=packet "
                  "--out p") == 2);
  err = slurp(dir.path / "stderr.txt");
  CHECK(err.find("model = 'packet'") != std::string::npos);
  CHECK(err.find("expected one of fluid, analytic") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(moesim_in(dir,
                  "plot sw/results.csv --x transport --y cct_us --where colour=red "
                  "--out p") == 2);
  err = slurp(dir.path / "stderr.txt");
  CHECK(err.find("--where 'colour'") != std::string::npos);
  CHECK(err.find("transport") != std::string::npos);
  CHECK(!fs::exists(dir.path / "p.png"));
}
