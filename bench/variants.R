## Variant scoring throughput: scoreVariants() against plain-R baselines run in the same script.
##  1. a 2,001-bp CNN (cnnModel()), SNVs and indels on a synthetic 6-Mb genome, rc = "average"
##     (4 windows per variant), 1 and 2 threads, against
##       (a) an R loop over variants: getSequence() + xscat() + predict() per variant, and
##       (b) the same vectorised per chunk: getSequence() + xscat() + one predict() call;
##  2. DeepBind models (inst/extdata/deepbind), against an R loop over deepbindScore();
##  3. N variants (default 1,000,000; env BENCH_VARIANTS_N) written as a VCF, streamed from the
##     file with a small model to each output format (env BENCH_VARIANTS_FORMATS, default
##     tsv.gz,vcf.gz,h5), each in a fresh R process: variants/s and its peak RSS growth (VmHWM).
## Run: R_LIBS=build/Rlib Rscript bench/variants.R
suppressPackageStartupMessages({
    library(GenomicDL)
    library(Biostrings)
})

set.seed(14)
chromLen <- 2e6
genome <- DNAStringSet(vapply(1:3, function(i) paste(sample(c("A", "C", "G", "T"), chromLen, TRUE),
                                                     collapse = ""), ""))
names(genome) <- paste0("chr", 1:3)
g <- genomeSource(genome)

## n variants: 80 % SNVs, 10 % deletions (1-5 bp), 10 % insertions (1-5 bp)
makeVariants <- function(n) {
    chr <- sample(names(genome), n, TRUE)
    pos <- sample(5000:(chromLen - 5000), n, TRUE)
    kind <- sample(c("snv", "del", "ins"), n, TRUE, prob = c(0.8, 0.1, 0.1))
    dl <- ifelse(kind == "del", sample(2:6, n, TRUE), 1L)
    gr <- GRanges(chr, IRanges(pos, width = dl))
    ref <- as.character(getSequence(g, gr))
    first <- substr(ref, 1, 1)
    other <- vapply(first, function(b) sample(setdiff(c("A", "C", "G", "T"), b), 1), "")
    ins <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), sample(1:5, 1), TRUE),
                                                collapse = ""), "")
    alt <- ifelse(kind == "snv", other, ifelse(kind == "del", first, paste0(first, ins)))
    gr$REF <- ref
    gr$ALT <- alt
    gr
}

## Plain-R ALT windows, same rule as ?scoreVariants (left flank, ALT, right flank, L bases).
rWindows <- function(v, L) {
    s <- start(v) - L %/% 2
    extra <- pmax(nchar(v$REF) - nchar(v$ALT), 0)
    big <- getSequence(g, GRanges(seqnames(v), IRanges(s, s + L - 1 + extra)))
    ref <- subseq(big, 1, L)
    c0 <- L %/% 2
    alt <- xscat(subseq(big, 1, c0), DNAStringSet(v$ALT), subseq(big, c0 + nchar(v$REF) + 1, width(big)))
    list(ref = ref, alt = subseq(alt, 1, L))
}
rScore <- function(m, w) {
    f <- function(x) (predict(m, x) + predict(m, reverseComplement(x))) / 2
    f(w$alt) - f(w$ref)
}
timeIt <- function(f) system.time(last <<- f())[["elapsed"]]

cat("Variant scoring (scoreVariants, rc = \"average\": 4 windows per variant)\n")
m <- cnnModel(2001, outputs = 1)
v <- makeVariants(2000)
invisible(scoreVariants(m, v[1:50], g, threads = 1, verbose = FALSE))
t1 <- timeIt(function() scoreVariants(m, v, g, threads = 1, verbose = FALSE)); s1 <- last
t2 <- timeIt(function() scoreVariants(m, v, g, threads = 2, verbose = FALSE)); s2 <- last
nLoop <- 100L
tLoop <- timeIt(function() vapply(seq_len(nLoop), function(i) rScore(m, rWindows(v[i], 2001))[1, 1], 0))
loop <- last
tChunk <- timeIt(function() rScore(m, rWindows(v, 2001))); chunk <- last
d <- SummarizedExperiment::assay(s1, "diff")[, 1]
stopifnot(isTRUE(all.equal(unname(d), unname(chunk[, 1]), tolerance = 1e-4)),
          isTRUE(all.equal(unname(d[seq_len(nLoop)]), unname(loop), tolerance = 1e-4)),
          identical(SummarizedExperiment::assays(s1), SummarizedExperiment::assays(s2)))
r1 <- length(v) / t1; r2 <- length(v) / t2
rl <- nLoop / tLoop; rc <- length(v) / tChunk
cat(sprintf("  2,001-bp CNN, %d variants (SNVs + indels)\n", length(v)))
cat(sprintf("    scoreVariants, 1 thread:   %8.0f variants/s (%.2f s)\n", r1, t1))
cat(sprintf("    scoreVariants, 2 threads:  %8.0f variants/s (%.2f s)\n", r2, t2))
cat(sprintf("    R loop per variant:        %8.0f variants/s (%d variants, %.2f s)\n", rl, nLoop, tLoop))
cat(sprintf("    R vectorised per chunk:    %8.0f variants/s (%.2f s)\n", rc, tChunk))
cat(sprintf("    ratio vs R loop: %.1fx (1 thread), %.1fx (2 threads); vs R per chunk: %.2fx, %.2fx\n",
            r1 / rl, r2 / rl, r1 / rc, r2 / rc))

## DeepBind
models <- readDeepBind(c("D00210.001", "D00120.001", "D00410.003", "D00328.003"),
                       db = system.file("extdata", "deepbind", package = "GenomicDL"))
vd <- makeVariants(20000)
td1 <- timeIt(function() scoreVariants(models, vd, g, rc = "max", threads = 1, verbose = FALSE)); sd <- last
td2 <- timeIt(function() scoreVariants(models, vd, g, rc = "max", threads = 2, verbose = FALSE))
nLoopD <- 500L
tLoopD <- timeIt(function() t(vapply(seq_len(nLoopD), function(i) {
    w <- rWindows(vd[i], 101)
    deepbindScore(models, as.character(w$alt), strands = "both", threads = 1) -
        deepbindScore(models, as.character(w$ref), strands = "both", threads = 1)
}, numeric(length(models)))))
stopifnot(isTRUE(all.equal(unname(SummarizedExperiment::assay(sd, "diff")[seq_len(nLoopD), ]),
                           unname(last), tolerance = 1e-6)))
rd1 <- length(vd) / td1; rd2 <- length(vd) / td2; rdl <- nLoopD / tLoopD
cat(sprintf("  DeepBind, %d models, 101-bp windows, %d variants\n", length(models), length(vd)))
cat(sprintf("    scoreVariants, 1 thread:   %8.0f variants/s (%.2f s)\n", rd1, td1))
cat(sprintf("    scoreVariants, 2 threads:  %8.0f variants/s (%.2f s)\n", rd2, td2))
cat(sprintf("    R loop per variant:        %8.0f variants/s\n", rdl))
cat(sprintf("    ratio vs R loop: %.1fx (1 thread), %.1fx (2 threads)\n", rd1 / rdl, rd2 / rdl))

## Streaming a large VCF with bounded memory
N <- as.numeric(Sys.getenv("BENCH_VARIANTS_N", "1000000"))
if (N > 0 && requireNamespace("VariantAnnotation", quietly = TRUE)) {
    vcf <- tempfile(fileext = ".vcf")
    con <- file(vcf, "w")
    writeLines(c("##fileformat=VCFv4.2", sprintf("##contig=<ID=%s,length=%d>", names(genome), chromLen),
                 "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"), con)
    block <- 1e5
    for (b in seq(0, N - 1, by = block)) {  # SNVs in genome order, REF from the genome
        k <- min(block, N - b)
        chr <- rep(names(genome), length.out = k)[order(rep(1:3, length.out = k))]
        pos <- sort(sample(5000:(chromLen - 5000), k))
        ref <- as.character(getSequence(g, GRanges(chr, IRanges(pos, width = 1))))
        alt <- c(A = "C", C = "G", G = "T", T = "A")[ref]
        writeLines(paste(chr, pos, ".", ref, alt, ".", "PASS", ".", sep = "\t"), con)
    }
    close(con)
    ## each output format in a fresh R process, so that its peak RSS (VmHWM) growth is its own
    formats <- strsplit(Sys.getenv("BENCH_VARIANTS_FORMATS", "tsv.gz,vcf.gz,h5"), ",")[[1L]]
    fasta <- tempfile(fileext = ".fa")
    Biostrings::writeXStringSet(genome, fasta)
    for (fmt in formats) {
        out <- tempfile(fileext = paste0(".", fmt))
        script <- tempfile(fileext = ".R")
        writeLines(c(
            "suppressPackageStartupMessages(library(GenomicDL))",
            "hwm <- function() as.numeric(gsub('[^0-9]', '', grep('^VmHWM', readLines('/proc/self/status'), value = TRUE))) / 1024",
            sprintf("g <- genomeSource('%s')", fasta),
            "small <- sequentialModel(c(101, 4), list(layerConv1d(8, 9, activation = 'relu'),",
            "                         layerGlobalMaxPool1d(), layerDense(1)))",
            "invisible(scoreVariants(small, GRanges('chr1:10000', REF = as.character(getSequence(g, GRanges('chr1:10000'))), ALT = 'N'), g, verbose = FALSE))",
            "gc(); before <- hwm()",
            sprintf("t <- system.time(r <- scoreVariants(small, '%s', g, yieldSize = 50000, output = '%s', threads = 2, verbose = FALSE))[['elapsed']]", vcf, out),
            "after <- hwm()",
            "n <- if (is(r, 'SummarizedExperiment')) nrow(r) else NA",
            "cat(sprintf('%.1f %.0f %.0f %s\\n', t, before, after, n))"), script)
        res <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = TRUE)
        f <- suppressWarnings(as.numeric(strsplit(utils::tail(res, 1L), " ")[[1L]][1:3]))
        if (anyNA(f)) stop("the .", fmt, " run failed:\n", paste(res, collapse = "\n"))
        cat(sprintf("  %.0f SNVs streamed from a VCF to .%s, 101-bp CNN, yieldSize 50,000, 2 threads\n",
                    N, fmt))
        cat(sprintf("    %8.0f variants/s (%.1f s); peak RSS %.0f MB after loading, %.0f MB after: growth %.0f MB (%.0f MB on disk)\n",
                    N / f[1], f[1], f[2], f[3], f[3] - f[2], file.size(out) / 2^20))
        unlink(c(out, paste0(out, ".tbi"), script))
    }
    unlink(c(vcf, fasta))
}
