#!/usr/bin/env bash
# Runs every libFuzzer harness (or the ones named) for a fixed time on its seed corpus.
#
#   bash tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [HARNESS...]
#
# BUILD_DIR was configured with -DMOESIM_FUZZ=ON and built with --target fuzzers. Seeds are read
# from tests/fuzz/corpus/<harness>/ (never written); new inputs go to BUILD_DIR/fuzz/corpus/
# <harness>/, crashes to BUILD_DIR/fuzz/artifacts/<harness>/, logs to BUILD_DIR/fuzz/<harness>.log.
# FUZZ_PARALLEL harnesses run at once (default 2). Prints one line per harness (executions,
# exec/s, crashes) and exits 1 if any harness found a crash, a leak, a timeout or UB.
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 BUILD_DIR SECONDS [HARNESS...]" >&2; exit 2; }
build="$(cd "$1" && pwd)"
seconds="$2"
shift 2
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if (($# > 0)); then
  harnesses=("$@")
else
  mapfile -t harnesses < <(cd "$src/corpus" && ls)
fi
parallel="${FUZZ_PARALLEL:-2}"
out="$build/fuzz"
mkdir -p "$out"
# UB is already fatal (-fno-sanitize-recover=undefined); print its stack too.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

run_one() {
  local h="$1" bin="$build/tests/fuzz/fuzz_$1"
  [[ -x "$bin" ]] || { echo "$h: no binary $bin" > "$out/$h.log"; return 1; }
  mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
  "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$h/" \
    "$out/corpus/$h" "$src/corpus/$h" > "$out/$h.log" 2>&1
}

status=0
pids=()
names=()
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!)
  names+=("$h")
  if ((${#pids[@]} >= parallel)); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done

printf '%-20s %12s %10s %8s\n' harness executions exec/s crashes
for h in "${names[@]}"; do
  log="$out/$h.log"
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' || true)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}' || true)"
  crashes="$(find "$out/artifacts/$h" -type f | wc -l)"
  printf '%-20s %12s %10s %8s\n' "$h" "${execs:-?}" "${rate:-?}" "$crashes"
  ((crashes == 0)) || { status=1; echo "  see $log and $out/artifacts/$h/"; }
done
exit "$status"
