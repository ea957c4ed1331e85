// Traffic matrices (bytes from host i to host j) as Eigen matrices, and the CSV reader used by
// all-to-allv: one line per source host, n comma-separated byte counts per line (plain
// integers, or text with a unit such as 4KiB), '#' starts a comment line; a UTF-8 byte-order
// mark at the start is skipped. The matrix must be square; the diagonal must be 0; the
// entries must sum to at most 2^64 - 1 bytes.
#pragma once

#include <cstdint>
#include <string>

#include <Eigen/Core>

namespace moesim::workload {

using TrafficMatrix = Eigen::Matrix<uint64_t, Eigen::Dynamic, Eigen::Dynamic>;

// Throws InputError naming file:line, the column and the bad value.
TrafficMatrix read_traffic_matrix(const std::string& path);

}  // namespace moesim::workload
