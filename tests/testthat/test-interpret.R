## attributeBases() and dinucleotideShuffle(): shapes, ISM against predict() on every mutant,
## DeepLIFT's summation-to-delta, a GATA detector set by hand, errors.

randomSeqs <- function(n, len, seed) {
    set.seed(seed)
    vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = ""), "")
}

smallModel <- function(len = 16, act = "relu", pool = layerGlobalAvgPool1d())
    sequentialModel(c(len, 4), list(layerConv1d(5, 4, activation = act), pool, layerDense(2)),
                    seed = 3)

test_that("attributions have the one-hot layout, names and attributes", {
    m <- smallModel()
    x <- Biostrings::DNAStringSet(randomSeqs(3, 16, 1))
    names(x) <- c("s1", "s2", "s3")
    for (method in c("deepliftshap", "ism", "saliency")) {
        a <- attributeBases(m, x, method = method, task = 2, nReferences = 5)
        expect_equal(dim(a), c(3L, 16L, 4L))
        expect_equal(dimnames(a), list(c("s1", "s2", "s3"), NULL, c("A", "C", "G", "T")))
        expect_equal(attr(a, "method"), method)
        expect_equal(attr(a, "prediction"), unname(predict(m, x)[, 2]), tolerance = 1e-5)
        # non-zero only at the sequences' bases
        expect_true(all(a[oneHot(x) == 0] == 0))
        h <- attributeBases(m, x, method = method, task = 2, nReferences = 5, hypothetical = TRUE)
        expect_equal(as.vector(h * oneHot(x)), as.vector(a), tolerance = 1e-6)
    }
    # a one-hot array (either layout) and characters give the same
    a1 <- attributeBases(m, as.character(x), method = "saliency")
    a2 <- attributeBases(m, oneHot(x, layout = "NCL"), method = "saliency", layout = "NCL")
    expect_equal(unname(a1), unname(a2))
})

test_that("ISM equals predict() on every single-base mutant", {
    m <- smallModel(len = 10, act = "tanh", pool = layerGlobalMaxPool1d())
    seqs <- randomSeqs(2, 10, 2)
    h <- attributeBases(m, seqs, method = "ism", task = 1, hypothetical = TRUE, batchSize = 7)
    a <- attributeBases(m, seqs, method = "ism", task = 1)
    x <- oneHot(seqs)
    for (i in 1:2) {
        f0 <- predict(m, x[i, , , drop = FALSE])[1, 1]
        mut <- array(0, c(40, 10, 4))
        for (l in 1:10) for (b in 1:4) {
            k <- (l - 1) * 4 + b
            mut[k, , ] <- x[i, , ]
            mut[k, l, ] <- 0
            mut[k, l, b] <- 1
        }
        d <- matrix(predict(m, mut)[, 1] - f0, 10, 4, byrow = TRUE)
        d <- d - rowMeans(d)
        expect_equal(unname(h[i, , ]), d, tolerance = 1e-5)
        expect_equal(unname(a[i, , ]), unname(d * x[i, , ]), tolerance = 1e-5)
    }
})

test_that("DeepLIFT's attributions sum to f(x) minus the mean reference prediction", {
    m <- sequentialModel(c(40, 4), list(layerConv1d(6, 5, activation = "relu"),
                                        layerConv1d(4, 3, activation = "sigmoid"),
                                        layerAvgPool1d(2), layerFlatten(), layerDense(3)), seed = 5)
    seqs <- randomSeqs(5, 40, 3)
    expect_silent(a <- attributeBases(m, seqs, task = 3, nReferences = 10, batchSize = 40))
    delta <- attr(a, "prediction") - attr(a, "reference")
    expect_equal(rowSums(a), delta, tolerance = 1e-4)
    expect_lt(attr(a, "maxCompletenessGap"), 1e-4)
    expect_equal(attr(a, "prediction"), unname(predict(m, seqs)[, 3]), tolerance = 1e-5)
    # reproducible from the seed, whatever the batch size
    b <- attributeBases(m, seqs, task = 3, nReferences = 10, batchSize = 500)
    expect_equal(unname(a), unname(b), tolerance = 1e-6)
    d <- attributeBases(m, seqs, task = 3, nReferences = 10, seed = 2)
    expect_false(isTRUE(all.equal(unname(a), unname(d))))
    # the references' mean prediction: predictions of dinucleotide shuffles of the sequences
    one <- attributeBases(m, seqs, task = 3, nReferences = 1)
    expect_equal(attr(one, "reference"), unname(predict(m, dinucleotideShuffle(seqs))[, 3]),
                 tolerance = 1e-5)
    # references are made one pass at a time (one sequence per pass here) with the same seeds
    onePer <- attributeBases(m, seqs, task = 3, nReferences = 1, batchSize = 2)
    expect_equal(attr(onePer, "reference"), attr(one, "reference"), tolerance = 1e-6)
    # max pooling takes DeepLIFT's rescale rule: contributions still sum to the difference
    mp <- smallModel(len = 40, pool = layerGlobalMaxPool1d())
    expect_silent(a <- attributeBases(mp, seqs, nReferences = 4))
    expect_equal(rowSums(a), attr(a, "prediction") - attr(a, "reference"), tolerance = 1e-5)
    # a too small tolerance still reports the (float) gap with a warning
    expect_warning(attributeBases(mp, seqs, nReferences = 4, tolerance = 1e-15), "summation-to-delta")
})

test_that("DeepLIFT sums to delta within 1e-3 on the presets of the zoo (max pooling rescaled)", {
    gap <- function(m, len, ...) {
        a <- suppressWarnings(attributeBases(m, randomSeqs(2, len, 1), nReferences = 3, ...))
        d <- attr(a, "prediction") - attr(a, "reference")
        max(abs(rowSums(a) - d) / abs(d))
    }
    expect_lt(gap(cnnModel(inputLength = 200, outputs = 2), 200), 1e-3)
    expect_lt(gap(deepseaModel(), 1000), 1e-3)
    expect_lt(gap(bassetModel(), 600), 1e-3)
    bp <- suppressWarnings(bpnetModel(176, 100, filters = 16, layers = 3))
    expect_lt(gap(bp, 176, output = 2), 1e-3)
    expect_lt(gap(bp, 176, output = 1, profile = TRUE), 1e-3)
    dbm <- readDeepBind("D00210.001", db = system.file("extdata", "deepbind", package = "GenomicDL"))
    expect_lt(gap(asTorchModel(dbm, 100), 100), 1e-3)
    # DanQ's bidirectional LSTM: gates rescaled, products by the Shapley rule
    expect_lt(gap(danqModel(inputLength = 200, outputs = 2), 200, task = 2), 1e-3)
})

test_that("DeepLIFT through LSTM and GRU layers equals the network's prediction and sums to delta", {
    s <- randomSeqs(3, 30, 8)
    nets <- list(list(layerLSTM(4)), list(layerGRU(4)), list(layerLSTM(3, bidirectional = TRUE)),
                 list(layerGRU(3, bidirectional = TRUE, returnSequences = TRUE), layerFlatten()))
    for (rnn in nets) {
        m <- sequentialModel(c(30, 4), c(list(layerConv1d(3, 5, activation = "relu")), rnn,
                                         list(layerDense(1, activation = "sigmoid"))))
        expect_silent(a <- attributeBases(m, s, nReferences = 4))
        expect_equal(attr(a, "prediction"), unname(predict(m, s)[, 1]), tolerance = 1e-5)
        expect_equal(rowSums(a), attr(a, "prediction") - attr(a, "reference"), tolerance = 1e-5)
        expect_lt(attr(a, "maxCompletenessGap"), 1e-4)
        # the hypothetical scores give the attributions at the sequence's own bases
        h <- attributeBases(m, s, nReferences = 4, hypothetical = TRUE)
        expect_equal(as.vector(h * oneHot(s)), as.vector(a), tolerance = 1e-6)
    }
})

test_that("a GATA detector set by hand puts its largest attributions on the planted GATAA", {
    m <- sequentialModel(c(60, 4), list(layerConv1d(1, 5, activation = "relu"),
                                        layerGlobalAvgPool1d()))
    w <- array(0, c(1, 4, 5))
    for (j in 1:5) w[1, match(substr("GATAA", j, j), c("A", "C", "G", "T")), j] <- 1
    GenomicDL:::.modelSetFirstConv(m, w, bias = -4)
    seed <- 10
    repeat {  # a background without GATAA, GATA planted at 31..35
        s <- randomSeqs(1, 60, seed)
        substr(s, 31, 35) <- "GATAA"
        if (lengths(gregexpr("GATAA", s)) == 1L) break
        seed <- seed + 1
    }
    for (method in c("deepliftshap", "ism", "saliency")) {
        a <- attributeBases(m, s, method = method)
        score <- rowSums(a[1, , ])
        expect_setequal(order(-score)[1:5], 31:35)
        expect_true(all(score[31:35] > 0))
    }
})

test_that("GRanges with a genome are attributed like their one-hot sequences", {
    m <- smallModel(len = 20)
    gr <- GenomicRanges::GRanges(c("chr1", "chr2"), IRanges::IRanges(c(1001, 2001), width = 20),
                                 strand = c("+", "-"))
    a <- attributeBases(m, gr, genome = fa, method = "ism")
    b <- attributeBases(m, oneHot(gr, genome = fa), method = "ism")
    expect_equal(a, b)
})

test_that("bad attribution requests give clear errors", {
    m <- smallModel()
    s <- randomSeqs(2, 16, 4)
    expect_gdl_error(attributeBases(m, randomSeqs(2, 15, 4)), "reads sequences of 16 bases")
    expect_gdl_error(attributeBases(m, s, task = 3), "task 3 is out of range")
    expect_gdl_error(attributeBases(m, s, output = 2), "output 2 is out of range")
    expect_gdl_error(attributeBases(m, s, method = "shap"), "method must be")
    expect_gdl_error(attributeBases(m, 1:3), "must be a DNAStringSet")
    expect_gdl_error(attributeBases(m, s, nReferences = 0), "nReferences")
    rnn <- sequentialModel(c(16, 4), list(layerLSTM(3), layerDense(1)))
    expect_equal(dim(attributeBases(rnn, s, method = "ism")), c(2L, 16L, 4L))
    sm <- sequentialModel(c(16, 4), list(layerConv1d(2, 3), layerFlatten(),
                                         layerDense(2, activation = "softmax")))
    expect_gdl_error(attributeBases(sm, s), "softmax")
})

test_that("dinucleotideShuffle keeps dinucleotide counts and the first and last base", {
    x <- Biostrings::DNAStringSet(c(a = randomSeqs(1, 200, 5), b = "ACGTACGTTTGACCA", c = "AC"))
    d <- dinucleotideShuffle(x, seed = 7)
    expect_s4_class(d, "DNAStringSet")
    expect_equal(names(d), names(x))
    expect_equal(Biostrings::dinucleotideFrequency(d), Biostrings::dinucleotideFrequency(x))
    expect_equal(Biostrings::subseq(d, 1, 1), Biostrings::subseq(x, 1, 1))
    expect_equal(as.character(Biostrings::subseq(d, Biostrings::width(d), Biostrings::width(d))),
                 as.character(Biostrings::subseq(x, Biostrings::width(x), Biostrings::width(x))))
    expect_false(as.character(d[[1]]) == as.character(x[[1]]))
    expect_equal(dinucleotideShuffle(x, seed = 7), d)
    expect_false(identical(as.character(dinucleotideShuffle(x, seed = 8))[1], as.character(d)[1]))
    expect_type(dinucleotideShuffle(c("ACGTTGCA", "ggcc")), "character")
    expect_equal(dinucleotideShuffle("acgn"), "ACGN")
    expect_gdl_error(dinucleotideShuffle(1:3), "DNAStringSet or a character")
})

test_that("profile outputs are attributed through bpnet-lite's softmax-weighted logits", {
    m <- sequentialModel(c(30, 4), list(layerConv1d(4, 5, padding = "same", activation = "relu"),
                                        layerConv1d(2, 3, padding = "same")), seed = 2)
    seqs <- randomSeqs(3, 30, 6)
    z <- predict(m, seqs)  # 3 x 30 x 2
    f <- apply(z[, , 2], 1, function(v) { v <- v - mean(v); sum(exp(v) / sum(exp(v)) * v) })
    a <- attributeBases(m, seqs, profile = TRUE, task = 2, nReferences = 5)
    expect_equal(attr(a, "prediction"), f, tolerance = 1e-5)
    expect_equal(rowSums(a), attr(a, "prediction") - attr(a, "reference"), tolerance = 1e-4)
    both <- attributeBases(m, seqs, profile = TRUE, task = 0, method = "saliency")
    fb <- apply(z, 1, function(v) { v <- v - mean(v); sum(exp(v) / sum(exp(v)) * v) })
    expect_equal(attr(both, "prediction"), fb, tolerance = 1e-5)
    expect_gdl_error(attributeBases(m, seqs, profile = TRUE, task = 3), "track")
    expect_gdl_error(attributeBases(smallModel(30), seqs, profile = TRUE), "sequence output")
})

test_that("DeepLIFT rescales every elementwise activation of the core's table, aliases included", {
    seqs <- randomSeqs(4, 30, 8)
    for (act in c("exponential", "softplus", "elu", "gelu", "hard_sigmoid", "tanh")) {
        m <- sequentialModel(c(30, 4), list(layerConv1d(4, 5, activation = act), layerAvgPool1d(2),
                                            layerFlatten(), layerDense(1, activation = "none")),
                             seed = 2)
        a <- attributeBases(m, seqs, nReferences = 6)
        expect_equal(rowSums(a), attr(a, "prediction") - attr(a, "reference"), tolerance = 1e-4,
                     info = act)
    }
    sm <- sequentialModel(c(30, 4), list(layerConv1d(4, 5), layerGlobalAvgPool1d(),
                                         layerDense(3, activation = "softmax")))
    expect_gdl_error(attributeBases(sm, seqs), "not elementwise")
})
