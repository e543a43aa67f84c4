## The catalogue of bad inputs of issue 11 (training, options, interrupts): one expectation per
## case, each a GenomicDL_error whose message names the argument (or a warning / NA where the
## input may be meant, as documented). Fixtures are made here.

x4 <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
y4 <- c(1, 0, 1, 0)
sigmoidModel <- function()
    sequentialModel(c(10, 4), list(layerConv1d(4, 3, activation = "relu"),
                                   layerGlobalMaxPool1d(), layerDense(1, activation = "sigmoid")))
linearModel <- function()
    sequentialModel(c(10, 4), list(layerConv1d(4, 3, activation = "relu"),
                                   layerGlobalMaxPool1d(), layerDense(1)))
quiet <- function(...) fit(..., verbose = FALSE)

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Silently wrong training
###

test_that("NaN / NA labels, inputs and weights are errors naming them", {
    m <- sigmoidModel()
    expect_gdl_error(quiet(m, x4, y = c(1, NaN, 1, 0)), "y holds NA, NaN")
    expect_gdl_error(quiet(m, x4, y = c(1, NA, 1, 0)), "y holds NA, NaN")
    xn <- x4
    xn[2, 3, 1] <- NaN
    expect_gdl_error(quiet(m, xn, y = y4), "x holds NA, NaN")
    expect_gdl_error(quiet(m, list(x = x4, y = y4, weights = c(1, NA, 1, 1))), "weights")
    ## nothing was trained: the weights are the initial ones, all finite
    expect_true(all(is.finite(predict(m, x4))))
})

test_that("an array that is not one-hot is an error", {
    m <- sigmoidModel()
    expect_gdl_error(quiet(m, x4 * 7, y = y4), "x is not one-hot: its values range from 0 to 7")
    both <- x4
    both[1, 1, ] <- 1  # all four bases at one position
    expect_gdl_error(quiet(m, both, y = y4), "sequence 1 at position 1 sum to 4")
    ## N (0.25 each) and zero padding are one-hot enough
    nx <- oneHot(c("ACGTNNNNAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
    expect_s4_class(quiet(m, nx, y = y4), "TrainingHistory")
})

test_that("the one-hot check reports what an R computation finds, in both layouts", {
    ## R's own reference of the rule (.checkOneHot runs it in C++ in one interruptible pass)
    set.seed(4)
    x <- oneHot(vapply(1:300, function(i) paste(sample(c("A", "C", "G", "T"), 25, TRUE), collapse = ""), ""))
    for (layout in c("NLC", "NCL")) {
        a <- if (layout == "NLC") x else aperm(x, c(1L, 3L, 2L))
        expect_identical(GenomicDL:::.checkOneHot(a, layout), a)
        ## integer and logical arrays are checked as doubles
        b <- a; storage.mode(b) <- "integer"
        expect_silent(GenomicDL:::.checkOneHot(b, layout))
        storage.mode(b) <- "logical"
        expect_silent(GenomicDL:::.checkOneHot(b, layout))
        b[5] <- NA
        expect_gdl_error(GenomicDL:::.checkOneHot(b, layout), "NA, NaN or infinite values \\(1 of 30000\\)")
        ## sums above 1 at several places: the first in which(arr.ind) order is named
        b <- a
        idx <- if (layout == "NLC") rbind(c(200, 3, 1), c(200, 3, 2), c(17, 9, 1), c(17, 9, 4), c(3, 12, 2), c(3, 12, 3))
               else rbind(c(200, 1, 3), c(200, 2, 3), c(17, 1, 9), c(17, 4, 9), c(3, 2, 12), c(3, 3, 12))
        b[idx] <- 1
        sums <- if (layout == "NLC") rowSums(b, dims = 2L) else rowSums(aperm(b, c(1L, 3L, 2L)), dims = 2L)
        at <- which(sums > 1 + 1e-4, arr.ind = TRUE)[1L, ]
        expect_gdl_error(GenomicDL:::.checkOneHot(b, layout),
                         sprintf("sequence %d at position %d sum to %s", at[1L], at[2L], signif(sums[at[1L], at[2L]], 4)))
        ## the range over the whole array, then the count of non-finite values (all of them)
        b[idx[1L, , drop = FALSE]] <- -2
        b[idx[6L, , drop = FALSE]] <- 3.5
        expect_gdl_error(GenomicDL:::.checkOneHot(b, layout), "values range from -2 to 3.5")
        b[c(1, 77, 29999)] <- c(NaN, Inf, -Inf)
        expect_gdl_error(GenomicDL:::.checkOneHot(b, layout), sprintf("\\(%d of %d\\)", sum(!is.finite(b)), length(b)))
    }
    ## other shapes: only the finite check
    expect_silent(GenomicDL:::.checkOneHot(matrix(5, 3, 2)))
    expect_gdl_error(GenomicDL:::.checkOneHot(c(1, NA, 3)), "\\(1 of 3\\)")
})

test_that("losses that do not fit the output are refused or warned about", {
    ## mnll on one unit: its loss is exactly 0
    expect_gdl_error(quiet(linearModel(), x4, y = y4, loss = "mnll"), "'mnll'.*exactly 0")
    ## bce with labels outside [0, 1]: no minimum (the loss stays constant)
    expect_gdl_error(suppressWarnings(quiet(linearModel(), x4, y = c(-5, 10, 1, 0), loss = "bce")),
                     "'bce' needs labels in \\[0, 1\\].*holds -5")
    ## bce on a linear output: a warning with the reason
    expect_warning(quiet(linearModel(), x4, y = y4, loss = "bce"), "not 'sigmoid'.*no gradient")
    ## cce without a softmax output
    expect_gdl_error(quiet(sigmoidModel(), x4, y = c(0, 1, 0, 1), loss = "cce"), "softmax")
    three <- sequentialModel(c(10, 4), list(layerFlatten(), layerDense(3, activation = "sigmoid")))
    expect_gdl_error(quiet(three, x4, y = c(0, 2, 1, 0), loss = "cce"),
                     "activation = \"softmax\"; output 1 ends with activation 'sigmoid'")
})

test_that("a loss that becomes non-finite stops fit naming the step; the weights stay finite", {
    m <- linearModel()
    e <- tryCatch(quiet(m, x4, y = c(1, 0, 1, 3), loss = "mse", learningRate = 1e30,
                        optimizer = "sgd", batchSize = 1, epochs = 3),
                  GenomicDL_error = function(e) e)
    expect_s3_class(e, "GenomicDL_error")
    expect_match(conditionMessage(e), "training stopped: the (loss|weights) became .* at step [0-9]+ of epoch 1")
    expect_match(conditionMessage(e), "last finite weights")
    expect_true(all(is.finite(predict(m, x4))))
})

test_that("NaN in the one-hot input of predict() and attributeBases() is an error", {
    m <- sigmoidModel()
    xn <- x4
    xn[1, 1, 1] <- NaN
    expect_gdl_error(predict(m, xn), "x holds NA, NaN")
    expect_gdl_error(attributeBases(m, xn, method = "ism"), "x holds NA, NaN")
    expect_gdl_error(attributeBases(m, x4 * 7, method = "saliency"), "not one-hot")
})

test_that("auc() of a task with one class is NA with a warning naming the task", {
    m <- sigmoidModel()
    expect_warning(a <- auc(m, x4, y = c(1, 1, 1, 1)), "output1:.*no negatives.*NA")
    expect_true(is.na(a$auc))
    expect_warning(p <- auc(m, x4, y = c(0, 0, 0, 0), curve = "PR"), "no positives")
    expect_true(is.na(p$auc))
    expect_false(is.na(auc(m, x4, y = y4)$auc))
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Options accepted and ignored, plain R errors
###

test_that("counts and rates out of range are errors naming the argument", {
    m <- sigmoidModel()
    expect_gdl_error(predict(m, x4, batchSize = 0), "batchSize must be a whole number >= 1")
    expect_gdl_error(quiet(m, x4, y = y4, stepsPerEpoch = -1), "stepsPerEpoch must be a whole number")
    expect_gdl_error(quiet(m, x4, y = y4, validationSteps = 1.5), "validationSteps")
    expect_gdl_error(quiet(m, x4, y = y4, learningRate = NaN), "learningRate must be a finite number > 0")
    expect_gdl_error(quiet(m, x4, y = y4, learningRate = -1), "learningRate")
    expect_gdl_error(quiet(m, x4, y = y4, batchSize = 0), "batchSize")
    expect_gdl_error(quiet(m, x4, y = y4, momentum = Inf), "momentum")
})

test_that("the bridge refuses negative counts even past the R checks", {
    m <- sigmoidModel()
    src <- GenomicDL:::.sourceOf(x4, y4, 2, TRUE, 1, "NLC")
    opt <- list(epochs = 1, stepsPerEpoch = -1, validationSteps = 0, optimizer = "adam",
                learningRate = 1e-3, momentum = 0, weightDecay = 0,
                losses = GenomicDL:::.lossSpec(m), device = "cpu", workers = 0L, firstEpoch = 0,
                seed = 1, threads = 1L, mixedPrecision = FALSE, encode = "auto",
                metrics = character(), validationWeights = FALSE)
    expect_gdl_error(GenomicDL:::.native(GenomicDL:::cpp_train_fit(
        GenomicDL:::.modelPtr(m), src, NULL, opt, function(l) NULL, FALSE)), "stepsPerEpoch")
    opt$stepsPerEpoch <- 0
    opt$learningRate <- NaN
    expect_gdl_error(GenomicDL:::.native(GenomicDL:::cpp_train_fit(
        GenomicDL:::.modelPtr(m), src, NULL, opt, function(l) NULL, FALSE)), "learningRate")
})

test_that("a model archive without weights is a GenomicDL_error naming the part", {
    m <- sigmoidModel()
    f <- tempfile(fileext = ".gdl")
    saveModel(m, f)
    a <- readRDS(f)
    a$weights <- NULL
    saveRDS(a, f)
    expect_gdl_error(loadModel(f), "has no weights")
})

test_that("exportTrack() refuses an RleList naming a chromosome twice", {
    f <- tempfile(fileext = ".bw")
    x <- IRanges::RleList(chr1 = S4Vectors::Rle(1, 10), chr1 = S4Vectors::Rle(2, 10))
    expect_gdl_error(exportTrack(x, f), "chromosome 'chr1' twice")
    expect_false(file.exists(f))
})

test_that("MEME rows must sum to 1 (within 1e-2); motifs must not be all zero", {
    meme <- function(rows) {
        f <- tempfile(fileext = ".meme")
        writeLines(c("MEME version 4", "", "ALPHABET= ACGT", "", "strands: + -", "",
                     "MOTIF m1", "letter-probability matrix: alength= 4 w= 2 nsites= 1000", rows), f)
        f
    }
    expect_gdl_error(readMEME(meme(c("0.5 0.5 0.5 0.5", "0.25 0.25 0.25 0.25"))),
                     "row 1 of motif m1 sums to 2")
    expect_gdl_error(readMEME(meme(c("0 0 0 0", "0.25 0.25 0.25 0.25"))), "sums to 0")
    ## within the tolerance: renormalised (0.503 / 1.003 of 1000 sites, not 503)
    p <- readMEME(meme(c("0.503 0.2 0.2 0.1", "0.25 0.25 0.25 0.25")))
    expect_equal(unname(TFBSTools::Matrix(p[[1]])[, 1]), round(c(0.503, 0.2, 0.2, 0.1) / 1.003 * 1000))
    jf <- tempfile(fileext = ".jaspar")
    writeLines(c(">MA0001.1 zero", "A [ 0 0 ]", "C [ 0 1 ]", "G [ 0 1 ]", "T [ 0 1 ]"), jf)
    expect_gdl_error(readJASPAR(jf), "column 1 of matrix MA0001.1 has no counts")
    zero <- TFBSTools::PWMatrix(ID = "z", profileMatrix = matrix(0, 4, 5,
                                                                dimnames = list(c("A", "C", "G", "T"))))
    expect_gdl_error(writeMEME(zero, tempfile()), "matrix z is all zero")
})

test_that("misspelt choices are GenomicDL_errors naming the argument and the choices", {
    expect_gdl_error(oneHot("ACGT", layout = "LNC"), "layout must be one of \"NLC\", \"NCL\"")
    expect_gdl_error(oneHot("ACGT", ambiguous = "drop"), "ambiguous must be one of")
    expect_gdl_error(trackValues(bw1, GenomicRanges::GRanges("chr1:1-10"), bins = 2,
                                 summary = "median"), "summary must be one of")
    m <- sequentialModel(c(100, 4), list(layerConv1d(2, 5), layerGlobalMaxPool1d(), layerDense(1)))
    expect_gdl_error(predictRegions(m, fa, GenomicRanges::GRanges("chr1:1-1000"), rc = "TRUE"),
                     "rc must be one of")
    db <- system.file("extdata", "deepbind", package = "GenomicDL")
    ctcf <- readDeepBind("D00328.003", db = db)
    expect_gdl_error(deepbindScore(ctcf, "ACGTACGTACGTAAAAAAAAAAAA", padding = "zero"),
                     "padding must be one of")
    expect_gdl_error(scanDeepBind(ctcf, fa, GenomicRanges::GRanges("chr1:1-500"), padding = "zero",
                                  BPPARAM = BiocParallel::SerialParam()), "padding must be one of")
    pfm <- TFBSTools::PFMatrix(ID = "a", profileMatrix = matrix(c(5, 1, 1, 1), 4, 3,
                                                                dimnames = list(c("A", "C", "G", "T"))))
    expect_gdl_error(compareMotifs(pfm, pfm, dist = "euclid"), "dist must be one of")
    expect_gdl_error(GenomicDL:::.matchArg(c("a", "b"), c("a", "b", "c"), "x"), "x must be one of")
})

test_that("bad genomes and regions are GenomicDL_errors", {
    expect_gdl_error(genomeSource(tempdir()), "is a directory")
    bad <- tempfile(fileext = ".fa")
    writeLines(c(">chr1", "ACGTACGT12345!!@@ACGT", ">chr2", "ACGTACGTACGT"), bad)
    expect_gdl_error(getSequence(bad, GenomicRanges::GRanges("chr1:1-20")),
                     "has '1', not a nucleotide \\(IUPAC\\) code, at chr1:9")
    ## read through htslib (oneHot, generators, prediction): the same refusal, never N
    g <- genomeSource(bad)
    expect_gdl_error(oneHot(GenomicRanges::GRanges("chr1:1-20"), g),
                     "has '1', not a nucleotide \\(IUPAC\\) code, at chr1:9")
    expect_gdl_error(predictRegions(sequentialModel(c(10, 4), list(layerConv1d(2, 3),
                                                   layerGlobalMaxPool1d(), layerDense(1))), g, GenomicRanges::GRanges("chr1:1-21"),
                                    verbose = FALSE), "not a nucleotide")
    expect_equal(dim(oneHot(GenomicRanges::GRanges("chr2:1-12"), g)), c(1L, 12L, 4L))
    expect_equal(dim(oneHot(GenomicRanges::GRanges("chr1:1-8"), g)), c(1L, 8L, 4L))
    expect_gdl_error(sequenceGenerator(fa, bed1, inputLength = 100, regions = "chr1"),
                     "regions must be a GRanges")
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Interrupts: an Rscript child sent SIGINT while in a long native loop
###

## interruptChild() and childCall() are in helper-data.R (test-streaming-scan.R uses them too).

## The child's call ended as R's interrupt, within 5 s of the signal (the core polls R every
## 0.05 s; the rest is one pass of work that cannot be cut short, on a loaded machine).
expectInterrupted <- function(r) {
    done <- grep("^DONE", r$output, value = TRUE)
    expect_length(done, 1L)
    expect_match(done, "^DONE interrupt")
    expect_lt(r$stopped, 5)
}

test_that("attributeBases(method = 'ism') stops within seconds of an interrupt", {
    skip_on_os("windows")
    r <- interruptChild(childCall(c(
        "m <- sequentialModel(c(1000, 4), list(layerConv1d(64, 19, activation = 'relu'),",
        "  layerGlobalMaxPool1d(), layerDense(1)))",
        "set.seed(1)",
        ## 600 sequences: ~15 s of fast ISM here, well past the signal at 1.5 s (60 took 1.5 s
        ## and could finish first)
        "s <- vapply(1:600, function(i) paste(sample(c('A','C','G','T'), 1000, TRUE), collapse = ''), '')"),
        "attributeBases(m, s, method = 'ism', batchSize = 256)"))
    expectInterrupted(r)
})

test_that("attributeBases(method = 'deepliftshap') stops within seconds of an interrupt", {
    skip_on_os("windows")
    r <- interruptChild(childCall(c(
        "m <- sequentialModel(c(1000, 4), list(layerConv1d(64, 19, activation = 'relu'),",
        "  layerGlobalMaxPool1d(), layerDense(1)))",
        "set.seed(1)",
        "s <- vapply(1:1500, function(i) paste(sample(c('A','C','G','T'), 1000, TRUE), collapse = ''), '')"),
        "attributeBases(m, s, method = 'deepliftshap')"))
    expectInterrupted(r)
})

test_that("predictRegions stops on an interrupt as R's interrupt, streamed runs leaving no file", {
    skip_on_os("windows")
    dir <- tempfile()
    dir.create(dir)
    setup <- c("fa <- system.file('extdata', 'example_genome.fa', package = 'GenomicDL')",
               "m <- cnnModel(1000)")
    r <- interruptChild(childCall(setup, "predictRegions(m, fa, step = 1, verbose = FALSE)"))
    expectInterrupted(r)
    out <- file.path(dir, "pred.bw")
    r <- interruptChild(childCall(setup, sprintf(
        "predictRegions(m, fa, step = 1, verbose = FALSE, export = '%s')", out)))
    expectInterrupted(r)
    expect_identical(list.files(dir, all.files = TRUE, no.. = TRUE), character(0))
})

test_that("scanDeepBind stops within seconds of an interrupt", {
    skip_on_os("windows")
    r <- interruptChild(childCall(c(
        "db <- system.file('extdata', 'deepbind', package = 'GenomicDL')",
        "ctcf <- readDeepBind('D00328.003', db = db)",
        "set.seed(1)",
        "g <- Biostrings::DNAStringSet(c(chrA = paste(sample(c('A','C','G','T'), 3e6, TRUE), collapse = '')))"),
        "scanDeepBind(ctcf, g, GenomicRanges::GRanges('chrA:1-3000000'), inputLength = 101, step = 1, method = 'reference', BPPARAM = BiocParallel::SerialParam())"))
    expectInterrupted(r)
})
