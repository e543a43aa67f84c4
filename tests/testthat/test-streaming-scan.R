## Genome-scale runs a tile at a time (issue 13): scanDeepBind() streamed to bigWig, predictRegions()
## and attributeBases() over regions with any BiocParallel backend, written in genome order as
## the tiles come back. Streamed values are checked against the in-memory runs (which other
## tests check against independent computations), backends against serial, and no file may be
## left under the final name (nor a temporary one beside it) after an error.

library(BiocParallel)

## The backends a test runs on: each test has its own, and its socket workers are up only for
## their own turn of the test's loop (startTurn() ... endTurn(), helper-data.R), so that no forked worker
## (multicore, batchtools' multicore) is ever made while socket workers sit idle, and no cluster
## outlives its test or is handed on in an unknown state after a worker failed on purpose. (CI
## saw socket workers that had been started before forked runs gone by the time they were used,
## "error writing to connection", on a machine where none of this reproduced.)
localBackends <- function() {
    list(multicore = MulticoreParam(2), snow = SnowParam(2),
         batchtools = BatchtoolsParam(workers = 2, cluster = "multicore", progressbar = FALSE,
                                      registryargs = batchtoolsRegistryargs(file.dir = tempfile())))
}
md5 <- function(f) unname(tools::md5sum(f))

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
    bk <- localBackends()
    for (be in names(bk)) {
        p <- startTurn(bk[[be]])
        expect_identical(suppressMessages(scanDeepBind(models, fa, reg, step = 1, BPPARAM = p,
                                                       verbose = FALSE)), mem, label = be)
        h <- suppressMessages(scanDeepBind(models, fa, reg, step = 1, BPPARAM = p,
                                           export = file.path(d, paste0(be, "_%s.bw")),
                                           verbose = FALSE))
        for (id in names(h))
            expect_identical(md5(BiocGenerics::path(h)[[id]]),
                             md5(BiocGenerics::path(serial)[[id]]), label = be)
        endTurn(p)
    }
    expect_length(strayFiles(d), 8L)
})

## a genome in memory: two chromosomes and one shorter than the models' windows
tileGenome <- function() {
    set.seed(5)
    s <- vapply(c(25000, 31, 9000), function(n) paste(sample(c("A", "C", "G", "T"), n, TRUE),
                                                     collapse = ""), "")
    Biostrings::DNAStringSet(c(chrX = s[1], chrY = s[2], chrZ = s[3]))
}

test_that("predictRegions(BPPARAM, export) streams tiles: files and values equal the serial run's", {
    skip_if_not_installed("batchtools")
    g <- tileGenome()
    lens <- stats::setNames(Biostrings::width(g), names(g))
    ## a profile model (2 tracks of 60 positions), windows overlapping (step < span), regions
    ## out of genome order, at chromosome ends, and one shorter than the span
    prof <- sequentialModel(c(200, 4), list(layerConv1d(4, 9, activation = "relu"),
                                            layerConv1d(2, 1), layerCrop(60)))
    win <- cnnModel(201)
    r <- GRanges(c("chrZ", "chrX", "chrX", "chrY"),
                 IRanges::IRanges(c(10, 15000, 1, 1), c(9000, 25000, 7003, 31)))
    d <- tempfile("tiles")
    dir.create(d)
    ## one LibTorch thread everywhere: forked workers run one OpenMP thread, and float sums
    ## depend on the threads. Tiles of 2 batches of 8 windows: dozens of tiles, pieces of regions and several regions
    ## in one tile
    old <- options(GenomicDL.tileValues = 16 * 120)
    on.exit(options(old))
    mem <- predictRegions(prof, g, r, step = 20, batchSize = 8, threads = 1, verbose = FALSE)
    ser <- predictRegions(prof, g, r, step = 20, batchSize = 8, threads = 1, verbose = FALSE,
                          export = file.path(d, "ser"))
    memW <- predictRegions(win, g, r, step = 50, batchSize = 8, threads = 1, verbose = FALSE)
    serW <- predictRegions(win, g, r, step = 50, batchSize = 8, threads = 1, verbose = FALSE,
                           export = file.path(d, "serW.bw"))
    bk <- localBackends()
    for (be in c("serial", names(bk))) {
        p <- if (be == "serial") SerialParam() else startTurn(bk[[be]])
        h <- suppressMessages(predictRegions(prof, g, r, step = 20, batchSize = 8, threads = 1, BPPARAM = p,
                                             export = file.path(d, be), verbose = FALSE))
        expect_s4_class(h, "BigWigFileList")
        expect_identical(names(h), c("task1", "task2"))
        expect_identical(md5(BiocGenerics::path(h)), md5(BiocGenerics::path(ser)), label = be)
        for (i in 1:2) {
            back <- bwBases(BiocGenerics::path(h)[i], lens)
            for (ch in names(g))
                expect_equal(back[[ch]], as.numeric(mem[[i]][[ch]]), tolerance = 1e-6)
        }
        w <- suppressMessages(predictRegions(win, g, r, step = 50, batchSize = 8, threads = 1, BPPARAM = p,
                                             export = file.path(d, paste0(be, "W.bw")),
                                             verbose = FALSE))
        expect_identical(w, serW, label = be)
        expect_identical(md5(file.path(d, paste0(be, "W.bw"))), md5(file.path(d, "serW.bw")))
        endTurn(p)
    }
    ## the per-window scores in genome order are the in-memory ones (batched per region there)
    expect_equal(serW$score, genomeOrder(memW, names(g))$score, tolerance = 1e-6)
    expect_length(strayFiles(d), 2L * 5L + 5L)
})

test_that("a tiled streamed run leaves no file when a worker fails", {
    g <- genomeSource(fa)
    ## the FASTA goes away after the parent opened it: fresh workers cannot read it
    f <- tempfile(fileext = ".fa")
    file.copy(fa, f)
    Rsamtools::indexFa(f)
    g <- genomeSource(f)
    unlink(c(f, paste0(f, ".fai")))
    d <- tempfile("tilefail")
    dir.create(d)
    snow <- startTurn(localBackends()$snow)
    expect_error(predictRegions(cnnModel(201), g, GRanges("chr1:1-20000"), step = 50,
                                export = file.path(d, "x.bw"), BPPARAM = snow,
                                verbose = FALSE))
    expect_length(strayFiles(d), 0L)
})

test_that("attributeBases over regions: bigWig sums, HDF5 array and values equal the windows' attributions", {
    skip_if_not_installed("HDF5Array")
    set.seed(2)
    m <- sequentialModel(c(100, 4), list(layerConv1d(4, 5, activation = "relu"),
                                         layerGlobalAvgPool1d(), layerDense(1)))
    lens <- GenomeInfoDb::seqlengths(Rsamtools::FaFile(fa))
    ## out of genome order; one shorter than the input, one at a chromosome end, one needing a
    ## last window flush with its end (overlapping the one before)
    r <- GRanges(c("chr2", "chr1", "chr1", "chr3"),
                 IRanges::IRanges(c(101, 1, 30000, lens[["chr3"]] - 249),
                                  c(160, 26150, 30050, lens[["chr3"]])))
    a <- attributeBases(m, regions = r, genome = fa, method = "saliency", verbose = FALSE)
    w <- attr(a, "windows")
    expect_identical(dim(a), c(length(w), 100L, 4L))
    ## windows: 262 for the 26,150 bases of chr1 (the last flush with the end), one each for
    ## the 51 and 60 bases (centred), 3 for the 250 bases at chr3's end
    expect_identical(as.character(seqnames(w)), rep(c("chr1", "chr2", "chr3"), c(263, 1, 3)))
    expect_equal(start(w)[c(1, 261:264)], c(1, 26001, 26051, 29976, 81))
    expect_equal(start(w)[265:267], lens[["chr3"]] - c(249, 149, 99))
    expect_identical(w$region[1], 2L)
    ## the attributions are those of the windows given as sequences
    direct <- attributeBases(m, w, genome = fa, method = "saliency")
    expect_equal(unclass(a), unclass(direct), ignore_attr = TRUE, tolerance = 1e-6)
    expect_equal(attr(a, "prediction"), attr(direct, "prediction"), tolerance = 1e-6)
    ## bigWig: each base of the regions, its window's contribution summed over the bases
    d <- tempfile("attr")
    dir.create(d)
    h <- attributeBases(m, regions = r, genome = fa, method = "saliency",
                        export = file.path(d, "s.bw"), verbose = FALSE)
    expect_s4_class(h, "BigWigFileList")
    back <- bwBases(BiocGenerics::path(h)[[1L]], lens)
    sums <- rowSums(unclass(a), dims = 2L)
    want <- lapply(lens, function(n) rep(NA_real_, n))
    for (k in rev(seq_along(w))) {          # the earlier window wins where two overlap
        ch <- as.character(seqnames(w))[k]
        bases <- start(w)[k] + 0:99
        reg <- r[w$region[k]]
        inside <- bases >= start(reg) & bases <= end(reg)
        want[[ch]][bases[inside]] <- sums[k, inside]
    }
    for (ch in names(lens)) expect_equal(back[[ch]], want[[ch]], tolerance = 1e-6)
    ## HDF5: the array, backed by the file
    se <- attributeBases(m, regions = r, genome = fa, method = "saliency",
                         export = file.path(d, "s.h5"), verbose = FALSE)
    expect_s4_class(se, "RangedSummarizedExperiment")
    arr <- SummarizedExperiment::assay(se, "attribution")
    expect_s4_class(arr, "DelayedArray")
    expect_equal(as.array(arr), unclass(a), ignore_attr = TRUE)
    expect_identical(SummarizedExperiment::rowRanges(se), w)
    expect_identical(sort(strayFiles(d)), c("s.bw", "s.h5"))
    expect_gdl_error(attributeBases(m, regions = r, genome = fa, export = file.path(d, "s.txt")),
                     "export must end")
    expect_gdl_error(attributeBases(m, regions = "chr1", genome = fa), "GRanges")
})

test_that("attributeBases over regions: backends equal serial; nothing left after an error", {
    skip_if_not_installed("batchtools")
    m <- sequentialModel(c(100, 4), list(layerConv1d(4, 5, activation = "relu"),
                                         layerGlobalAvgPool1d(), layerDense(1)))
    r <- GRanges(c("chr1:1-30000", "chr2:501-3000"))
    d <- tempfile("attrpar")
    dir.create(d)
    ref <- attributeBases(m, regions = r, genome = fa, method = "deepliftshap", nReferences = 3,
                          threads = 1, export = file.path(d, "serial.bw"), returnValues = TRUE,
                          verbose = FALSE)
    bk <- localBackends()
    for (be in names(bk)) {
        p <- startTurn(bk[[be]])
        v <- suppressMessages(attributeBases(m, regions = r, genome = fa, method = "deepliftshap",
                                             nReferences = 3, threads = 1,
                                             export = file.path(d, paste0(be, ".bw")),
                                             returnValues = TRUE, BPPARAM = p,
                                             verbose = FALSE))
        expect_identical(v, ref, label = be)
        expect_identical(md5(file.path(d, paste0(be, ".bw"))), md5(file.path(d, "serial.bw")))
        endTurn(p)
    }
    ## an error in a tile (a task the model does not have) after the streams are open
    expect_error(attributeBases(m, regions = r, genome = fa, method = "saliency", task = 5,
                                export = file.path(d, "bad.h5"), verbose = FALSE))
    expect_length(strayFiles(d), 4L)
})

## A call in a fresh Rscript, sent SIGINT (Ctrl-C) a second into it (interruptChild(), in
## helper-data.R): what it ended with, the seconds from the signal to its end (printed, never
## asserted: the machine is shared) and the files left in its export folder.
interruptRun <- function(setup, call, dir) {
    r <- interruptChild(childCall(c("suppressMessages(library(BiocParallel))", setup), call))
    done <- grep("^DONE", r$output, value = TRUE)
    message(sprintf("stopped %.2f s after SIGINT: %s", r$stopped, call))
    list(result = if (length(done)) strsplit(done, " ")[[1L]][2L] else "no answer",
         files = strayFiles(dir))
}

test_that("Ctrl-C stops the streamed calls and leaves no file", {
    skip_if(.Platform$OS.type != "unix", "signals")
    genome <- c("set.seed(1)", paste0("g <- Biostrings::DNAStringSet(c(chrA = paste(sample(c('A', ",
                                      "'C', 'G', 'T'), 3e6, TRUE), collapse = '')))"))
    d <- tempfile("intr")
    dir.create(d)
    calls <- c(
        sprintf("scanDeepBind(readDeepBind('D00328.003', db = '%s'), g, GRanges('chrA:1-3000000'), step = 1, method = 'reference', export = '%s/scan.bw')",
                extdata("deepbind"), d),
        sprintf("predictRegions(cnnModel(1000), g, step = 1, export = '%s/pred.bw', verbose = FALSE)", d),
        sprintf("predictRegions(cnnModel(1000), g, step = 1, export = '%s/tiles.bw', BPPARAM = MulticoreParam(2), verbose = FALSE)", d),
        sprintf("attributeBases(cnnModel(1000), regions = GRanges('chrA:1-3000000'), genome = g, method = 'ism', export = '%s/attr.h5')", d))
    for (cl in calls) {
        r <- interruptRun(genome, cl, d)
        expect_identical(r$result, "interrupt", label = cl)
        expect_length(r$files, 0L)
    }
})
