## Variant scoring throughput: scoreVariants() against plain-R baselines run in the same script.
##  1. a 2,001-bp CNN (cnnModel()), SNVs and indels on a synthetic 6-Mb genome, rc = "average"
##     (4 windows per variant), 1 and 2 threads, against
##       (a) an R loop over variants: getSequence() + xscat() + predict() per variant, and
##       (b) the same vectorised per chunk: getSequence() + xscat() + one predict() call;
##  2. DeepBind models (inst/extdata/deepbind), against an R loop over deepbindScore();
##  3. N variants (default 1,000,000; env BENCH_VARIANTS_N) written as a VCF, streamed from the
##     file with a small model to each output format (env BENCH_VARIANTS_FORMATS, default
##     tsv.gz,vcf.gz,h5), each in a fresh R process: variants/s and its peak RSS growth (VmHWM)
##     over a warm-up run on 1,000 of the records (which loads VariantAnnotation and the rest).
## Run: R_LIBS=build/Rlib Rscript bench/variants.R
##   (env BENCH_VARIANTS_SECTIONS: any of cnn,deepbind,large; all by default)
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
rScore <- function(m, w, threads) {
    f <- function(x) (predict(m, x, threads = threads) +
                      predict(m, reverseComplement(x), threads = threads)) / 2
    f(w$alt) - f(w$ref)
}
## wall-clock and CPU seconds (this process, all its threads) of f(); its value in `last`
timeIt <- function(f) {
    t <- system.time(last <<- f())
    c(wall = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
}
rates <- function(n, t) n / t  # variants/s, wall and per CPU-second

sections <- strsplit(Sys.getenv("BENCH_VARIANTS_SECTIONS", "cnn,deepbind,large"), ",")[[1L]]
if ("cnn" %in% sections) {
    cat("Variant scoring (scoreVariants, rc = \"average\": 4 windows per variant)\n")
    m <- cnnModel(2001, outputs = 1)
    v <- makeVariants(2000)
    invisible(scoreVariants(m, v[1:50], g, threads = 1, verbose = FALSE))
    nLoop <- 60L
    nChunk <- 1000L
    cat(sprintf("  2,001-bp CNN, %d variants (SNVs + indels); baselines at the same threads: an R loop over\n", length(v)))
    cat(sprintf("  the first %d variants (getSequence + xscat + predict per variant), R per chunk on %d\n", nLoop, nChunk))
    cat("  (variants/s wall-clock, per CPU-second in brackets)\n")
    for (th in 1:2) {
        t <- timeIt(function() scoreVariants(m, v, g, threads = th, verbose = FALSE)); s <- last
        tl <- timeIt(function() vapply(seq_len(nLoop), function(i)
            rScore(m, rWindows(v[i], 2001), th)[1, 1], 0))
        loop <- last
        tc <- timeIt(function() rScore(m, rWindows(v[seq_len(nChunk)], 2001), th)); chunk <- last
        d <- SummarizedExperiment::assay(s, "diff")[, 1]
        stopifnot(isTRUE(all.equal(unname(d[seq_len(nChunk)]), unname(chunk[, 1]), tolerance = 1e-4)),
                  isTRUE(all.equal(unname(d[seq_len(nLoop)]), unname(loop), tolerance = 1e-4)))
        if (th == 1) s1 <- s else stopifnot(identical(SummarizedExperiment::assays(s1),
                                                      SummarizedExperiment::assays(s)))
        r <- rates(length(v), t); rl <- rates(nLoop, tl); rc <- rates(nChunk, tc)
        cat(sprintf("    %d thread(s): scoreVariants %6.0f (%6.0f); R loop %5.1f (%5.1f); R per chunk %5.1f (%5.1f)\n",
                    th, r[1], r[2], rl[1], rl[2], rc[1], rc[2]))
        cat(sprintf("      ratio vs R loop %.1fx (%.1fx per CPU-second); vs R per chunk %.2fx (%.2fx)\n",
                    r[1] / rl[1], r[2] / rl[2], r[1] / rc[1], r[2] / rc[2]))
    }
}

## DeepBind
if ("deepbind" %in% sections) {
    models <- readDeepBind(c("D00210.001", "D00120.001", "D00410.003", "D00328.003"),
                           db = system.file("extdata", "deepbind", package = "GenomicDL"))
    vd <- makeVariants(20000)
    td1 <- timeIt(function() scoreVariants(models, vd, g, rc = "max", threads = 1, verbose = FALSE))[["wall"]]
    sd <- last
    td2 <- timeIt(function() scoreVariants(models, vd, g, rc = "max", threads = 2, verbose = FALSE))[["wall"]]
    nLoopD <- 500L
    tLoopD <- timeIt(function() t(vapply(seq_len(nLoopD), function(i) {
        w <- rWindows(vd[i], 101)
        deepbindScore(models, as.character(w$alt), strands = "both", threads = 1) -
            deepbindScore(models, as.character(w$ref), strands = "both", threads = 1)
    }, numeric(length(models)))))[["wall"]]
    stopifnot(isTRUE(all.equal(unname(SummarizedExperiment::assay(sd, "diff")[seq_len(nLoopD), ]),
                               unname(last), tolerance = 1e-6)))
    rd1 <- length(vd) / td1; rd2 <- length(vd) / td2; rdl <- nLoopD / tLoopD
    cat(sprintf("  DeepBind, %d models, 101-bp windows, %d variants\n", length(models), length(vd)))
    cat(sprintf("    scoreVariants, 1 thread:   %8.0f variants/s (%.2f s)\n", rd1, td1))
    cat(sprintf("    scoreVariants, 2 threads:  %8.0f variants/s (%.2f s)\n", rd2, td2))
    cat(sprintf("    R loop per variant:        %8.0f variants/s\n", rdl))
    cat(sprintf("    ratio vs R loop: %.1fx (1 thread), %.1fx (2 threads)\n", rd1 / rdl, rd2 / rdl))
}

## Streaming a large VCF with bounded memory
N <- as.numeric(Sys.getenv("BENCH_VARIANTS_N", "1000000"))
if ("large" %in% sections && N > 0 && requireNamespace("VariantAnnotation", quietly = TRUE)) {
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
            ## warm-up on the first 1,000 records to the same format: loads VariantAnnotation
            ## (~440 MB of RSS by itself here) and the rest, so that the growth is the data's
            sprintf("head <- tempfile(fileext = '.vcf'); writeLines(readLines('%s', n = 1005L), head)", vcf),
            sprintf("invisible(scoreVariants(small, head, g, output = tempfile(fileext = '.%s'), verbose = FALSE))", fmt),
            "invisible(gc()); before <- hwm()",
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
