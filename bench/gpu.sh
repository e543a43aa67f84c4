#!/usr/bin/env bash
# The GPU run of issue 4 (item 5), for a machine with an NVIDIA GPU, PyTorch 2.x (its LibTorch),
# CMake and nvcc, and no R: builds the standalone core against PyTorch's LibTorch into
# build/cuda, runs the Catch2 tests, then bench/cpp/train_torch.cpp (DeepSEA and BPNet training
# samples/s on the GPU, the loader's own rate and the ratio loader / training, target >= 2).
#
# Before, on the development machine: tools/fetch-gpu-debs.sh (Debian's htslib, libBigWig and
# Catch2 unpacked into .deb/). On the GPU machine, from the repository root, e.g. through the
# device tool with carry [".deb"]:   bash bench/gpu.sh
# Without .deb/ (or when its libraries cannot be used there) the I/O parts are left out and the
# benchmark trains on synthetic in-memory batches (it says so: "data synthetic").
#
# Environment (all optional):
#   OUT                  folder for the results (gpu_bench.txt with every figure, the logs)
#   GDL_TORCH_PREFIX     LibTorch's CMake prefix (default: python3's torch.utils.cmake_prefix_path;
#                        without a python3 torch: whatever LibTorch CMake finds, e.g. Debian's)
#   GDL_BUILD_DIR        build folder (default build/cuda)
#   GDL_JOBS             parallel compile jobs (default: nproc)
#   GDL_CMAKE_ARGS       more CMake arguments (e.g. -DCMAKE_CXX_STANDARD=20 should a LibTorch need it)
#   GDL_BENCH_WORKERS_LIST  loader-thread counts, one benchmark run each (default "2 4")
#   GDL_BENCH_*          passed on to the benchmark (see bench/cpp/train_torch.cpp);
#                        defaults here: GDL_BENCH_STEPS=200, GDL_BENCH_WARMUP=20, GDL_BENCH_THREADS=4
#   GDL_SKIP_TESTS=1     do not run gdl_tests
#   GDL_DEB_LIBS=all     use every library of .deb/, not only those this machine lacks
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${OUT:-$root/build/gpu-results}
mkdir -p "$out"
build=${GDL_BUILD_DIR:-build/cuda}
jobs=${GDL_JOBS:-$(nproc)}
summary=$out/gpu_bench.txt
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }

say "# bench/gpu.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
command -v nvidia-smi > /dev/null && nvidia-smi > "$out/nvidia-smi.txt" 2>&1
if ! command -v nvcc > /dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi

# ---- LibTorch ----------------------------------------------------------------------------------
prefix=${GDL_TORCH_PREFIX:-}
cxxflags=""
py=$(command -v python3 || true)
if [ -z "$prefix" ] && [ -n "$py" ] && "$py" -c 'import torch' 2> /dev/null; then
  prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  say "# python torch $("$py" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda)')"
  # PyTorch wheels before 2.7 use the old libstdc++ string ABI: the whole core must match it
  abi=$("$py" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  [ "$abi" = 0 ] && cxxflags="-D_GLIBCXX_USE_CXX11_ABI=0"
fi
say "# LibTorch CMake prefix: ${prefix:-(none: CMake searches its default paths)} ${cxxflags}"

# ---- htslib / libBigWig / Catch2 from .deb/ ------------------------------------------------------
deps=()
if [ -d .deb ]; then
  deps=(-DGDL_DEPS_PREFIX="$root/.deb")
  # the libraries of .deb/ that this machine lacks, on LD_LIBRARY_PATH (for linking and running)
  libs=$root/$build/deblibs
  rm -rf "$libs" && mkdir -p "$libs"
  have=$( [ "${GDL_DEB_LIBS:-}" = all ] || (ldconfig -p 2> /dev/null || /sbin/ldconfig -p 2> /dev/null) | awk '{print $1}')
  for f in .deb/usr/lib/x86_64-linux-gnu/lib*.so.* .deb/lib/x86_64-linux-gnu/lib*.so.*; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    if command -v readelf > /dev/null; then  # by SONAME, the name the loader looks for
      name=$(readelf -d "$f" 2> /dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
      [ -n "$name" ] || continue
    fi
    if ! grep -qx "$name" <<< "$have"; then ln -sf "$root/$f" "$libs/$name"; fi
  done
  export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  say "# libraries taken from .deb/: $(ls "$libs" | tr '\n' ' ')"
fi

configure() {  # configure DIR [extra cmake args...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DGDL_WITH_TORCH=ON ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
    ${cxxflags:+-DCMAKE_CXX_FLAGS="$cxxflags"} ${GDL_CMAKE_ARGS:-} "$@" > "$out/cmake-$(basename "$dir").log" 2>&1
}
build_targets() {  # build_targets DIR
  cmake --build "$1" -j "$jobs" --target gdl_tests bench_train_torch > "$out/build-$(basename "$1").log" 2>&1
}

ok=0
if configure "$build" ${deps[@]+"${deps[@]}"}; then
  grep "GenomicDL core" "$out/cmake-$(basename "$build").log" | tee -a "$summary"
  if ! grep -q "LibTorch parts: ON" "$out/cmake-$(basename "$build").log"; then
    say "ERROR: CMake did not find a usable LibTorch (find_package(Torch) failed quietly); its error:"
    mkdir -p "$build-probe/src"
    printf 'cmake_minimum_required(VERSION 3.18)\nproject(probe LANGUAGES CXX)\nfind_package(Torch REQUIRED)\n' \
      > "$build-probe/src/CMakeLists.txt"
    cmake -S "$build-probe/src" -B "$build-probe/b" ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
      > "$out/cmake-torch-required.log" 2>&1
    tail -30 "$out/cmake-torch-required.log" | tee -a "$summary"
    exit 2
  fi
  if build_targets "$build"; then ok=1; else say "# build with the I/O parts failed:"; tail -20 "$out/build-$(basename "$build").log" | tee -a "$summary"; fi
fi
if [ "$ok" = 1 ] && ! "$build/bench_train_torch" --help > /dev/null 2> "$out/ldd-check.log"; then
  say "# the benchmark does not start with the I/O libraries:"; cat "$out/ldd-check.log" | tee -a "$summary"
  ldd "$build/bench_train_torch" | grep "not found" | tee -a "$summary"
  ok=0
fi
if [ "$ok" = 0 ]; then
  say "# falling back to the torch-only build (no htslib / libBigWig: synthetic data)"
  build=$build-noio
  configure "$build" -DGDL_WITH_IO=OFF ${deps[@]+"${deps[@]}"} || {
    say "ERROR: CMake failed"; tail -30 "$out/cmake-$(basename "$build").log" | tee -a "$summary"; exit 2; }
  build_targets "$build" || {
    say "ERROR: build failed"; tail -40 "$out/build-$(basename "$build").log" | tee -a "$summary"; exit 2; }
fi

# ---- tests -------------------------------------------------------------------------------------
if [ "${GDL_SKIP_TESTS:-0}" != 1 ] && [ -x "$build/gdl_tests" ]; then
  (cd "$root" && timeout 300 "$build/gdl_tests" > "$out/gdl_tests.txt" 2>&1)
  rc=$?
  say "gdl_tests_rc $rc"
  tail -4 "$out/gdl_tests.txt" | sed 's/^/# gdl_tests: /' | tee -a "$summary"
fi

# ---- benchmark ---------------------------------------------------------------------------------
export GDL_BENCH_STEPS=${GDL_BENCH_STEPS:-200}
export GDL_BENCH_WARMUP=${GDL_BENCH_WARMUP:-20}
export GDL_BENCH_THREADS=${GDL_BENCH_THREADS:-4}
# with a GPU, ask for it: a LibTorch without working CUDA then fails loudly instead of timing the CPU
if [ -z "${GDL_BENCH_DEVICE:-}" ] && nvidia-smi -L > /dev/null 2>&1; then export GDL_BENCH_DEVICE=cuda; fi
status=0
for w in ${GDL_BENCH_WORKERS_LIST:-2 4}; do
  say "# ---- bench_train_torch --workers $w"
  GDL_BENCH_WORKERS=$w "$build/bench_train_torch" > "$out/bench_workers$w.txt" 2> "$out/bench_workers$w.err"
  rc=$?
  sed "s/^\([a-z_]*_\(samples_per_s\|loader_ratio\|loader_samples_per_s\)\) /\1_w$w /" "$out/bench_workers$w.txt" >> "$summary"
  grep -E "^(torch_version|device|device_name|data|deepsea_params_preset|deepsea_params|bpnet_params|deepsea_samples_per_s|bpnet_samples_per_s|deepsea_loader_ratio|bpnet_loader_ratio) " "$out/bench_workers$w.txt"
  [ "$rc" = 0 ] || { say "ERROR: bench_train_torch exited with $rc:"; cat "$out/bench_workers$w.err" | tee -a "$summary"; status=1; }
done
# the same with mixed precision (float16 autocast and a loss scale on CUDA), 2 loader threads
say "# ---- bench_train_torch --workers 2 --mixed 1"
GDL_BENCH_WORKERS=2 GDL_BENCH_MIXED=1 "$build/bench_train_torch" > "$out/bench_mixed.txt" 2> "$out/bench_mixed.err"
rc=$?
sed -n "s/^\([a-z_]*_samples_per_s\) /\1_mixed /p" "$out/bench_mixed.txt" | tee -a "$summary"
[ "$rc" = 0 ] || { say "ERROR: bench_train_torch --mixed 1 exited with $rc:"; cat "$out/bench_mixed.err" | tee -a "$summary"; status=1; }
echo "# all figures: $summary"
exit $status
