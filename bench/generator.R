## Benchmark: training samples per second of sequenceGenerator (C++ threads filling batches
## through the prefetcher the trainer uses) against an R baseline doing the same work the way
## keras_dna-style R code would (GRanges + Rsamtools/Biostrings getSeq + rtracklayer::import
## per window + one-hot, labels and weights in R), in the same script.
##   (a) regression: window 2001, targetWindow 100, two bigWig tracks, normalization
##       c("max", "perctrim"), balanced weights;
##   (b) classification from BED: seqLen 551, negativeRatio 1 with real negatives, augmentation;
##   (c) construction of a sparse generator with maxN < 1 (20,000 features): the maxN filter in the
##       core (threads over the genome's N runs) against the R loop over features it replaced.
## Run: R_LIBS=build/Rlib Rscript bench/generator.R
suppressPackageStartupMessages({
    library(GenomicDL)
    library(Rsamtools)
})
fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
bw <- system.file("extdata", c("example_coverage_cell1.bw", "example_coverage_cell2.bw"),
                  package = "GenomicDL")
bed <- system.file("extdata", "example_peaks_cell1.bed", package = "GenomicDL")
B <- 128L

## Samples per second of wall time (best of 3) and per CPU-second of the process (on a shared
## machine the wall-time scaling with threads is limited by the other processes).
cppRate <- function(gen, nBatches, threads) {
    src <- GenomicDL:::.batchSource(gen)
    GenomicDL:::cpp_generator_time(src, 20, threads, 5)  # warm the caches
    runs <- lapply(1:3, function(r) {
        cpu <- system.time(t <- GenomicDL:::cpp_generator_time(src, nBatches, threads, r))
        c(wall = t, cpu = cpu[["user.self"]] + cpu[["sys.self"]])
    })
    best <- runs[[which.min(vapply(runs, `[[`, 0, "wall"))]]
    c(wall = nBatches * B / best[["wall"]], cpu = nBatches * B / best[["cpu"]])
}

## Samples per second of batch(gen, i), the exported call (one batch at a time on R's thread,
## into R arrays): best of 3 runs of `nBatches` consecutive batches, wall and process CPU time,
## and the share of a fourth run's samples (Rprof, CPU time) spent in R's garbage collector (the
## collections that allocating each batch's arrays triggers).
batchRate <- function(gen, nBatches) {
    invisible(batch(gen, 1))
    runs <- lapply(1:3, function(r) {
        cpu <- system.time(for (i in seq_len(nBatches)) batch(gen, i))
        c(wall = cpu[["elapsed"]], cpu = cpu[["user.self"]] + cpu[["sys.self"]])
    })
    best <- runs[[which.min(vapply(runs, `[[`, 0, "wall"))]]
    prof <- tempfile()
    Rprof(prof, interval = 0.005, gc.profiling = TRUE)
    for (i in seq_len(nBatches)) batch(gen, i)
    Rprof(NULL)
    self <- summaryRprof(prof)$by.self
    unlink(prof)
    gcShare <- sum(self[grepl("<GC>", rownames(self), fixed = TRUE), "self.pct"]) / 100
    c(wall = nBatches * B / best[["wall"]], cpu = nBatches * B / best[["cpu"]], gcShare = gcShare)
}

oneHotR <- function(seqs) {  # N x L x 4, as R code without a native encoder would do it
    L <- nchar(seqs[1])
    m <- do.call(rbind, strsplit(as.character(seqs), ""))
    x <- array(0, c(length(seqs), L, 4))
    for (k in 1:4) x[, , k] <- (m == c("A", "C", "G", "T")[k]) * 1
    x[, , ][m == "N"] <- 0.25
    x
}

## ---- (a) regression ----------------------------------------------------------------------
genA <- sequenceGenerator(fa, bw, inputLength = 2001, targetWindow = 100,
                          normalization = c("max", "perctrim"), weighting = "balanced",
                          batchSize = B, seed = 1)
a1 <- cppRate(genA, 200, 1)
a2 <- cppRate(genA, 200, 2)
batchA <- batchRate(genA, 100)

## The generator's normalisation steps, applied in the order it reports them.
normR <- function(v, steps) {
    for (s in steps)
        v <- switch(s$kind, max = v / s$a, perctrim = pmin(v, s$a), zscore = (v - s$a) / s$b,
                    minmax = (v - s$a) / (s$b - s$a), log = log1p(v))
    v
}
## R baseline: statistics from the same generator (not timed), then per window getSeq and
## rtracklayer::import of each track, NaN -> 0, normalisation, weights by findInterval.
st <- genA@info$normalization
bins <- genA@info$bins
ff <- FaFile(fa)
baselineA <- function(nb) {
    wins <- GenomicDL:::.batchWindows(genA, nb)
    x <- oneHotR(getSeq(ff, wins))
    y <- array(0, c(length(wins), 100, 2))
    for (k in seq_along(wins)) {
        centre <- GRanges(seqnames(wins)[k], IRanges(start(wins)[k] + 950, width = 100))
        for (f in 1:2) {
            v <- rep(0, 100)
            r <- rtracklayer::import(bw[f], which = centre)
            for (j in seq_along(r)) {
                a <- max(start(r)[j], start(centre)) - start(centre) + 1
                b <- min(end(r)[j], end(centre)) - start(centre) + 1
                v[a:b] <- r$score[j]
            }
            v <- normR(v, st[[f]])
            y[k, , f] <- v
        }
    }
    w <- (bins[[1]]$weights[pmax(1, pmin(findInterval(y[, , 1], bins[[1]]$edges, left.open = TRUE), length(bins[[1]]$weights)))] +
          bins[[2]]$weights[pmax(1, pmin(findInterval(y[, , 2], bins[[2]]$edges, left.open = TRUE), length(bins[[2]]$weights)))]) / 2
    list(x = x, y = y, w = w)
}
tA <- system.time(bA <- baselineA(1))[["elapsed"]]
rA <- B / tA
## the baseline computes what the generator gives
gA <- batch(genA, 1)
stopifnot(isTRUE(all.equal(unname(gA$x), bA$x, tolerance = 1e-6)),
          isTRUE(all.equal(unname(gA$y), bA$y, tolerance = 1e-5)))

## ---- (b) classification ----------------------------------------------------------------
genB <- sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 551, negativeRatio = 1,
                          negativeType = "real", augmentation = TRUE, batchSize = B, seed = 1)
b1 <- cppRate(genB, 1000, 1)
b2 <- cppRate(genB, 1000, 2)
batchB <- batchRate(genB, 300)
peaks <- rtracklayer::import(bed, format = "BED")
peaks <- peaks[peaks$name == "CTCF"]
baselineB <- function(nb) {
    wins <- GenomicDL:::.batchWindows(genB, nb)
    x <- oneHotR(getSeq(ff, wins))
    y <- vapply(seq_along(wins), function(k) {  # match_all, per window
        hit <- peaks[overlapsAny(peaks, wins[k], ignore.strand = TRUE)]
        any((start(hit) >= start(wins)[k] & end(hit) <= end(wins)[k]) |
            (start(hit) <= start(wins)[k] & end(hit) >= end(wins)[k]))
    }, TRUE) * 1
    list(x = x, y = y)
}
tB <- system.time(bB <- baselineB(1))[["elapsed"]]
rB <- B / tB
gB <- batch(genB, 1)
stopifnot(isTRUE(all.equal(unname(gB$x), bB$x)), isTRUE(all.equal(as.numeric(gB$y), bB$y)))

cat(sprintf("GenomicDL generator benchmark (batches of %d, %d cores)\n", B, parallel::detectCores()))
cat(sprintf("(a) regression  window 2001, tg 100, 2 bigWigs, max+perctrim, balanced weights\n"))
report <- function(r1, r2, rR, rB) {
    cat(sprintf("    C++ 1 thread: %8.0f samples/s   2 threads: %8.0f samples/s   (scaling x%.2f)\n",
                r1[["wall"]], r2[["wall"]], r2[["wall"]] / r1[["wall"]]))
    cat(sprintf("    C++ per CPU-second: %8.0f (1 thread), %8.0f (2 threads)\n", r1[["cpu"]], r2[["cpu"]]))
    cat(sprintf("    R baseline:   %8.1f samples/s   ratio (C++ 2 threads / R): %.0fx\n", rR, r2[["wall"]] / rR))
    cat(sprintf(paste0("    batch(gen, i): %8.0f samples/s (%8.0f per CPU-second, %.0f%% of it R's garbage collection)",
                       "   ratio batch() / R: %.0fx (target >= 20x)\n"),
                rB[["wall"]], rB[["cpu"]], 100 * rB[["gcShare"]], rB[["wall"]] / rR))
    cat(sprintf(paste0("    C++ 1 thread / batch(): %.2fx wall, %.2fx per CPU-second, %.2fx per CPU-second ",
                       "without the collections (target <= 2x)\n"), r1[["wall"]] / rB[["wall"]],
                r1[["cpu"]] / rB[["cpu"]], r1[["cpu"]] / rB[["cpu"]] * (1 - rB[["gcShare"]])))
}
report(a1, a2, rA, batchA)
cat(sprintf("(b) classification  seqLen 551, real negatives 1:1, augmentation\n"))
report(b1, b2, rB, batchB)
## ---- (c) construction with maxN < 1 --------------------------------------------------------
lensC <- GenomicDL:::.lengthsOf(genomeSource(fa))
set.seed(3)
nF <- 20000L
chrC <- sample(names(lensC), nF, replace = TRUE, prob = lensC)
stC <- vapply(seq_len(nF), function(i) sample.int(lensC[[chrC[i]]] - 400L, 1L), 0L)
featsC <- GRanges(chrC, IRanges(stC, width = 200L), strand = "+")
buildC <- function(maxN) sequenceGenerator(fa, featsC, inputLength = 400, maxN = maxN, negativeType = NULL,
                                            batchSize = 32)
tC1 <- min(replicate(3, system.time(buildC(1))[["elapsed"]]))
tC <- min(replicate(3, system.time(buildC(0.1))[["elapsed"]]))
gC <- buildC(0.1)
## R baseline: the per-feature loop R/data-plan.R ran before the filter moved into the core, on the
## N runs read with Biostrings (not timed), for the same features.
seqsC <- Biostrings::readDNAStringSet(fa)
runsC <- lapply(seqsC, function(s) {
    r <- as(S4Vectors::Rle(!utf8ToInt(as.character(s)) %in% utf8ToInt("ACGT")), "IRanges")
    list(start = start(r), end = end(r))
})
names(runsC) <- sub(" .*", "", names(seqsC))
filterR <- function(f, L, maxN) {
    wx <- L - width(f)
    s <- start(f) - (wx %/% 2L + wx %% 2L)
    vapply(seq_along(f), function(i) {
        r <- runsC[[as.character(seqnames(f))[i]]]
        if (!length(r$start)) return(TRUE)
        ov <- pmax(0, pmin(r$end, s[i] + L - 1) - pmax(r$start, s[i]) + 1)
        sum(ov) <= maxN * L
    }, TRUE)
}
tR <- min(replicate(3, system.time(filterR(featsC, 400, 0.1))[["elapsed"]]))
keepR <- filterR(featsC, 400, 0.1)
## the core keeps the features the R loop kept (positives: distinct features)
stopifnot(gC@info$positives == sum(!duplicated(as.character(featsC[keepR]))))
cat(sprintf("(c) construction, %d features, seqLen 400: maxN = 0.1 %.3f s, maxN = 1 %.3f s;", nF, tC, tC1))
## the core's filter is within the timing noise of construction: the ratio is the R loop alone
## against the whole construction with the filter
cat(sprintf(" R loop alone %.3f s (ratio R loop / whole construction with maxN: %.0fx)\n", tR, tR / tC))
## ---- memory ------------------------------------------------------------------------------
## What each generator holds on its C++ side after the timed epochs (sample tables, label index,
## statistics, decoded-track caches, per-thread scratch for 2 threads) against the issue's bound:
## twice the genome plus its tracks (bigWig file sizes). The prefetcher's ring (2 x threads
## batches, owned by the training loop) is printed apart: it scales with batchSize x window.
genomeBytes <- sum(as.numeric(GenomicDL:::.lengthsOf(genomeSource(fa))))
mem <- function(label, gen, tracks) {
    m <- GenomicDL:::.generatorMemory(gen, threads = 2)
    bound <- 2 * (genomeBytes + sum(file.size(tracks)))
    cat(sprintf("    %s: %.2f MB held (samples %.2f, tracks %.2f, scratch %.2f) <= bound %.2f MB: %s;",
                label, m[["total"]] / 2^20, m[["samples"]] / 2^20, m[["tracks"]] / 2^20,
                m[["scratch"]] / 2^20, bound / 2^20, if (m[["total"]] <= bound) "holds" else "FAILS"))
    cat(sprintf(" ring of 4 batches %.2f MB\n", m[["ring"]] / 2^20))
}
cat(sprintf("memory (genome %.2f MB, bigWigs %.2f MB):\n", genomeBytes / 2^20, sum(file.size(bw)) / 2^20))
mem("(a)", genA, bw)
mem("(b)", genB, character())
cat(sprintf("load average at the end: %s\n", paste(readLines("/proc/loadavg"), collapse = "")))
