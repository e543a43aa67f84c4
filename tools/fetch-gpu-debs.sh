#!/usr/bin/env bash
# Run HERE (the Debian 12 development machine), before bench/gpu.sh runs on a GPU machine that
# has no htslib / libBigWig / Catch2: downloads Debian's .debs of htslib, libBigWig and Catch2
# and every shared library they load (the ldd closure of libhts.so.3 and libBigWig.so.0, glibc
# excepted) and unpacks them into .deb/ (git-ignored), to carry to the GPU machine:
#   tools/fetch-gpu-debs.sh            # then: run tool, carry [".deb"], command "bash bench/gpu.sh"
# CMake finds them with -DGDL_DEPS_PREFIX=$PWD/.deb; bench/gpu.sh puts on LD_LIBRARY_PATH only
# the libraries that the GPU machine itself lacks. Needs: apt-get, dpkg, ldd; libhts3 and
# libbigwig0 installed here (to compute the closure). The libraries need glibc >= 2.34.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.deb
libdir=/usr/lib/x86_64-linux-gnu
pkgs="libhts3 libhts-dev libbigwig0 libbigwig-dev catch2"
# packages of the libraries htslib and libBigWig load, glibc (libc6) excepted
for l in $(ldd "$libdir/libhts.so.3" "$libdir/libBigWig.so.0" | awk '/=>/ {print $3}' | sort -u); do
  p=$(dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l" 2>/dev/null || true)
  p=${p%%:*}
  if [ -n "$p" ] && [ "$p" != libc6 ]; then pkgs="$pkgs $p"; fi
done
pkgs=$(echo "$pkgs" | tr ' ' '\n' | sort -u | tr '\n' ' ')
echo "packages: $pkgs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp"  # apt-get download as root writes through the _apt user when it can
(cd "$tmp" && apt-get download $pkgs 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
n=$(ls "$tmp"/*.deb | wc -l)
[ "$n" -ge 5 ] || { echo "apt-get download fetched only $n packages" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
for d in "$tmp"/*.deb; do dpkg -x "$d" "$dest"; done
# documentation, static libraries and tools are not needed to build and run
rm -rf "$dest/usr/share/doc" "$dest/usr/share/man" "$dest/usr/share/lintian" "$dest/usr/bin" "$dest/usr/sbin"
find "$dest" -name '*.a' -delete
ls "$tmp"/*.deb | xargs -n1 basename > "$dest/PACKAGES"
echo "unpacked $n packages into $dest ($(du -sh "$dest" | cut -f1)); listed in $dest/PACKAGES"
for f in usr/include/htslib/faidx.h usr/include/bigWig.h usr/include/catch2/catch.hpp \
         usr/lib/x86_64-linux-gnu/libhts.so usr/lib/x86_64-linux-gnu/libBigWig.so; do
  [ -e "$dest/$f" ] || { echo "missing after unpacking: $dest/$f" >&2; exit 1; }
done
