## Benchmark: the track helpers that issue 12 asked to build on rtracklayer / GenomicRanges,
## each against the hand-written path it replaced (kept here as the baseline), on the same work:
##   1. exportTrack(): an RleList written to bigWig -- the package's libBigWig writer
##      (cpp_bigwig_write, runs built in R) against rtracklayer::export(, BigWigFile);
##   2. predictRegions()' stitched profile tracks: per-region bins to an RleList with NA gaps,
##      built run by run in R against GRanges + GenomicRanges::mcolAsRleList();
##   3. predictRegions()' per-window track: nearest-centre runs masked to the regions, by hand
##      (Rle + coverage mask, kept) against GRanges + pintersect + mcolAsRleList();
##   4. scanDeepBind()'s windows: window starts computed by hand (kept) against
##      IRanges::slidingWindows().
## Each line prints both times and the ratio hand / Bioconductor: the hand path is kept only where
## the ratio is <= 0.5 (the Bioconductor path at least 2x slower). Figures (2 shared cores, two
## runs): exportTrack 1.17-1.29 (rtracklayer used), stitched 23-33 (mcolAsRleList used),
## per-window track 0.22-0.25 (hand kept), scan windows 0.14-0.31 (hand kept).
##   Rscript bench/tracks-io.R            (make bench runs every bench/*.R)
suppressPackageStartupMessages(library(GenomicDL))
invisible(loadNamespace("rtracklayer"))
set.seed(1)
best <- function(f, reps = 3L) min(vapply(seq_len(reps), function(i) system.time(f())[["elapsed"]], 0))
report <- function(what, hand, bioc)
    cat(sprintf("%-58s hand %6.3f s  Bioconductor %6.3f s  ratio %5.2f\n", what, hand, bioc, hand / bioc))

## 1. bigWig writing: 3 chromosomes x 4 Mb, runs of 10 bases (1.2 M runs), 5% NA runs.
mk <- function(L) {
    v <- round(stats::runif(L %/% 10) * 10, 2)
    v[stats::runif(length(v)) < 0.05] <- NA
    S4Vectors::Rle(v, rep(10L, length(v)))
}
x <- IRanges::RleList(chr1 = mk(4e6), chr2 = mk(4e6), chr3 = mk(4e6), compress = FALSE)
f1 <- tempfile(fileext = ".bw")
f2 <- tempfile(fileext = ".bw")
handWrite <- function() {
    iv <- lapply(names(x), function(chr) {
        r <- x[[chr]]
        e <- cumsum(as.numeric(S4Vectors::runLength(r)))
        list(chrom = chr, start = c(0, e[-length(e)]), end = e, value = as.numeric(S4Vectors::runValue(r)))
    })
    GenomicDL:::cpp_bigwig_write(f1, names(x), as.numeric(lengths(x)), iv)
}
handWrite()
exportTrack(x, f2)
probe <- GRanges(c("chr1:1-5000", "chr3:3990001-4000000"))
stopifnot(isTRUE(all.equal(trackValues(f1, probe), trackValues(f2, probe))))
report("exportTrack(), 1.2 M runs (cpp writer vs rtracklayer)", best(handWrite),
       best(function() exportTrack(x, f2)))

## 2. stitched profile tracks: 4,000 regions of 500 bases on 2 chromosomes, bins of 10 bases.
nr <- 4000L
lens <- c(chrA = 3e6, chrB = 3e6)
starts <- sort(sample(seq(1, 2.9e6, by = 700), nr))
regions <- GRanges(rep(c("chrA", "chrB"), each = nr / 2), IRanges(starts, width = 500))
b <- 10
res <- list(grid = start(regions), bins = rep(50L, nr),
            tracks = list(lapply(seq_len(nr), function(i) matrix(stats::rnorm(50), 50, 1))))
handStitched <- function() {
    chr <- as.character(seqnames(regions))
    per <- res$tracks[[1L]]
    l <- lapply(unique(chr), function(ch) {
        idx <- which(chr == ch)
        idx <- idx[order(start(regions)[idx])]
        vals <- list()
        lensr <- list()
        pos <- 0
        for (r in idx) {
            nb <- res$bins[r]
            bs <- res$grid[r] + (seq_len(nb) - 1) * b
            s <- pmax(bs, start(regions)[r])
            e <- pmin(bs + b - 1, end(regions)[r])
            keep <- e >= s
            if (start(regions)[r] - 1 > pos) {
                vals[[length(vals) + 1L]] <- NA_real_
                lensr[[length(lensr) + 1L]] <- start(regions)[r] - 1 - pos
            }
            vals[[length(vals) + 1L]] <- per[[r]][keep, 1L]
            lensr[[length(lensr) + 1L]] <- e[keep] - s[keep] + 1
            pos <- end(regions)[r]
        }
        if (lens[[ch]] > pos) {
            vals[[length(vals) + 1L]] <- NA_real_
            lensr[[length(lensr) + 1L]] <- lens[[ch]] - pos
        }
        S4Vectors::Rle(unlist(vals), unlist(lensr))
    })
    names(l) <- unique(chr)
    IRanges::RleList(l, compress = FALSE)
}
bioStitched <- function() GenomicDL:::.stitchedTracks(res, 1L, regions, lens, "t", b)[[1L]]
stopifnot(isTRUE(all.equal(as.list(handStitched()), as.list(bioStitched()))))
report("stitched tracks, 4,000 regions x 50 bins", best(handStitched), best(bioStitched))

## 3. per-window track: windows of 200 bases every 5 over the same regions (244,000 windows).
## The package keeps the hand path (.windowTrack); the same track through GenomicRanges:
w <- unlist(IRanges::slidingWindows(regions, 200, 5))
w <- w[width(w) == 200]
score <- stats::rnorm(length(w))
trackRanges <- function(chr, start, end, lens, chroms = unique(chr))
    GRanges(chr, IRanges(start, end), seqinfo = GenomeInfoDb::Seqinfo(chroms, as.integer(lens[chroms])))
bioWindowTrack <- function(windows, score, regions, lens) {
    chr <- factor(as.character(seqnames(windows)), levels = unique(as.character(seqnames(windows))))
    centre <- (start(windows) + end(windows)) / 2
    o <- order(chr, centre)
    n <- length(o)
    o <- o[c(TRUE, chr[o][-1L] != chr[o][-n] | centre[o][-1L] != centre[o][-n])]  # equal centres: the earlier
    ch <- chr[o]
    cen <- centre[o]
    last <- c(ch[-1L] != ch[-length(ch)], TRUE)        # the last window of its chromosome
    e <- ifelse(last, lens[as.character(ch)], floor((cen + c(cen[-1L], 0)) / 2))
    s <- c(1, e[-length(e)] + 1)
    s[c(TRUE, last[-length(last)])] <- 1
    ok <- e >= s
    runs <- trackRanges(as.character(ch)[ok], s[ok], e[ok], lens, levels(chr))
    inside <- GenomicRanges::reduce(regions[as.character(seqnames(regions)) %in% levels(chr)])
    hits <- GenomicRanges::findOverlaps(runs, inside)
    cut <- GenomicRanges::pintersect(runs[S4Vectors::queryHits(hits)],
                                     inside[S4Vectors::subjectHits(hits)], ignore.strand = TRUE)
    track <- trackRanges(as.character(seqnames(cut)), start(cut), end(cut), lens, levels(chr))
    track$score <- score[o][ok][S4Vectors::queryHits(hits)]
    GenomicRanges::mcolAsRleList(track, "score")
}
handWindow <- function() GenomicDL:::.windowTrack(w, score, regions, lens)
bioWindow <- function() bioWindowTrack(w, score, regions, lens)
stopifnot(isTRUE(all.equal(as.list(handWindow()), as.list(bioWindow()))))
report(sprintf("per-window track, %d windows", length(w)), best(handWindow), best(bioWindow))

## 4. scanDeepBind()'s windows: 2,000 regions of 5 kb, width 101, step 10 (980,000 windows); the
## package keeps the hand path (.scanWindows) against IRanges::slidingWindows().
sr <- GRanges("chrA", IRanges(seq(1, by = 6000, length.out = 2000), width = 5000))
handStarts <- function() GenomicDL:::.scanWindows(sr, 101, 10)
bioStarts <- function() {
    sw <- IRanges::slidingWindows(sr, 101, 10)
    region <- rep(seq_along(sr), lengths(sw))
    sw <- unlist(sw, use.names = FALSE)
    keep <- width(sw) == 101
    out <- sw[keep]
    out$region <- region[keep]
    out
}
stopifnot(identical(ranges(handStarts()), ranges(bioStarts())),
          identical(handStarts()$region, bioStarts()$region))
report(sprintf("scan windows, %d windows", length(handStarts())), best(handStarts), best(bioStarts))
