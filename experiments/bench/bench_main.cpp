// The entry point of moesim_bench (fluid_bench.cpp, packet_bench.cpp).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
