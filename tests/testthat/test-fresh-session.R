## library(GenomicDL) loads neither TFBSTools nor rtracklayer (they load when a function first needs
## them): every kind of function must still work from a fresh R process. The child process loads
## the package, checks that the heavy packages are not loaded yet, runs one motif, one track and one
## prediction function and saves what they return; the values are checked here.

test_that("motif, track and prediction functions work in a fresh session", {
    script <- tempfile(fileext = ".R")
    out <- tempfile(fileext = ".rds")
    writeLines(c(
        "suppressPackageStartupMessages(library(GenomicDL))",
        "heavy <- c('TFBSTools', 'rtracklayer', 'SummarizedExperiment', 'ggplot2')",
        "loadedAtStart <- intersect(heavy, loadedNamespaces())",
        "ext <- function(f) system.file('extdata', f, package = 'GenomicDL', mustWork = TRUE)",
        "## motif: a MEME file read into a PFMatrixList and compared with itself (Tomtom)",
        "motifs <- readMEME(ext('example_motifs.meme'))",
        "hits <- compareMotifs(motifs, motifs, dist = 'pearson', thresh = 1)",
        "best <- vapply(names(motifs), function(q) {",
        "    h <- hits[hits$Query_ID == q, ]",
        "    h$Target_ID[which.min(h[['p-value']])]",
        "}, '')",
        "## tracks: a BED path read through rtracklayer by the generator; a bigWig written and read",
        "gen <- sequenceGenerator(ext('example_genome.fa'), ext('example_peaks_cell1.bed'),",
        "                         annotationTypes = c('CTCF', 'GATA1'), seqLen = 101,",
        "                         batchSize = 8)",
        "f <- tempfile(fileext = '.bw')",
        "exportTrack(IRanges::RleList(chr1 = S4Vectors::Rle(c(0, 2.5, 1), c(10, 5, 5))), f)",
        "values <- trackValues(f, GRanges('chr1:9-16'))",
        "## prediction: a kernel-1 convolution counting A, averaged over the window",
        "m <- sequentialModel(c(12, 4), list(layerConv1d(1, 1, useBias = FALSE, name = 'a'),",
        "                                    layerGlobalAvgPool1d()))",
        "GenomicDL:::.setParameter(m, 'a.conv.weight', array(c(1, 0, 0, 0), c(1, 4, 1)))",
        "seqs <- c('AAAACCCCGGGG', 'ACGTACGTACGT', 'TTTTTTTTTTTA')",
        "pred <- predict(m, seqs)",
        "saveRDS(list(loadedAtStart = loadedAtStart, nMotifs = length(motifs),",
        "             ids = names(motifs), best = best, isPFM = is(motifs, 'PFMatrixList'),",
        "             labelShape = labelShape(gen), batchDim = dim(batch(gen, 1)$x),",
        "             values = values, pred = pred, seqs = seqs), commandArgs(TRUE)[1L])"),
        script)
    env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
    log <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script, out),
                                    env = env, stdout = TRUE, stderr = TRUE))
    if (!file.exists(out)) {
        fail(paste(c("the fresh session failed:", log), collapse = "\n"))
        return(invisible())
    }
    r <- readRDS(out)
    expect_identical(r$loadedAtStart, character())
    ## motifs: the file's motifs, each one's best match itself
    ids <- sub("^MOTIF\\s+(\\S+).*$", "\\1",
               grep("^MOTIF", readLines(extdata("example_motifs.meme")), value = TRUE))
    expect_true(r$isPFM)
    expect_identical(r$ids, ids)
    expect_identical(unname(r$best[ids]), ids)
    ## tracks: 1 cell x 2 annotation types; batches of 8 windows of 101 bases; the bigWig's values
    expect_identical(as.integer(r$labelShape), c(1L, 2L))
    expect_identical(as.integer(r$batchDim), c(8L, 101L, 4L))
    expect_equal(as.numeric(r$values), c(0, 0, 2.5, 2.5, 2.5, 2.5, 2.5, 1))
    ## prediction: the fraction of A in each sequence
    frac <- vapply(strsplit(r$seqs, ""), function(b) mean(b == "A"), 0)
    expect_equal(as.numeric(r$pred), frac, tolerance = 1e-6)
})
