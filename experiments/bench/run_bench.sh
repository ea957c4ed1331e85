#!/usr/bin/env bash
# Runs every moesim_bench case matching a regex in its own process, so peak memory is per case,
# and prints Google Benchmark's CSV line for it followed by the process wall time and peak RSS.
# Usage: bash experiments/bench/run_bench.sh [build-dir] [regex]
#   fluid model: bash experiments/bench/run_bench.sh build BM_FluidAllToAll
#   packet model: bash experiments/bench/run_bench.sh build BM_Packet
set -euo pipefail
build="${1:-build}"
filter="${2:-.}"
bench="$build/moesim_bench"
[[ -x "$bench" ]] || { echo "no $bench: build first (cmake --build $build)" >&2; exit 2; }
timing="$(mktemp)"
trap 'rm -f "$timing"' EXIT
last_header=""
for name in $("$bench" --benchmark_list_tests --benchmark_filter="$filter"); do
  csv="$(/usr/bin/time -f '%e %M' -o "$timing" "$bench" --benchmark_filter="^${name}\$" \
    --benchmark_format=csv 2>/dev/null)"
  read -r wall rss_kb <"$timing"
  # Cases differ in their counters, so the header is printed again whenever its columns change.
  header="$(grep '^name,' <<<"$csv"),process_wall_s,process_peak_rss_MB"
  if [[ $header != "$last_header" ]]; then
    echo "$header"
    last_header="$header"
  fi
  echo "$(grep -v '^name,' <<<"$csv" | tail -n 1),$wall,$((rss_kb / 1024))"
done
