#!/usr/bin/env bash
# Runs each fluid-model benchmark case in its own process (so peak memory is per case) and
# prints a table: GPUs, flows, transport, fluid run time, set-up time, process wall time and
# peak RSS. Usage: bash experiments/bench/run_fluid_bench.sh [build-dir]
set -euo pipefail
build="${1:-build}"
bench="$build/moesim_bench"
[[ -x "$bench" ]] || { echo "no $bench: build first (cmake --build $build)" >&2; exit 2; }
printf '%-6s %-9s %-9s %10s %9s %9s %12s %10s\n' GPUs flows transport "fluid(s)" "setup(s)" "wall(s)" "peak RSS MB" "CCT(us)"
for transport in ecmp ideal; do
  for gpus in 128 256 512 1024; do
    out="$(/usr/bin/time -f '%e %M' "$bench" --benchmark_filter="BM_FluidAllToAll/$transport/$gpus/" \
      --benchmark_format=csv 2>/tmp/moesim_bench_time.$$ | tail -n 1)"
    read -r wall rss_kb < <(tail -n 1 /tmp/moesim_bench_time.$$)
    # CSV: name,iterations,real_time,cpu_time,time_unit,...,cct_us,flows,peak_rss_MB,setup_s,solves
    IFS=, read -r _ _ real _ _ _ _ _ _ _ cct flows _ setup _ <<<"$out"
    printf '%-6s %-9.0f %-9s %10.2f %9.2f %9.2f %12.0f %10.1f\n' "$gpus" "$flows" "$transport" \
      "$real" "$setup" "$wall" "$((rss_kb / 1024))" "$cct"
  done
done
rm -f /tmp/moesim_bench_time.$$
