// Runs one SimGrid simulation in a forked child process and ships its node times back over a
// pipe. SimGrid 3.32 allows one Engine per process and keeps global state after it (a second
// Engine silently inherits the first one's clock; reference/toolchain.md §3 P5), and a fork
// copies that state too. So the calling process never creates an Engine itself: every run
// gets a fresh child, and any number of runs (a sweep, a validation suite, a test with two
// runs) can follow each other in one process.
#pragma once

#include <functional>

#include "sim/simgrid/dag_driver.hpp"

namespace moesim::sim::simgrid {

// Calls `body` in a child process and returns its result. An InputError or other exception
// thrown in the child is rethrown here with its message (InputError as InputError, anything
// else as InternalError); a child that dies without a result is an InternalError naming the
// signal or exit code.
DagTimes run_in_child(const std::function<DagTimes()>& body);

}  // namespace moesim::sim::simgrid
