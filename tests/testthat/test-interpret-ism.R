## Fast ISM (attributeBases(method = "ism", ism = "fast")): equal to every mutant through the
## whole network (ism = "batched") and to predict() on the mutants, on the zoo's CNNs, multi-task,
## multi-output and per-base models, reverse-complemented ranges; the fallback for LSTMs.

randomSeqs <- function(n, len, seed) {
    set.seed(seed)
    vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = ""), "")
}

## fast and batched ISM of the same request: equal to float rounding, relative to the largest score
expectFastEqualsBatched <- function(model, x, ..., tol = 1e-4) {
    fast <- attributeBases(model, x, method = "ism", ...)
    batched <- attributeBases(model, x, method = "ism", ism = "batched", ...)
    expect_equal(attr(fast, "ism"), "fast")
    expect_equal(attr(batched, "ism"), "batched")
    expect_equal(dim(fast), dim(batched))
    scale <- max(abs(batched))
    expect_gt(scale, 0)
    expect_lt(max(abs(fast - batched)) / scale, tol)
    expect_equal(attr(fast, "prediction"), attr(batched, "prediction"), tolerance = 1e-5)
    invisible(fast)
}

test_that("fast ISM equals predict() on every single-base mutant of a CNN", {
    m <- cnnModel(inputLength = 200, outputs = 2)
    s <- randomSeqs(1, 200, 1)
    h <- attributeBases(m, s, method = "ism", task = 2, hypothetical = TRUE, batchSize = 16)
    expect_equal(attr(h, "ism"), "fast")
    x <- oneHot(s)
    mut <- array(0, c(800, 200, 4))
    for (l in 1:200) for (b in 1:4) {
        k <- (l - 1) * 4 + b
        mut[k, , ] <- x[1, , ]
        mut[k, l, ] <- 0
        mut[k, l, b] <- 1
    }
    d <- matrix(predict(m, mut)[, 2] - predict(m, x)[1, 2], 200, 4, byrow = TRUE)
    expect_equal(unname(h[1, , ]), d - rowMeans(d), tolerance = 1e-5)
})

test_that("fast ISM equals batched ISM on keras_dna's CNN and Basset, every task", {
    cnn <- cnnModel(inputLength = 300, outputs = 3)
    s <- randomSeqs(2, 300, 2)
    for (task in 1:3) expectFastEqualsBatched(cnn, s, task = task)
    expectFastEqualsBatched(cnn, s, task = 2, hypothetical = TRUE)
    # the pass size does not change the result
    a <- attributeBases(cnn, s, method = "ism", task = 2, batchSize = 1)
    b <- attributeBases(cnn, s, method = "ism", task = 2, batchSize = 500)
    expect_lt(max(abs(a - b)), 1e-6)
    # Basset (batch norm, max pooling 3 and 4, two dense layers of 1,000) on its shortest input
    basset <- bassetModel(inputLength = 200)
    sb <- randomSeqs(1, 200, 3)
    expectFastEqualsBatched(basset, sb, task = 1)
    expectFastEqualsBatched(basset, sb, task = 164, hypothetical = TRUE)
})

test_that("fast ISM equals batched ISM on BPNet's outputs (residual adds, crops, profiles)", {
    bp <- suppressWarnings(bpnetModel(128, 80, filters = 8, layers = 3, inputFilterWidth = 11,
                                      outputFilterWidth = 11, heads = 2))
    s <- randomSeqs(2, 128, 4)
    # counts: a flat output
    expectFastEqualsBatched(bp, s, output = 2, task = 1)
    # profile logits: one track, both tracks, and one value of the per-base output
    expectFastEqualsBatched(bp, s, output = 1, profile = TRUE, task = 1)
    expectFastEqualsBatched(bp, s, output = 1, profile = TRUE, task = 0, hypothetical = TRUE)
    expectFastEqualsBatched(bp, s, output = 1, task = (40 - 1) * 2 + 2)
})

test_that("fast ISM covers padding, strides, dilation, merges and global pooling", {
    x <- randomSeqs(2, 50, 5)
    # "same" padding, a strided and a dilated convolution, average pooling, per-position dense
    m <- sequentialModel(c(50, 4), list(
        layerConv1d(6, 5, padding = "same", activation = "relu"),
        layerConv1d(5, 4, strides = 2, activation = "tanh"),
        layerConv1d(4, 3, dilation = 2, padding = "same", activation = "relu"),
        layerAvgPool1d(2), layerDense(3, activation = "sigmoid"), layerFlatten(), layerDense(2)),
        seed = 7)
    expectFastEqualsBatched(m, x, task = 2)
    # DeepBind's network: full padding with N (0.25), global max and average pooling, concatenate
    db <- deepbindNetwork(inputLength = 50, filters = 4, kernelSize = 9)
    expectFastEqualsBatched(db, x)
    # an N: all four bases of that position are mutants
    xn <- x
    substr(xn[1], 20, 20) <- "N"
    expectFastEqualsBatched(m, xn, task = 1, hypothetical = TRUE)
})

test_that("fast ISM of reverse-complemented ranges equals batched ISM and the one-hot input", {
    m <- cnnModel(inputLength = 200, outputs = 2)
    gr <- GenomicRanges::GRanges(c("chr1", "chr2"), IRanges::IRanges(c(1001, 2001), width = 200),
                                 strand = c("+", "-"))
    a <- expectFastEqualsBatched(m, gr, genome = fa, task = 2)
    b <- attributeBases(m, oneHot(gr, genome = fa), method = "ism", task = 2)
    expect_lt(max(abs(a - b)), 1e-7)
    # the minus-strand range is the reverse complement of the plus-strand read
    plus <- GenomicRanges::invertStrand(gr[2])
    p <- attributeBases(m, plus, genome = fa, method = "ism", task = 2)
    r <- attributeBases(m, oneHot(plus, genome = fa)[, 200:1, 4:1, drop = FALSE], method = "ism",
                        task = 2)
    expect_lt(max(abs(a[2, , ] - r[1, , ])), 1e-7)
    expect_gt(max(abs(p[1, , ] - r[1, , ])), 0)
})

test_that("models with layers fast ISM cannot speed up run batched ISM with a message", {
    danq <- danqModel(inputLength = 100, outputs = 2)
    s <- randomSeqs(1, 100, 8)
    expect_message(a <- attributeBases(danq, s, method = "ism", task = 2),
                   "fast ISM does not cover layer .*\\(lstm\\)")
    expect_equal(attr(a, "ism"), "batched")
    expect_silent(b <- attributeBases(danq, s, method = "ism", task = 2, ism = "batched"))
    expect_identical(a, b)
    expect_gdl_error(attributeBases(danq, s, method = "ism", ism = "quick"), "ism must be one of")
})
