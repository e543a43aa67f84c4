## DeepBind scoring throughput: 10,000 random 101-bp sequences x the 16 models of
## ../shared/data/deepbind/params, through deepbindScore() (R conversions included).
## Prints sequence x model pairs per second for the fast path (1 and 2 threads) and for the
## reference path (the original's algorithm, one window at a time; timed on a subset of the
## sequences, as it is ~100x slower), their ratio, and the scaling from 1 to 2 threads.
## The original deepbind v0.11 (gcc -O3) scores 211 pairs/s on this input on this machine kind.
## Run: R_LIBS=build/Rlib Rscript bench/deepbind.R
suppressPackageStartupMessages(library(GenomicDL))

shared <- Sys.getenv("GENOMICDL_SHARED", "../shared")
params <- file.path(shared, "data", "deepbind", "params")
if (!dir.exists(params)) stop("DeepBind params not found in ", params, " (set GENOMICDL_SHARED)")
models <- readDeepBind(list.files(params, "\\.txt$", full.names = TRUE))
stopifnot(length(models) == 16L)

set.seed(2015)
n <- 10000L
seqs <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), 101, TRUE), collapse = ""), "")
nRef <- 100L

## best of `reps` runs of f(); the result of the last run is kept in `last`
timeIt <- function(f, reps = 3L) {
    min(vapply(seq_len(reps), function(i) system.time(last <<- f())[["elapsed"]], numeric(1)))
}
pairs <- function(k) k * length(models)

invisible(deepbindScore(models, seqs[1:100], threads = 1))  # warm up
tFast1 <- timeIt(function() deepbindScore(models, seqs, threads = 1)); fast1 <- last
tFast2 <- timeIt(function() deepbindScore(models, seqs, threads = 2)); fast2 <- last
tRef <- timeIt(function() deepbindScore(models, seqs[seq_len(nRef)], method = "reference", threads = 1), 1L)
ref <- last
stopifnot(identical(fast1, fast2), identical(ref, fast1[seq_len(nRef), ]))

rFast1 <- pairs(n) / tFast1
rFast2 <- pairs(n) / tFast2
rRef <- pairs(nRef) / tRef
cat(sprintf("DeepBind, %d random 101-bp sequences x %d models (%s)\n", n, length(models),
            paste(unique(vapply(as.list(models), function(m) m@params$detector_len, 1L)), collapse = "/")))
cat(sprintf("  fast path, 1 thread:      %9.0f pairs/s  (%.2f s)\n", rFast1, tFast1))
cat(sprintf("  fast path, 2 threads:     %9.0f pairs/s  (%.2f s)\n", rFast2, tFast2))
cat(sprintf("  reference path, 1 thread: %9.0f pairs/s  (%d sequences, %.2f s)\n", rRef, nRef, tRef))
cat(sprintf("  fast / reference (1 thread):  %.1fx   (identical scores: %s)\n", rFast1 / rRef,
            identical(ref, fast1[seq_len(nRef), ])))
cat(sprintf("  scaling 1 -> 2 threads:       %.2fx\n", rFast2 / rFast1))
cat(sprintf("  fast / original v0.11 (211 pairs/s, reported): %.0fx; target >= 21,000 pairs/s: %s\n",
            rFast1 / 211, if (rFast1 >= 21000) "met" else "NOT met"))
