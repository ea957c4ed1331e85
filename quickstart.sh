#!/usr/bin/env bash
# moesim quick start: the single entry point behind the README's two commands.
#
#   bash quickstart.sh run [moesim run options...]   # install, build, run the simulator
#   bash quickstart.sh test                          # install, build, run every test (ctest)
#
# Works on a fresh Debian 12 machine: missing Debian packages are installed first (as root, or
# through sudo), then the project is configured and built in ./build (Release by default, set in
# CMakeLists.txt). Idempotent: packages already installed are not touched, and apt is not called
# at all when nothing is missing. The exit code of `test` is ctest's.
set -euo pipefail

readonly PACKAGES=(
  g++ cmake make pkg-config git ca-certificates
  libsimgrid-dev libboost-graph-dev libboost-program-options-dev libeigen3-dev libfmt-dev
  catch2 libbenchmark-dev libzip-dev libprotobuf-dev protobuf-compiler
  python3 python3-matplotlib python3-pandas python3-numpy chromium
  libopenmpi-dev openmpi-bin
)

usage() {
  echo "usage: bash quickstart.sh run [moesim run options...] | bash quickstart.sh test" >&2
  exit 2
}

step() { echo "== $*"; }

# Prints the packages of PACKAGES that dpkg does not report as installed.
missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == *"ok installed"* ]] || echo "$pkg"
  done
}

ensure_packages() {
  step "checking Debian packages"
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    echo "all ${#PACKAGES[@]} packages are installed"
    return 0
  fi
  local as_root=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "quickstart.sh: missing packages (${missing[*]}) and not root, and sudo is not available" >&2
      exit 1
    fi
  fi
  step "installing: ${missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  step "configuring (cmake -S . -B build)"
  cmake -S . -B build
  step "building"
  cmake --build build -j "$(nproc)"
}

main() {
  (($# >= 1)) || usage
  local command="$1"
  shift
  case "$command" in
    run | test) ;;
    *) usage ;;
  esac
  if [[ "$command" == test ]] && (($# > 0)); then usage; fi

  cd "$(dirname "${BASH_SOURCE[0]}")"
  ensure_packages
  build
  if [[ "$command" == run ]]; then
    step "running: ./build/moesim run $*"
    exec ./build/moesim run "$@"
  fi
  step "testing (ctest)"
  exec ctest --test-dir build --output-on-failure -j "$(nproc)"
}

# Sourcing the file (e.g. to call ensure_packages alone) defines the functions without running.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
