## Benchmark: fast ISM against batched ISM, both through the exported attributeBases(method =
## "ism") a user calls: ism = "fast" (each mutant recomputes only the windows its base reaches,
## fastISM's idea) and ism = "batched" (every mutant through the whole network, batchSize at a
## time: the path before fast ISM). Models: keras_dna's CNN at 1,000 bp (cnnModel(1000)) and
## Basset at 600 bp (bassetModel()), random sequences, 3 L mutants each. Rounds alternate the
## two paths; the figure of each is its best round (wall time), CPU time beside it. The scores of
## the sequences both paths ran are compared (largest difference relative to the largest score).
##   Rscript bench/ism.R [rounds]        (GDL_BENCH_THREADS: LibTorch threads, default 2)
suppressPackageStartupMessages(library(GenomicDL))
args <- commandArgs(trailingOnly = TRUE)
rounds <- if (length(args)) as.integer(args[1]) else 2L
threads <- as.integer(Sys.getenv("GDL_BENCH_THREADS", "2"))
options(GenomicDL.threads = threads)
set.seed(1)
rseq <- function(n, len) vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE),
                                                              collapse = ""), "")

## name, model, input length, sequences for the fast and the batched path
cases <- list(
    list(name = "cnnModel(1000)", model = cnnModel(1000), len = 1000L, nFast = 8L, nBatched = 2L),
    list(name = "bassetModel() 600 bp", model = bassetModel(), len = 600L, nFast = 3L, nBatched = 1L))

timed <- function(expr) {
    t <- system.time(value <- expr)
    list(value = value, wall = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
}

cat(sprintf("ISM through attributeBases(), %d thread(s), best of %d round(s)\n", threads, rounds))
for (cs in cases) {
    x <- oneHot(rseq(max(cs$nFast, cs$nBatched), cs$len))
    xf <- x[seq_len(cs$nFast), , , drop = FALSE]
    xb <- x[seq_len(cs$nBatched), , , drop = FALSE]
    invisible(attributeBases(cs$model, xb[1, 1:cs$len, , drop = FALSE], method = "ism"))  # warm up
    fast <- batched <- list(wall = Inf, cpu = Inf)
    for (r in seq_len(rounds)) {
        f <- timed(attributeBases(cs$model, xf, method = "ism", ism = "fast"))
        b <- timed(attributeBases(cs$model, xb, method = "ism", ism = "batched"))
        if (f$wall < fast$wall) fast <- f
        if (b$wall < batched$wall) batched <- b
    }
    stopifnot(attr(fast$value, "ism") == "fast", attr(batched$value, "ism") == "batched")
    common <- seq_len(cs$nBatched)
    diff <- max(abs(fast$value[common, , , drop = FALSE] - batched$value)) / max(abs(batched$value))
    mutants <- 3 * cs$len
    fastRate <- cs$nFast * mutants / fast$wall
    batchedRate <- cs$nBatched * mutants / batched$wall
    cat(sprintf("  %-22s fast    %8.0f mutants/s (%d x %d mutants, %.2f s, CPU %.2f s)\n", cs$name,
                fastRate, cs$nFast, mutants, fast$wall, fast$cpu))
    cat(sprintf("  %-22s batched %8.0f mutants/s (%d x %d mutants, %.2f s, CPU %.2f s)\n", "",
                batchedRate, cs$nBatched, mutants, batched$wall, batched$cpu))
    cat(sprintf("  %-22s ratio fast / batched: %.1f x (wall), %.1f x (CPU time per mutant); max relative difference %.2g\n",
                "", fastRate / batchedRate,
                (batched$cpu / cs$nBatched) / (fast$cpu / cs$nFast), diff))
}
