## Architectures: output shapes and parameter counts against the published models
## (../shared/reference/models.md), the layer table, the internal contract for motif code.

test_that("the zoo matches the published parameter counts and shapes", {
    cnn <- cnnModel(2001)
    expect_equal(countParams(cnn), 61617)
    tab <- summary(cnn) |> capture.output()
    expect_true(any(grepl("(None, 238, 64)", tab, fixed = TRUE)))
    expect_true(any(grepl("(None, 15232)", tab, fixed = TRUE)))
    expect_true(any(grepl("(None, 56, 64)", capture.output(summary(cnnModel(551, activation = "sigmoid"))),
                          fixed = TRUE)))
    ds <- deepseaModel()
    expect_equal(outputShapes(ds), list(919))
    # conv 10,560 + 1,229,280 + 3,687,360; dense 50,880 x 925 + 925; 925 x 919 + 919
    expect_equal(countParams(ds), 10560 + 1229280 + 3687360 + 47064925 + 850994)
    danq <- danqModel(bidirectional = FALSE)
    expect_equal(countParams(danq, "keras"), 23905999)        # seed 003, Keras' count
    expect_equal(countParams(danq), 23905999 + 4 * 320)      # LibTorch: a second bias per gate
    expect_output(summary(danq), "Keras count: 23,905,999")
    expect_equal(outputShapes(danqModel()), list(919))
    bs <- bassetModel()
    expect_equal(outputShapes(bs), list(164))
    expect_true(any(grepl("(None, 10, 200)", capture.output(summary(bs)), fixed = TRUE)))
})

test_that("BPNet cropping follows BPReveal's length arithmetic", {
    m <- bpnetModel(3092, 1000, filters = 4, layers = 9, inputFilterWidth = 25,
                    outputFilterWidth = 25, heads = 2)
    expect_equal(outputShapes(m), list(c(1000, 2), 1))
    m <- bpnetModel(2114, 1000, filters = 4, layers = 8, inputFilterWidth = 21,
                    outputFilterWidth = 75, heads = list(list(`head-name` = "a", `num-tasks` = 1),
                                                         list(`head-name` = "b", `num-tasks` = 2)))
    expect_equal(outputShapes(m), list(c(1000, 1), c(1000, 2), 1, 1))
    expect_warning(m <- bpnetModel(2200, 1000, filters = 4, layers = 8, inputFilterWidth = 21,
                                   outputFilterWidth = 75, heads = 1), "cropped")
    expect_equal(outputShapes(m)[[1L]], c(1000, 1))
    expect_gdl_error(bpnetModel(2000, 1000, filters = 4, layers = 8, inputFilterWidth = 21,
                                outputFilterWidth = 75, heads = 1), "too short")
})

test_that("a DeepBind network is expressible (full padding with N, max + avg pooling)", {
    m <- deepbindNetwork(inputLength = 30, filters = 3, kernelSize = 5, hidden = 0)
    fc <- GenomicDL:::.modelFirstConv(m)
    expect_equal(dim(fc$weight), c(3L, 4L, 5L))
    x <- oneHot("ACGTTGCAACGTAGGCTAGCTAGGATCGAT", layout = "NCL")
    out <- GenomicDL:::.modelForward(m, x)
    ## independent computation in R: pad with 0.25 (N), correlate, ReLU after the bias
    xp <- cbind(matrix(0.25, 4, 4), x[1, , ], matrix(0.25, 4, 4))
    act <- sapply(seq_len(ncol(xp) - 4), function(p)
        vapply(1:3, function(f) sum(fc$weight[f, , ] * xp[, p:(p + 4)]) + fc$bias[f], 0))
    act <- pmax(act, 0)
    feats <- c(apply(act, 1, max), rowMeans(act))
    expect_equal(ncol(act), 34)
    w <- predict(m, x, layout = "NCL")
    ## the dense layer is linear in the features: recover it from two forward passes
    expect_equal(as.numeric(out), as.numeric(w), tolerance = 1e-6)
    ko <- GenomicDL:::.modelForward(m, x, knockout = list(filter = 2, value = 0))
    expect_false(isTRUE(all.equal(ko, out)))
    expect_gdl_error(GenomicDL:::.modelForward(m, x, knockout = list(filter = 9)), "out of range")
})

test_that("layers are checked and sequential models reject merges", {
    expect_gdl_error(layerConv1d(0, 3), "filters")
    expect_gdl_error(layerConv1d(4, 3, padding = "reflect"), "padding")
    expect_gdl_error(layerDense(3, activation = "swishy"), "activation")
    expect_gdl_error(sequentialModel(c(10, 4), list(layerAdd())), "functionalModel")
    expect_gdl_error(sequentialModel(c(10, 4), list(layerConv1d(4, 20))), "does not fit|too short")
    expect_gdl_error(sequentialModel(c(10, 4), list(layerFlatten(), layerLSTM(3))), "sequence input")
})

test_that("predict takes DNAStringSet and one-hot arrays alike; readRDS keeps the model", {
    m <- sequentialModel(c(12, 4), list(layerConv1d(3, 4, activation = "relu"),
                                        layerGlobalAvgPool1d(), layerDense(2)))
    s <- Biostrings::DNAStringSet(c("ACGTACGTACGT", "TTTTGGGGCCCC", "ACGNNNACGTTT"))
    p1 <- predict(m, s)
    expect_equal(dim(p1), c(3L, 2L))
    expect_identical(p1, predict(m, oneHot(s)))
    expect_identical(p1, predict(m, oneHot(s, layout = "NCL"), layout = "NCL"))
    f <- tempfile(fileext = ".rds")
    saveRDS(m, f)
    expect_identical(predict(readRDS(f), s), p1)
    expect_gdl_error(predict(m, oneHot("ACGT")), "12 x 4")
    expect_output(show(m), "SequenceModel")
})

test_that("functional models with two heads, and .modelFirstConv errors", {
    dna <- layerInput(c(50, 4))
    h <- connect(layerConv1d(4, 5, activation = "relu"), dna)
    cls <- connect(layerDense(1, "sigmoid"), connect(layerGlobalMaxPool1d(), h))
    reg <- connect(layerDense(1), connect(layerGlobalAvgPool1d(), h))
    m <- functionalModel(dna, list(bound = cls, signal = reg))
    expect_equal(m@info$losses, c("bce", "mse"))
    p <- predict(m, oneHot(strrep("ACGTTGCAAC", 5)))
    expect_named(p, c("bound", "signal"))
    expect_true(p$bound > 0 && p$bound < 1)
    m2 <- sequentialModel(c(10, 4), list(layerFlatten(), layerDense(1)))
    expect_gdl_error(GenomicDL:::.modelFirstConv(m2), "not a convolution")
})

test_that("a model with weights set by hand predicts what R computes from them", {
    layers <- function(act) list(layerConv1d(2, 3, activation = "relu", name = "c"),
                                 layerMaxPool1d(2), layerFlatten(),
                                 layerDense(2, activation = act, name = "d"))
    m <- sequentialModel(c(12, 4), layers("exponential"))
    expect_identical(m@spec$layers[[4L]]$activation, "exp")   # an alias is stored as its name
    expect_named(GenomicDL:::.native(GenomicDL:::cpp_model_parameter_shapes(GenomicDL:::.modelPtr(m))),
                 c("c.conv.weight", "c.conv.bias", "d.linear.weight", "d.linear.bias"))
    cw <- array(sin(seq_len(24)), c(2L, 4L, 3L))              # filters x channels x kernel
    cb <- c(0.1, -0.2)
    dw <- matrix(cos(seq_len(20)) / 3, 2L, 10L)              # units x features
    db <- c(0.05, -0.3)
    GenomicDL:::.setParameter(m, "c.conv.weight", cw)
    GenomicDL:::.setParameter(m, "c.conv.bias", cb)
    GenomicDL:::.setParameter(m, "d.linear.weight", dw)
    GenomicDL:::.setParameter(m, "d.linear.bias", db)
    s <- c("ACGTTGCAACGT", "GGGATTACACCA", "TTTTTCCCCCAA")
    x <- oneHot(s, layout = "NCL")
    ref <- t(vapply(seq_along(s), function(i) {
        conv <- sapply(1:10, function(p) vapply(1:2, function(f)
            sum(cw[f, , ] * x[i, , p:(p + 2)]) + cb[f], 0))    # 2 filters x 10 positions
        pooled <- pmax(conv, 0)[, c(1, 3, 5, 7, 9)]
        pooled <- pmax(pooled, pmax(conv, 0)[, c(2, 4, 6, 8, 10)])
        feats <- as.vector(pooled)                           # Keras' (length, channels) order
        exp(dw %*% feats + db)[, 1]
    }, numeric(2)))
    expect_equal(predict(m, s), ref, tolerance = 1e-5)
    # "none" is the linear activation: the same weights give the log of those predictions
    lin <- sequentialModel(c(12, 4), layers("none"))
    expect_identical(lin@spec$layers[[4L]]$activation, "linear")
    for (k in c("c.conv.weight", "c.conv.bias", "d.linear.weight", "d.linear.bias"))
        GenomicDL:::.setParameter(lin, k, list(c.conv.weight = cw, c.conv.bias = cb,
                                               d.linear.weight = dw, d.linear.bias = db)[[k]])
    expect_equal(predict(lin, s), log(ref), tolerance = 1e-5)
    expect_gdl_error(GenomicDL:::.setParameter(m, "c.conv.kernel", cw), "no parameter 'c.conv.kernel'")
    expect_gdl_error(GenomicDL:::.setParameter(m, "c.conv.bias", 1:3), "has 2 values")
})

test_that("fixed-seed models predict as they did before the nn split (pinned)", {
    set.seed(11)
    s <- vapply(1:40, function(i) paste(sample(c("A", "C", "G", "T"), 201, TRUE), collapse = ""), "")
    m <- cnnModel(201, outputs = 2, activation = "sigmoid", seed = 3)
    # numbers printed by the build before src/core/nn was split (commit 5ef066e). The tolerances
    # are float32's across CPUs: LibTorch and oneDNN pick other kernels on AVX2 than on AVX-512
    # machines (ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 moves these attributions by 2e-6)
    expect_equal(predict(m, s)[1:3, ],
                 rbind(c(0.5426036716, 0.5357825756), c(0.5158782601, 0.5089249015),
                       c(0.5067363381, 0.5108064413)), tolerance = 1e-6)
    a <- attributeBases(m, oneHot(s[1:6]), method = "deepliftshap", task = 2)
    expect_equal(unname(a[1, 100:103, ]),
                 cbind(0, 0, c(0, -0.000419289514, 0, 0),
                       c(0.0012776106596, 0, 0.0006875894032, 0.0016218592646)), tolerance = 1e-5)
})

test_that("activation and loss names are the core's, in validation and documentation", {
    n <- GenomicDL:::.coreNames()
    acts <- n$activations$name
    expect_true(all(c("linear", "relu", "exp", "hard_sigmoid", "threshold") %in% acts))
    expect_identical(n$activationAliases, c(none = "linear", exponential = "exp"))
    expect_setequal(GenomicDL:::.activationNames(nonNegative = TRUE),
                    c("relu", "sigmoid", "softmax", "exp", "softplus", "hard_sigmoid", "threshold"))
    expect_gdl_error(layerDense(3, activation = "swish"), "activation must be one of linear, relu")
    expect_gdl_error(layerActivation(c("relu", "tanh")), "activation must be one of")
    for (a in c(acts, names(n$activationAliases)))
        expect_s3_class(layerActivation(a), "GenomicDLLayer")
    rd <- function(topic) paste(capture.output(tools::Rd2txt(tools::Rd_db("GenomicDL")[[topic]],
                                                             options = list(underline_titles = FALSE))),
                                collapse = " ")
    undocumented <- function(names, topic)
        names[!vapply(paste0("\"", names, "\""), grepl, TRUE, x = rd(topic), fixed = TRUE)]
    expect_identical(undocumented(c(acts, names(n$activationAliases)), "layers.Rd"), character())
    expect_identical(undocumented(n$losses, "fit.Rd"), character())
})
