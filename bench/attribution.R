## Benchmark: attributions of cnnModel(1000) (keras_dna's CNN, 1,000-bp inputs) in the core --
## ISM (3 L mutants per sequence, batched), gradient x input and DeepSHAP (20 dinucleotide-
## shuffled references) -- against the ISM users write in R: every mutant built as a string,
## one-hot encoded with oneHot() and scored with predict(), one sequence per call.
##   Rscript bench/attribution.R           (make bench runs every bench/*.R)
suppressPackageStartupMessages(library(GenomicDL))
threads <- as.integer(Sys.getenv("GDL_BENCH_THREADS", "2"))
options(GenomicDL.threads = threads)
len <- 1000L
m <- cnnModel(len)
set.seed(1)
rseq <- function(n) vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE),
                                                         collapse = ""), "")
nIsm <- 12L        # sequences for ISM (3,000 mutants each)
nShap <- 200L      # sequences for DeepSHAP and gradient x input
seqs <- rseq(nShap)
x <- oneHot(seqs)
invisible(attributeBases(m, x[1:2, , , drop = FALSE], method = "ism"))  # warm up

timeIt <- function(expr) system.time(expr)[["elapsed"]]
tIsm <- timeIt(ism <- attributeBases(m, x[seq_len(nIsm), , , drop = FALSE], method = "ism",
                                     batchSize = 256))
tShap <- timeIt(shap <- suppressWarnings(attributeBases(m, x, method = "deepliftshap", nReferences = 20,
                                       batchSize = 400)))
tSal <- timeIt(sal <- attributeBases(m, x, method = "saliency", batchSize = 256))

## R baseline: ISM of one sequence = its 3 L mutants as strings -> oneHot -> predict
nBase <- 3L
ismR <- function(s) {
    f0 <- predict(m, s)[1, 1]
    chars <- strsplit(s, "")[[1]]
    muts <- character(0)
    at <- integer(0)
    for (l in seq_len(len)) for (b in c("A", "C", "G", "T")) {
        if (chars[l] == b) next
        cs <- chars
        cs[l] <- b
        muts <- c(muts, paste(cs, collapse = ""))
        at <- c(at, l)
    }
    y <- predict(m, oneHot(muts), batchSize = 256)[, 1] - f0
    y
}
tR <- timeIt(for (i in seq_len(nBase)) ismR(seqs[i]))

ismRate <- nIsm / tIsm
rRate <- nBase / tR
cat(sprintf("attributions of cnnModel(%d) (%s parameters), %d thread(s)\n", len,
            format(countParams(m), big.mark = ","), threads))
cat(sprintf("  ISM          GenomicDL: %6.2f sequences/s (%5.0f mutants/s)\n", ismRate,
            ismRate * 3 * len))
cat(sprintf("  ISM          R loop over oneHot() + predict(): %6.2f sequences/s\n", rRate))
cat(sprintf("  ratio ISM GenomicDL / R loop: %.1f x\n", ismRate / rRate))
cat(sprintf("  DeepSHAP     GenomicDL: %6.2f sequences/s (20 references; max completeness gap %.2g)\n",
            nShap / tShap, attr(shap, "maxCompletenessGap")))
cat(sprintf("  grad x input GenomicDL: %6.1f sequences/s\n", nShap / tSal))
cat(sprintf("  ratio DeepSHAP / R-loop ISM (sequences/s): %.1f x\n", (nShap / tShap) / rRate))
