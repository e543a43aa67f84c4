## Benchmark: scanMotifs() with JASPAR 2020 CORE vertebrates (746 motifs) against a 300 kb
## sequence (seeded, uniform letters), p < 1e-4, both strands, matched sequences on.
## MEME FIMO 5.5.8 takes 89.4 s on one core of this machine for this; target >= 100x faster.
## Baseline in the same script: Biostrings::matchPWM with FIMO's integer matrices (as the core
## builds them) and each motif's integer threshold, on both strands - the same sites, found by a
## well-kept C scanner - on the first 100 motifs, scaled to 746. The sites are compared.
suppressPackageStartupMessages({
    library(GenomicDL)
    library(Biostrings)
})
f <- Sys.getenv("GENOMICDL_JASPAR", "../shared/data/motifs/JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
if (!file.exists(f)) f <- "../../shared/data/motifs/JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"
if (!file.exists(f)) f <- "/work/shared/data/motifs/JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"
if (!file.exists(f)) stop("JASPAR file not found; set GENOMICDL_JASPAR")
db <- GenomicDL:::.motifsToCore(f)
n <- length(db$prob)
set.seed(1)
len <- 300000L
seqs <- DNAStringSet(c(s300k = paste(sample(c("A", "C", "G", "T"), len, replace = TRUE), collapse = "")))
timeit <- function(expr) {
    t <- system.time(r <- expr)
    list(result = r, cpu = t[["user.self"]] + t[["sys.self"]], elapsed = t[["elapsed"]])
}
invisible(scanMotifs(f, seqs[1], threshold = 1e-4, threads = 1))  # warm-up (loading, first touch)
one <- timeit(scanMotifs(f, seqs, threshold = 1e-4, threads = 1))
two <- timeit(scanMotifs(f, seqs, threshold = 1e-4, threads = 2))

## Baseline: matchPWM with the same integer matrices and thresholds, both strands.
nsub <- 100L
sub <- lapply(db[c("id", "name", "url", "nsites", "prob")], `[`, seq_len(nsub))
pssm <- GenomicDL:::cpp_motif_scan_pssm(sub, c(0.25, 0.25, 0.25, 0.25), 1e-4, 0.1, TRUE)
subj <- seqs[[1]]
base <- timeit({
    hits <- 0L
    for (k in seq_len(nsub)) {
        s <- pssm[[k]]$score
        fwd <- t(s)
        rownames(fwd) <- c("A", "C", "G", "T")
        rev <- fwd[4:1, ncol(fwd):1, drop = FALSE]
        rownames(rev) <- c("A", "C", "G", "T")
        ## the reverse complement motif has its own table; its threshold is the same here
        ## (uniform background), as FIMO's rev_pssm would give
        thr <- pssm[[k]]$min_hit
        if (thr > 1000 * ncol(fwd)) next
        hits <- hits + length(matchPWM(fwd, subj, min.score = thr)) +
            length(matchPWM(rev, subj, min.score = thr))
    }
    hits
})
ours <- sum(one$result$motifId %in% sub$id)
baseAll <- base$cpu * n / nsub
cat(sprintf("scanMotifs JASPAR 2020 (%d motifs) vs %d bp, p < 1e-4, both strands\n", n, len))
cat(sprintf("  GenomicDL, 1 thread:  %.2f s CPU (%.2f s elapsed), %d sites\n",
            one$cpu, one$elapsed, length(one$result)))
cat(sprintf("  GenomicDL, 2 threads: %.2f s elapsed\n", two$elapsed))
cat(sprintf("  reference: MEME FIMO 5.5.8, one core: 89.4 s -> ratio %.0f x (1 thread, CPU), %.0f x (elapsed)\n",
            89.4 / one$cpu, 89.4 / one$elapsed))
cat(sprintf("  (load average now %s on %d cores: elapsed > CPU means the cores were shared)\n",
            paste(utils::head(scan("/proc/loadavg", what = "", quiet = TRUE), 1)), parallel::detectCores()))
cat(sprintf("  baseline: Biostrings::matchPWM, FIMO's integer matrices, %d motifs: %.2f s -> %.1f s for %d (scaled)\n",
            nsub, base$cpu, baseAll, n))
cat(sprintf("  ratio baseline / GenomicDL (1 thread): %.1f x\n", baseAll / one$cpu))
cat(sprintf("  same number of sites as matchPWM on the %d motifs: %s (%d vs %d)\n",
            nsub, ours == base$result, ours, base$result))
cat(sprintf("  identical sites with 1 and 2 threads: %s\n",
            identical(paste(one$result), paste(two$result))))

## Optional: a 100 Mb synthetic genome, all motifs, streamed to a file; memory stays bounded
## (peak resident memory printed). GENOMICDL_BENCH_GENOME=1 to run it.
if (nzchar(Sys.getenv("GENOMICDL_BENCH_GENOME"))) {
    set.seed(2)
    chroms <- DNAStringSet(vapply(1:4, function(i)
        paste(sample(c("A", "C", "G", "T"), 25e6, replace = TRUE), collapse = ""), character(1)))
    names(chroms) <- paste0("chr", 1:4)
    g <- genomeSource(chroms)
    rm(chroms); invisible(gc())
    out <- tempfile(fileext = ".tsv")
    kb <- function(key) as.numeric(sub("[^0-9]*([0-9]+).*", "\\1",
                                       grep(key, readLines("/proc/self/status"), value = TRUE)))
    ## the peak of the scan alone: building the genome in R above (sample + paste of 25 Mb
    ## strings) peaks far higher than the scan
    writeLines("5", "/proc/self/clear_refs")  # VmHWM := VmRSS
    before <- kb("VmRSS")
    big <- timeit(scanMotifs(f, g, threshold = 1e-4, matchedSequence = FALSE, file = out, threads = 2))
    cat(sprintf(paste("  100 Mb genome, %d motifs, 2 threads: %.1f s elapsed, %.0f sites streamed to",
                      "%.0f MB; peak resident memory +%.0f MB over the %.0f MB before the call\n"),
                n, big$elapsed, attr(big$result, "hits"), file.size(out) / 1e6,
                (kb("VmHWM") - before) / 1024, before / 1024))
    unlink(out)
}
