## Benchmark: discoverMotifs() (TF-MoDISco-lite in the C++ core) on 2,000 synthetic sequences of
## 400 bp with planted GATA1 and CTCF instances and attributions marking them; seqlets/s and the
## total time. Baseline in the same script: the fine (continuous Jaccard) similarity of seqlet
## pairs computed in plain R, against the core's all-pairs similarity of the same seqlets
## (values checked equal); ratio of pairs per second.
##   Rscript bench/discover.R           (make bench runs every bench/*.R)
suppressPackageStartupMessages(library(GenomicDL))
threads <- as.integer(Sys.getenv("GDL_BENCH_THREADS", "2"))
options(GenomicDL.threads = threads)
n <- 2000L
len <- 400L
motifs <- readMEME(system.file("extdata", "example_motifs.meme", package = "GenomicDL"))
ppm <- list(TFBSTools::Matrix(motifs[["MA0035.4"]]), TFBSTools::Matrix(motifs[["MA0139.1"]]))
set.seed(1)
bases <- c("A", "C", "G", "T")
s <- matrix(sample(bases, n * len, TRUE), len, n)
bump <- matrix(0, n, len)
for (i in seq_len(n)) for (j in 1:2) {  # one GATA1 and one CTCF instance per sequence
    p <- ppm[[j]]
    w <- ncol(p)
    at <- sample(if (j == 1) 30:(180 - w) else 220:(370 - w), 1)
    s[at:(at + w - 1), i] <- apply(p, 2, function(q) sample(bases, 1, prob = q / sum(q)))
    bump[i, at:(at + w - 1)] <- 1
}
onehot <- oneHot(apply(s, 2, paste, collapse = ""))
attr <- onehot * (array(rnorm(n * len * 4, sd = 0.05), c(n, len, 4)) + as.vector(bump))

t0 <- proc.time()[["elapsed"]]
res <- discoverMotifs(attr, onehot)
tTotal <- proc.time()[["elapsed"]] - t0
ns <- nrow(res$seqlets)
hits <- compareMotifs(res$patterns, motifs, threshold = 0.05)
cat(sprintf("discoverMotifs: %d sequences x %d bp, %d seqlets, %d patterns in %.2f s (%.0f seqlets/s, %d threads)\n",
            n, len, ns, length(res$patterns), tTotal, ns / tTotal, threads))
cat("  Tomtom matches (q < 0.05):", paste(unique(hits$Target_ID), collapse = ", "), "\n")

## similarity of m seqlets: every pair in the core vs in plain R
sq <- res$seqlets
m <- 80L
sub <- sq[seq_len(m), ]
core <- function() GenomicDL:::cpp_discover_graph(onehot, attr, sub$example, sub$start, sub$end,
                                                  sub$sign, 0.7, m - 1L, 10, 1e9, 200L, threads)
tCore <- system.time(g <- core())[["elapsed"]]
feat <- function(k, rc) {
    rows <- sub$start[k]:sub$end[k]
    h <- attr[sub$example[k], rows, ]
    x <- onehot[sub$example[k], rows, ] * h
    if (rc) {
        h <- h[nrow(h):1, 4:1]
        x <- x[nrow(x):1, 4:1]
    }
    cbind(h / sum(abs(h)), x / sum(abs(x)))
}
best <- function(x, yf, yr, min = 0.7) {
    w <- nrow(x)
    mo <- ceiling(min * w - 1e-9)
    cs <- (w - mo) %/% 2
    b <- -Inf
    for (y in list(yf, yr)) {
        cr <- y[cs + seq_len(mo), ]
        for (o in 0:(w - mo)) {
            xs <- x[o + seq_len(mo), ]
            b <- max(b, sum(sign(xs) * sign(cr) * pmin(abs(xs), abs(cr))) / sum(pmax(abs(xs), abs(cr))))
        }
    }
    b
}
tR <- system.time({
    F <- lapply(seq_len(m), function(k) list(f = feat(k, FALSE), r = feat(k, TRUE)))
    simR <- matrix(NA_real_, m, m)
    for (a in 1:(m - 1)) for (b in (a + 1):m)
        simR[a, b] <- 0.5 * (best(F[[a]]$f, F[[b]]$f, F[[b]]$r) + best(F[[b]]$f, F[[a]]$f, F[[a]]$r))
})[["elapsed"]]
pairs <- m * (m - 1) / 2
diff <- max(abs(simR[cbind(g$from, g$to)] - g$similarity))
tCoreSafe <- max(tCore, 1e-3)
cat(sprintf("similarity of %d pairs: core %.3f s (%.0f pairs/s), plain R %.2f s (%.0f pairs/s); ratio %.0fx; max |difference| %.1e\n",
            pairs, tCore, pairs / tCoreSafe, tR, pairs / tR, tR / tCoreSafe, diff))
