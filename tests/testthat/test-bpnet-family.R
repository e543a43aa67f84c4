## BPReveal's model family: solo -> transformation -> combined (+ residual), heads and losses.
## Tiny models (4 filters, 2 layers, widths 11): 120 bp in, 88 bp of profile out
## (88 + 10 + (2^4 - 4) + 10 = 120, BPReveal's arithmetic).

tiny <- function(fun, ...) fun(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
                               outputFilterWidth = 11, ...)

twoHeads <- list(list("head-name" = "chip", "num-tasks" = 2, "profile-loss-weight" = 2,
                      "counts-loss-weight" = 10),
                 list("head-name" = "ctl", "num-tasks" = 1, "use-bias-counts" = TRUE))

bpnetData <- function(n, seed, tasks = c(2, 1)) {
    set.seed(seed)
    s <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), 120, TRUE),
                                              collapse = ""), "")
    list(x = oneHot(s), y = lapply(tasks, function(t) array(rpois(n * 88 * t, 3), c(n, 88, t))))
}

## Multinomial NLL of each window over length x tasks (BPReveal's profile loss), averaged
mnll <- function(logits, y) mean(vapply(seq_len(dim(y)[1L]), function(i) {
    l <- as.numeric(logits[i, , ])
    k <- as.numeric(y[i, , ])
    lp <- l - max(l) - log(sum(exp(l - max(l))))
    -lgamma(sum(k) + 1) + sum(lgamma(k + 1)) - sum(k * lp)
}, 0))

headTable <- function(m) data.frame(
    name = vapply(m@info$heads, function(h) h$name, ""),
    tasks = vapply(m@info$heads, function(h) h$tasks, 0),
    profileWeight = vapply(m@info$heads, function(h) h$profileWeight, 0),
    countsWeight = vapply(m@info$heads, function(h) h$countsWeight, 0),
    useBiasCounts = vapply(m@info$heads, function(h) h$useBiasCounts, TRUE))

test_that("heads parse from BPReveal's JSON names, camelCase and their own normalised form", {
    h <- GenomicDL:::.heads(twoHeads)
    expect_identical(GenomicDL:::.heads(h), h)
    expect_equal(h[[1L]], list(name = "chip", tasks = 2, profileWeight = 2, countsWeight = 10,
                               useBiasCounts = FALSE))
    expect_equal(h[[2L]], list(name = "ctl", tasks = 1, profileWeight = 1, countsWeight = 100,
                               useBiasCounts = TRUE))
    camel <- GenomicDL:::.heads(list(headName = "chip", numTasks = 2, profileLossWeight = 2,
                                     countsLossWeight = 10))
    expect_identical(camel, h[1L])
    expect_identical(GenomicDL:::.heads(3)[[1L]]$tasks, 3)
    expect_gdl_error(GenomicDL:::.heads(list(list("head-name" = "a", "num-task" = 2))),
                     "unknown field.*'num-task'")
    expect_gdl_error(GenomicDL:::.heads(list(list("head-name" = "a", "counts-loss-frac-target" = 0.1))),
                     "counts-loss-frac-target")
    expect_gdl_error(GenomicDL:::.heads(list(list("head-name" = "a"), list("head-name" = "a"))),
                     "unique.*'a'")
    expect_gdl_error(GenomicDL:::.heads(list(list("head-name" = "a", "counts-loss-weight" = -1))),
                     "counts-loss-weight")
    expect_gdl_error(GenomicDL:::.heads(list(list("head-name" = "a", "num-tasks" = 1.5))),
                     "num-tasks")
})

test_that("transformationModel keeps the solo model's heads, shapes and loss weights", {
    solo <- tiny(bpnetModel, heads = twoHeads)
    tm <- transformationModel(solo)
    expect_identical(tm@info$heads, solo@info$heads)
    expect_equal(headTable(tm), data.frame(name = c("chip", "ctl"), tasks = c(2, 1),
                                           profileWeight = c(2, 1), countsWeight = c(10, 100),
                                           useBiasCounts = c(FALSE, TRUE)))
    expect_equal(outputShapes(tm), list(c(88, 2), c(88, 1), 1, 1))
    expect_identical(tm@info$outputNames, c("profile_chip", "profile_ctl", "counts_chip", "counts_ctl"))
    expect_identical(tm@info$losses, c("mnll", "mnll", "counts", "counts"))
    expect_equal(tm@info$lossWeights, c(2, 1, 10, 100))
    ## heads given explicitly still win over the solo model's
    tm1 <- transformationModel(solo, heads = list(list("head-name" = "chip", "num-tasks" = 2,
                                                       "counts-loss-weight" = 5),
                                                  list("head-name" = "ctl")))
    expect_equal(tm1@info$lossWeights, c(1, 1, 5, 100))
    ## heads that do not match the solo model's outputs are named
    expect_gdl_error(transformationModel(solo, heads = 2), "outputs")
    expect_gdl_error(transformationModel(solo, heads = list(list("head-name" = "a", "num-tasks" = 1),
                                                            list("head-name" = "b"))),
                     "head 'a' has 1 task")
    expect_gdl_error(transformationModel(cnnModel(120)), "no BPNet heads")
})

test_that("BPReveal's transformation specifications are accepted; bad ones are named", {
    solo <- tiny(bpnetModel, heads = twoHeads)
    d <- bpnetData(6, 1)
    ## passthrough (both forms) reproduces the frozen solo model exactly
    pt <- transformationModel(solo, list(name = "passthrough"), "passthrough")
    expect_identical(predict(pt, d$x), predict(solo, d$x))
    trainable <- function(m) {
        tab <- NULL
        utils::capture.output(tab <- summary(m))
        sum(tab$params[tab$trainable])
    }
    expect_equal(trainable(pt), 0)
    ## simple, linear + sigmoid on the profiles (per position over the tasks: head chip
    ## 2 x 2 + 2 (linear) + 2 * (2 x 2 + 2) (sigmoid in and out) = 18, head ctl 2 + 4 = 6),
    ## linear on the counts (2 per head)
    tm <- transformationModel(solo, list(name = "simple", types = c("linear", "sigmoid")),
                              list(name = "simple", types = list("linear")))
    expect_equal(trainable(tm), 18 + 6 + 2 + 2)
    expect_equal(outputShapes(tm), outputShapes(solo))
    expect_equal(trainable(transformationModel(solo, c("linear", "relu"), "simple")), 28)
    expect_equal(trainable(transformationModel(solo, list(name = "simple"), "passthrough")), 6 + 2)
    ## unknown names, types and fields are GenomicDL errors naming the bad value
    expect_error(transformationModel(solo, list(name = "complex", types = "linear")),
                 "unknown transformation 'complex'", class = "GenomicDL_error")
    expect_error(transformationModel(solo, list(name = "simple", types = c("linear", "tanh"))),
                 "'tanh'", class = "GenomicDL_error")
    expect_error(transformationModel(solo, countsTransform = "quadratic"),
                 "countsTransform.*'quadratic'", class = "GenomicDL_error")
    expect_error(transformationModel(solo, list(name = "simple", type = "linear")),
                 "unknown field.*'type'", class = "GenomicDL_error")
    expect_error(transformationModel(solo, list(name = "passthrough", types = "linear")),
                 "passthrough", class = "GenomicDL_error")
    expect_error(transformationModel(solo, c("linear", "linear")), "twice",
                 class = "GenomicDL_error")
    expect_error(transformationModel(solo, 3), "transformation specification",
                 class = "GenomicDL_error")
})

## combined = residual + bias: profile logits added; counts log(e^r + e^b) with use-bias-counts
expectCombined <- function(cm, bias, x, tol = 1e-5) {
    heads <- cm$combined@info$heads
    k <- length(heads)
    pc <- predict(cm$combined, x)
    pr <- predict(cm$residual, x)
    pb <- predict(bias, x)
    for (i in seq_len(k)) {
        expect_equal(pc[[i]], pr[[i]] + pb[[i]], tolerance = tol)
        want <- if (heads[[i]]$useBiasCounts) log(exp(pr[[k + i]]) + exp(pb[[k + i]])) else pr[[k + i]]
        expect_equal(pc[[k + i]], want, tolerance = tol)
    }
    invisible(list(combined = pc, residual = pr, bias = pb))
}

test_that("combinedModel works on the default transformation for any heads and tasks", {
    d <- bpnetData(6, 2)
    cases <- list(one = list(list("head-name" = "p", "num-tasks" = 1)),
                  oneBias = list(list("head-name" = "p", "num-tasks" = 1, "use-bias-counts" = TRUE)),
                  two = twoHeads,
                  twoNoBias = lapply(twoHeads, function(h) modifyList(h, list("use-bias-counts" = FALSE))))
    for (nm in names(cases)) {
        solo <- tiny(bpnetModel, heads = cases[[nm]])
        tm <- transformationModel(solo)
        cm <- tiny(combinedModel, bias = tm)
        expect_named(cm, c("combined", "residual", "solo"))
        expect_identical(cm$combined@info$heads, solo@info$heads, label = nm)
        expect_identical(cm$residual@info$heads, solo@info$heads, label = nm)
        tasks <- vapply(solo@info$heads, function(h) h$tasks, 0)
        shapes <- c(lapply(tasks, function(t) c(88, t)), rep(list(1), length(tasks)))
        expect_equal(outputShapes(cm$combined), shapes, label = nm)
        expect_equal(outputShapes(cm$residual), shapes, label = nm)
        expect_equal(cm$combined@info$lossWeights, solo@info$lossWeights, label = nm)
        expectCombined(cm, tm, d$x)
    }
    ## combined counts: logsumexp only where the head uses the bias counts
    types <- vapply(tiny(combinedModel, bias = transformationModel(tiny(bpnetModel, heads = twoHeads)))$combined@spec$layers,
                    function(l) l$type, "")
    expect_equal(sum(types == "logsumexp"), 1)
    ## heads that do not fit the bias model are named before any layer is built
    solo <- tiny(bpnetModel, heads = twoHeads)
    expect_gdl_error(tiny(combinedModel, heads = 2, bias = solo), "has 4 outputs; 1 head")
    expect_gdl_error(tiny(combinedModel, heads = list(list("head-name" = "chip", "num-tasks" = 1),
                                                     list("head-name" = "ctl")), bias = solo),
                     "head 'chip' has 1 task")
    expect_gdl_error(combinedModel(120, 80, filters = 4, layers = 2, inputFilterWidth = 11,
                                   outputFilterWidth = 11, bias = solo), "not outputLength = 80")
})

test_that("the residual model shares the combined model's weights: trained by fit(combined)", {
    tr <- bpnetData(40, 3)
    te <- bpnetData(8, 4)
    solo <- tiny(bpnetModel, heads = twoHeads)
    tm <- transformationModel(solo)
    cm <- tiny(combinedModel, bias = tm)
    biasBefore <- predict(tm, te$x)
    resBefore <- predict(cm$residual, te$x)
    h <- fit(cm$combined, tr$x, y = tr$y, epochs = 3, batchSize = 10, learningRate = 1e-2,
             verbose = FALSE)
    expect_equal(nrow(h), 3)
    ## no residualWeights() call: the residual predicts with the trained weights
    resAfter <- predict(cm$residual, te$x)
    expect_gt(max(abs(resAfter[[1L]] - resBefore[[1L]])), 1e-3)
    expect_true(any(grepl("weights shared with 'bpnet_combined' (trained 3 epoch(s))",
                          capture.output(show(cm$residual)), fixed = TRUE)))
    ## independent check: combined = trained residual + the (unchanged, frozen) bias model
    expect_identical(predict(tm, te$x), biasBefore)
    p <- expectCombined(cm, tm, te$x)
    ## residualWeights() is a harmless no-op on shared models
    expect_identical(predict(residualWeights(cm$combined, cm$residual), te$x), resAfter)
    ## the weights really are shared, not copied: the combined model's residual part changes
    ## when the residual model is trained
    fit(cm$residual, tr$x, y = tr$y, epochs = 1, batchSize = 10, learningRate = 1e-2, verbose = FALSE)
    expect_false(isTRUE(all.equal(predict(cm$residual, te$x), resAfter)))
    expectCombined(cm, tm, te$x)
})

test_that("saveModel / loadModel and readRDS keep residual and combined models consistent", {
    tr <- bpnetData(30, 5)
    te <- bpnetData(6, 6)
    tm <- transformationModel(tiny(bpnetModel, heads = twoHeads))
    cm <- tiny(combinedModel, bias = tm)
    fit(cm$combined, tr$x, y = tr$y, epochs = 1, batchSize = 10, learningRate = 1e-2, verbose = FALSE)
    fc <- tempfile(fileext = ".gdlm")
    fr <- tempfile(fileext = ".gdlm")
    on.exit(unlink(c(fc, fr)))
    saveModel(cm$combined, fc)
    saveModel(cm$residual, fr)
    lc <- loadModel(fc)
    lr <- loadModel(fr)
    expect_identical(predict(lc, te$x), predict(cm$combined, te$x))
    expect_identical(predict(lr, te$x), predict(cm$residual, te$x))
    expect_identical(lr@info$heads, cm$residual@info$heads)
    ## models loaded separately are standalone until residualWeights() links them
    fit(lc, tr$x, y = tr$y, epochs = 1, batchSize = 10, learningRate = 1e-2, verbose = FALSE)
    expect_identical(predict(lr, te$x), predict(cm$residual, te$x))
    residualWeights(lc, lr)
    expectCombined(list(combined = lc, residual = lr), tm, te$x)
    fit(lc, tr$x, y = tr$y, epochs = 1, batchSize = 10, learningRate = 1e-2, verbose = FALSE)
    expectCombined(list(combined = lc, residual = lr), tm, te$x)
    ## a serialised pair (readRDS: the networks are rebuilt) is linked again
    f <- tempfile(fileext = ".rds")
    on.exit(unlink(f), add = TRUE)
    saveRDS(cm, f)
    cm2 <- readRDS(f)
    expect_identical(predict(cm2$residual, te$x), predict(cm$residual, te$x))
    fit(cm2$combined, tr$x, y = tr$y, epochs = 1, batchSize = 10, learningRate = 1e-2,
        verbose = FALSE)
    expect_false(isTRUE(all.equal(predict(cm2$residual, te$x), predict(cm$residual, te$x))))
    expectCombined(cm2, tm, te$x)
    ## an architecture that does not match cannot be linked
    other <- tiny(bpnetModel, heads = 1)
    expect_gdl_error(residualWeights(lc, other), "no layer")
})

test_that("losses per head as BPReveal: profile MNLL and weighted counts of the head's own profile", {
    d <- bpnetData(24, 7)
    solo <- tiny(bpnetModel, heads = twoHeads)
    for (m in list(transformationModel(solo), tiny(combinedModel, bias = transformationModel(solo))$combined)) {
        expect_equal(m@info$lossWeights, c(2, 1, 10, 100))
        e <- evaluate(m, d$x, y = d$y)
        expect_identical(e$output, c("total", "profile_chip", "profile_ctl", "counts_chip", "counts_ctl"))
        p <- predict(m, d$x)
        ind <- c(mnll(p[[1L]], d$y[[1L]]), mnll(p[[2L]], d$y[[2L]]),
                 mean((p[[3L]] - log1p(apply(d$y[[1L]], 1, sum)))^2),
                 mean((p[[4L]] - log1p(apply(d$y[[2L]], 1, sum)))^2))
        expect_equal(e$value[-1L], ind, tolerance = 1e-4)
        expect_equal(e$value[1L], sum(c(2, 1, 10, 100) * ind), tolerance = 1e-4)
        ## fit() uses the same weights: the epoch loss is the weighted sum of the output losses
        h <- fit(m, d$x, y = d$y, epochs = 1, batchSize = 8, learningRate = 1e-3, verbose = FALSE)
        parts <- unlist(as.data.frame(h)[1L, paste0("loss_", e$output[-1L])])
        expect_equal(h$loss[1L], sum(c(2, 1, 10, 100) * parts), tolerance = 1e-4)
    }
})
