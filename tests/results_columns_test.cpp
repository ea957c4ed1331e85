// The metric columns of results.csv are declared once (analysis/csv.cpp): the header, every row
// and the README's table come from that one table.
#include <sstream>

#include <catch2/catch.hpp>

#include "analysis/csv.hpp"
#include "tests/cli_util.hpp"

namespace analysis = moesim::analysis;

TEST_CASE("analysis::results: header and row have one field per declared column") {
  const analysis::Params params = {{"model", "fluid"}, {"transport", "ecmp"}};
  analysis::Summary s;
  s.cct_us = 1.5;  // a double column prints with 6 decimals: 1.500000
  s.flows = 42;    // a count column prints as an integer
  s.nvlink_bytes = 7;
  std::ostringstream header, row;
  analysis::write_results_header(header, params);
  analysis::write_results_row(row, params, s);
  const auto names = moesim::test::split(header.str().substr(0, header.str().size() - 1), ',');
  const auto values = moesim::test::split(row.str().substr(0, row.str().size() - 1), ',');
  // 2 parameters + the metrics, in table order.
  REQUIRE(names.size() == 2 + analysis::summary_column_table().size());
  REQUIRE(values.size() == names.size());
  CHECK(names[2] == "cct_us");
  CHECK(values[2] == "1.500000");
  CHECK(values[moesim::test::column(header.str(), "flows")] == "42");
  CHECK(values.back() == "7");
  CHECK(names.back() == "nvlink_bytes");
}

TEST_CASE("analysis::results: the README's table lists every column, as declared") {
  const std::string readme = moesim::test::slurp(MOESIM_SOURCE_DIR "/README.md");
  const std::string table = analysis::summary_columns_markdown();
  INFO("expected in README.md (Output files):\n" << table);
  CHECK(readme.find(table) != std::string::npos);
  for (const std::string& c : analysis::summary_columns())
    CHECK(readme.find("| `" + c + "` |") != std::string::npos);
}
