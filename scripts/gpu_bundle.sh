#!/usr/bin/env bash
# Packs bnbench for a GPU machine that cannot build it (the device machines have nvcc and cuDNN but
# not bnbench's Debian libraries): configures a CUDA build without the large CPU libraries
# (BNBENCH_PYTORCH=OFF, BNBENCH_ONEDNN=OFF, no -march=native), builds it in build-carry/, and copies
# bnbench, bnbench_tests and every shared library they load into .carry/ (git-ignored), except the
# C library, the CUDA driver and cuDNN, which the GPU machine provides (cuDNN from its Python
# environment's nvidia-cudnn-cu13 wheel; the CUDA runtime is linked statically). .carry/env.sh
# sets LD_LIBRARY_PATH there.
#
# Usage here:   scripts/gpu_bundle.sh [extra cmake arguments]
# On the GPU machine, from the repository root (the device tool's run, carry [".carry"]):
#   source .carry/env.sh && .carry/bin/bnbench info
#   .carry/bin/bnbench_tests --gtest_filter='Registry/Conformance.*/c*'
#   .carry/bin/bnbench check configs/ci_smoke.json --backends cudnn,cuda_welford
#   .carry/bin/bnbench run configs/perf_gpu.json --out results/<name>.json
# Invariant: the bundle fits the device tool's 64 MiB carry limit, or the script fails saying so.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BNBENCH_BUILD="${BNBENCH_CARRY_BUILD:-$BNBENCH_ROOT/build-carry}"
bnbench_build -DBNBENCH_CUDA=ON -DBNBENCH_PYTORCH=OFF -DBNBENCH_ONEDNN=OFF -DBNBENCH_NATIVE=OFF "$@"

carry="$BNBENCH_ROOT/.carry"
rm -rf "$carry"
mkdir -p "$carry/bin" "$carry/lib"
cp "$BNBENCH_BUILD/bnbench" "$BNBENCH_BUILD/tests/bnbench_tests" "$carry/bin/"
ldd "$carry"/bin/* | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r name path; do
    case "$name" in
      libcuda.so* | libcudnn* | libcudart* | libnvidia* | libc.so* | libm.so* | libdl.so* | \
        librt.so* | libpthread.so* | ld-linux*) ;;
      *) cp -L "$path" "$carry/lib/$name" ;;
    esac
  done

cat >"$carry/env.sh" <<'ENV'
# Source on the GPU machine: cuDNN (and the CUDA runtime libraries, for anything that loads them)
# from python3's site-packages (nvidia-cudnn-cu13, nvidia-cuda-runtime), then the bundle's own
# libraries last, so the machine's newer libstdc++ / libgomp win when it has them.
bundle="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvidia_libs="$(python3 - <<'PY' 2>/dev/null || true
import glob, os
try:
    import nvidia
    roots = list(nvidia.__path__)
except ImportError:
    roots = []
dirs = []
for root in roots:
    for pattern in ("cudnn/lib", "cu13/lib", "cuda_runtime/lib"):
        dirs += [d for d in glob.glob(os.path.join(root, pattern)) if os.path.isdir(d)]
print(":".join(dirs))
PY
)"
export LD_LIBRARY_PATH="${nvidia_libs:+$nvidia_libs:}${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$bundle/lib"
ENV

bytes="$(du -sb "$carry" | cut -f1)"
echo "bnbench: bundle in $carry ($((bytes / 1048576)) MiB): $(ls "$carry/lib" | tr '\n' ' ')"
if [ "$bytes" -gt $((60 * 1048576)) ]; then
  echo "bnbench: the bundle is over 60 MiB, too large to carry (64 MiB limit)" >&2
  exit 1
fi
