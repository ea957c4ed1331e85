// End-to-end tests of `moesim report DIR`: the page of a run directory (a figure per CSV file,
// no external resource, the same bytes twice), the page rendered by headless Chromium
// (every figure painted, no console message), a sweep directory, and bad directories.
#include <catch2/catch.hpp>

#include "tests/cli_util.hpp"

using namespace moesim::test;

namespace {

// 2 transports x 2 models on the 4-host leaf-spine, with links.csv and (packet model)
// timeseries.csv; no phases.csv, since the workload is a plain all-to-all.
void run_and_report(const TempDir& dir) {
  REQUIRE(run_moesim(dir,
                     "run --leaves 2 --spines 2 --hosts-per-leaf 2 --model fluid,packet "
                     "--transport ecmp,spray:random --detail links,timeseries --out r") == 0);
  REQUIRE(run_moesim(dir, "report r") == 0);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// The first <table> of the page: the CCT per transport and model.
std::string first_table(const std::string& page) {
  const size_t from = page.find("<table>");
  return page.substr(from, page.find("</table>", from) - from);
}

// What headless Chromium saw of `page`: its screenshot measured by kFrameCheck and the
// console messages it logged.
struct Rendered {
  int frames = -1;   // figure frames found in the screenshot
  int painted = -1;  // of those, the ones with a drawing inside
  size_t console_lines = 0;
  std::string log;
};

// Finds the figures in a screenshot by the colour of their frame (report.py's FRAME,
// #c8553d, which none of plot.py's colour maps produce): a row of pixels belongs to a frame
// when at least 6 of its pixels have that colour (the 3 px left and right borders), and each
// run of such rows is one frame. A frame is painted when it is over 100 px tall and over 2 %
// of the pixels inside it are not white: a rendered bar chart or heatmap covers far more, the
// one-line caption alone about 0.5 %, an SVG that failed to render nothing. This checks each
// figure where it sits, which "the screenshot is not blank" would not (the tables alone are
// not blank).
const char* const kFrameCheck = R"(
import sys
import matplotlib.image
import numpy as np
a = np.rint(matplotlib.image.imread(sys.argv[1])[:, :, :3] * 255).astype(int)
hit = (np.abs(a - np.array([0xc8, 0x55, 0x3d])) <= 3).all(axis=2)
rows = list(hit.sum(axis=1) >= 6) + [False]
bands, start = [], None
for y, on in enumerate(rows):
    if on and start is None:
        start = y
    elif not on and start is not None:
        bands.append((start, y))
        start = None
painted = 0
for y0, y1 in bands:
    xs = np.nonzero(hit[y0:y1].any(axis=0))[0]
    inner = a[y0 + 4:y1 - 4, xs.min() + 4:xs.max() - 3]
    ink = float((inner < 230).any(axis=2).mean()) if inner.size else 0.0
    print(f"frame rows {y0}-{y1}: ink {ink:.3f}")
    painted += (y1 - y0 > 100 and ink > 0.02)
print(f"frames: {len(bands)}")
print(f"painted: {painted}")
)";

int number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  return at == std::string::npos ? -1 : std::stoi(text.substr(at + key.size()));
}

// Loads `page` in headless Chromium (a fresh profile in `dir`), screenshots 1200 x 3000 px,
// and measures the screenshot.
Rendered render(const TempDir& dir, const fs::path& page) {
  REQUIRE(fs::exists(MOESIM_CHROMIUM));  // CI: quickstart.sh installs Debian's chromium
  const fs::path shot = dir.path / "shot.png";
  const std::string browse = fmt::format(
      "timeout 120 '{}' --headless --no-sandbox --disable-gpu --user-data-dir='{}' "
      "--screenshot='{}' --window-size=1200,3000 --enable-logging=stderr --v=0 'file://{}' "
      "> '{}' 2>&1",
      MOESIM_CHROMIUM, (dir.path / "profile").string(), shot.string(), fs::absolute(page).string(),
      (dir.path / "chromium.log").string());
  REQUIRE(std::system(browse.c_str()) == 0);
  REQUIRE(fs::exists(shot));
  std::ofstream(dir.path / "frames.py") << kFrameCheck;
  const std::string check = fmt::format("'{}' '{}' '{}' > '{}' 2>&1", MOESIM_PLOT_PYTHON,
                                        (dir.path / "frames.py").string(), shot.string(),
                                        (dir.path / "frames.txt").string());
  REQUIRE(std::system(check.c_str()) == 0);
  const std::string measured = slurp(dir.path / "frames.txt");
  UNSCOPED_INFO(measured);
  Rendered r;
  r.frames = number_after(measured, "frames: ");
  r.painted = number_after(measured, "painted: ");
  r.log = slurp(dir.path / "chromium.log");
  // Chromium logs every console message (and uncaught exception) as `...:CONSOLE(line)] ...`.
  for (const std::string& line : split(r.log, '\n'))
    r.console_lines +=
        line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos;
  return r;
}

}  // namespace

TEST_CASE("cli::report: a run directory gives one page, a figure per CSV, nothing external") {
  TempDir dir;
  run_and_report(dir);
  const fs::path page = dir.path / "r" / "report.html";
  REQUIRE(fs::exists(page));
  CHECK(!fs::exists(dir.path / "r" / "report.html.tmp"));
  const std::string html = slurp(page);
  // Figures: CCT (results.csv) + link utilisation (links.csv) + queue bytes over time
  // (timeseries.csv) = 3; no phases.csv, so no timeline.
  CHECK(count(html, "<svg") == 3);
  CHECK(count(html, "<figure") == 3);
  CHECK(slurp(dir.path / "stdout.txt").find("figures: 3") != std::string::npos);
  // Self-contained: no script, no stylesheet or image by reference, no URL to fetch.
  for (const char* external :
       {"<script", "<link", "<img", "src=", "@import", "href=\"http", "url(http", "url(//"}) {
    INFO(external);
    CHECK(html.find(external) == std::string::npos);
  }
  // The CCT table: a header and one row per transport, one column per model.
  const std::string cct = first_table(html);
  CHECK(count(cct, "<tr>") == 1 + 2);
  CHECK(cct.find("cct_us (fluid)") != std::string::npos);
  CHECK(cct.find("cct_us (packet)") != std::string::npos);
  CHECK(cct.find("spray:random") != std::string::npos);
  // Determinism: the same directory gives the same bytes.
  REQUIRE(run_moesim(dir, "report r") == 0);
  CHECK(slurp(page) == html);
}

TEST_CASE("cli::report: headless Chromium paints every figure and logs no console message") {
  TempDir dir;
  run_and_report(dir);
  const Rendered r = render(dir, dir.path / "r" / "report.html");
  CHECK(r.frames == 3);  // the 3 figures of the page above, all within the 3000 px
  CHECK(r.painted == 3);
  INFO(r.log);
  CHECK(r.console_lines == 0);
}

TEST_CASE("cli::report: the browser check sees an empty figure and a console error") {
  // The same frame as report.py's figures but nothing drawn inside, and a script error: the
  // measurements of the test above must be able to fail.
  TempDir dir;
  std::ofstream(dir.path / "bad.html")
      << "<!DOCTYPE html><html><body><figure style=\"border: 3px solid #c8553d; height: 300px\">"
         "</figure><script>console.error('boom'); undefined_function();</script></body></html>";
  const Rendered r = render(dir, dir.path / "bad.html");
  CHECK(r.frames == 1);
  CHECK(r.painted == 0);
  CHECK(r.console_lines == 2);  // console.error and the uncaught ReferenceError
}

TEST_CASE("cli::report: a sweep directory gives one CCT row per setting and transport") {
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "sweep --set transport=ecmp,ideal --set oversubscription=1,2 --seeds 2 "
                     "--leaves 2 --spines 2 --hosts-per-leaf 2 --model fluid --size 64KiB "
                     "--out sw") == 0);
  REQUIRE(run_moesim(dir, "report sw") == 0);
  const std::string html = slurp(dir.path / "sw" / "report.html");
  CHECK(count(html, "<svg") == 1);  // results.csv only: the CCT figure
  // 2 oversubscriptions x 2 transports, each the mean of its 2 seeds: a header and 4 rows.
  const std::string cct = first_table(html);
  CHECK(count(cct, "<tr>") == 1 + 4);
  CHECK(html.find("mean over seeds") != std::string::npos);
}

TEST_CASE("cli::report: a bad directory is one line naming it, exit 2, nothing written") {
  TempDir dir;
  auto check_refused = [&](const std::string& args, const std::string& named) {
    INFO(args);
    CHECK(run_moesim(dir, args) == 2);
    const std::string err = slurp(dir.path / "stderr.txt");
    CHECK(count(err, "\n") == 1);
    CHECK(err.find(named) != std::string::npos);
  };
  SECTION("no such directory") {
    check_refused("report nowhere", "'nowhere': no results.csv");
  }
  SECTION("no argument") {
    check_refused("report", "expected exactly one directory");
  }
  SECTION("a results.csv without cct_us") {
    fs::create_directories(dir.path / "d");
    std::ofstream(dir.path / "d" / "results.csv") << "transport,model,x\necmp,fluid,1\n";
    check_refused("report d", "no column 'cct_us'");
    CHECK(!fs::exists(dir.path / "d" / "report.html"));
  }
  SECTION("a links.csv without utilization") {
    REQUIRE(run_moesim(dir,
                       "run --leaves 2 --spines 2 --hosts-per-leaf 2 --model fluid --size 64KiB "
                       "--out d") == 0);
    std::ofstream(dir.path / "d" / "links.csv") << "run,link\necmp/fluid,0\n";
    check_refused("report d", "links.csv': no column 'utilization'");
    CHECK(!fs::exists(dir.path / "d" / "report.html"));
  }
}
