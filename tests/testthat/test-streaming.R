## Streamed predictRegions(): with export, the core writes bigWig (and HDF5 through HDF5Array) as
## the windows finish, in genome order; the result is a handle to the files. Checked against the
## in-memory run (no export), which test-predict.R checks against the sequence itself.

streamModel <- function(len, weights, crop = NULL) {
    weights <- matrix(weights, ncol = 4L)
    last <- if (is.null(crop)) layerGlobalAvgPool1d() else layerCrop(crop)
    m <- sequentialModel(c(len, 4), list(layerConv1d(nrow(weights), 1, useBias = FALSE,
                                                     name = "count"), last))
    GenomicDL:::.setParameter(m, "count.conv.weight", array(weights, c(nrow(weights), 4L, 1L)))
    m
}

streamGenome <- function() {
    set.seed(5)
    s <- vapply(c(2500, 31, 900), function(n) paste(sample(c("A", "C", "G", "T"), n, TRUE),
                                                    collapse = ""), "")
    Biostrings::DNAStringSet(c(chrX = s[1], chrY = s[2], chrZ = s[3]))
}

## a bigWig read back base by base over whole chromosomes (NA where it has no data)
readBack <- function(f, lens) {
    bw <- rtracklayer::import(f, as = "GRanges")
    lapply(stats::setNames(names(lens), names(lens)), function(ch) {
        v <- rep(NA_real_, lens[[ch]])
        x <- bw[as.character(GenomicRanges::seqnames(bw)) == ch]
        for (i in seq_along(x)) v[start(x)[i]:end(x)[i]] <- x$score[i]
        v
    })
}

test_that("streamed profiles equal the in-memory tracks; the result is a BigWigFileList", {
    g <- streamGenome()
    lens <- Biostrings::width(g)
    names(lens) <- names(g)
    m <- streamModel(61, rbind(c(1, 0, 0, 0), c(0, 0.5, 0.25, 0)), crop = 21)  # 19 positions
    ## regions given out of genome order, with gaps, overlapping windows (step < span)
    r <- GRanges(c("chrZ", "chrX", "chrX", "chrY"),
                 IRanges::IRanges(c(10, 1500, 3, 1), c(900, 2500, 700, 31)))
    for (rc in c("none", "average")) {
        mem <- predictRegions(m, g, r, step = 7, rc = rc, batchSize = 16, verbose = FALSE)
        pre <- file.path(tempdir(), paste0("stream_", rc))
        h <- predictRegions(m, g, r, step = 7, rc = rc, batchSize = 16, export = pre,
                            verbose = FALSE)
        expect_s4_class(h, "BigWigFileList")
        expect_equal(names(h), c("task1", "task2"))
        expect_equal(unname(BiocGenerics::path(h)), paste0(pre, c("_task1.bw", "_task2.bw")))
        for (i in 1:2) {
            back <- readBack(BiocGenerics::path(h)[i], lens)
            for (ch in names(g))
                expect_equal(back[[ch]], as.numeric(mem[[i]][[ch]]), tolerance = 1e-6)
        }
    }
    ## returnValues: the in-memory values as well as the files
    f <- tempfile(fileext = ".bw")
    one <- streamModel(61, c(0, 0, 0, 1), crop = 21)
    v <- predictRegions(one, g, step = 19, export = f, returnValues = TRUE, verbose = FALSE)
    expect_s4_class(v, "RleList")
    expect_equal(v, predictRegions(one, g, step = 19, verbose = FALSE))
    back <- readBack(f, lens)
    for (ch in names(g))
        expect_identical(back[[ch]], as.numeric(strsplit(as.character(g[[ch]]), "")[[1L]] == "T"))
    ## no temporary files left beside the exports
    expect_length(list.files(tempdir(), pattern = "\\.tmp"), 0L)
})

test_that("streamed per-window scores: GRanges in genome order, HDF5-backed for many tasks", {
    g <- streamGenome()
    lens <- Biostrings::width(g)
    names(lens) <- names(g)
    r <- GRanges(c("chrZ", "chrX", "chrX"), IRanges::IRanges(c(1, 1200, 1), c(900, 2500, 1000)))
    few <- streamModel(50, rbind(c(1, 0, 0, 0), c(0, 1, 1, 0)))
    mem <- predictRegions(few, g, r, step = 40, verbose = FALSE)
    f <- file.path(tempdir(), "streamwin")
    w <- predictRegions(few, g, r, step = 40, export = f, verbose = FALSE)
    expect_s4_class(w, "GRanges")
    ## the same windows and scores; genome order, `region` still indexes the regions given
    o <- order(match(as.character(seqnames(mem)), names(g)), start(mem))
    expect_equal(as.character(seqnames(w)), as.character(seqnames(mem))[o])
    expect_equal(start(w), start(mem)[o])
    expect_equal(w$region, mem$region[o])
    expect_equal(w$task1, mem$task1[o], tolerance = 1e-6)
    expect_equal(w$task2, mem$task2[o], tolerance = 1e-6)
    ## the exported tracks: each base of the regions takes the nearest window's score
    back <- readBack(paste0(f, "_task2.bw"), lens)
    for (ch in c("chrX", "chrZ")) {
        ww <- w[as.character(seqnames(w)) == ch]
        centre <- (start(ww) + end(ww)) / 2
        inside <- unique(unlist(lapply(which(as.character(seqnames(r)) == ch), function(i)
            start(r)[i]:end(r)[i])))
        want <- rep(NA_real_, lens[[ch]])
        want[inside] <- ww$task2[vapply(inside, function(x) which.min(abs(centre - x)), 1L)]
        expect_equal(back[[ch]], want, tolerance = 1e-6)
    }
    expect_true(all(is.na(back$chrY)))
    ## many tasks: a SummarizedExperiment whose assay lives in an HDF5 file
    many <- streamModel(50, diag(4)[rep(1:4, 3), ])
    seMem <- predictRegions(many, g, r, step = 40, verbose = FALSE)
    se <- predictRegions(many, g, r, step = 40, export = file.path(tempdir(), "many"),
                         verbose = FALSE)
    expect_s4_class(se, "RangedSummarizedExperiment")
    a <- SummarizedExperiment::assay(se)
    expect_s4_class(a, "DelayedMatrix")
    h5 <- file.path(tempdir(), "many_output1.h5")
    expect_true(file.exists(h5))
    expect_equal(dim(se), c(length(seMem), 12L))
    expect_equal(as.matrix(a), unname(SummarizedExperiment::assay(seMem)[o, ]), tolerance = 1e-6,
                 ignore_attr = TRUE)
    expect_equal(se$task, paste0("task", 1:12))
    expect_length(list.files(tempdir(), pattern = "^many.*bw$"), 12L)
})

test_that("streamed runs check their arguments and leave nothing on failure", {
    g <- streamGenome()
    m <- streamModel(61, c(1, 0, 0, 0), crop = 21)
    expect_gdl_error(predictRegions(m, g, export = tempfile(), returnValues = NA), "returnValues")
    expect_gdl_error(predictRegions(m, g, export = tempfile(), returnValues = "yes"),
                     "returnValues")
    d <- file.path(tempdir(), "no-such-folder")
    expect_gdl_error(predictRegions(m, g, export = file.path(d, "x.bw"), verbose = FALSE),
                     "x.bw")
    expect_false(dir.exists(d))
    ## an output that cannot be written (two tracks, one path) fails before any file is made
    two <- streamModel(61, rbind(c(1, 0, 0, 0), c(0, 1, 0, 0)), crop = 21)
    dd <- tempfile("streamfail")
    dir.create(dd)
    expect_gdl_error(predictRegions(two, g, export = file.path(dd, c("a.bw", "b.bw", "c.bw")),
                                    verbose = FALSE), "export")
    expect_length(list.files(dd), 0L)
})
