## Composed workflows (issue 10): the generator's label shape is the model's output shape, and
## metrics, predictions and tracks report one named column per cell x annotation.

rankAuc <- function(score, lab) {
    r <- rank(score)
    np <- sum(lab == 1)
    nn <- sum(lab == 0)
    (sum(r[lab == 1]) - np * (np + 1) / 2) / (np * nn)
}

## Every batch of an epoch as arrays (x N x L x 4, y N x label shape).
allBatches <- function(gen) {
    b <- lapply(seq_len(length(gen)), function(i) batch(gen, i))
    x <- do.call(abind3, lapply(b, `[[`, "x"))
    y <- lapply(b, function(z) z$y)
    list(x = x, y = y)
}
abind3 <- function(...) {
    l <- list(...)
    d <- dim(l[[1]])
    out <- array(0, c(sum(vapply(l, function(a) dim(a)[1], 0)), d[-1]))
    at <- 0
    for (a in l) {
        n <- dim(a)[1]
        if (length(d) == 3L) out[at + seq_len(n), , ] <- a else out[at + seq_len(n), , , ] <- a
        at <- at + n
    }
    out
}

sparse23 <- function(...) sequenceGenerator(fa, list(bed1, bed2), annotationTypes = c("CTCF", "GATA1", "MAX"),
                                            inputLength = 201, negativeRatio = 1, batchSize = 64, ...)

test_that("a cells x annotations head: auc() per cell x annotation, named, every sample", {
    gen <- sparse23()
    expect_equal(labelShape(gen), c(2L, 3L))
    m <- cnnModel(201, outputs = labelShape(gen), activation = "sigmoid")
    fit(m, gen, validation = "chr3", epochs = 1, loss = "bce", verbose = FALSE)
    ## cell 1 has no MAX peak, cell 2 no GATA1 peak: their AUC is NA, with a warning naming them
    expect_warning(res <- auc(m, "chr3"), "one class only")
    expect_equal(nrow(res), 6L)
    expect_equal(res$name, paste(rep(c("example_peaks_cell1", "example_peaks_cell2"), each = 3),
                                 rep(c("CTCF", "GATA1", "MAX"), 2), sep = "."))
    expect_equal(res$cell, rep(1:2, each = 3))
    expect_equal(res$annotation, rep(1:3, 2))
    g3 <- sparse23(chromosomes = "chr3")
    ## every sample of chr3 is scored, the last partial batch included
    expect_equal(res$positives + res$negatives, rep(g3@info$samples, 6))
    expect_gt(g3@info$samples %% 64, 0)
    ## per-task AUROC against an independent computation on the same predictions
    d <- allBatches(g3)
    y <- do.call(abind3, d$y)
    p <- predict(m, d$x)
    expect_equal(dim(p), c(dim(d$x)[1], 2L, 3L))
    expect_warning(ra <- auc(m, list(x = d$x, y = y)), "one class only")
    for (k in which(res$positives > 0)) {
        cl <- res$cell[k]
        an <- res$annotation[k]
        expect_equal(ra$auc[k], rankAuc(p[, cl, an], y[, cl, an]), tolerance = 1e-6)
    }
    ## cell 1 has no MAX peak, cell 2 no GATA1 peak: those tasks have no positives
    expect_equal(res$positives[c(3, 5)], c(0, 0))
    expect_true(all(res$positives[-c(3, 5)] > 0))
})

test_that("predictRegions of a cells x annotations head gives per-window scores, named, exported apart", {
    gen <- sparse23(chromosomes = c("chr1", "chr2"))
    m <- cnnModel(201, outputs = labelShape(gen), activation = "sigmoid")
    fit(m, gen, epochs = 1, loss = "bce", verbose = FALSE, stepsPerEpoch = 3)
    prefix <- file.path(tempfile("pr"), "pred")
    dir.create(dirname(prefix))
    r <- GRanges("chr3:20001-21000")
    w <- predictRegions(m, fa, r, step = 201, export = prefix, verbose = FALSE)
    expect_s4_class(w, "GRanges")
    nm <- paste(rep(c("example_peaks_cell1", "example_peaks_cell2"), each = 3),
                rep(c("CTCF", "GATA1", "MAX"), 2), sep = ".")
    expect_identical(setdiff(names(mcols(w)), "region"), nm)
    expect_equal(length(w), 5L)
    ## the scores are the model's outputs on those windows (cells x annotations, row-major)
    p <- predict(m, oneHot(w, genomeSource(fa)))
    expect_equal(unname(as.matrix(mcols(w)[, nm])),
                 matrix(aperm(p, c(1, 3, 2)), nrow = length(w)), tolerance = 1e-5)
    files <- list.files(dirname(prefix))
    expect_equal(sort(files), sort(paste0("pred_", nm, ".bw")))
})

test_that("a regression head of shape cells x types: correlation() per track, named", {
    g4 <- sequenceGenerator(fa, c(bw1, bw2, bw1, bw2), nAnnotationTypes = 2, inputLength = 2001,
                            targetWindow = 1, batchSize = 64, chromosomes = c("chr1", "chr2"))
    expect_equal(labelShape(g4), c(1L, 2L, 2L))
    m4 <- cnnModel(2001, outputs = c(2, 2))
    fit(m4, g4, epochs = 1, stepsPerEpoch = 2, verbose = FALSE)
    g3 <- sequenceGenerator(fa, c(bw1, bw2, bw1, bw2), nAnnotationTypes = 2, inputLength = 2001,
                            targetWindow = 1, batchSize = 64, chromosomes = "chr3", stride = 500)
    r <- correlation(m4, g3)
    expect_equal(nrow(r), 4L)
    expect_equal(r$name, make.unique(rep(c("example_coverage_cell1", "example_coverage_cell2"), 2), sep = "_"))
    expect_equal(r$cell, c(1L, 1L, 2L, 2L))
    expect_equal(r$annotation, c(1L, 2L, 1L, 2L))
    ## against cor() on the same predictions and targets
    d <- allBatches(g3)
    y <- do.call(abind3, d$y)   # N x 1 x 2 x 2
    p <- predict(m4, d$x)       # N x 2 x 2
    ra <- correlation(m4, list(x = d$x, y = array(y, dim(p))))
    for (k in 1:4) {
        cl <- (k - 1) %/% 2 + 1
        ty <- (k - 1) %% 2 + 1
        expect_equal(ra$pearson[k], cor(p[, cl, ty], y[, 1, cl, ty]), tolerance = 1e-5)
    }
    ## by chromosome, through the model's data configuration
    expect_equal(nrow(correlation(m4, "chr3")), 4L)
})

test_that("models trained on a multiGenerator evaluate by chromosome on a genome and files", {
    fwd <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201, batchSize = 32,
                             chromosomes = c("chr1", "chr2"))
    rc <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201, batchSize = 32,
                            chromosomes = c("chr1", "chr2"), reverseComplement = TRUE)
    mg <- multiGenerator(list(fwd, rc))
    m <- cnnModel(201, activation = "sigmoid")
    fit(m, mg, epochs = 1, loss = "bce", verbose = FALSE)
    a1 <- auc(m, "chr3", genome = fa, annotations = bed1)
    ref <- auc(m, sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201, batchSize = 32,
                                    chromosomes = "chr3"))
    expect_equal(a1$auc, ref$auc)
    expect_equal(a1$positives, ref$positives)
    ## without genome / annotations: each generator's own, mixed (both strands here)
    a2 <- auc(m, "chr3")
    expect_equal(a2$positives + a2$negatives, 2 * (ref$positives + ref$negatives))
    expect_equal(nrow(correlation(m, "chr3", genome = fa, annotations = bed1)), 1L)
    expect_gdl_error(auc(m, "chrQ"), "chrQ")
    ## keras_dna's MultiGenerator output_shape
    g2 <- multiGenerator(list(sparse23(), sparse23(reverseComplement = TRUE)), outputShape = 6)
    expect_equal(labelShape(g2), 6L)
    expect_equal(dim(batch(g2, 1)$y), c(64L, 6L))
    expect_gdl_error(multiGenerator(list(sparse23()), outputShape = 5), "outputShape")
})

test_that("evaluation and prediction use every sample, a set smaller than a batch included", {
    small <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201, batchSize = 500,
                               chromosomes = "chr3", negativeType = NULL)
    n <- small@info$samples
    expect_lt(n, 500)
    m <- cnnModel(201, activation = "sigmoid")
    expect_warning(r <- auc(m, small), "no negatives")
    expect_equal(r$positives + r$negatives, n)
    e <- evaluate(m, small, loss = "bce")
    expect_true(is.finite(e$value[1]))
    expect_equal(dim(predict(m, small)), c(n, 1L))
    expect_gdl_error(fit(m, small, loss = "bce", verbose = FALSE), "fewer samples than one batch")
})

test_that("nothing silent: misspelt types, predict without inputLength, 1-D inputs, keras_dna's order", {
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTFC", inputLength = 201),
                     "'CTFC' not in any annotation file; the files have: CTCF, GATA1")
    expect_gdl_error(sequenceGenerator(fa, list(bed1, bed2), annotationTypes = c("CTCF", "GATAA"),
                                       inputLength = 201), "GATAA")
    expect_gdl_error(sequenceGenerator(fa, gff, annotationTypes = "exon", predict = "start"), "integer inputLength")
    expect_gdl_error(layerInput(100), "c\\(length, channels\\)")
    expect_gdl_error(sequentialModel(100, list(layerDense(1))), "c\\(length, channels\\)")
    ## keras_dna's ['max', 'perctrim']: trimmed, then scaled into [0, 1]
    g <- sequenceGenerator(fa, bw1, inputLength = 201, targetWindow = 201, chromosomes = "chr1",
                           normalization = c("max", "perctrim"), batchSize = 64)
    expect_equal(max(unlist(lapply(1:10, function(i) batch(g, i)$y))), 1, tolerance = 0.05)
})

test_that("every shipped annotation file works, BED with extra columns as rtracklayer reads it", {
    sites <- extdata("example_sites.bed")
    g <- sequenceGenerator(fa, sites, annotationTypes = c("CTCF", "GATA1", "MAX"), inputLength = 101)
    expect_equal(labelShape(g), c(1L, 3L))
    expect_equal(g@info$positives, 600)
    for (f in c(bed1, bed2))
        expect_s4_class(sequenceGenerator(fa, f, annotationTypes = "CTCF", inputLength = 201), "SequenceGenerator")
    expect_s4_class(sequenceGenerator(fa, gff, annotationTypes = "gene", inputLength = "maxlen"), "SequenceGenerator")
    ## BED4 and a BED6+3
    b4 <- tempfile(fileext = ".bed")
    writeLines(c("chr1\t1000\t1100\tX", "chr2\t5000\t5100\tX"), b4)
    expect_equal(sequenceGenerator(fa, b4, annotationTypes = "X", inputLength = 101, negativeType = NULL)@info$samples, 2)
    b9 <- tempfile(fileext = ".bed")
    writeLines(c("chr1\t1000\t1100\tX\t0\t+\tfoo\tbar\t7", "chr2\t5000\t5100\tX\t0\t-\tfoo\tbar\t8"), b9)
    expect_equal(sequenceGenerator(fa, b9, annotationTypes = "X", inputLength = 101, negativeType = NULL)@info$samples, 2)
    bad <- tempfile(fileext = ".bed")
    writeLines(c("chr1\tabc\t1100\tX"), bad)
    expect_gdl_error(sequenceGenerator(fa, bad, annotationTypes = "X", inputLength = 101), "malformed")
})
