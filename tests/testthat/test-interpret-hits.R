## callMotifHits(): planted CWM-shaped contributions are recovered, strands, overlaps, errors.

plantedAttributions <- function() {
    set.seed(3)
    cw <- rbind(A = c(0, 1, 0, 0.9, 0.8, 0), C = c(0, 0, 0, 0, 0, 0.3),
                G = c(1.2, 0, 0, 0, 0, 0), T = c(0, 0, 1.1, 0, 0, 0))
    a <- array(rnorm(5 * 80 * 4, sd = 0.02), c(5, 80, 4))
    plant <- data.frame(seq = c(1, 2, 3, 3, 5), start = c(10, 40, 5, 60, 70),
                        strand = c("+", "-", "+", "-", "+"), stringsAsFactors = FALSE)
    rc <- cw[4:1, 6:1]
    for (k in seq_len(nrow(plant))) {
        m <- if (plant$strand[k] == "+") cw else rc
        a[plant$seq[k], plant$start[k] + 0:5, ] <- t(m) + a[plant$seq[k], plant$start[k] + 0:5, ]
    }
    list(a = a, cwm = list(GATA = cw), plant = plant)
}

test_that("planted instances are recovered with their strands and scores", {
    p <- plantedAttributions()
    h <- callMotifHits(p$cwm, p$a)
    expect_s4_class(h, "GRanges")
    expect_identical(paste0("seq", p$plant$seq), as.character(GenomicRanges::seqnames(h)))
    expect_identical(as.integer(p$plant$start), BiocGenerics::start(h))
    expect_identical(p$plant$strand, as.character(BiocGenerics::strand(h)))
    expect_true(all(BiocGenerics::width(h) == 6L))
    expect_true(all(h$similarity > 0.95))
    # the score is the window's total contribution
    i <- 1L
    expect_equal(h$score[i], sum(p$a[p$plant$seq[i], p$plant$start[i] + 0:5, ]))
    # one strand only: the minus-strand instances are gone
    plus <- callMotifHits(p$cwm, p$a, strands = "forward")
    expect_identical(as.integer(BiocGenerics::start(plus)), as.integer(p$plant$start[p$plant$strand == "+"]))
    # genomic coordinates from regions
    reg <- GenomicRanges::GRanges("chr1", IRanges::IRanges(seq(1001, by = 100, length.out = 5), width = 80))
    g <- callMotifHits(p$cwm, p$a, regions = reg)
    expect_identical(BiocGenerics::start(g), BiocGenerics::start(reg)[p$plant$seq] + as.integer(p$plant$start) - 1L)
})

test_that("overlapping windows of one pattern give one hit; thresholds are honoured", {
    p <- plantedAttributions()
    loose <- callMotifHits(p$cwm, p$a, minSimilarity = 0.3, minScore = 0.2)
    ov <- GenomicRanges::findOverlaps(loose, drop.self = TRUE, ignore.strand = TRUE)
    expect_length(ov, 0L)
    none <- callMotifHits(p$cwm, p$a, minScore = 2)
    expect_length(none, 0L)
})

test_that("bad inputs to callMotifHits are GenomicDL errors", {
    p <- plantedAttributions()
    expect_error(callMotifHits(list(p$cwm$GATA), p$a), class = "GenomicDL_error")
    expect_error(callMotifHits(p$cwm, p$a[, , 1:3]), class = "GenomicDL_error")
    expect_error(callMotifHits(p$cwm, p$a, minSimilarity = 2), class = "GenomicDL_error")
    expect_error(callMotifHits(p$cwm, p$a, strands = "yes"), class = "GenomicDL_error")
    expect_error(callMotifHits(p$cwm, p$a, regions = GenomicRanges::GRanges("chr1:1-10")),
                 class = "GenomicDL_error")
})
