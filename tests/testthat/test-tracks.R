bw <- extdata("example_coverage_cell1.bw")

test_that("trackValues per base equals rtracklayer::import over the same ranges", {
    r <- GRanges(c("chr1:7001-7400", "chr2:100001-100400", "chr3:1-400"))
    v <- trackValues(bw, r)
    expect_equal(dim(v), c(3L, 400L))
    for (i in seq_along(r)) {
        # rtracklayer gives the intervals with data; the bases between them have none (NaN)
        imp <- rtracklayer::import(bw, which = r[i])
        expect <- rep(NaN, width(r[i]))
        for (k in seq_along(imp)) {
            a <- max(start(imp)[k], start(r[i])) - start(r[i]) + 1L
            b <- min(end(imp)[k], end(r[i])) - start(r[i]) + 1L
            expect[a:b] <- imp$score[k]
        }
        expect_equal(v[i, ], expect)
    }
    # no data over the chr2 gap reads as NaN
    gap <- trackValues(bw, GRanges("chr2:100001-100100"))
    expect_true(all(is.nan(gap)))
})

test_that("binned summaries: mean, sum, max over bins with NaN ignored", {
    r <- GRanges(c("chr1:7001-8000", "chr2:99901-100100"))
    per <- as.list(trackValues(bw, r))
    m <- trackValues(bw, r, bins = 4)
    expect_equal(dim(m), c(2L, 4L))
    expect_equal(m[1, ], colMeans(matrix(per[[1]], 250)))
    s <- trackValues(bw, r, bins = 4, summary = "sum")
    expect_equal(s[1, ], colSums(matrix(per[[1]], 250)))
    # rtracklayer's own summary (coverage-weighted mean over bases with data) agrees
    ref <- rtracklayer::summary(rtracklayer::BigWigFile(bw), r[1], size = 4L)[[1]]$score
    expect_equal(m[1, ], ref, tolerance = 1e-6)
    mx <- trackValues(bw, r, bins = 2, summary = "max")
    expect_equal(mx[2, 1], max(per[[2]][1:100]))
    expect_true(is.nan(mx[2, 2]))
    ul <- trackValues(bw, GRanges(c("chr1:1-10", "chr1:1-20")))
    expect_s4_class(ul, "NumericList")
    expect_equal(lengths(ul), c(10L, 20L))
})

test_that("exportTrack writes RleList and GRanges that read back equal through rtracklayer", {
    cov <- IRanges::RleList(c1 = S4Vectors::Rle(c(0, 1.5, NA, 3), c(10, 5, 5, 30)),
                            c2 = S4Vectors::Rle(2.25, 40))
    f <- tempfile(fileext = ".bw")
    exportTrack(cov, f)
    back <- rtracklayer::import(f, as = "RleList")
    expect_equal(as.numeric(back$c1[c(1:15, 21:50)]), as.numeric(cov$c1[c(1:15, 21:50)]))
    expect_equal(as.numeric(back$c2), rep(2.25, 40))
    v <- trackValues(f, GRanges("c1:14-22"))
    expect_equal(as.numeric(v), c(1.5, 1.5, NaN, NaN, NaN, NaN, NaN, 3, 3))
    gr <- GRanges(c("c1:5-9", "c1:1-2", "c2:3-3"), score = c(4, 1, 7),
                  seqinfo = Seqinfo(c("c1", "c2"), c(50, 40)))
    f2 <- tempfile(fileext = ".bw")
    exportTrack(gr, f2)
    imp <- rtracklayer::import(f2)
    expect_equal(imp$score, c(1, 4, 7))
    expect_equal(start(imp), c(1L, 5L, 3L))
})

test_that("track errors: missing, corrupt, unknown chromosome, overlaps, no seqlengths", {
    expect_gdl_error(trackValues(tempfile(fileext = ".bw"), GRanges("chr1:1-2")), "does not exist")
    junk <- tempfile(fileext = ".bw")
    writeBin(as.raw(1:200), junk)
    expect_gdl_error(trackValues(junk, GRanges("chr1:1-2")), "corrupt or not a bigWig")
    expect_gdl_error(trackValues(bw, GRanges("chrQ:1-2")), "chromosome 'chrQ' is not in bigWig")
    expect_gdl_error(trackValues(bw, GRanges("chr3:299999-300005")), "past the end")
    expect_gdl_error(trackValues(bw, GRanges("chr1:1-3"), bins = 5), "bins")
    f <- tempfile(fileext = ".bw")
    expect_gdl_error(exportTrack(GRanges("c1:1-5", score = 1), f), "seqlengths")
    ov <- GRanges(c("c1:1-5", "c1:3-8"), score = 1:2, seqinfo = Seqinfo("c1", 10))
    expect_gdl_error(exportTrack(ov, f), "overlap")
    expect_false(file.exists(f))
    expect_length(list.files(dirname(f), pattern = paste0(basename(f), ".tmp")), 0L)
})
