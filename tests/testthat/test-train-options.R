## fit() / evaluate() options (issue 10, items 4-6): checkpoints are saved models; validation
## and evaluation weighted only when asked; categorical cross-entropy; epoch metrics. Every
## value is checked against an independent computation in R on predict() outputs.

## Random sequences of length len as a one-hot array.
randomX <- function(n, len, seed) {
    set.seed(seed)
    s <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = ""), "")
    oneHot(s)
}

## Predictions, labels and weights of every batch of a generator (epoch 0, as evaluate() reads it).
batchesOf <- function(m, gen) {
    b <- lapply(seq_len(length(gen)), function(i) {
        bi <- batch(gen, i)
        list(p = as.numeric(predict(m, bi$x)), y = as.numeric(bi$y),
             w = if (is.null(bi$weights)) rep(1, dim(bi$x)[1L]) else as.numeric(bi$weights))
    })
    lapply(c(p = "p", y = "y", w = "w"), function(k) unlist(lapply(b, `[[`, k)))
}

## Keras' / the core's BCE of each value (probabilities clipped to [1e-7, 1 - 1e-7]).
bceOf <- function(p, y) {
    q <- pmin(pmax(p, 1e-7), 1 - 1e-7)
    -(y * log(q) + (1 - y) * log(1 - q))
}

## AUROC by the rank (Mann-Whitney) formula, ties counted one half.
rankAuroc <- function(score, lab) {
    r <- rank(score)
    pos <- lab >= 0.5
    np <- sum(pos)
    (sum(r[pos]) - np * (np + 1) / 2) / (np * sum(!pos))
}

## Average precision as scikit-learn's: sum over distinct thresholds of (R_k - R_{k-1}) P_k.
averagePrecision <- function(score, lab) {
    th <- sort(unique(score), decreasing = TRUE)
    pos <- lab >= 0.5
    tp <- vapply(th, function(t) sum(pos & score >= t), 0)
    fp <- vapply(th, function(t) sum(!pos & score >= t), 0)
    recall <- tp / sum(pos)
    sum(diff(c(0, recall)) * tp / (tp + fp))
}

smallCnn <- function(len, seed = 1)
    sequentialModel(c(len, 4), list(layerConv1d(4, 9, activation = "relu"), layerGlobalMaxPool1d(),
                                    layerDense(1, activation = "sigmoid")), seed = seed)

test_that("a checkpoint is the saved model: data configuration, history so far, same predictions", {
    old <- options(GenomicDL.threads = 1L)
    on.exit(options(old))
    gen <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 301, batchSize = 32,
                             chromosomes = c("chr1", "chr2"), seed = 4)
    m <- smallCnn(301)
    dir <- tempfile("ck")
    dir.create(dir)
    last <- file.path(dir, "last.gdlm")
    each <- file.path(dir, "epoch{epoch}.gdlm")
    h <- fit(m, gen, epochs = 2, verbose = FALSE,
             callbacks = list(modelCheckpoint(last, saveBestOnly = FALSE),
                              modelCheckpoint(each, saveBestOnly = FALSE)))
    ck <- loadModel(last)
    expect_false(is.null(generatorConfig(ck)))
    expect_identical(generatorConfig(ck), generatorConfig(m))
    expect_identical(ck@handle$losses, m@handle$losses)
    expect_equal(nrow(trainingHistory(ck)), 2L)
    expect_identical(as.data.frame(trainingHistory(ck)), as.data.frame(trainingHistory(m)))
    ## the same weights as the saved model after the last epoch: the same predictions, exactly,
    ## on arrays and by region (where the data configuration decides what is predicted)
    saved <- loadModel(saveModel(m, tempfile(fileext = ".gdlm")))
    x <- batch(gen, 1)$x
    expect_identical(predict(ck, x), predict(saved, x))
    region <- GRanges("chr3:1-2000")
    expect_identical(predictRegions(ck, fa, region, step = 301),
                     predictRegions(saved, fa, region, step = 301))
    ## one file per epoch, each with the history up to its epoch
    h1 <- trainingHistory(loadModel(file.path(dir, "epoch1.gdlm")))
    h2 <- trainingHistory(loadModel(file.path(dir, "epoch2.gdlm")))
    expect_equal(nrow(h1), 1L)
    expect_equal(nrow(h2), 2L)
    expect_identical(as.data.frame(h1), as.data.frame(h)[1L, , drop = FALSE])
    expect_identical(as.data.frame(h2), as.data.frame(h))
    ## written atomically: no temporary file left beside them
    expect_setequal(list.files(dir, all.files = TRUE, no.. = TRUE),
                    c("last.gdlm", "epoch1.gdlm", "epoch2.gdlm"))
    ## a misspelt monitor is an error before training, not a silent fallback
    expect_gdl_error(fit(m, gen, epochs = 1, verbose = FALSE,
                         callbacks = modelCheckpoint(last, monitor = "val_los")), "no such column")
})

test_that("validation and evaluation are unweighted unless asked, as keras_dna", {
    old <- options(GenomicDL.threads = 1L)
    on.exit(options(old))
    sparse <- function(chromosomes)
        sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 301, negativeRatio = 2,
                          weighting = "balanced", batchSize = 64, chromosomes = chromosomes, seed = 2)
    gen <- sparse(c("chr1", "chr2"))
    val <- sparse("chr3")
    m <- smallCnn(301, seed = 3)
    h <- fit(m, gen, validation = val, epochs = 1, verbose = FALSE)
    ref <- batchesOf(m, val)
    expect_true(length(unique(ref$w)) == 2L)  # balanced: two weights
    l <- bceOf(ref$p, ref$y)
    ## the whole batches batch() returns (evaluation reads the last partial one too, below)
    nb <- length(val)
    plain <- evaluate(m, val, steps = nb)
    expect_equal(plain$value[1], mean(l), tolerance = 1e-5)
    expect_identical(evaluate(m, val, weights = FALSE, steps = nb)$value, plain$value)
    weighted <- evaluate(m, val, weights = TRUE, steps = nb)
    ## the core's reduction: mean over samples of weight x loss
    expect_equal(weighted$value[1], mean(ref$w * l), tolerance = 1e-5)
    expect_gt(abs(weighted$value[1] - plain$value[1]), 1e-3)
    ## fit's val_loss is the unweighted evaluation after the epoch; validationWeights = TRUE the
    ## weighted one (the same training: same seed, same batches)
    expect_equal(h$val_loss, evaluate(m, val)$value[1], tolerance = 1e-6)
    m2 <- smallCnn(301, seed = 3)
    h2 <- fit(m2, gen, validation = val, epochs = 1, verbose = FALSE, validationWeights = TRUE)
    expect_equal(h2$loss, h$loss, tolerance = 1e-6)  # training is weighted either way
    expect_equal(h2$val_loss, evaluate(m2, val, weights = TRUE)$value[1], tolerance = 1e-6)
    expect_equal(h2$val_loss, evaluate(m, val, weights = TRUE)$value[1], tolerance = 1e-5)
    ## validation chromosomes split off the training generator (the issue's fit(validation =
    ## "chr3")): val_loss is evaluate() on those chromosomes, unweighted
    m3 <- smallCnn(301, seed = 3)
    h3 <- fit(m3, sparse(c("chr1", "chr2", "chr3")), validation = "chr3", epochs = 1, verbose = FALSE)
    expect_equal(h3$val_loss, evaluate(m3, "chr3")$value[1], tolerance = 1e-6)
    expect_false(isTRUE(all.equal(h3$val_loss, evaluate(m3, "chr3", weights = TRUE)$value[1])))
    ## array data: list(x, y, weights)
    x <- randomX(20, 301, 5)
    y <- rep(0:1, 10)
    w <- rep(c(1, 3), each = 10)
    p <- as.numeric(predict(m, x))
    expect_equal(evaluate(m, list(x = x, y = y, weights = w))$value[1], mean(bceOf(p, y)),
                 tolerance = 1e-5)
    expect_equal(evaluate(m, list(x = x, y = y, weights = w), weights = TRUE)$value[1],
                 mean(w * bceOf(p, y)), tolerance = 1e-5)
    expect_gdl_error(evaluate(m, val, weights = "yes"), "weights must be TRUE or FALSE")
    expect_gdl_error(fit(m, gen, validation = val, validationWeights = NA, verbose = FALSE),
                     "validationWeights must be TRUE or FALSE")
})

test_that("categorical cross-entropy: -mean(log p[true]), integer and one-hot labels alike", {
    x <- randomX(90, 12, 7)
    cls <- max.col(x[, 1, 1:3] + 1e-3 * x[, 1, 4]) - 1L  # class of the first base (T as A: noise)
    m <- sequentialModel(c(12, 4), list(layerFlatten(), layerDense(3, activation = "softmax")), seed = 2)
    p <- predict(m, x)
    expect_equal(dim(p), c(90L, 3L))
    ref <- -mean(log(p[cbind(seq_len(90), cls + 1L)]))
    e <- evaluate(m, x, y = cls, loss = "cce")
    expect_equal(e$loss, c("weighted sum", "cce"))
    expect_equal(e$value[1], ref, tolerance = 1e-5)
    oneHotY <- diag(3)[cls + 1L, ]
    expect_equal(evaluate(m, x, y = oneHotY, loss = "cce")$value, e$value, tolerance = 1e-6)
    expect_equal(evaluate(m, x, y = matrix(cls, ncol = 1), loss = "cce")$value, e$value)
    ## categorical accuracy: the arg-max class
    a <- evaluate(m, x, y = cls, loss = "cce", metrics = c("accuracy", "mse"))
    expect_equal(a$accuracy[2], mean(max.col(p) - 1L == cls))
    expect_equal(a$mse[2], mean((p - oneHotY)^2), tolerance = 1e-6)
    expect_equal(evaluate(m, x, y = oneHotY, loss = "cce", metrics = "accuracy")$accuracy, a$accuracy)
    ## training learns it, with integer labels and with one-hot ones the same way
    h <- fit(m, x, y = cls, loss = "cce", epochs = 30, learningRate = 0.05, batchSize = 30,
             metrics = "accuracy", verbose = FALSE, seed = 3)
    expect_lt(h$loss[30], h$loss[1] / 3)
    expect_gte(h$accuracy[30], 0.9)
    m1 <- sequentialModel(c(12, 4), list(layerFlatten(), layerDense(3, activation = "softmax")), seed = 2)
    m2 <- sequentialModel(c(12, 4), list(layerFlatten(), layerDense(3, activation = "softmax")), seed = 2)
    h1 <- fit(m1, x, y = cls, loss = "cce", epochs = 2, verbose = FALSE)
    h2 <- fit(m2, x, y = oneHotY, loss = "cce", epochs = 2, verbose = FALSE)
    expect_equal(h1$loss, h2$loss, tolerance = 1e-6)
    ## out-of-range, non-integer labels; an output that is not a flat set of classes
    expect_gdl_error(evaluate(m, x, y = cls + 1L, loss = "cce"), "integers 0 to 2")
    expect_gdl_error(evaluate(m, x, y = replace(cls, 1, -1), loss = "cce"), "0-based")
    expect_gdl_error(evaluate(m, x, y = replace(cls, 1, 0.5), loss = "cce"), "0-based")
    expect_gdl_error(evaluate(m, x, y = matrix(0, 90, 2), loss = "cce"), "one-hot")
    expect_gdl_error(evaluate(smallCnn(12), x, y = cls, loss = "cce"), "K >= 2")
    expect_gdl_error(evaluate(m, x, y = cls, loss = "categorical"), "unknown loss.*cce")
})

test_that("epoch metrics equal R's on predict() outputs, per output, training and validation", {
    x <- randomX(120, 20, 11)
    xv <- randomX(80, 20, 12)
    label <- function(x) cbind(as.numeric(rowSums(x[, , 3]) > 5), as.numeric(x[, 10, 1] == 1))
    y <- label(x)
    yv <- label(xv)
    all <- c("accuracy", "mae", "mse", "auroc", "aupr", "pearson")
    m <- sequentialModel(c(20, 4), list(layerFlatten(), layerDense(2, activation = "sigmoid")), seed = 5)
    ## with a negligible learning rate the training metrics are those of the initial model
    p0 <- predict(m, x)
    h <- fit(m, x, y, validation = list(x = xv, y = yv), epochs = 1, batchSize = 40,
             learningRate = 1e-12, optimizer = "sgd", metrics = all, verbose = FALSE)
    expect_true(all(c(all, paste0("val_", all)) %in% names(h)))
    ref <- function(p, y) c(accuracy = mean((p > 0.5) == (y >= 0.5)), mae = mean(abs(p - y)),
                            mse = mean((p - y)^2), auroc = rankAuroc(as.numeric(p), as.numeric(y)),
                            aupr = averagePrecision(as.numeric(p), as.numeric(y)),
                            pearson = cor(as.numeric(p), as.numeric(y)))
    r0 <- ref(p0, y)
    for (k in all) expect_equal(h[[k]], unname(r0[k]), tolerance = 1e-5, info = k)
    pv <- predict(m, xv)
    rv <- ref(pv, yv)
    for (k in all) expect_equal(h[[paste0("val_", k)]], unname(rv[k]), tolerance = 1e-5, info = k)
    e <- evaluate(m, xv, y = yv, metrics = all)
    expect_true(is.na(e$accuracy[1]))  # the total row has no metric
    for (k in all) expect_equal(e[[k]][2], unname(rv[k]), tolerance = 1e-5, info = k)
    ## several outputs: one column per metric and output; without validation data NA
    dna <- layerInput(c(20, 4))
    f <- connect(layerFlatten(), dna)
    two <- functionalModel(dna, list(gc = connect(layerDense(1, "sigmoid"), f),
                                     a10 = connect(layerDense(1, "sigmoid"), f)), seed = 5)
    p2 <- predict(two, x)
    h2 <- fit(two, x, list(y[, 1], y[, 2]), epochs = 1, batchSize = 40, learningRate = 1e-12,
              optimizer = "sgd", metrics = c("auroc", "mse"), verbose = FALSE)
    expect_true(all(c("auroc_gc", "auroc_a10", "val_auroc_gc", "mse_a10") %in% names(h2)))
    expect_true(is.na(h2$val_auroc_gc))
    expect_equal(h2$auroc_gc, rankAuroc(as.numeric(p2[[1]]), y[, 1]), tolerance = 1e-5)
    expect_equal(h2$auroc_a10, rankAuroc(as.numeric(p2[[2]]), y[, 2]), tolerance = 1e-5)
    expect_equal(h2$mse_a10, mean((p2[[2]] - y[, 2])^2), tolerance = 1e-5)
    e2 <- evaluate(two, x, y = list(y[, 1], y[, 2]), metrics = "auroc")
    expect_equal(e2$output, c("total", "gc", "a10"))
    expect_equal(e2$auroc[2:3], c(h2$auroc_gc, h2$auroc_a10), tolerance = 1e-5)
    ## a later fit with other metrics keeps one history, NA where a metric was not recorded
    h3 <- fit(two, x, list(y[, 1], y[, 2]), epochs = 1, verbose = FALSE, metrics = "accuracy")
    expect_equal(nrow(h3), 2L)
    expect_true(is.na(h3$accuracy_gc[1]) && !is.na(h3$accuracy_gc[2]))
    expect_true(is.na(h3$auroc_gc[2]))
    ## a metric can be monitored by the callbacks; scores are maximised (Keras' mode "auto"):
    ## a learning rate too small to change AUROC never improves it, so training stops after
    ## patience + 1 epochs; an error that falls does not stop it
    n0 <- nrow(trainingHistory(m))
    h4 <- fit(m, x, y, validation = list(x = xv, y = yv), epochs = 5, verbose = FALSE,
              learningRate = 1e-12, optimizer = "sgd", metrics = "auroc",
              callbacks = earlyStopping(monitor = "val_auroc", patience = 1, minDelta = 1e-3))
    expect_equal(nrow(h4) - n0, 2L)
    ## a rising AUROC improves, a rising MSE does not
    stops <- function(monitor, values) {
        cbs <- list(earlyStopping(monitor = monitor, patience = 1, restoreBestWeights = FALSE))
        state <- list(list(best = NULL, wait = 0))
        for (i in seq_along(values)) {
            log <- list(epoch = i, loss = 1, lr = 1e-3)
            log[[monitor]] <- values[i]
            r <- GenomicDL:::.epochActions(cbs, state, log, m)
            state <- r$state
        }
        r$action$stop
    }
    expect_false(stops("val_auroc", c(0.6, 0.7)))
    expect_true(stops("val_mse", c(0.6, 0.7)))
    expect_true(stops("accuracy", c(0.7, 0.6)))
    expect_false(stops("mae", c(0.7, 0.6)))
    ## unknown metric names
    expect_gdl_error(fit(m, x, y, metrics = "acc", verbose = FALSE),
                     "unknown metric 'acc': use accuracy, mae, mse, auroc, aupr, pearson")
    expect_gdl_error(evaluate(m, xv, y = yv, metrics = "spearman"), "unknown metric")
    expect_gdl_error(evaluate(m, xv, y = yv, metrics = 1), "metrics must be")
})

test_that("the loss and metric names of the R API are the core's", {
    n <- GenomicDL:::.coreNames()
    expect_setequal(n$losses, c("bce", "cce", "mse", "mae", "poisson", "mnll", "counts"))
    expect_identical(n$metrics, c("accuracy", "mae", "mse", "auroc", "aupr", "pearson"))
    expect_gdl_error(fit(smallCnn(10), randomX(4, 10, 1), c(0, 1, 0, 1), loss = "hinge",
                         verbose = FALSE), "use bce, cce, mse")
})
