## One argument name per concept (?GenomicDL, "Argument names"): every deprecated name still
## works for one release, warns with class GenomicDL_deprecated, and gives what the new name
## gives. SequenceModel's reference semantics and copyModel().

expect_deprecated <- function(expr, old) {
    msgs <- character()
    val <- withCallingHandlers(expr, GenomicDL_deprecated = function(c) {
        expect_s3_class(c, c("GenomicDL_deprecated", "deprecatedWarning"))
        msgs <<- c(msgs, conditionMessage(c))
        invokeRestart("muffleWarning")
    })
    expect_true(any(grepl(paste0("'", old, "' is deprecated"), msgs, fixed = TRUE)),
                label = paste0("a deprecation warning for '", old, "'"))
    val
}

bw <- bw1
bed <- bed1
motifFile <- extdata("example_motifs.meme")

test_that("sequenceGenerator: window, seqLen, bins, rc", {
    new <- sequenceGenerator(fa, bw, inputLength = 501, targetWindow = 10, batchSize = 8)
    old <- expect_deprecated(sequenceGenerator(fa, bw, window = 501, targetWindow = 10, batchSize = 8),
                             "window")
    expect_identical(batch(old, 1), batch(new, 1))
    expect_identical(generatorArgs(old), generatorArgs(new))
    sp <- sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 301, batchSize = 8,
                            reverseComplement = TRUE)
    spOld <- expect_deprecated(sequenceGenerator(fa, bed, annotationTypes = "CTCF", seqLen = 301,
                                                 batchSize = 8, reverseComplement = TRUE), "seqLen")
    expect_identical(batch(spOld, 1), batch(sp, 1))
    rcOld <- expect_deprecated(sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 301,
                                                 batchSize = 8, rc = TRUE), "rc")
    expect_identical(batch(rcOld, 1), batch(sp, 1))
    ## rc is not taken for rcAugment (R's partial matching would have)
    expect_false(generatorArgs(rcOld)$rcAugment)
    w <- sequenceGenerator(fa, bw, inputLength = 501, weighting = "balanced", weightBins = 5, batchSize = 8)
    wOld <- expect_deprecated(sequenceGenerator(fa, bw, inputLength = 501, weighting = "balanced",
                                                bins = 5, batchSize = 8), "bins")
    expect_identical(batch(wOld, 1)$weights, batch(w, 1)$weights)
    expect_equal(expect_deprecated(predictLabelShape(genome = fa, annotations = bw, window = 501,
                                                     targetWindow = 10), "window"),
                 predictLabelShape(genome = fa, annotations = bw, inputLength = 501, targetWindow = 10))
    expect_error(sequenceGenerator(fa, bw, window = 501, inputLength = 501), class = "GenomicDL_error")
    expect_error(sequenceGenerator(fa, bw, inputLength = 501, batchsize = 8), "batchsize",
                 class = "GenomicDL_error")
    ## called through do.call() (the function itself in the call), as a rebuilt generator is
    expect_equal(batch(expect_deprecated(do.call(sequenceGenerator, list(fa, bw, window = 501,
                                                                         targetWindow = 10,
                                                                         batchSize = 8)), "window"), 1),
                 batch(new, 1))
})

test_that("a generator saved under the old names rebuilds (archives of earlier versions)", {
    gen <- sequenceGenerator(fa, bw, inputLength = 501, targetWindow = 10, batchSize = 8)
    old <- gen@args
    names(old)[names(old) == "inputLength"] <- "window"
    names(old)[names(old) == "weightBins"] <- "bins"
    names(old)[names(old) == "reverseComplement"] <- "rc"
    expect_identical(GenomicDL:::.upgradeGeneratorArgs(old)[names(gen@args)], gen@args)
    gen@args <- old
    gen@handle$ptr <- NULL
    expect_silent(b <- batch(gen, 1))
    expect_identical(b, batch(sequenceGenerator(fa, bw, inputLength = 501, targetWindow = 10,
                                                batchSize = 8), 1))
})

test_that("fit / evaluate / auc / correlation: generator, data, workers", {
    x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
    y <- c(1, 0, 1, 0)
    build <- function() sequentialModel(c(10, 4), list(layerConv1d(2, 3), layerGlobalMaxPool1d(),
                                                       layerDense(1, activation = "sigmoid")), seed = 3)
    a <- build()
    b <- build()
    ha <- fit(a, x, y = y, epochs = 2, batchSize = 2, prefetchThreads = 1, verbose = FALSE)
    hb <- expect_deprecated(fit(b, generator = x, y = y, epochs = 2, batchSize = 2, verbose = FALSE),
                            "generator")
    expect_equal(hb$loss, ha$loss)
    expect_equal(predict(b, x), predict(a, x))
    c2 <- build()
    hc <- expect_deprecated(fit(c2, x, y = y, epochs = 2, batchSize = 2, workers = 1, verbose = FALSE),
                            "workers")
    expect_equal(hc$loss, ha$loss)
    expect_equal(expect_deprecated(evaluate(a, data = x, y = y), "data"), evaluate(a, x, y = y))
    expect_equal(expect_deprecated(auc(a, data = x, y = y), "data"), auc(a, x, y = y))
    expect_equal(expect_deprecated(correlation(a, data = x, y = y), "data"), correlation(a, x, y = y))
    ## threads and batchSize are accepted and do not change the numbers
    expect_equal(evaluate(a, x, y = y, threads = 1, batchSize = 1), evaluate(a, x, y = y),
                 tolerance = 1e-6)
    expect_equal(predict(a, x, threads = 1), predict(a, x))
    expect_error(evaluate(a, x, y = y, batchSize = 0), class = "GenomicDL_error")
})

test_that("DeepBind: sequences, window, width", {
    db <- extdata("deepbind")
    ctcf <- readDeepBind("D00328.003", db = db)
    s <- c("ACGTGGCGCCCCCTGGTGGCCACGTTTTTTTT", "GATAGATAGATAGATAGGGG")
    expect_equal(expect_deprecated(deepbindScore(ctcf, sequences = s, window = 20), "sequences"),
                 deepbindScore(ctcf, s, deepbindWindow = 20))
    r <- GRanges("chr1:1-600")
    new <- scanDeepBind(ctcf, fa, r, inputLength = 101, step = 50, deepbindWindow = 40)
    expect_true(all(width(new) == 101))
    expect_equal(start(new)[1:3], c(1, 51, 101))
    old <- expect_deprecated(scanDeepBind(ctcf, fa, r, width = 101, step = 50, deepbindWindow = 40),
                             "width")
    expect_equal(old, new)
    expect_equal(expect_deprecated(scanDeepBind(ctcf, fa, r, inputLength = 101, step = 50, window = 40),
                                   "window"), new)
})

test_that("motifs: threshold, thresh, subject, bothStrands, sequences", {
    expect_equal(expect_deprecated(compareMotifs(motifFile, motifFile, thresh = 1), "thresh"),
                 compareMotifs(motifFile, motifFile, threshold = 1))
    seqs <- getSequence(fa, GRanges(c("chr1:1-3000", "chr2:1-3000")))
    names(seqs) <- c("a", "b")
    fwd <- scanMotifs(motifFile, seqs, threshold = 1e-3, strands = "forward")
    expect_true(all(as.character(strand(fwd)) == "+"))
    expect_equal(expect_deprecated(scanMotifs(motifFile, subject = seqs, threshold = 1e-3,
                                              bothStrands = FALSE), "subject"), fwd)
    both <- scanMotifs(motifFile, seqs, threshold = 1e-3)
    expect_equal(expect_deprecated(scanMotifs(motifFile, seqs, threshold = 1e-3, bothStrands = TRUE),
                                   "bothStrands"), both)
    expect_gt(length(both), length(fwd))
    w <- array(0, c(1, 4, 4))
    w[1, , ] <- diag(4)[, c(3, 1, 4, 1)]  # G A T A
    s <- c("CCGATACC", "GATAGGGG", "TTTTTTTT")
    m <- filterMotifs(list(weight = w, bias = -3), s, strands = "forward", minActivation = 0.5)
    old <- expect_deprecated(filterMotifs(list(weight = w, bias = -3), sequences = s, strands = "forward",
                                          threshold = 0.5), "sequences")
    expect_equal(TFBSTools::Matrix(old[[1]]), TFBSTools::Matrix(m[[1]]))
})

test_that("attributions: window, minOverlap of discoverMotifs; bothStrands of callMotifHits", {
    cwm <- list(GATA = rbind(A = c(0, 1, 0, 1, 1), C = 0, G = c(1, 0, 0, 0, 0), T = c(0, 0, 1, 0, 0)))
    a <- array(0, c(2, 40, 4))
    a[1, 11:15, ] <- t(cwm$GATA)
    a[2, 21:25, ] <- t(cwm$GATA[4:1, 5:1])
    both <- callMotifHits(cwm, a)
    expect_equal(expect_deprecated(callMotifHits(cwm, a, bothStrands = TRUE), "bothStrands"), both)
    expect_equal(expect_deprecated(callMotifHits(cwm, a, bothStrands = FALSE), "bothStrands"),
                 callMotifHits(cwm, a, strands = "forward"))
    expect_length(callMotifHits(cwm, a, strands = "forward"), 1L)
    expect_length(both, 2L)
    ## discoverMotifs stops at the same check with either name (no seqlet fits 10 bases)
    expect_error(expect_deprecated(discoverMotifs(a[, 1:10, ], oneHot(strrep("A", 10))[c(1, 1), , ],
                                                  window = 21), "window"),
                 "seqletWindow", class = "GenomicDL_error")
    expect_error(discoverMotifs(a, bogus = 1), "bogus", class = "GenomicDL_error")
})

test_that("getSequence / trackValues: ranges", {
    r <- GRanges(c("chr1:101-150", "chr2:201-260"))
    expect_equal(expect_deprecated(getSequence(fa, ranges = r), "ranges"), getSequence(fa, r))
    expect_equal(expect_deprecated(trackValues(bw, ranges = r, bins = 5), "ranges"),
                 trackValues(bw, r, bins = 5))
})

test_that("filterImportance: batchSize and device reach the forward passes", {
    m <- sequentialModel(c(30, 4), list(layerConv1d(3, 5, activation = "relu"),
                                        layerGlobalMaxPool1d(), layerDense(2)), seed = 2)
    set.seed(1)
    s <- vapply(1:9, function(i) paste(sample(c("A", "C", "G", "T"), 30, TRUE), collapse = ""), "")
    ref <- filterImportance(m, s)
    ## other batch sizes sum in another order: equal to float precision
    expect_equal(filterImportance(m, s, batchSize = 2, device = "cpu", threads = 1), ref,
                 tolerance = 1e-5)
    expect_equal(expect_deprecated(filterImportance(m, sequences = s), "sequences"), ref)
    expect_error(filterImportance(m, s, batchSize = 0), class = "GenomicDL_error")
    expect_error(filterImportance(m, s, device = "tpu"), class = "GenomicDL_error")
    ## the knockout forward pass itself, against predict()
    oh <- aperm(oneHot(s), c(1L, 3L, 2L))
    expect_equal(unname(GenomicDL:::.modelForward(m, oh, batchSize = 4)), unname(predict(m, s)),
                 tolerance = 1e-6)
})

test_that("SequenceModel: reference semantics, copyModel, saveRDS / serialize round trips", {
    x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
    y <- c(1, 0, 1, 0)
    m <- sequentialModel(c(10, 4), list(layerConv1d(2, 3), layerGlobalMaxPool1d(), layerDense(1)),
                         seed = 5)
    p0 <- predict(m, x)
    expect_output(show(m), "reference semantics")
    cp <- copyModel(m)
    fit(cp, x, y = y, epochs = 3, learningRate = 0.05, verbose = FALSE)
    expect_identical(predict(m, x), p0)           # the original is untouched
    expect_false(isTRUE(all.equal(predict(cp, x), p0)))
    expect_null(trainingHistory(m))
    expect_equal(nrow(trainingHistory(cp)), 3L)
    alias <- m
    fit(alias, x, y = y, epochs = 2, learningRate = 0.05, verbose = FALSE)
    p1 <- predict(m, x)
    expect_false(isTRUE(all.equal(p1, p0)))       # <- is a reference: m was trained
    expect_equal(nrow(trainingHistory(m)), 2L)
    ## a copy of a trained model carries its weights and history, then goes its own way
    cp2 <- copyModel(m)
    expect_identical(predict(cp2, x), p1)
    expect_equal(trainingHistory(cp2), trainingHistory(m))
    ## saveRDS serialises the weights of that moment
    f <- tempfile(fileext = ".rds")
    saveRDS(m, f)
    r <- readRDS(f)
    expect_equal(predict(r, x), p1)
    expect_equal(trainingHistory(r), trainingHistory(m))
    fit(m, x, y = y, epochs = 1, learningRate = 0.05, verbose = FALSE)
    saveRDS(m, f)
    expect_equal(predict(readRDS(f), x), predict(m, x))
    ## a reloaded model trains, is copied and is saved again like any other
    fit(r, x, y = y, epochs = 1, verbose = FALSE)
    expect_equal(predict(unserialize(serialize(r, NULL)), x), predict(r, x))
    expect_error(copyModel(list()), class = "GenomicDL_error")
})
