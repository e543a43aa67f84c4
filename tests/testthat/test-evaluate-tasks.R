## auc() per cell type x annotation when a flat head is trained on N x cells x types targets
## (keras_dna's label layout): the order of the flattened tasks must be the core's (row-major).

test_that("auc() matches a rank AUROC per cell x annotation of a flat head", {
    set.seed(3)
    n <- 200L
    s <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), 30, TRUE), collapse = ""), "")
    x <- oneHot(s)
    # targets N x 2 cells x 3 annotations, each a different function of the sequence
    y <- array(0, c(n, 2L, 3L))
    gc <- rowSums(x[, , 2] + x[, , 3])
    a <- x[, 1, 1]
    y[, 1, 1] <- as.numeric(gc > 15)
    y[, 1, 2] <- a
    y[, 1, 3] <- rbinom(n, 1, 0.5)
    y[, 2, 1] <- 1 - a
    y[, 2, 2] <- as.numeric(gc <= 15)
    y[, 2, 3] <- as.numeric(x[, 30, 4] == 1)
    m <- sequentialModel(c(30, 4), list(layerFlatten(), layerDense(6, activation = "sigmoid")), seed = 1)
    res <- auc(m, list(x = x, y = y))
    expect_equal(nrow(res), 6L)
    expect_equal(res$cell, rep(1:2, each = 3))
    expect_equal(res$annotation, rep(1:3, 2))
    p <- predict(m, x)
    if (is.list(p)) p <- p[[1]]
    rankAuc <- function(score, lab) {
        r <- rank(score)
        np <- sum(lab == 1)
        nn <- sum(lab == 0)
        (sum(r[lab == 1]) - np * (np + 1) / 2) / (np * nn)
    }
    for (k in 1:6) {
        cell <- (k - 1) %/% 3 + 1
        ann <- (k - 1) %% 3 + 1
        expect_equal(res$auc[k], rankAuc(p[, k], y[, cell, ann]), tolerance = 1e-5)
    }
})

test_that("presets take a label shape as outputs: a reshaped head, the same tasks as a flat one", {
    m <- cnnModel(201, outputs = c(2, 3), activation = "sigmoid")
    expect_equal(as.numeric(outputShapes(m)[[1]]), c(2, 3))
    flat <- cnnModel(201, outputs = 6, activation = "sigmoid")
    expect_equal(countParams(m), countParams(flat))
    expect_equal(as.numeric(outputShapes(deepseaModel(1000, outputs = c(2, 3)))[[1]]), c(2, 3))
    ## same weights (same seed): the reshaped predictions are the flat ones, row-major
    x <- oneHot(vapply(1:3, function(i) strrep(substr("ACGTTGCA", i, i + 3), 51)[[1]], ""))
    x <- x[, 1:201, , drop = FALSE]
    p <- predict(m, x)
    q <- predict(flat, x)
    expect_equal(dim(p), c(3L, 2L, 3L))
    expect_equal(as.numeric(aperm(p, c(1, 3, 2))), as.numeric(q), tolerance = 1e-6)
    expect_gdl_error(cnnModel(201, outputs = c(2, 3, 4)), "outputs")
    expect_gdl_error(cnnModel(201, outputs = 1.5), "outputs")
})
