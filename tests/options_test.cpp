// The typed option table (experiments/options.hpp, sim/core/options.hpp): every option parses
// its default, values are typed once, errors name the flag or the config line they came from,
// and no option is guessed from a prefix.
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "experiments/ini_file.hpp"
#include "experiments/options.hpp"
#include "experiments/scenario.hpp"
#include "tests/cli_util.hpp"

using namespace moesim;
using Catch::Matchers::Contains;

namespace {

const std::vector<std::string> kRunGroups = {"topology", "workload", "simulation", "output"};

std::string write_file(const moesim::test::TempDir& dir, const std::string& name,
                       const std::string& text) {
  const std::string path = (dir.path / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("cli::options: names are unique and every default parses as declared") {
  std::set<std::string> names, groups;
  for (const OptionSpec& d : cli::option_specs()) {
    CHECK(names.insert(d.name).second);
    groups.insert(d.group);
  }
  // Parsing no arguments resolves every option of every group from its default.
  const cli::Settings s =
      cli::parse_settings({}, std::vector<std::string>(groups.begin(), groups.end()));
  CHECK(s.count("leaves") == 8);
  CHECK(s.rate("host-rate").bps == 400'000'000'000ULL);  // 400Gbps
  CHECK(s.bytes("size").count == 1u << 20);              // 1MiB
  CHECK(s.time("latency").ps == 1'000'000);              // 1us
  CHECK(s.is("fabric-rate", "auto"));                    // a keyword, not a rate
  CHECK(s.is("experts", "preset"));
  CHECK(s.list("transport") ==
        std::vector<std::string>{"ecmp", "split:4", "plan", "spray:random", "ideal"});
  CHECK(s.source("leaves") == "default");
}

TEST_CASE("cli::options: command-line values are typed and win over the config file") {
  moesim::test::TempDir dir;
  const std::string ini = write_file(dir, "exp.ini", "# a comment\nleaves = 4\nspines = 2\n");
  const cli::Settings s = cli::parse_settings({"--config", ini, "--spines", "3"}, kRunGroups);
  CHECK(s.count("leaves") == 4);
  CHECK(s.source("leaves") == ini + ":2");
  CHECK(s.where("leaves") == ini + ":2: leaves");
  CHECK(s.count("spines") == 3);
  CHECK(s.where("spines") == "--spines");
}

TEST_CASE("cli::options: bad values name their source") {
  moesim::test::TempDir dir;
  SECTION("a flag") {
    REQUIRE_THROWS_WITH(cli::parse_settings({"--leaves", "x"}, kRunGroups),
                        Contains("--leaves: 'x': expected a whole number from 0 to 1000000"));
  }
  SECTION("a config line, even where the command line overrides it") {
    const std::string ini = write_file(dir, "bad.ini", "spines = 2\nleaves = -3\n");
    REQUIRE_THROWS_WITH(cli::parse_settings({"--config", ini, "--leaves", "2"}, kRunGroups),
                        Contains(ini + ":2: leaves: '-3'"));
  }
  SECTION("a choice lists what is allowed") {
    REQUIRE_THROWS_WITH(cli::parse_settings({"--recovery", "retry"}, kRunGroups),
                        Contains("--recovery: 'retry': expected one of trim, drop"));
  }
  SECTION("a builder's complaint about a config value names the config line") {
    // leaves = 0 parses as a count; the leaf-spine builder refuses it as field `leaves`.
    const std::string ini = write_file(dir, "exp.ini", "spines = 2\nleaves = 0\n");
    const cli::Settings s = cli::parse_settings({"--config", ini}, kRunGroups);
    REQUIRE_THROWS_WITH(cli::build_topology(s),
                        Contains(ini + ":2: leaves: '0': expected an integer >= 1"));
  }
}

TEST_CASE("cli::options: no prefix guessing, unknown options suggest the closest name") {
  SECTION("an abbreviation") {
    REQUIRE_THROWS_WITH(cli::parse_settings({"--lea", "2"}, kRunGroups),
                        Contains("unknown option '--lea'") && Contains("did you mean --leaves?"));
  }
  SECTION("a typo") {
    REQUIRE_THROWS_WITH(cli::parse_settings({"--hosts-per-leef", "2"}, kRunGroups),
                        Contains("did you mean --hosts-per-leaf?"));
  }
  SECTION("nothing close") {
    REQUIRE_THROWS_WITH(cli::parse_settings({"--zzzzzzzz", "2"}, kRunGroups),
                        !Contains("did you mean"));
  }
  SECTION("an unknown key in a config file names its line") {
    moesim::test::TempDir dir;
    const std::string ini = write_file(dir, "exp.ini", "\nleavs = 2\n");
    REQUIRE_THROWS_WITH(
        cli::parse_settings({"--config", ini}, kRunGroups),
        Contains(ini + ":2: unknown option 'leavs'") && Contains("did you mean --leaves?"));
  }
}

TEST_CASE("cli::ini_file: one reader for --config and --grid") {
  moesim::test::TempDir dir;
  SECTION("a byte-order mark is skipped and blanks are trimmed") {
    const std::string ini = write_file(dir, "bom.ini", "\xEF\xBB\xBF leaves = 2 \n; note\n");
    const auto lines = cli::read_ini_file(ini, "--config", true);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].key == "leaves");
    CHECK(lines[0].value == "2");
    CHECK(lines[0].where == ini + ":1");
  }
  SECTION("a directory is refused") {
    REQUIRE_THROWS_WITH(cli::read_ini_file(dir.path.string(), "--grid", false),
                        Contains("--grid") && Contains("is a directory"));
  }
  SECTION("a repeated key names both lines") {
    const std::string ini = write_file(dir, "twice.ini", "leaves = 2\nleaves = 3\n");
    REQUIRE_THROWS_WITH(cli::read_ini_file(ini, "--config", true),
                        Contains(ini + ":2: key 'leaves' repeats line 1"));
    CHECK(cli::read_ini_file(ini, "--grid", false).size() == 2);  // a grid may repeat keys
  }
  SECTION("a line without '='") {
    const std::string ini = write_file(dir, "eq.ini", "leaves 2\n");
    REQUIRE_THROWS_WITH(cli::read_ini_file(ini, "--config", true),
                        Contains(ini + ":1: 'leaves 2': expected key = value"));
  }
}
