## Genome-scale runs a tile at a time (issue 13): scanDeepBind() streamed to bigWig, predictRegions()
## and attributeBases() over regions with any BiocParallel backend, written in genome order as
## the tiles come back. Streamed values are checked against the in-memory runs (which other
## tests check against independent computations), backends against serial, and no file may be
## left under the final name (nor a temporary one beside it) after an error.

library(BiocParallel)

## a bigWig read back base by base over whole chromosomes (NA where it has no data)
bwBases <- function(f, lens) {
    bw <- rtracklayer::import(f, as = "GRanges")
    lapply(stats::setNames(names(lens), names(lens)), function(ch) {
        v <- rep(NA_real_, lens[[ch]])
        x <- bw[as.character(GenomicRanges::seqnames(bw)) == ch]
        v[unlist(lapply(seq_along(x), function(i) start(x)[i]:end(x)[i]))] <- rep(x$score, width(x))
        v
    })
}

## files of a folder other than the ones expected (temporary files of the writers included)
strayFiles <- function(dir, keep = character()) setdiff(list.files(dir, all.files = TRUE,
                                                                  no.. = TRUE), keep)

dbModels <- function() readDeepBind(c("D00410.003", "D00328.003"), db = extdata("deepbind"))
genomeOrder <- function(gr, chroms) gr[order(match(as.character(seqnames(gr)), chroms), start(gr))]

test_that("scanDeepBind streamed to bigWig: a BigWigFileList of the in-memory scores", {
    models <- dbModels()
    ## regions out of genome order, one too short for a window
    reg <- GRanges(c("chr2:1-2500", "chr1:101-3000", "chr3:501-4000", "chr1:5000-5050"))
    mem <- scanDeepBind(models, fa, reg, step = 20, verbose = FALSE)
    d <- tempfile("scan")
    dir.create(d)
    h <- scanDeepBind(models, fa, reg, step = 20, export = file.path(d, "s_%s.bw"),
                      verbose = FALSE)
    expect_s4_class(h, "BigWigFileList")
    expect_identical(names(h), c("D00410.003", "D00328.003"))
    expect_identical(unname(BiocGenerics::path(h)), file.path(d, c("s_D00410.003.bw",
                                                                    "s_D00328.003.bw")))
    expect_identical(sort(strayFiles(d)), sort(basename(BiocGenerics::path(h))))
    ## each window's score on its central 20 bases, windows in genome order
    mm <- genomeOrder(mem, c("chr1", "chr2", "chr3"))
    for (id in names(h)) {
        b <- rtracklayer::import(BiocGenerics::path(h)[[id]])
        expect_identical(as.character(seqnames(b)), as.character(seqnames(mm)))
        expect_identical(start(b), start(mm) + 40L)
        expect_true(all(width(b) == 20L))
        expect_equal(b$score, mcols(mm)[[id]], tolerance = 1e-7)   # bigWig holds floats
    }
    ## returnValues: the in-memory result itself, rows in the regions' order; files written too
    unlink(BiocGenerics::path(h))
    v <- scanDeepBind(models, fa, reg, step = 20, export = file.path(d, "s_%s.bw"),
                      returnValues = TRUE, verbose = FALSE)
    expect_identical(v, mem)
    expect_true(all(file.exists(BiocGenerics::path(h))))
    ## step > inputLength: windows' 101 bases each, gaps between them
    one <- scanDeepBind(models[1], fa, GRanges("chr1:1-5000"), step = 150,
                        export = file.path(d, "gap.bw"), verbose = FALSE)
    b <- rtracklayer::import(BiocGenerics::path(one)[[1L]])
    w <- scanDeepBind(models[1], fa, GRanges("chr1:1-5000"), step = 150, verbose = FALSE)
    expect_identical(start(b), start(w))
    expect_identical(end(b), end(w))
    expect_equal(b$score, w$D00410.003, tolerance = 1e-7)
})

test_that("a streamed scan checks its inputs and leaves no file after an error", {
    models <- dbModels()
    d <- tempfile("scanbad")
    dir.create(d)
    expect_gdl_error(scanDeepBind(models, fa, GRanges(c("chr1:1-500", "chr1:400-900")),
                                  export = file.path(d, "%s.bw"), verbose = FALSE), "overlap")
    expect_gdl_error(scanDeepBind(models, fa, GRanges("chr1:1-500"), export = file.path(d, "%s.bw"),
                                  returnValues = NA), "returnValues")
    expect_gdl_error(scanDeepBind(models, fa, GRanges("chr1:1-500"), export = file.path(d, "%s.bw"),
                                  verbose = "no"), "verbose")
    expect_length(strayFiles(d), 0L)
    ## the final rename fails (the target is a folder that is not empty): no temporary file stays
    dir.create(file.path(d, "D00410.003.bw"))
    writeLines("x", file.path(d, "D00410.003.bw", "keep"))
    expect_gdl_error(scanDeepBind(models, fa, GRanges("chr1:1-3000"), export = file.path(d, "%s.bw"),
                                  verbose = FALSE), "D00410.003")
    expect_identical(strayFiles(d), "D00410.003.bw")
    ## stopped in the middle of the run: a time limit, which the core's poll takes as Ctrl-C
    set.seed(3)
    big <- Biostrings::DNAStringSet(c(c1 = paste(sample(c("A", "C", "G", "T"), 3e6, TRUE),
                                                 collapse = "")))
    e <- tryCatch({
        setTimeLimit(elapsed = 1, transient = TRUE)
        scanDeepBind(models, big, GRanges("c1:1-3000000"), step = 1, method = "reference",
                     export = file.path(d, "late_%s.bw"), verbose = FALSE)
    }, error = function(e) e, interrupt = function(e) e, finally = setTimeLimit())
    expect_true(inherits(e, "interrupt") || inherits(e, "error"))
    expect_identical(strayFiles(d), "D00410.003.bw")
})

test_that("scanDeepBind over multicore, socket and batchtools workers equals serial, streamed too", {
    skip_if_not_installed("batchtools")
    models <- dbModels()
    reg <- GRanges(c("chr2:1-2500", "chr1:101-30000", "chr3:501-4000"))
    mem <- scanDeepBind(models, fa, reg, step = 1, verbose = FALSE)   # 3 tiles for chr1
    d <- tempfile("scanpar")
    dir.create(d)
    serial <- scanDeepBind(models, fa, reg, step = 1, export = file.path(d, "serial_%s.bw"),
                           verbose = FALSE)
    backends <- list(multicore = MulticoreParam(2), snow = SnowParam(2),
                     batchtools = BatchtoolsParam(workers = 2, cluster = "multicore",
                         progressbar = FALSE,
                         registryargs = batchtoolsRegistryargs(file.dir = tempfile())))
    for (be in names(backends)) {
        p <- backends[[be]]
        expect_identical(suppressMessages(scanDeepBind(models, fa, reg, step = 1, BPPARAM = p,
                                                       verbose = FALSE)), mem, label = be)
        h <- suppressMessages(scanDeepBind(models, fa, reg, step = 1, BPPARAM = p,
                                           export = file.path(d, paste0(be, "_%s.bw")),
                                           verbose = FALSE))
        for (id in names(h))
            expect_identical(unname(tools::md5sum(BiocGenerics::path(h)[[id]])),
                             unname(tools::md5sum(BiocGenerics::path(serial)[[id]])), label = be)
    }
    expect_length(strayFiles(d), 8L)
})
