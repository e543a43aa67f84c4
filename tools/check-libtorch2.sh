#!/usr/bin/env bash
# Developer check (not part of `make test`: minutes, root, ~2 GB / ~10 GB of disk): builds the C++
# core (src/core), its Catch2 tests (tests/cpp) and the C++ benchmarks (bench/cpp) with CMake
# against Debian 13 (trixie)'s LibTorch 2.6 in a chroot beside the repository, and runs gdl_tests.
#
#   tools/check-libtorch2.sh cpu    # libtorch-dev 2.6 (CPU build of LibTorch)
#   tools/check-libtorch2.sh cuda   # libtorch-cuda-dev 2.6 (contrib, CUDA 12.4) + nvcc
#
# Runs as root on a Debian host with network access to a Debian mirror (host's /etc/apt and its
# LibTorch are left alone; debootstrap is installed on the host if missing). Idempotent: the
# chroot is made once (../chroot-trixie, ../chroot-trixie-cuda), packages are installed once, the
# build (build/torch26, build/torch26-cuda, ignored by git) is incremental. The repository and
# ../shared (read-only, for the tests that read it) are bind-mounted at the same paths inside.
#
# Catch2: trixie ships Catch2 v3 only (no <catch2/catch.hpp>); the tests use v2, so the host's
# Debian 12 catch2 2.13 header (or its .deb, fetched with apt-get download) is put in
# /opt/catch2-v2/usr/include.
# CUDA: libtorch-cuda-2.6 depends on nvidia-cudnn, an installer that downloads cuDNN from
# nvidia.com (no cuDNN package in Debian). The check installs an empty placeholder package
# nvidia-cudnn instead, and a stub libcudnn.so.9 (/usr/local/lib/gdl-cudnn-stub) exporting the
# cuDNN symbols libtorch_cuda imports, each aborting if called, so that the tests link and load;
# without a GPU, torch::cuda::is_available() is false and no cuDNN function is called.
#
# Environment: GDL_DEBIAN_SUITE (default trixie; sid gives Debian's newest LibTorch, e.g. 2.14,
# which needs C++20: CMake switches by itself), GDL_TRIXIE_ROOT (chroot dir), GDL_BUILD_DIR
# (relative to the repository), GDL_DEBIAN_MIRROR, JOBS (default 2).
set -euo pipefail

variant=${1:-}
if [[ "$variant" != cpu && "$variant" != cuda ]]; then
  echo "usage: $0 cpu|cuda" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "check-libtorch2: needs root (debootstrap, chroot, mount)" >&2
  exit 2
fi

start=$(date +%s)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
parent=$(dirname "$repo")
suffix=$([ "$variant" = cuda ] && echo -cuda || true)
suite=${GDL_DEBIAN_SUITE:-trixie}
root=${GDL_TRIXIE_ROOT:-$parent/chroot-$suite$suffix}
mirror=${GDL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
jobs=${JOBS:-2}
default_build=$([ "$suite" = trixie ] && echo build/torch26 || echo "build/torch-$suite")
build=${GDL_BUILD_DIR:-$default_build$suffix}
log() { echo "check-libtorch2 [$variant] $(date +%H:%M:%S): $*"; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }
installed() {
  [[ "$(in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == *" ok installed" ]]
}

# ---- 1. the trixie root file system -------------------------------------------------------
if [ ! -f "$root/.gdl-bootstrapped" ]; then
  if [ -d "$root" ] && [ -n "$(ls -A "$root" 2>/dev/null)" ]; then
    echo "check-libtorch2: $root exists but was not bootstrapped completely; remove it" \
      "(check that nothing is mounted under it first)" >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap on the host"
    apt-get install -y -qq debootstrap >/dev/null
  fi
  log "debootstrap $suite into $root"
  debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware \
    "$suite" "$root" "$mirror" > "/tmp/gdl-debootstrap$suffix.log" 2>&1 ||
    { tail -n 20 "/tmp/gdl-debootstrap$suffix.log"; exit 1; }
  touch "$root/.gdl-bootstrapped"
fi

# ---- 2. mounts (removed on exit) ----------------------------------------------------------
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" || umount -l "${mounted[i]}" || true
  done
}
trap cleanup EXIT
bind() {  # bind SRC DEST [ro]
  mkdir -p "$2"
  mountpoint -q "$2" && return 0
  mount --bind "$1" "$2"
  mounted+=("$2")
  [ "${3:-}" = ro ] && mount -o remount,bind,ro "$2"
  return 0
}
if ! mountpoint -q "$root/proc"; then mount -t proc proc "$root/proc"; mounted+=("$root/proc"); fi
bind /dev "$root/dev"
bind "$repo" "$root$repo"
[ -d "$parent/shared" ] && bind "$parent/shared" "$root$parent/shared" ro

# ---- 3. packages ---------------------------------------------------------------------------
pkgs=(g++ cmake make pkg-config libhts-dev libbigwig-dev)
if [ "$variant" = cpu ]; then
  pkgs+=(libtorch-dev)
else
  pkgs+=(libtorch-cuda-dev nvidia-cuda-toolkit)
  if ! installed nvidia-cudnn; then
    log "placeholder package nvidia-cudnn (the real one downloads cuDNN from nvidia.com)"
    d="$root/tmp/nvidia-cudnn-placeholder"
    mkdir -p "$d/DEBIAN"
    cat > "$d/DEBIAN/control" <<'EOF'
Package: nvidia-cudnn
Version: 9.0.0.312~cuda12+gdl1
Architecture: amd64
Maintainer: GenomicDL developer check <noreply@invalid>
Section: contrib/libs
Priority: optional
Description: placeholder for nvidia-cudnn (its installer downloads from nvidia.com)
 Satisfies libtorch-cuda-2.6's dependency in an offline check chroot; ships no library.
EOF
    in_root dpkg-deb --build /tmp/nvidia-cudnn-placeholder /tmp/nvidia-cudnn.deb >/dev/null
    in_root dpkg -i /tmp/nvidia-cudnn.deb >/dev/null
    in_root apt-mark hold nvidia-cudnn >/dev/null
  fi
fi
missing=()
for p in "${pkgs[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  # the mirror may serve a dated snapshot whose Release files have expired (seen with sid)
  in_root apt-get -o Acquire::Check-Valid-Until=false update -qq
  in_root apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    > "$root/tmp/gdl-apt.log" 2>&1 ||
    { tail -n 30 "$root/tmp/gdl-apt.log"; exit 1; }
fi
torch_pkg=$([ "$variant" = cpu ] && echo libtorch-dev || echo libtorch-cuda-dev)
torch_version=$(in_root dpkg-query -W -f='${Version}' "$torch_pkg")

# Catch2 v2 header (trixie has only v3).
if [ ! -f "$root/opt/catch2-v2/usr/include/catch2/catch.hpp" ]; then
  mkdir -p "$root/opt/catch2-v2/usr/include/catch2"
  if grep -qs "Catch v2\." /usr/include/catch2/catch.hpp; then
    cp /usr/include/catch2/catch.hpp "$root/opt/catch2-v2/usr/include/catch2/"
  else
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq catch2 2>/dev/null)
    dpkg -x "$tmp"/catch2_2.*.deb "$tmp/x"
    cp "$tmp/x/usr/include/catch2/catch.hpp" "$root/opt/catch2-v2/usr/include/catch2/"
    rm -rf "$tmp"
  fi
fi

# Stub libcudnn.so.9 for the CUDA variant: every cuDNN symbol libtorch_cuda imports, aborting.
if [ "$variant" = cuda ] && [ ! -f "$root/usr/local/lib/gdl-cudnn-stub/libcudnn.so.9" ] &&
   [ ! -f "$root/usr/lib/x86_64-linux-gnu/libcudnn.so.9" ]; then
  log "stub libcudnn.so.9"
  cat > "$root/tmp/gdl-cudnn-stub.sh" <<'EOF'
set -euo pipefail
d=/usr/local/lib/gdl-cudnn-stub
mkdir -p $d
syms=$(objdump -T /usr/lib/x86_64-linux-gnu/libtorch_cuda.so.2.* |
       awk '/\*UND\*/ && /\(libcudnn\.so\.9\)/ {print $NF}' | sort -u)
{
  echo '#include <stdio.h>'
  echo '#include <stdlib.h>'
  echo 'static void gdl_stub(const char* f) {'
  echo '  fprintf(stderr, "cuDNN stub: %s called (no real cuDNN here)\n", f);'
  echo '  abort();'
  echo '}'
  for s in $syms; do echo "int $s(void) { gdl_stub(\"$s\"); return 1; }"; done
} > $d/stub.c
echo 'libcudnn.so.9 { global: *; };' > $d/stub.map
gcc -shared -fPIC -O1 -o $d/libcudnn.so.9.tmp -Wl,-soname,libcudnn.so.9 \
  -Wl,--version-script=$d/stub.map $d/stub.c
mv $d/libcudnn.so.9.tmp $d/libcudnn.so.9
echo $d > /etc/ld.so.conf.d/gdl-cudnn-stub.conf
ldconfig
echo "$(echo $syms | wc -w) symbols"
EOF
  log "stub exports $(in_root bash /tmp/gdl-cudnn-stub.sh)"
fi
t_setup=$(date +%s)

# ---- 4. build and test ----------------------------------------------------------------------
log "cmake configure + build ($build, -j$jobs)"
mkdir -p "$repo/$build"
if ! in_root bash -c "cd '$repo' && cmake -S . -B '$build' -DCMAKE_BUILD_TYPE=Release \
      -DCATCH_INCLUDE=/opt/catch2-v2/usr/include > '$build/configure.log' 2>&1 &&
      cmake --build '$build' -j$jobs > '$build/build.log' 2>&1"; then
  grep -E -A3 "error|Error" "$repo/$build/configure.log" "$repo/$build/build.log" | head -n 60
  echo "check-libtorch2 [$variant]: BUILD FAILED against $torch_pkg $torch_version" \
    "(logs: $build/*.log)"
  exit 1
fi
grep -q "LibTorch parts: ON" "$repo/$build/configure.log" ||
  { echo "check-libtorch2 [$variant]: CMake found no LibTorch ($build/configure.log)"; exit 1; }
t_build=$(date +%s)
benches=$(cd "$repo/$build" && ls bench_* 2>/dev/null | tr '\n' ' ')
log "built: gdl_tests ${benches}; running gdl_tests"
rc=0
in_root bash -c "cd '$repo/$build' && ./gdl_tests > catch.log 2>&1" || rc=$?
tail -n 3 "$repo/$build/catch.log"
result=$(grep -E "All tests passed|test cases:" "$repo/$build/catch.log" | tail -n 1 || true)
end=$(date +%s)
extra=""
[ "$variant" = cuda ] && extra=", cuDNN stubbed"
status=$([ $rc -eq 0 ] && echo OK || echo FAILED)
echo "check-libtorch2 [$variant]: $status: $torch_pkg $torch_version$extra;" \
  "${result:-no Catch2 result (rc $rc)};" \
  "setup $((t_setup - start)) s, build $((t_build - t_setup)) s, tests $((end - t_build)) s"
exit $rc
