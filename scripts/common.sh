# Shared set-up for run.sh and test.sh: install missing Debian 12 packages, configure, build.
# Sourced, not executed. Invariant: nothing is downloaded but Debian packages, and a non-root user
# gets the exact apt-get line instead of a half-configured build.

BNBENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BNBENCH_BUILD="${BNBENCH_BUILD:-$BNBENCH_ROOT/build}"

BNBENCH_PACKAGES=(
  g++ make cmake git ca-certificates python3 python3-jsonschema python3-numpy python3-matplotlib
  python3-scipy nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev libbenchmark-tools
  libcli11-dev libeigen3-dev libdnnl-dev ocl-icd-opencl-dev
)

bnbench_ensure_packages() {
  local missing=()
  for pkg in "${BNBENCH_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bnbench needs these Debian packages; run as root:" >&2
    echo "  $line" >&2
    exit 1
  fi
  echo "bnbench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

bnbench_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$BNBENCH_ROOT" -B "$BNBENCH_BUILD" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$BNBENCH_BUILD" -j "$jobs"
}
