#!/usr/bin/env bash
# Installs what GenomicDL needs on Debian 12: system libraries and R packages from Debian,
# CRAN only for what Debian lacks. Idempotent: when everything is present it only checks (~1 s).
#   tools/install-deps.sh          what `make install`, `make test` and `make demo` need
#   tools/install-deps.sh --fuzz   also clang and its libFuzzer/sanitizer runtimes (tools/fuzz.sh)
#   tools/install-deps.sh --bench  also Debian's PyTorch (python3-torch), the baseline of bench/genome.R
set -euo pipefail

WITH_FUZZ=0
WITH_BENCH=0
for arg in "$@"; do
  case "$arg" in
    --fuzz) WITH_FUZZ=1 ;;
    --bench) WITH_BENCH=1 ;;
    *) echo "install-deps: unknown option '$arg' (allowed: --fuzz, --bench)" >&2; exit 2 ;;
  esac
done

DEB_PACKAGES=(
  r-base-dev r-cran-rcpp r-cran-rcppeigen r-cran-testthat libtorch-dev libhts-dev libbigwig-dev
  catch2 cmake pkg-config ccache libeigen3-dev libgloo-dev
  r-bioc-genomicranges r-bioc-biostrings r-bioc-rtracklayer r-bioc-rsamtools
  r-bioc-summarizedexperiment r-bioc-tfbstools r-bioc-biocparallel r-bioc-hdf5array
  r-bioc-bioccheck r-bioc-bsgenome r-cran-knitr r-cran-rmarkdown r-bioc-biocstyle r-cran-roxygen2
  r-cran-ggplot2 r-cran-ggseqlogo r-cran-progress r-cran-cli r-cran-igraph r-cran-digest
  r-cran-batchtools r-bioc-variantannotation r-cran-withr pandoc
)
# Optional: only the libFuzzer targets need them (clang's -fsanitize=fuzzer runtime lives in
# libclang-rt-14-dev); `make test-asan` uses gcc's sanitizers and needs nothing more.
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)
if [ "$WITH_FUZZ" -eq 1 ]; then DEB_PACKAGES+=("${FUZZ_PACKAGES[@]}"); fi
# Optional: the PyTorch baseline of bench/genome.R (skipped with a message without it).
BENCH_PACKAGES=(python3-torch)
if [ "$WITH_BENCH" -eq 1 ]; then DEB_PACKAGES+=("${BENCH_PACKAGES[@]}"); fi

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: Debian packages present"
fi

# R packages Debian does not ship (none needed today); CRAN only as a fallback, into the user library.
CRAN_PACKAGES=()
if [ ${#CRAN_PACKAGES[@]} -gt 0 ]; then
  Rscript -e "p <- commandArgs(TRUE); p <- p[!vapply(p, requireNamespace, NA, quietly = TRUE)];
    if (length(p)) install.packages(p, repos = 'https://cloud.r-project.org')" "${CRAN_PACKAGES[@]}"
fi
