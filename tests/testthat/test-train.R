## Training, evaluation and saved models on the example data and synthetic sets. Metrics are
## checked against independent R computations (AUROC from ranks, Pearson from cor()).

aurocRanks <- function(score, label) {
    r <- rank(score)
    p <- sum(label == 1)
    n <- sum(label == 0)
    (sum(r[label == 1]) - p * (p + 1) / 2) / (p * n)
}

## The learning tests train with one core thread: on a busy machine, LibTorch's OpenMP threads
## spin-wait and two of them run several times slower than one (OMP_WAIT_POLICY=PASSIVE, set
## before the package loads, avoids it). The targets do not depend on the thread count.

## Predictions and labels of every batch of a generator, read back through batch() and predict().
generatorPredictions <- function(m, gen) {
    p <- lapply(seq_len(length(gen)), function(i) {
        b <- batch(gen, i)
        list(p = as.numeric(predict(m, b$x)), y = as.numeric(b$y))
    })
    list(p = unlist(lapply(p, `[[`, "p")), y = unlist(lapply(p, `[[`, "y")))
}

test_that("cnnModel separates bound from unbound windows on a held-out chromosome (AUROC >= 0.95)", {
    old <- options(GenomicDL.threads = 1L)
    on.exit(options(old))
    fa <- extdata("example_genome.fa")
    bed <- extdata("example_peaks_cell1.bed")
    ## keras_dna's tutorial: every row of the BED is one annotation (no annotationTypes), real negatives;
    ## every 301 bp window holding a whole 200 bp peak is a positive (augmentation), random strand
    gen <- sequenceGenerator(fa, bed, inputLength = 301, augmentation = TRUE,
                             rcAugment = TRUE, negativeRatio = 1, excludeChromosomes = "chr3",
                             batchSize = 64, seed = 1)
    held <- sequenceGenerator(fa, bed, inputLength = 301, negativeRatio = 20,
                              chromosomes = "chr3", batchSize = 128, seed = 2)
    m <- cnnModel(301, activation = "sigmoid")
    h <- fit(m, gen, epochs = 6, stepsPerEpoch = 100, learningRate = 3e-3, loss = "bce",
             verbose = FALSE)
    expect_s4_class(h, "TrainingHistory")
    expect_equal(nrow(h), 6L)
    expect_lt(tail(h$loss, 1), h$loss[1] / 2)
    a <- auc(m, held, steps = length(held))  # the whole batches batch() returns
    ref <- generatorPredictions(m, held)
    expect_equal(a$auc, aurocRanks(ref$p, ref$y), tolerance = 1e-9)
    expect_equal(a$positives, sum(ref$y == 1))
    expect_gte(a$auc, 0.95)
    pr <- auc(m, held, curve = "PR")$auc
    expect_gt(pr, 3 * mean(ref$y))
    ## fit -> saveModel -> loadModel -> predict gives identical numbers
    x <- batch(held, 1)$x
    f <- tempfile(fileext = ".gdlm")
    saveModel(m, f)
    m2 <- loadModel(f)
    expect_identical(predict(m2, x), predict(m, x))
    expect_equal(as.data.frame(trainingHistory(m2)), as.data.frame(h))
    expect_equal(generatorConfig(m2), generatorArgs(gen), ignore_attr = TRUE)
    expect_s3_class(plot(h), "ggplot")
})

test_that("sequence encoded on the device trains the same model; mixed precision learns", {
    old <- options(GenomicDL.threads = 1L)
    on.exit(options(old))
    fa <- extdata("example_genome.fa")
    bed <- extdata("example_peaks_cell1.bed")
    gen <- sequenceGenerator(fa, bed, inputLength = 201, rcAugment = TRUE,
                             negativeRatio = 1, excludeChromosomes = "chr3", batchSize = 32, seed = 3)
    held <- sequenceGenerator(fa, bed, inputLength = 201, negativeRatio = 5,
                              chromosomes = "chr3", batchSize = 64, seed = 4)
    small <- function() sequentialModel(c(201, 4), list(
        layerConv1d(32, 15, activation = "relu"), layerMaxPool1d(4),
        layerConv1d(32, 5, activation = "relu"), layerGlobalAvgPool1d(),
        layerDense(1, activation = "sigmoid")), seed = 7)
    train <- function(encode, mixed = FALSE) {
        o <- options(GenomicDL.encode = encode)
        on.exit(options(o))
        m <- small()
        h <- fit(m, gen, epochs = 6, stepsPerEpoch = 100, learningRate = 3e-3, loss = "bce",
                 mixedPrecision = mixed, verbose = FALSE)
        list(m = m, h = h)
    }
    host <- train("host")
    dev <- train("device")
    ## one byte per base, one-hot encoded by the tensor library: the same numbers
    expect_identical(dev$h$loss, host$h$loss)
    x <- batch(held, 1)$x
    expect_identical(predict(dev$m, x), predict(host$m, x))
    expect_gte(auc(host$m, held)$auc, 0.95)
    ## bfloat16 forward passes on the CPU: float32 weights, the same learning
    mixed <- train("auto", mixed = TRUE)
    expect_lt(tail(mixed$h$loss, 1), mixed$h$loss[1])
    expect_gte(auc(mixed$m, held)$auc, 0.95)
    expect_equal(mixed$h$loss[1], host$h$loss[1], tolerance = 0.05)
})

test_that("a regression model on the coverage track reaches Pearson >= 0.7 held out; checked against cor()", {
    old <- options(GenomicDL.threads = 1L)
    on.exit(options(old))
    fa <- extdata("example_genome.fa")
    bw <- extdata("example_coverage_cell1.bw")
    gen <- sequenceGenerator(fa, bw, inputLength = 401, targetWindow = 1, excludeChromosomes = "chr3",
                             rcAugment = TRUE, batchSize = 64, seed = 1)
    held <- sequenceGenerator(fa, bw, inputLength = 401, targetWindow = 1, chromosomes = "chr3",
                              stride = 50, batchSize = 128, seed = 2)
    ## motif detectors pooled per 10 bp, then a dense layer weighing them by position
    m <- sequentialModel(c(401, 4), list(layerConv1d(32, 19, activation = "relu"),
                                         layerMaxPool1d(10), layerFlatten(), layerDense(1)))
    h <- fit(m, gen, epochs = 14, stepsPerEpoch = 100, learningRate = 1e-2, loss = "mse",
             verbose = FALSE)
    ## the whole batches batch() returns (a pass also reads the last partial one)
    r <- correlation(m, held, steps = length(held))
    ref <- generatorPredictions(m, held)
    expect_equal(r$pearson, cor(ref$p, ref$y), tolerance = 1e-6)
    expect_equal(r$spearman, cor(ref$p, ref$y, method = "spearman"), tolerance = 1e-6)
    expect_gte(r$pearson, 0.7)
    e <- evaluate(m, held, steps = length(held))
    expect_equal(e$value[1], mean((ref$p - ref$y)^2), tolerance = 1e-5)
})

## Profiles: counts at each of `out` positions of two strands; a planted motif raises a peak.
profileData <- function(n, len, out, seed) {
    set.seed(seed)
    s <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = ""), "")
    y <- array(0, c(n, out, 2))
    for (i in seq_len(n)) {
        base <- rep(1, out)
        if (i %% 2 == 0) {
            p <- sample((len - out) / 2 + 5:(out - 12), 1)
            substr(s[i], p, p + 5) <- "GATAAG"
            c0 <- p - (len - out) / 2
            base <- base + 30 * exp(-((seq_len(out) - c0)^2) / 8)
        }
        y[i, , 1] <- rpois(out, base)
        y[i, , 2] <- rpois(out, rev(base))
    }
    list(x = oneHot(s), y = y)
}

mnll <- function(logits, y) {  # per sample, one multinomial over positions x strands
    vapply(seq_len(dim(y)[1]), function(i) {
        l <- as.numeric(logits[i, , ]); k <- as.numeric(y[i, , ])
        lp <- l - log(sum(exp(l - max(l)))) - max(l)
        -lgamma(sum(k) + 1) + sum(lgamma(k + 1)) - sum(k * lp)
    }, 0)
}

test_that("BPNet beats the constant-profile baseline in MNLL; the bias stays frozen", {
    tr <- profileData(300, 88, 40, 1)
    te <- profileData(100, 88, 40, 2)
    m <- bpnetModel(88, 40, filters = 16, layers = 3, inputFilterWidth = 11,
                    outputFilterWidth = 11, heads = 2)
    counts <- apply(tr$y, 1, sum)
    h <- fit(m, tr$x, y = list(tr$y, matrix(log1p(counts))), epochs = 15, batchSize = 32,
             learningRate = 4e-3, lossWeights = c(1, 1), loss = c("mnll", "counts"),
             verbose = FALSE)
    expect_true(all(c("loss_profile_head1", "loss_counts_head1") %in% names(h)))
    p <- predict(m, te$x)
    model <- mean(mnll(p[[1]], te$y))
    baseline <- mean(mnll(array(0, dim(te$y)), te$y))
    expect_lt(model, baseline)
    ## the "counts" loss reads the profile target when the model has no counts target
    e <- evaluate(m, te$x, y = te$y)
    expect_equal(e$value[2], mean(mnll(p[[1]], te$y)), tolerance = 1e-3)
    expect_equal(e$value[3], mean((p[[2]] - log1p(apply(te$y, 1, sum)))^2), tolerance = 1e-4)

    cm <- combinedModel(88, 40, filters = 8, layers = 3, inputFilterWidth = 11,
                        outputFilterWidth = 11, heads = 2, bias = m)
    expect_named(cm, c("combined", "residual", "solo"))
    biasBefore <- predict(m, te$x)
    t <- summary(cm$combined) |> capture.output()
    expect_true(any(grepl("Non-trainable params: [1-9]", t)))
    ## the bias part of the combined model (its profile path), read back into a fresh copy
    ## of the solo model's graph
    biasPart <- function() {
        dna <- layerInput(c(88, 4))
        probe <- functionalModel(dna, GenomicDL:::.replayModel(m, dna, "")[1L], seed = 99)
        GenomicDL:::.native(GenomicDL:::cpp_model_copy_weights(
            GenomicDL:::.modelPtr(cm$combined), GenomicDL:::.modelPtr(probe), "bias_", TRUE))
        probe
    }
    resBefore <- GenomicDL:::.modelFirstConv(residualWeights(cm$combined, cm$residual))$weight
    expect_identical(as.vector(predict(biasPart(), te$x)), as.vector(biasBefore[[1]]))
    h2 <- fit(cm$combined, tr$x, y = tr$y, epochs = 2, batchSize = 32, learningRate = 4e-3,
              verbose = FALSE)
    expect_lt(h2$loss[2], h2$loss[1])
    ## the frozen bias weights did not change; the residual ones did
    b2 <- biasPart()
    expect_identical(GenomicDL:::.modelFirstConv(b2)$weight, GenomicDL:::.modelFirstConv(m)$weight)
    expect_identical(as.vector(predict(b2, te$x)), as.vector(biasBefore[[1]]))
    residualWeights(cm$combined, cm$residual)
    expect_false(isTRUE(all.equal(GenomicDL:::.modelFirstConv(cm$residual)$weight, resBefore)))
    ## combined profile logits = residual logits + bias logits
    pc <- predict(cm$combined, te$x)
    pr <- predict(cm$residual, te$x)
    expect_equal(pc[[1]], pr[[1]] + biasBefore[[1]], tolerance = 1e-4)
})

test_that("callbacks stop early, lower the learning rate and write checkpoints", {
    d <- profileData(64, 30, 10, 3)
    y <- as.numeric(apply(d$y, 1, sum) > 30)
    m <- sequentialModel(c(30, 4), list(layerConv1d(4, 5, activation = "relu"),
                                        layerGlobalMaxPool1d(), layerDense(1, "sigmoid")))
    f <- tempfile(fileext = "_{epoch}.gdlm")
    h <- fit(m, d$x, y, epochs = 6, learningRate = 1e-9, verbose = FALSE,
             callbacks = list(reduceLROnPlateau(monitor = "loss", patience = 1, factor = 0.5,
                                                minDelta = 1),
                              modelCheckpoint(f, monitor = "loss", saveBestOnly = FALSE),
                              earlyStopping(monitor = "loss", patience = 3, minDelta = 1)))
    expect_equal(nrow(h), 4L)  # epochs 2-4 do not improve by minDelta: stop after 4
    expect_equal(h$lr[1:3], c(1e-9, 5e-10, 2.5e-10))
    expect_true(file.exists(sub("{epoch}", "3", f, fixed = TRUE)))
    expect_s4_class(loadModel(sub("{epoch}", "1", f, fixed = TRUE)), "SequenceModel")
    ## training continues where it stopped
    h2 <- fit(m, d$x, y, epochs = 1, verbose = FALSE)
    expect_equal(h2$epoch, 1:5)
})

test_that("bad input gives GenomicDL errors", {
    m <- cnnModel(201)
    x <- oneHot(rep(strrep("ACGT", 50), 4))
    expect_gdl_error(fit(m, x, c(1, 2, 3, 4), verbose = FALSE), "\\(201, 4\\)")
    x <- oneHot(rep(paste0(strrep("ACGT", 50), "A"), 4))
    expect_gdl_error(fit(m, x, c(1, 2, 3, 4), loss = "hinge", verbose = FALSE), "unknown loss")
    expect_gdl_error(fit(m, x, c(1, 2, 3), verbose = FALSE), "rows")
    expect_gdl_error(fit(m, x, matrix(0, 4, 3), verbose = FALSE), "shape")
    expect_gdl_error(fit(m, x, verbose = FALSE), "targets")
    expect_gdl_error(fit(m, x, 1:4, optimizer = "adagrad", verbose = FALSE), "optimizer")
    expect_gdl_error(fit(m, x, 1:4, mixedPrecision = NA, verbose = FALSE), "mixedPrecision")
    old <- options(GenomicDL.encode = "gpu")
    expect_gdl_error(fit(m, x, 1:4, verbose = FALSE), "GenomicDL.encode")
    options(old)
    if (!GenomicDL:::.native(GenomicDL:::cpp_sitrep())$cuda)
        expect_gdl_error(fit(m, x, 1:4, device = "cuda", verbose = FALSE), "CUDA")
    f <- tempfile()
    writeLines("not a model", f)
    expect_gdl_error(loadModel(f), "not a GenomicDL model")
    saveRDS(list(a = 1), f)
    expect_gdl_error(loadModel(f), "not a GenomicDL model")
    expect_gdl_error(loadModel(tempfile()), "does not exist")
    for (opt in c("sgd", "rmsprop", "adamw"))
        expect_s4_class(fit(m, x, 1:4, optimizer = opt, verbose = FALSE, momentum = 0.9), "TrainingHistory")
    expect_s4_class(fit(m, x, 1:4, loss = "poisson", verbose = FALSE, prefetchThreads = 0), "TrainingHistory")
})
