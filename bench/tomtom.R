## Benchmark: compareMotifs() on JASPAR 2020 CORE vertebrates, all against all (746 x 746),
## dist = "pearson", minOverlap = 5, every pair with E <= 10 (Tomtom -evalue -thresh 10).
## MEME Tomtom 5.5.8 takes 417 s on one core for this; 400x that is 1.04 s. One thread (CPU
## time, the steady figure on a shared machine), then two threads (elapsed).
## Baseline in the same script: GenomicDL's straightforward reference path (MEME's per-pair
## Pearson with rounded partial sums, full sorts for the medians, Tomtom's pmf recursion of the
## maximum over alignments for every target) on the first 40 queries, scaled to 746.
##
## `Rscript bench/tomtom.R nearest [N] [threads]`: compareMotifs(nNearest = 5) of N (100,000)
## one-hot seqlets (20 bp windows of the example genome) against JASPAR, threshold 1 (every
## query keeps 5 rows): CPU and elapsed time, rows, and the process's peak resident memory
## during the call (VmHWM after resetting it), against the full comparison's on 1/50 of the
## queries (its table grows as queries x 746).
suppressPackageStartupMessages(library(GenomicDL))
args <- commandArgs(trailingOnly = TRUE)
f <- Sys.getenv("GENOMICDL_JASPAR", "../shared/data/motifs/JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
if (!file.exists(f)) f <- "../../shared/data/motifs/JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"
if (!file.exists(f)) stop("JASPAR file not found; set GENOMICDL_JASPAR")
if (length(args) && args[1] == "nearest") {
    nq <- if (length(args) > 1) as.integer(args[2]) else 100000L
    th <- if (length(args) > 2) as.integer(args[3]) else 1L
    g <- Biostrings::readDNAStringSet(system.file("extdata", "example_genome.fa", package = "GenomicDL"))
    set.seed(1)
    w <- 20L
    chr <- sample(length(g), nq, TRUE, prob = Biostrings::width(g))
    st <- vapply(chr, function(c) sample(Biostrings::width(g)[c] - w, 1L), 1L)
    x <- oneHot(Biostrings::subseq(g[chr], st, width = w))
    x[is.na(x)] <- 0.25
    rm(g, chr, st)
    invisible(gc())
    kb <- function(field) as.numeric(sub("kB", "", sub(paste0(field, ":"), "",
                                   grep(paste0("^", field), readLines("/proc/self/status"), value = TRUE))))
    peakOf <- function(expr) {
        invisible(gc())
        before <- kb("VmRSS")
        writeLines("5", "/proc/self/clear_refs")  # VmHWM := VmRSS
        t <- system.time(r <- expr)
        list(result = r, cpu = t[["user.self"]] + t[["sys.self"]], elapsed = t[["elapsed"]],
             before = before / 1024, peak = kb("VmHWM") / 1024)
    }
    near <- peakOf(compareMotifs(x, f, dist = "pearson", threshold = 1, nNearest = 5, threads = th))
    sub <- seq_len(max(1L, nq %/% 50L))
    full <- peakOf(compareMotifs(x[sub, , , drop = FALSE], f, dist = "pearson", threshold = 1, threads = th))
    cat(sprintf("compareMotifs(nNearest = 5): %d one-hot 20-bp seqlets x JASPAR (746), pearson, %d thread(s)\n",
                nq, th))
    cat(sprintf("  nNearest: %.1f s CPU (%.1f s elapsed), %.2f ms CPU per query, %d rows; RSS %.0f MB before, peak %.0f MB (+%.0f)\n",
                near$cpu, near$elapsed, 1000 * near$cpu / nq, nrow(near$result), near$before, near$peak,
                near$peak - near$before))
    cat(sprintf("  full table on %d queries: %.1f s CPU, %d rows; peak +%.0f MB (x50 queries: ~%.0f M rows)\n",
                length(sub), full$cpu, nrow(full$result), full$peak - full$before,
                nrow(full$result) * 50 / 1e6))
    quit(save = "no")
}
db <- GenomicDL:::.motifsToCore(f)
n <- length(db$prob)
timeit <- function(expr) {
    t <- system.time(r <- expr)
    list(result = r, cpu = t[["user.self"]] + t[["sys.self"]], elapsed = t[["elapsed"]])
}
fast <- timeit(GenomicDL:::.tomtom(db, db, "pearson", 5L, 10, TRUE, TRUE, threads = 1))
fast2 <- timeit(GenomicDL:::.tomtom(db, db, "pearson", 5L, 10, TRUE, TRUE, threads = 2))
nsub <- 40L
sub <- lapply(db[c("id", "name", "url", "nsites", "prob")], `[`, seq_len(nsub))
sub$background <- db$background
ref <- timeit(GenomicDL:::.tomtom(sub, db, "pearson", 5L, 10, TRUE, TRUE, threads = 1,
                                  reference = TRUE))
same <- identical(as.data.frame(ref$result),
                  as.data.frame(fast$result[fast$result$Query_ID %in% sub$id, ]))
refAll <- ref$cpu * n / nsub
cat(sprintf("compareMotifs JASPAR %d x %d (pearson, minOverlap 5, E <= 10), 1 thread\n", n, n))
cat(sprintf("  fast:      %.2f s CPU (%.2f s elapsed), %d hits, %.0f pairs/s\n",
            fast$cpu, fast$elapsed, nrow(fast$result), n * n / fast$cpu))
cat(sprintf("  baseline:  reference path %.2f s CPU for %d queries -> %.1f s for %d (scaled)\n",
            ref$cpu, nsub, refAll, n))
cat(sprintf("  ratio baseline / fast: %.1f x; Tomtom 5.5.8 (417 s) / fast: %.0f x\n",
            refAll / fast$cpu, 417 / fast$cpu))
cat(sprintf("  2 threads: %.2f s elapsed (%.2f s CPU): Tomtom 5.5.8 (417 s, one core) / elapsed: %.0f x; same table: %s\n",
            fast2$elapsed, fast2$cpu, 417 / fast2$elapsed,
            identical(as.data.frame(fast2$result), as.data.frame(fast$result))))
cat(sprintf("  fast and reference tables identical on the %d queries: %s\n", nsub, same))
