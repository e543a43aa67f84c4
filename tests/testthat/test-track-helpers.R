## The track helpers built on GenomicRanges / IRanges (issue 12): scan windows and their pieces,
## stitched profile tracks, whole-chromosome prediction regions, bigWig writing with NA runs.

test_that("scanDeepBind windows are IRanges' sliding windows, cut into pieces of n windows", {
    regions <- GRanges(c("c1", "c1", "c2", "c2"), IRanges(c(1, 500, 10, 300), c(120, 540, 80, 301)))
    w <- GenomicDL:::.scanWindows(regions, 20, 7)
    sw <- IRanges::slidingWindows(regions, 20, 7)
    region <- rep(seq_along(regions), lengths(sw))
    sw <- unlist(sw, use.names = FALSE)
    full <- width(sw) == 20
    expect_identical(as.character(seqnames(w)), as.character(seqnames(sw))[full])
    expect_identical(start(w), start(sw)[full])
    expect_identical(w$region, region[full])
    expect_false(4L %in% w$region)                   # 2 bases: no window
    pieces <- GenomicDL:::.scanRegionPieces(regions, 20, 7, n = 5L)
    ## the windows of each piece's span (every 7 bases) are the windows, in order, <= 5 a piece
    nw <- (pieces$end - pieces$start + 1 - 20) %/% 7 + 1
    expect_true(all(nw >= 1 & nw <= 5))
    starts <- unlist(Map(function(s, n) s + (seq_len(n) - 1) * 7, pieces$start, nw))
    expect_identical(as.numeric(starts), as.numeric(start(w)))
    expect_identical(rep(pieces$region, nw), w$region)
    expect_identical(pieces$windows, nw)
    expect_identical(nrow(GenomicDL:::.scanRegionPieces(regions[4], 20, 7)), 0L)
})

test_that("stitched tracks hold each region's bins, NA between regions and for NaN", {
    regions <- GRanges(c("c1", "c1", "c2"), IRanges(c(3, 20, 1), c(11, 24, 4)))
    lens <- c(c1 = 30, c2 = 6)
    ## bins of 4 bases from grid starts 1, 20, 1; values 1..n per region, one NaN
    res <- list(grid = c(1, 20, 1), bins = c(3L, 2L, 1L),
                tracks = list(list(matrix(c(1, 2, 3), 3), matrix(c(NaN, 5), 2), matrix(6, 1))))
    tr <- GenomicDL:::.stitchedTracks(res, 1L, regions, lens, "t", 4)$t
    expect_s4_class(tr, "SimpleRleList")
    expect_identical(names(tr), c("c1", "c2"))
    c1 <- rep(NA_real_, 30)
    c1[3:4] <- 1; c1[5:8] <- 2; c1[9:11] <- 3; c1[24] <- 5    # 20-23: NaN -> NA
    expect_identical(as.numeric(tr$c1), c1)
    expect_identical(as.numeric(tr$c2), c(6, 6, 6, 6, NA, NA))
})

test_that("prediction regions of chromosome names are the whole chromosomes", {
    lens <- c(chrA = 1003, chrB = 17)
    r <- GenomicDL:::.predictionRegions(NULL, lens)
    expect_identical(as.character(seqnames(r)), c("chrA", "chrB"))
    expect_identical(start(r), c(1L, 1L))
    expect_identical(end(r), c(1003L, 17L))
    expect_null(names(r))
    expect_identical(end(GenomicDL:::.predictionRegions("chrB", lens)), 17L)
    expect_gdl_error(GenomicDL:::.predictionRegions("chrC", lens), "not in the genome")
})

test_that("exportTrack leaves NA runs out and replaces the file whole", {
    f <- tempfile(fileext = ".bw")
    gr <- GRanges("c1", IRanges(c(1, 11, 21), width = 10), score = c(2, NA, 4))
    GenomeInfoDb::seqlengths(gr) <- c(c1 = 40)
    exportTrack(gr, f)
    back <- rtracklayer::import(f)
    expect_identical(start(back), c(1L, 21L))
    expect_identical(back$score, c(2, 4))
    exportTrack(IRanges::RleList(c1 = S4Vectors::Rle(7, 40)), f)
    expect_identical(as.numeric(trackValues(f, GRanges("c1:1-40"))), rep(7, 40))
    expect_false(any(grepl(paste0("^", basename(f), "\\.tmp"), list.files(dirname(f)))))
})
