## Benchmark: one-hot encoding of random 1,000-bp windows from an in-memory genome into a float32
## batch (the core's N x 4 x L layout), against an R-only baseline (Biostrings::getSeq from an
## indexed FASTA plus one-hot built in R) in the same script.
##   Rscript bench/onehot.R            (make bench runs every bench/*.R)
## Targets (issue 2): >= 100,000 windows/s on one thread, >= 25 x the R baseline.
suppressPackageStartupMessages(library(GenomicDL))
fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
width <- 1000L
g <- genomeSource(Biostrings::readDNAStringSet(fa))   # in-memory genome
ptr <- GenomicDL:::.genomePtr(g)

## GenomicDL: windows drawn and encoded in the core, batches of 128 into one float32 buffer.
n <- 200000L
run <- function(threads) GenomicDL:::cpp_bench_onehot(ptr, n, width, 128L, threads, 42)
invisible(run(1L))                                          # warm up
t1 <- run(1L)
t2 <- run(2L)
gdlRate1 <- n / t1[["encode"]]
gdlRate2 <- n / t2[["encode"]]
bytesPerWindow <- 4 * width * 4                             # float32 A, C, G, T rows
memcpyRate <- n * bytesPerWindow / t1[["memcpy"]]

## R baseline: getSeq() of random windows from the indexed FASTA, one-hot in R.
nb <- 3000L
set.seed(1)
lens <- seqlengths(seqinfo(g))
chr <- sample(names(lens), nb, replace = TRUE, prob = lens)
st <- vapply(chr, function(c) sample.int(lens[[c]] - width + 1L, 1L), 1L)
ranges <- GRanges(chr, IRanges(st, width = width))
oneHotR <- function(s) {
    m <- matrix(strsplit(s, "")[[1]], nrow = 1)
    codes <- match(m, c("A", "C", "G", "T"))
    out <- matrix(0, 4, length(codes))
    ok <- !is.na(codes)
    out[cbind(codes[ok], which(ok))] <- 1
    out[, !ok] <- 0.25
    out
}
tR <- system.time({
    fafile <- Rsamtools::FaFile(fa)
    for (i in seq(1L, nb, by = 128L)) {
        idx <- i:min(i + 127L, nb)
        s <- as.character(Biostrings::getSeq(fafile, ranges[idx]))
        batch <- array(0, c(length(idx), 4L, width))
        for (j in seq_along(idx)) batch[j, , ] <- oneHotR(s[j])
    }
})[["elapsed"]]
rRate <- nb / tR

cat(sprintf("one-hot, %d windows of %d bp, float32 N x 4 x L batches of 128\n", n, width))
cat(sprintf("  GenomicDL, 1 thread : %10.0f windows/s (%.2f GB/s written)\n", gdlRate1,
            gdlRate1 * bytesPerWindow / 1e9))
cat(sprintf("  GenomicDL, 2 threads: %10.0f windows/s (x%.2f)\n", gdlRate2, gdlRate2 / gdlRate1))
cat(sprintf("  R baseline (getSeq + one-hot in R, %d windows): %8.0f windows/s\n", nb, rRate))
cat(sprintf("  ratio GenomicDL (1 thread) / R baseline: %.0fx (target >= 25x)\n", gdlRate1 / rRate))
cat(sprintf("  memcpy of the same bytes: %.2f GB/s; one-hot reaches %.0f%% of it\n", memcpyRate / 1e9,
            100 * gdlRate1 * bytesPerWindow / memcpyRate))
cat(sprintf("  target >= 100,000 windows/s on one thread: %s\n",
            if (gdlRate1 >= 1e5) "met" else "NOT met"))
