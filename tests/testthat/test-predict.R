## predictRegions(): models whose outputs are known functions of the sequence (hand-set
## convolutions) checked base by base against the sequence read by Biostrings; chromosome ends,
## reverse-complement passes, bigWig export read back through rtracklayer, bad input.

## conv1d(filters, kernel 1, no bias) with the given channel weights (one row per filter: A, C,
## G, T), then a centre crop (profile output) or a global average (one value per window).
baseModel <- function(len, weights, crop = NULL) {
    weights <- matrix(weights, ncol = 4L)
    last <- if (is.null(crop)) layerGlobalAvgPool1d() else layerCrop(crop)
    m <- sequentialModel(c(len, 4), list(layerConv1d(nrow(weights), 1, useBias = FALSE,
                                                     name = "count"), last))
    GenomicDL:::.setParameter(m, "count.conv.weight", array(weights, c(nrow(weights), 4L, 1L)))
    m
}

smallGenome <- function() {
    set.seed(11)
    s <- vapply(c(1003, 17, 260), function(n) paste(sample(c("A", "C", "G", "T"), n, TRUE),
                                                    collapse = ""), "")
    Biostrings::DNAStringSet(c(chrA = s[1], chrB = s[2], chrC = s[3]))
}

isBase <- function(dna, bases) as.numeric(strsplit(as.character(dna), "")[[1L]] %in% bases)

test_that("a base-counting convolution gives exactly the base track, ends included", {
    g <- smallGenome()
    m <- baseModel(41, c(1, 0, 0, 0), crop = 21)
    for (step in c(21, 8, 1)) {
        tr <- predictRegions(m, g, step = step, verbose = FALSE)
        expect_s4_class(tr, "RleList")
        expect_equal(names(tr), names(g))
        for (chr in names(g)) {
            expect_equal(length(tr[[chr]]), Biostrings::width(g[chr]))
            expect_identical(as.numeric(tr[[chr]]), isBase(g[[chr]], "A"))
        }
    }
    ## regions: predicted inside, NA outside
    r <- GRanges(c("chrA", "chrA", "chrC"), IRanges::IRanges(c(5, 500, 200), c(60, 503, 260)))
    tr <- predictRegions(m, g, r, step = 21, verbose = FALSE)
    a <- as.numeric(tr$chrA)
    inside <- c(5:60, 500:503)
    expect_identical(a[inside], isBase(g$chrA, "A")[inside])
    expect_true(all(is.na(a[-inside])))
    expect_identical(as.numeric(tr$chrC)[200:260], isBase(g$chrC, "A")[200:260])
    ## the same on a FASTA file (another genome than the in-memory one)
    fa <- extdata("example_genome.fa")
    tr <- predictRegions(m, fa, GRanges("chr2:499001-500000"), verbose = FALSE)
    s <- getSequence(fa, GRanges("chr2:499001-500000"))
    expect_identical(as.numeric(tr$chr2)[499001:500000], isBase(s[[1L]], "A"))
    ## windows sent as base codes and one-hot encoded by the tensor library (a GPU's path)
    old <- options(GenomicDL.encode = "device")
    on.exit(options(old))
    expect_identical(predictRegions(m, g, step = 8, verbose = FALSE),
                     predictRegions(m, g, step = 8, verbose = FALSE, threads = 1))
    for (chr in names(g))
        expect_identical(as.numeric(predictRegions(m, g, step = 8, verbose = FALSE)[[chr]]),
                         isBase(g[[chr]], "A"))
})

test_that("rc = 'average' of a strand-symmetric model equals rc = 'none'", {
    g <- smallGenome()
    gc <- baseModel(31, c(0, 1, 1, 0), crop = 11)  # G or C reads the same on both strands
    none <- predictRegions(gc, g, step = 4, verbose = FALSE)
    expect_equal(predictRegions(gc, g, step = 4, rc = "average", verbose = FALSE), none)
    expect_equal(predictRegions(gc, g, step = 4, rc = "max", verbose = FALSE), none)
    ## counting A is not symmetric: the reverse strand reads T at the same base
    a <- baseModel(31, c(1, 0, 0, 0), crop = 11)
    avg <- predictRegions(a, g, "chrA", step = 11, rc = "average", verbose = FALSE)
    expect_equal(as.numeric(avg$chrA), (isBase(g$chrA, "A") + isBase(g$chrA, "T")) / 2)
    mx <- predictRegions(a, g, "chrA", step = 11, rc = "max", verbose = FALSE)
    expect_equal(as.numeric(mx$chrA), isBase(g$chrA, c("A", "T")))
})

test_that("per-window outputs: GRanges of windows covering the region, scores per task", {
    g <- smallGenome()
    m <- baseModel(50, rbind(c(1, 0, 0, 0), c(0, 1, 1, 0)))  # A fraction, GC fraction
    w <- predictRegions(m, g, "chrA", step = 30, verbose = FALSE)
    expect_s4_class(w, "GRanges")
    expect_equal(start(w)[1L], 1L)
    expect_equal(max(end(w)), 1003L)  # the last window flush with the chromosome end
    expect_true(all(width(w) == 50L))
    expect_equal(names(mcols(w)), c("region", "task1", "task2"))
    seqs <- getSequence(g, w)
    f <- Biostrings::letterFrequency(seqs, c("A", "CG")) / 50
    expect_equal(w$task1, unname(f[, 1L]), tolerance = 1e-6)
    expect_equal(w$task2, unname(f[, 2L]), tolerance = 1e-6)
    ## regions shorter than the window: one window centred on each (N-padded at the ends)
    r <- GRanges(c("chrA", "chrB"), IRanges::IRanges(c(100, 1), c(119, 17)))
    w <- predictRegions(m, g, r, verbose = FALSE)
    expect_equal(length(w), 2L)
    expect_equal(start(w)[1L], 100L - 15L)
    expect_equal(w$region, 1:2)
    expect_equal(w$task1[2L], (sum(isBase(g$chrB, "A")) + 33 * 0.25) / 50, tolerance = 1e-6)
    ## many tasks: a SummarizedExperiment
    many <- baseModel(50, diag(4)[rep(1:4, 3), ])
    se <- predictRegions(many, g, "chrC", step = 50, verbose = FALSE)
    expect_s4_class(se, "RangedSummarizedExperiment")
    expect_equal(dim(se), c(6L, 12L))
    expect_equal(se$task, paste0("task", 1:12))
    f <- Biostrings::letterFrequency(getSequence(g, SummarizedExperiment::rowRanges(se)),
                                     c("A", "C", "G", "T")) / 50
    expect_equal(unname(SummarizedExperiment::assay(se)[, 5:8]), unname(f), tolerance = 1e-6)
    ## BiocParallel over regions gives the same windows and scores
    r <- GRanges(c("chrA", "chrC", "chrA"), IRanges::IRanges(c(1, 1, 600), c(500, 260, 1003)))
    one <- predictRegions(m, g, r, step = 25, verbose = FALSE)
    par <- predictRegions(m, g, r, step = 25, BPPARAM = BiocParallel::SerialParam(),
                          verbose = FALSE)
    expect_equal(par, one)
})

test_that("export writes one bigWig per track that reads back equal through rtracklayer", {
    g <- smallGenome()
    m <- baseModel(41, rbind(c(1, 0, 0, 0), c(0, 0, 0, 1)), crop = 21)  # tracks A and T
    f <- file.path(tempdir(), "pred")
    tr <- predictRegions(m, g, step = 7, export = f, returnValues = TRUE, verbose = FALSE)
    expect_equal(names(tr), c("task1", "task2"))
    files <- paste0(f, c("_task1.bw", "_task2.bw"))
    expect_true(all(file.exists(files)))
    for (i in 1:2) {
        back <- rtracklayer::import(rtracklayer::BigWigFile(files[i]), as = "RleList")
        expect_equal(as.list(back[names(g)]), as.list(tr[[i]]))
    }
    ## per-window scores: each base takes the score of the window with the nearest centre
    w <- baseModel(50, c(1, 0, 0, 0))
    one <- file.path(tempdir(), "windows.bw")
    sc <- predictRegions(w, g, "chrA", step = 25, export = one, verbose = FALSE)
    back <- as.numeric(rtracklayer::import(one, as = "RleList")$chrA)
    centre <- (start(sc) + end(sc)) / 2
    nearest <- vapply(seq_len(1003), function(x) which.min(abs(centre - x)), 1L)
    expect_equal(back, sc$score[nearest], tolerance = 1e-6)
})

test_that("bad input gives GenomicDL errors", {
    g <- smallGenome()
    m <- baseModel(41, c(1, 0, 0, 0), crop = 21)
    expect_gdl_error(predictRegions(m, g, step = 0), "step")
    expect_gdl_error(predictRegions(m, g, "chrZ"), "chrZ")
    expect_gdl_error(predictRegions(m, g, GRanges("chrZ:1-10")), "chrZ")
    expect_gdl_error(predictRegions(m, g, GRanges("chrB:1-100")), "past the end")
    expect_gdl_error(predictRegions(m, g, step = 7, export = c("a.bw", "b.bw")), "export")
    dna <- layerInput(c(41, 4))
    sec <- layerInput(c(41, 1))
    two <- functionalModel(list(dna, sec), connect(layerConcatenate(),
                                                   connect(layerGlobalAvgPool1d(), dna),
                                                   connect(layerGlobalAvgPool1d(), sec)))
    expect_gdl_error(predictRegions(two, g), "inputs")
})

test_that("fit(validation = chromosomes) splits the generator; generatorConfig rebuilds it", {
    fa <- extdata("example_genome.fa")
    bw1 <- extdata("example_coverage_cell1.bw")
    bw2 <- extdata("example_coverage_cell2.bw")
    near <- GRanges(c("chr2:1-20000", "chr3:1-20000"))
    gen <- sequenceGenerator(fa, bw1, inputLength = 101, targetWindow = 11, stride = 50,
                             batchSize = 32, chromosomes = c("chr2", "chr3"), regions = near)
    m <- sequentialModel(c(101, 4), list(layerConv1d(4, 9, activation = "relu"),
                                         layerMaxPool1d(4), layerFlatten(), layerDense(11)))
    h <- fit(m, gen, validation = "chr3", epochs = 1, stepsPerEpoch = 3, validationSteps = 2,
             verbose = FALSE)
    expect_false(is.na(h$val_loss))
    cfg <- generatorConfig(m)
    expect_equal(attr(cfg, "validation"), "chr3")
    attr(cfg, "validation") <- NULL
    expect_identical(cfg, generatorArgs(gen))
    ## rebuilt on new files: the same batches as a generator built on them directly
    re <- do.call(sequenceGenerator, utils::modifyList(cfg, list(annotations = bw2)))
    direct <- sequenceGenerator(fa, bw2, inputLength = 101, targetWindow = 11, stride = 50,
                                batchSize = 32, chromosomes = c("chr2", "chr3"), regions = near)
    expect_identical(batch(re, 3), batch(direct, 3))
    f <- tempfile(fileext = ".gdlm")
    saveModel(m, f)
    expect_equal(generatorConfig(loadModel(f)), generatorConfig(m))
    ## evaluate / correlation / auc on chromosomes: the training generator on those
    va <- splitGenerator(gen, "chr3")$validation
    expect_equal(evaluate(m, "chr3"), evaluate(m, va))
    expect_equal(correlation(m, "chr3"), correlation(m, va))
    expect_equal(auc(m, "chr3", curve = "PR"), auc(m, va, curve = "PR"))
    expect_equal(evaluate(m, "chr3", annotations = bw2),
                 evaluate(m, do.call(sequenceGenerator,
                                     utils::modifyList(cfg, list(annotations = bw2,
                                                                 chromosomes = "chr3")))))
    expect_gdl_error(evaluate(m, "chrZ"), "chrZ")
    ## a flat output of targetWindow values of a bigWig-trained model predicts a track
    tr <- predictRegions(m, fa, GRanges("chr3:1001-3000"), step = 11, verbose = FALSE)
    expect_s4_class(tr, "RleList")
    expect_false(anyNA(as.numeric(tr$chr3)[1001:3000]))
    expect_equal(as.numeric(tr$chr3)[1001:1011],
                 as.numeric(predict(m, getSequence(fa, GRanges("chr3:956-1056")))),
                 tolerance = 1e-6)
})

test_that("shapes that disagree and array-trained models give GenomicDL errors", {
    fa <- extdata("example_genome.fa")
    bw <- extdata("example_coverage_cell1.bw")
    gen <- sequenceGenerator(fa, bw, inputLength = 101, targetWindow = 11, stride = 50,
                             chromosomes = "chr3")
    wrong <- sequentialModel(c(201, 4), list(layerConv1d(2, 5), layerGlobalMaxPool1d(),
                                             layerDense(11)))
    expect_gdl_error(fit(wrong, gen, epochs = 1, verbose = FALSE), "shape")
    expect_gdl_error(evaluate(wrong, gen), "shape")
    x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT"))
    m <- sequentialModel(c(10, 4), list(layerConv1d(2, 3), layerGlobalMaxPool1d(), layerDense(1)))
    fit(m, x, y = c(1, 0), epochs = 1, batchSize = 2, verbose = FALSE)
    expect_gdl_error(evaluate(m, "chr1"), "sequenceGenerator")
    arrays <- list(x = x, y = c(1, 0))
    expect_gdl_error(fit(m, arrays, validation = "chr1", verbose = FALSE), "SequenceGenerator")
})
