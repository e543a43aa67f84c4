lens <- c(chr1 = 700000, chr2 = 500000, chr3 = 300000)

## Per-base values of a bigWig over equal-width ranges (columns), no data as 0: rtracklayer's
## coverage, independent of the core.
covOf <- local({
    cache <- list()
    function(bw) {
        if (is.null(cache[[bw]])) {
            g <- rtracklayer::import(bw)
            cache[[bw]] <<- coverage(g, weight = g$score)
        }
        cache[[bw]]
    }
})
trackAt <- function(bw, gr) {
    cov <- covOf(bw)
    vapply(seq_along(gr), function(i) {
        v <- as.numeric(cov[[as.character(seqnames(gr)[i])]][start(gr)[i]:end(gr)[i]])
        v[is.na(v)] <- 0
        v
    }, numeric(width(gr[1])))
}
peaks <- function(bed, type = "CTCF") {
    gr <- rtracklayer::import(bed, format = "BED")
    gr[gr$name == type]
}

test_that("continuous: windows in the chromosomes, x is the window's one-hot, y its centre values", {
    gen <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 1001, targetWindow = 20,
                             chromosomes = c("chr1", "chr3"), batchSize = 16, seed = 7)
    expect_equal(gen@info$samples, sum(lens[c("chr1", "chr3")] - 1001 + 1))
    expect_equal(length(gen), floor(gen@info$samples / 16))
    b <- batch(gen, 3)
    w <- GenomicDL:::.batchWindows(gen, 3)
    expect_true(all(as.character(seqnames(w)) %in% c("chr1", "chr3")))
    expect_true(all(start(w) >= 1 & end(w) <= lens[as.character(seqnames(w))]))
    expect_equal(b$x, unname(oneHot(w, fa)), ignore_attr = TRUE)
    # keras_dna: the tg_window central values; window 1001, tg 20 -> offset (1001 - 20) %/% 2
    centre <- GRanges(seqnames(w), IRanges(start(w) + (1001 - 20) %/% 2, width = 20))
    expect_equal(t(b$y[, , 1]), trackAt(bw1, centre), tolerance = 1e-6)
    expect_equal(t(b$y[, , 2]), trackAt(bw2, centre), tolerance = 1e-6)
})

test_that("continuous: no data (the chr2 gap) reads 0; maxN drops windows with N", {
    gap <- GRanges("chr2:100001-105000")
    gen <- sequenceGenerator(fa, bw1, inputLength = 101, targetWindow = 101, regions = gap,
                             batchSize = 32)
    expect_equal(gen@info$samples, 5000 - 101 + 1)
    b <- batch(gen, 1)
    expect_true(all(b$y == 0))
    expect_true(all(b$x == 0.25))
    g2 <- sequenceGenerator(fa, bw1, inputLength = 1001, chromosomes = "chr2", maxN = 0.1)
    # windows of chr2 with more than 100 N: starts 100001 - 1001 + 101 .. 105000 - 100
    expect_equal(g2@info$samples, (500000 - 1001 + 1) - ((105000 - 100) - (100001 - 1001 + 101) + 1))
})

test_that("continuous: max, zscore, minmax, log statistics equal R's over the included chromosomes", {
    imp <- rtracklayer::import(bw1)
    imp <- imp[as.character(seqnames(imp)) %in% c("chr1", "chr2")]
    w <- width(imp); s <- imp$score
    mu <- sum(w * s) / sum(w)
    sdv <- sqrt(sum(w * (s - mu)^2) / sum(w))
    gen <- sequenceGenerator(fa, bw1, inputLength = 501, chromosomes = c("chr1", "chr2"),
                             normalization = "zscore", batchSize = 8)
    st <- gen@info$normalization[[1]][[1]]
    expect_equal(st$a, mu, tolerance = 1e-9)
    expect_equal(st$b, sdv, tolerance = 1e-6)
    gmax <- sequenceGenerator(fa, bw1, inputLength = 501, chromosomes = c("chr1", "chr2"),
                              normalization = "max", batchSize = 8)
    expect_equal(gmax@info$normalization[[1]][[1]]$a, max(s))
    b <- batch(gmax, 1)
    wins <- GenomicDL:::.batchWindows(gmax, 1)
    raw <- trackAt(bw1, GRanges(seqnames(wins), IRanges(start(wins) + 250, width = 1)))
    expect_equal(as.numeric(b$y), as.numeric(raw) / max(s), tolerance = 1e-6)
    # chained: log then minmax (keras_dna order: the last listed first); the statistics of the
    # second step are on log values
    glm <- sequenceGenerator(fa, bw1, inputLength = 501, chromosomes = c("chr1", "chr2"),
                             normalization = c("minmax", "log"), batchSize = 8)
    st2 <- glm@info$normalization[[1]][[2]]
    expect_equal(c(st2$a, st2$b), range(log1p(s)), tolerance = 1e-6)
    yl <- batch(glm, 1)$y
    rawl <- trackAt(bw1, GRanges(seqnames(GenomicDL:::.batchWindows(glm, 1)),
                                 IRanges(start(GenomicDL:::.batchWindows(glm, 1)) + 250, width = 1)))
    expect_equal(as.numeric(yl), (log1p(as.numeric(rawl)) - st2$a) / (st2$b - st2$a), tolerance = 1e-6)
})

test_that("continuous: perctrim clips at the 99th percentile without rescaling; 'in order'", {
    gen <- sequenceGenerator(fa, bw1, inputLength = 201, targetWindow = 201, chromosomes = "chr1",
                             normalization = "perctrim", batchSize = 64)
    thr <- gen@info$normalization[[1]][[1]]$a
    v <- rtracklayer::import(bw1, which = GRanges("chr1:1-700000"))
    allv <- rep(v$score, width(v))
    expect_true(thr >= quantile(allv, 0.97) && thr <= quantile(allv, 0.999))
    b <- batch(gen, 2)
    w <- GenomicDL:::.batchWindows(gen, 2)
    raw <- trackAt(bw1, w)
    expect_equal(t(b$y[, , 1]), pmin(raw, thr), tolerance = 1e-6)
    # keras_dna's order: c("max", "perctrim") trims, then divides by the trimmed maximum
    g2 <- sequenceGenerator(fa, bw1, inputLength = 201, targetWindow = 201, chromosomes = "chr1",
                            normalization = c("max", "perctrim"), batchSize = 64)
    st <- g2@info$normalization[[1]]
    expect_identical(vapply(st, `[[`, "", "kind"), c("perctrim", "max"))  # in the order applied
    expect_equal(st[[2]]$a, st[[1]]$a, tolerance = 1e-6)
    yy <- unlist(lapply(1:5, function(i) batch(g2, i)$y))
    expect_true(max(yy) <= 1 + 1e-6)
    expect_equal(as.numeric(batch(g2, 2)$y[, , 1]), as.numeric(pmin(t(raw), thr) / thr), tolerance = 1e-6)
    # and c("perctrim", "max") divides by the maximum first, then clips at the percentile of that
    g3 <- sequenceGenerator(fa, bw1, inputLength = 201, targetWindow = 201, chromosomes = "chr1",
                            normalization = c("perctrim", "max"), batchSize = 64)
    expect_identical(vapply(g3@info$normalization[[1]], `[[`, "", "kind"), c("max", "perctrim"))
})

test_that("continuous: downsampling mean and first", {
    gm <- sequenceGenerator(fa, bw1, inputLength = 1000, targetWindow = 10, downsampling = "mean",
                            chromosomes = "chr1", batchSize = 4)
    w <- GenomicDL:::.batchWindows(gm, 1)
    raw <- trackAt(bw1, w)
    expect_equal(t(batch(gm, 1)$y[, , 1]), apply(raw, 2, function(v) colMeans(matrix(v, 100))),
                 tolerance = 1e-5)
    gf <- sequenceGenerator(fa, bw1, inputLength = 1000, targetWindow = 10, downsampling = "first",
                            chromosomes = "chr1", batchSize = 4)
    expect_equal(t(batch(gf, 1)$y[, , 1]), raw[seq(1, 1000, by = 100), ], tolerance = 1e-6)
})

test_that("rc reverse-complements x and reverses position labels; same seed, same samples", {
    a <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 301, targetWindow = 30, batchSize = 8, seed = 3)
    r <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 301, targetWindow = 30, batchSize = 8, seed = 3,
                           reverseComplement = TRUE)
    ba <- batch(a, 5); br <- batch(r, 5)
    expect_equal(br$x, ba$x[, 301:1, 4:1])
    expect_equal(br$y, ba$y[, 30:1, , drop = FALSE])
    expect_true(all(as.character(strand(GenomicDL:::.batchWindows(r, 5))) == "-"))
    # sparse class labels are not flipped (keras_dna's bug: labels[:, ::-1] swaps cell types)
    s <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = 400,
                           negativeType = NULL, batchSize = 16, seed = 5)
    sr <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = 400,
                            negativeType = NULL, batchSize = 16, seed = 5, reverseComplement = TRUE)
    expect_equal(batch(sr, 1)$y, batch(s, 1)$y)
    expect_equal(batch(sr, 1)$x, batch(s, 1)$x[, 400:1, 4:1])
})

test_that("batches are deterministic from the seed, whatever the threads; epochs reshuffle", {
    mk <- function(th, seed = 11) sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 300,
                                                    augmentation = TRUE, jitter = 5, rcAugment = TRUE,
                                                    batchSize = 32, seed = seed, threads = th)
    g1 <- mk(1); g2 <- mk(2)
    expect_identical(batch(g1, 4), batch(g2, 4))
    expect_identical(batch(g1, 4, epoch = 2), batch(g2, 4, epoch = 2))
    expect_false(identical(batch(g1, 4)$x, batch(g1, 4, epoch = 2)$x))
    expect_false(identical(batch(g1, 4)$x, batch(mk(1, seed = 12), 4)$x))
    # the epoch permutation covers every sample once
    g3 <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 300, batchSize = 1,
                            chromosomes = "chr3")
    s <- unlist(lapply(seq_len(length(g3)), function(i) GenomicDL:::.batchWindows(g3, i)$sample))
    expect_equal(sort(s), seq_len(g3@info$samples))
})

test_that("sparse: centred windows, match_all / match_any labels against every feature", {
    p1 <- peaks(bed1); p2 <- peaks(bed2)
    L <- 551
    gen <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = L,
                             negativeType = NULL, batchSize = 8, chromosomes = "chr1")
    u <- unique(granges(c(p1, p2))[seqnames(c(p1, p2)) == "chr1"])
    strand(u) <- "*"
    expect_equal(gen@info$samples, length(u))
    ws <- do.call(c, lapply(seq_len(length(gen)), function(i) GenomicDL:::.batchWindows(gen, i)))
    wx <- L - width(u)
    expected <- GRanges(seqnames(u), IRanges(start(u) - (wx %/% 2 + wx %% 2), width = L))
    got <- GRanges(seqnames(ws), ranges(ws))
    expect_true(all(overlapsAny(got, expected, type = "equal")))
    # labels: match_all = a feature inside the window or containing it
    for (mode in c("match_all", "match_any")) {
        g <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = 1200,
                               negativeType = NULL, positiveMode = mode, batchSize = 16,
                               chromosomes = "chr1")
        b <- batch(g, 1)
        w <- GRanges(seqnames(GenomicDL:::.batchWindows(g, 1)), ranges(GenomicDL:::.batchWindows(g, 1)))
        for (f in 1:2) {
            pf <- list(p1, p2)[[f]]
            exp <- if (mode == "match_all") {
                # the window inside a feature, or a feature inside the window
                overlapsAny(w, pf, type = "within", ignore.strand = TRUE) |
                    seq_along(w) %in% subjectHits(findOverlaps(pf, w, type = "within", ignore.strand = TRUE))
            } else overlapsAny(w, pf, ignore.strand = TRUE)
            expect_equal(as.logical(b$y[, f, 1]), as.vector(exp))
        }
    }
})

test_that("sparse: real negatives avoid positive windows; balanced weights N / (2 n)", {
    L <- 551
    gen <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = L, negativeRatio = 2,
                             weighting = "balanced", batchSize = 64, chromosomes = c("chr1", "chr2"))
    npos <- gen@info$positives
    expect_equal(gen@info$negatives, 2 * npos)
    N <- gen@info$samples
    expect_equal(gen@info$weight_positive, N / (2 * npos))
    expect_equal(gen@info$weight_negative, N / (2 * 2 * npos))
    p <- peaks(bed1); p <- p[as.character(seqnames(p)) %in% c("chr1", "chr2")]
    wx <- L - width(p)
    poswin <- GRanges(seqnames(p), IRanges(start(p) - (wx %/% 2 + wx %% 2), width = L))
    for (i in 1:3) {
        b <- batch(gen, i)
        w <- GenomicDL:::.batchWindows(gen, i)
        neg <- w$sample > npos
        expect_false(any(overlapsAny(w[neg], poswin, ignore.strand = TRUE)))
        expect_true(all(b$y[neg, 1, 1] == 0))
        expect_true(all(b$y[!neg, 1, 1] == 1))
        expect_equal(b$weights, ifelse(neg, N / (4 * npos), N / (2 * npos)))
    }
    all <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = L, negativeRatio = "all",
                             chromosomes = "chr3")
    p3 <- p <- peaks(bed1); p3 <- p3[seqnames(p3) == "chr3"]
    wx <- L - width(p3)
    pw <- reduce(GRanges("chr3", IRanges(start(p3) - (wx %/% 2 + wx %% 2) - L + 1, end(p3) + wx %/% 2)))
    expect_equal(all@info$negatives, (300000 - L + 1) - sum(width(GenomicRanges::intersect(pw, GRanges("chr3:1-299450")))))
})

test_that("sparse: augmentation gives every window containing the feature", {
    L <- 300
    gen <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = L, augmentation = TRUE,
                             negativeType = NULL, batchSize = 64, chromosomes = "chr1")
    p <- peaks(bed1); p <- p[seqnames(p) == "chr1"]
    expect_equal(gen@info$samples, sum(L - width(unique(granges(p))) + 1))
    w <- GenomicDL:::.batchWindows(gen, 1)
    expect_true(all(seq_along(w) %in% subjectHits(findOverlaps(p, w, type = "within", ignore.strand = TRUE))))
    expect_true(all(batch(gen, 1)$y == 1))
})

test_that("sparse: seq2seq labels are the features' coverage of the window", {
    gen <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = 420, seq2seq = TRUE,
                             negativeType = NULL, augmentation = TRUE, batchSize = 8, chromosomes = "chr2")
    b <- batch(gen, 2)
    w <- GenomicDL:::.batchWindows(gen, 2)
    for (f in 1:2) {
        pf <- peaks(list(bed1, bed2)[[f]])
        cov <- coverage(pf)
        for (k in seq_along(w)) {
            v <- as.numeric(cov[[as.character(seqnames(w)[k])]][start(w)[k]:end(w)[k]])
            v[is.na(v)] <- 0
            expect_equal(b$y[k, , f, 1], pmin(v, 1))
        }
    }
})

test_that("sparse: predict start / stop centre the window on the stranded first / last base", {
    g <- rtracklayer::import(gff)
    genes <- g[g$type == "gene" & seqnames(g) == "chr1"]
    for (pr in c("start", "stop")) {
        gen <- sequenceGenerator(fa, gff, annotationTypes = c("gene", "pseudogene"), inputLength = 299,
                                 predict = pr, negativeType = NULL, chromosomes = "chr1", batchSize = 1)
        w <- do.call(c, lapply(seq_len(length(gen)), function(i) GenomicDL:::.batchWindows(gen, i)))
        centre <- start(w) + 149
        fivep <- ifelse(as.character(strand(genes)) == "+", start(genes), end(genes))
        threep <- ifelse(as.character(strand(genes)) == "+", end(genes), start(genes))
        expect_true(all((if (pr == "start") fivep else threep) %in% centre))
    }
    gs <- sequenceGenerator(fa, gff, annotationTypes = "gene", inputLength = 299, predict = "start",
                            negativeType = NULL, useStrand = TRUE, chromosomes = "chr1", batchSize = 4)
    w <- GenomicDL:::.batchWindows(gs, 1)
    b <- batch(gs, 1)
    expect_equal(b$x, unname(oneHot(w, fa)), ignore_attr = TRUE)
    expect_true(any(as.character(strand(w)) == "-"))
})

test_that("random and shuffled negatives", {
    gr <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 200, negativeType = "random",
                            negativeRatio = 1, batchSize = 64)
    b <- batch(gr, 1)
    w <- GenomicDL:::.batchWindows(gr, 1)
    expect_true(all(b$x[w$random, , ] %in% c(0, 1)))
    expect_true(all(b$y[w$random, 1, 1] == 0))
    gs <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 200, negativeType = "shuffled",
                            negativeRatio = 1, batchSize = 64)
    expect_equal(gs@info$negatives, gs@info$positives)
    b <- batch(gs, 1)
    w <- GenomicDL:::.batchWindows(gs, 1)
    neg <- which(w$sample > gs@info$positives)
    expect_true(length(neg) > 0)
    dinuc <- function(x) {  # dinucleotide counts of a one-hot L x 4 matrix
        i <- max.col(x)
        table(factor(paste(i[-length(i)], i[-1]), levels = outer(1:4, 1:4, paste)))
    }
    for (k in neg[1:3]) {
        shuffled <- b$x[k, , ]
        src <- oneHot(w[k], fa)[1, , ]   # the window of the positive it shuffles
        expect_equal(dinuc(shuffled), dinuc(src))
        expect_false(identical(unname(shuffled), unname(src)))
        expect_true(all(b$y[k, 1, 1] == 0))
    }
})

test_that("jitter shifts windows by at most n bases; rcAugment mixes strands", {
    base <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 300, negativeType = NULL,
                              batchSize = 64, seed = 9)
    jit <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 300, negativeType = NULL,
                             batchSize = 64, seed = 9, jitter = 10, rcAugment = TRUE)
    a <- GenomicDL:::.batchWindows(base, 1); j <- GenomicDL:::.batchWindows(jit, 1)
    expect_equal(a$sample, j$sample)
    d <- start(j) - start(a)
    expect_true(all(abs(d) <= 10) && length(unique(d)) > 5)
    expect_true(mean(as.character(strand(j)) == "-") > 0.2 && mean(as.character(strand(j)) == "-") < 0.8)
    j2 <- GenomicDL:::.batchWindows(jit, 1, epoch = 2)
    bj <- batch(jit, 1)
    expect_equal(bj$x, unname(oneHot(j, fa)), ignore_attr = TRUE)
})

test_that("continuous balanced weights: per-file bins, per-position weights", {
    gen <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 501, targetWindow = 10, weighting = "balanced",
                             weightBins = 10, normalization = "max", batchSize = 16)
    bins <- gen@info$bins
    expect_length(bins, 2)
    expect_length(bins[[1]]$weights, 10)
    expect_false(identical(bins[[1]]$edges, bins[[2]]$edges))  # keras_dna reused file 1's edges
    b <- batch(gen, 1)
    expect_equal(dim(b$weights), c(16L, 10L))
    look <- function(bn, y) bn$weights[pmin(pmax(findInterval(y, bn$edges, left.open = TRUE), 1), 10)]
    exp <- (look(bins[[1]], b$y[, , 1]) + look(bins[[2]], b$y[, , 2])) / 2
    expect_equal(as.numeric(b$weights), as.numeric(exp), tolerance = 1e-6)
})

test_that("secondary tracks as inputs and as targets", {
    gen <- sequenceGenerator(fa, bw1, inputLength = 501, targetWindow = 5, secondary = bw2,
                             secondaryLength = 50, batchSize = 4)
    b <- batch(gen, 1)
    expect_equal(secondaryShape(gen), c(50L, 1L))
    w <- GenomicDL:::.batchWindows(gen, 1)
    exp <- trackAt(bw2, GRanges(seqnames(w), IRanges(start(w) + (501 - 50) %/% 2, width = 50)))
    expect_equal(t(b$secondary[, , 1]), exp, tolerance = 1e-6)
    gt <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 404, secondary = bw2,
                            useSecondaryAs = "targets", secondaryNormalization = "max", batchSize = 4)
    bt <- batch(gt, 1)
    expect_equal(dim(bt$secondary), c(4L, 404L, 1L))
    expect_true(max(bt$secondary) <= 1)
})

test_that("generatorArgs rebuilds; splitGenerator; saveRDS / readRDS; multiGenerator", {
    gen <- sequenceGenerator(fa, bw1, inputLength = 1001, batchSize = 16, seed = 4)
    a <- generatorArgs(gen)
    expect_equal(a$inputLength, 1001)
    expect_identical(batch(do.call(sequenceGenerator, a), 2), batch(gen, 2))
    a$annotations <- bw2
    g2 <- do.call(sequenceGenerator, a)
    expect_false(identical(batch(g2, 2)$y, batch(gen, 2)$y))
    s <- splitGenerator(gen, validation = "chr3")
    expect_equal(s$train@info$samples, sum(lens[c("chr1", "chr2")] - 1000))
    expect_equal(s$validation@info$samples, lens[["chr3"]] - 1000)
    expect_true(all(seqnames(GenomicDL:::.batchWindows(s$validation, 1)) == "chr3"))
    f <- tempfile(fileext = ".rds")
    saveRDS(gen, f)
    back <- readRDS(f)
    expect_identical(batch(back, 3), batch(gen, 3))
    fwd <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 551, batchSize = 16)
    rev <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 551, batchSize = 16, reverseComplement = TRUE)
    m <- multiGenerator(list(fwd, rev))
    expect_equal(length(m), floor((fwd@info$samples + rev@info$samples) / 16))
    expect_equal(dim(batch(m, 1)$x), c(16L, 551L, 4L))
    m2 <- multiGenerator(list(fwd, rev), counts = c(32, 0))
    expect_equal(length(m2), 2L)
    expect_equal(generatorArgs(m2)$counts, c(32, 0))
    expect_false(is.null(GenomicDL:::.batchSource(m2)))
    expect_output(show(m), "MultiGenerator of 2")
    expect_output(show(fwd), "SequenceGenerator \\(sparse")
})

test_that("bad input gives GenomicDL_error", {
    bad <- tempfile(fileext = ".bed")
    writeLines(c("chr1\t100\t50\tx", "chr1\tabc\t10\ty"), bad)
    expect_gdl_error(sequenceGenerator(fa, bad, inputLength = 100), "malformed|empty|past")
    other <- tempfile(fileext = ".bed")
    writeLines(c("chr1\t100\t300\tCTCF", "chrZ\t100\t300\tCTCF"), other)
    expect_warning(g <- sequenceGenerator(fa, other, inputLength = 300, batchSize = 1, negativeType = NULL),
                   "chrZ")
    expect_gdl_error(sequenceGenerator(fa, other, inputLength = 300, strict = TRUE), "chrZ")
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 400000, chromosomes = "chr3"), "longer than chromosome")
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 100, targetWindow = 200), "targetWindow")
    expect_gdl_error(sequenceGenerator(fa, tempfile(fileext = ".txt")), "unknown annotation file type")
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTCF", chromosomes = "chrQ"), "chrQ")
    expect_gdl_error(sequenceGenerator(fa, c(bw1, bed1), inputLength = 100), "mix")
    expect_gdl_error(sequenceGenerator(fa, gff, inputLength = 100), "annotationTypes")
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = c("NOPE", "NADA")), "not in any annotation file; the files have: CTCF, GATA1")
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 100, normalization = "foo"), "normalization")
    expect_gdl_error(sequenceGenerator(fa, c(bw1, bw2, bw1), inputLength = 100, nAnnotationTypes = 2), "divide")
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 1000, targetWindow = 7, downsampling = "mean"),
                     "divide")
    gen <- sequenceGenerator(fa, bw1, inputLength = 101, batchSize = 8, chromosomes = "chr3")
    expect_gdl_error(batch(gen, length(gen) + 1), "does not exist")
    s <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 301, batchSize = 8)
    expect_gdl_error(multiGenerator(list(gen, s)), "shapes")
    emptyBed <- tempfile(fileext = ".bed")
    writeLines("chr3\t100\t300\tCTCF", emptyBed)
    expect_gdl_error(sequenceGenerator(fa, emptyBed, chromosomes = "chr1"), "empty annotations")
    expect_gdl_error(sequenceGenerator(fa, GRanges("chr1:699801-700000"), inputLength = 200,
                                       predict = "start"), "stranded")
    past <- GRanges("chr3:299901-300100")
    expect_gdl_error(sequenceGenerator(fa, GRanges("chr3:299950-300200"), inputLength = 200), "past the end")
})

test_that("blacklist, regions and maxN restrict windows; manual weights; NCL layout", {
    bl <- GRanges("chr3:100001-200000")
    gen <- sequenceGenerator(fa, bw1, inputLength = 1001, chromosomes = "chr3", blacklist = bl,
                             batchSize = 64)
    expect_equal(gen@info$samples, (300000 - 1000) - (200000 - (100001 - 1000) + 1))
    for (i in 1:3) expect_false(any(overlapsAny(GenomicDL:::.batchWindows(gen, i), bl)))
    # sparse: positives whose centred window has more than maxN N are dropped (chr3 starts
    # with 1000 N); negatives avoid N-rich windows too
    early <- GRanges(c("chr3:901-1000", "chr3:5001-5100", "chr1:5001-5100"), strand = "+")
    s <- sequenceGenerator(fa, early, inputLength = 400, maxN = 0.1, negativeRatio = 1, batchSize = 2)
    expect_equal(s@info$positives, 2)
    s0 <- sequenceGenerator(fa, early, inputLength = 400, maxN = 1, negativeType = NULL, batchSize = 2)
    expect_equal(s0@info$positives, 3)
    m <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 301, weighting = c(3, 0.5),
                           batchSize = 32, layout = "NCL")
    b <- batch(m, 1)
    expect_equal(dim(b$x), c(32L, 4L, 301L))
    expect_equal(inputShape(m), c(4L, 301L))
    expect_equal(b$weights, ifelse(b$y[, 1, 1] == 1, 3, 0.5))
    mc <- sequenceGenerator(fa, bw1, inputLength = 101, batchSize = 8, chromosomes = "chr3",
                            weighting = list(edges = list(c(-1, 10, 1000)), weights = list(c(2, 7))))
    bc <- batch(mc, 1)
    expect_equal(dim(bc$weights), c(8L, 1L))
    expect_equal(as.numeric(bc$weights), ifelse(bc$y[, 1, 1] <= 10, 2, 7))
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, weighting = "sometimes"), "weighting")
})

test_that("stride tiles the windows (keras_dna's overlapping = False)", {
    gen <- sequenceGenerator(fa, bw1, inputLength = 1001, targetWindow = 1000, stride = 1000,
                             chromosomes = "chr3", batchSize = 1)
    expect_equal(gen@info$samples, ceiling((300000 - 1000) / 1000))
    s <- sort(vapply(seq_len(length(gen)), function(i) start(GenomicDL:::.batchWindows(gen, i)), 0))
    expect_equal(s, seq(1, by = 1000, length.out = length(gen)))
})
