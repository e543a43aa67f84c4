### =========================================================================
### Training: fit(), callbacks, history
### -------------------------------------------------------------------------

## A batch source (external pointer to a gdlr::SourceHandle) from a generator (anything with a
## .batchSource method) or in-memory arrays: list(x = one-hot, y = targets), or x plus y.
.sourceOf <- function(data, y = NULL, batchSize = 32, shuffle = TRUE, seed = 1,
                      layout = "NLC", weights = NULL, what = "data") {
    if (is.null(data)) return(NULL)
    if (isS4(data) && existsMethod(".batchSource", class(data)))
        return(.batchSource(data))
    if (is.list(data) && !is.null(data$x)) {
        y <- data$y
        if (!is.null(data$weights)) weights <- data$weights
        data <- data$x
    }
    if (!is.array(data) && !is(data, "XStringSet") && !is.character(data))
        .gdlStop(what, " must be a generator (sequenceGenerator()), list(x = one-hot array, y = ",
                 "targets) or a one-hot array with y")
    data <- .asOneHot(data, layout, what = paste0(what, ": x"), channels = NULL)
    if (is.null(y)) .gdlStop(what, ": the targets y are missing")
    targets <- if (is.list(y) && !is.data.frame(y)) y else list(y)
    targets <- lapply(targets, function(t) {
        if (is.data.frame(t)) t <- as.matrix(t)
        if (is.null(dim(t))) t <- matrix(as.numeric(t), ncol = 1L)
        storage.mode(t) <- "double"
        t
    })
    for (t in targets) {
        if (dim(t)[1L] != dim(data)[1L])
            .gdlStop(what, ": y has ", dim(t)[1L], " rows for ", dim(data)[1L], " sequences")
        if (anyNA(t) || any(is.infinite(t)))
            .gdlStop(what, ": y holds NA, NaN or infinite labels (", sum(!is.finite(t)), " of ",
                     length(t), "); remove those samples or impute their labels")
    }
    if (!is.null(weights)) {
        if (!is.numeric(weights) || length(weights) != dim(data)[1L] || anyNA(weights) ||
            any(is.infinite(weights)) || any(weights < 0))
            .gdlStop(what, ": weights must be ", dim(data)[1L], " finite numbers >= 0 (one per ",
                     "sequence)")
        weights <- as.numeric(weights)
    }
    batchSize <- .checkCount(batchSize, "batchSize")
    .native(cpp_array_source(data, layout == "NLC", targets, weights, batchSize, shuffle, seed))
}

## Losses of a model's outputs for the C++ trainer: list(type, weight, target).
.lossSpec <- function(model, loss = NULL, lossWeights = NULL) {
    nOut <- length(model@spec$outputs)
    if (is.null(loss)) loss <- model@info$losses
    loss <- as.character(unlist(loss))
    if (length(loss) == 1L && nOut > 1L) loss <- rep(loss, nOut)
    if (length(loss) != nOut)
        .gdlStop("the model has ", nOut, " outputs; give one loss per output, not ", length(loss))
    ok <- .coreNames()$losses
    bad <- setdiff(loss, ok)
    if (length(bad))
        .gdlStop("unknown loss '", bad[1L], "': use ", paste(ok, collapse = ", "))
    if (is.null(lossWeights)) lossWeights <- model@info$lossWeights
    if (is.null(lossWeights)) lossWeights <- rep(1, nOut)
    lossWeights <- as.numeric(unlist(lossWeights))
    if (length(lossWeights) != nOut) .gdlStop("lossWeights must have one weight per output (", nOut, ")")
    .checkLossFit(model, loss)
    ## the target each output reads (BPNet: each head's counts its own head's profile)
    target <- model@info$lossTargets
    if (length(target) != nOut) target <- rep(NA_integer_, nOut)
    list(type = loss, weight = lossWeights, target = as.integer(target))
}

## The activation that ends output node `node` (0-based node id): the last activation met going
## back through layers without one (flatten, reshape, pooling, cropping); NA when it cannot be
## told (a node joining several inputs).
.outputActivation <- function(model, node) {
    nIn <- length(model@spec$inputs)
    repeat {
        if (node < nIn) return(NA_character_)
        layer <- model@spec$layers[[node - nIn + 1L]]
        if (!is.null(layer$activation)) return(layer$activation)
        if (length(layer$inputs) != 1L) return(NA_character_)
        node <- layer$inputs[[1L]]
    }
}

## Losses that cannot fit the output they train: an error when the result is certainly wrong,
## a warning when it may be meant. (mnll on a single value is refused by the core, which knows
## the output shapes: its loss is exactly 0.)
##   cce without softmax: an error (the loss reads the outputs as class probabilities that sum
##     to 1; rescaling sigmoid or linear outputs gives a loss that does not train a classifier).
##   bce without sigmoid: a warning (outputs outside [0, 1] are clipped, so they get no gradient;
##     a model may end in its own squashing); labels outside [0, 1] are an error in the core.
##   mnll after sigmoid / softmax: a warning (mnll takes logits and applies its own softmax).
.checkLossFit <- function(model, loss) {
    for (k in seq_along(loss)) {
        a <- .outputActivation(model, model@spec$outputs[[k]])
        if (is.na(a)) next
        if (loss[k] == "cce" && a != "softmax")
            .gdlStop("loss 'cce' needs a flat output of K >= 2 class probabilities with ",
                     "activation = \"softmax\"; output ", k, " ends with activation '", a, "'")
        if (loss[k] == "bce" && a != "sigmoid")
            warning("loss 'bce' on output ", k, " whose activation is '", a, "', not 'sigmoid': ",
                    "bce reads the outputs as probabilities, clipped to [1e-7, 1 - 1e-7], so outputs ",
                    "outside [0, 1] get no gradient", call. = FALSE)
        if (loss[k] == "mnll" && a %in% c("sigmoid", "softmax"))
            warning("loss 'mnll' on output ", k, " whose activation is '", a, "': mnll takes ",
                    "logits (activation = \"linear\") and applies its own softmax", call. = FALSE)
    }
}

## Metric names for fit() / evaluate(): a character vector of known names, without repeats.
.metricNames <- function(metrics) {
    if (is.null(metrics)) return(character())
    ok <- .coreNames()$metrics
    if (!is.character(metrics) || anyNA(metrics))
        .gdlStop("metrics must be a character vector of metric names: ", paste(ok, collapse = ", "))
    bad <- setdiff(metrics, ok)
    if (length(bad))
        .gdlStop("unknown metric '", bad[1L], "': use ", paste(ok, collapse = ", "))
    unique(metrics)
}

#' Training callbacks
#'
#' \code{earlyStopping} stops when the monitored value has not improved by
#' \code{minDelta} for \code{patience} epochs (and restores the best weights
#' when asked); \code{modelCheckpoint} saves the model (\code{\link{saveModel}})
#' after each epoch or only when the monitored value improves: a checkpoint is
#' the archive \code{saveModel} writes (weights, architecture, data
#' configuration, losses and the history up to and including that epoch),
#' written atomically, so \code{loadModel(checkpoint)} predicts and rebuilds its
#' generator as the saved model of the same weights;
#' \code{reduceLROnPlateau} multiplies the learning rate by \code{factor} after
#' \code{patience} epochs without improvement.
#'
#' @param monitor \code{"val_loss"} (falls back to \code{"loss"} without
#'   validation data), \code{"loss"}, or another column of the history (a
#'   metric of \code{fit(metrics = )} such as \code{"val_auroc"}; as Keras'
#'   mode "auto", higher is better for accuracy, auroc, aupr and pearson,
#'   lower for losses, mae and mse); a name not in the history is an error.
#' @param patience epochs without improvement.
#' @param minDelta smallest change counted as an improvement.
#' @param restoreBestWeights restore the weights of the best epoch at the end.
#' @param file path of the checkpoint; \code{"\{epoch\}"} is replaced by the epoch.
#' @param saveBestOnly save only when the monitored value improves.
#' @param factor multiplier of the learning rate.
#' @param minLR smallest learning rate.
#' @return A callback (a list of class \code{GenomicDLCallback}).
#' @examples
#' cbs <- list(earlyStopping(patience = 3), reduceLROnPlateau(patience = 2))
#' @name callbacks
NULL

.callback <- function(type, ...) structure(list(type = type, ...), class = "GenomicDLCallback")

#' @rdname callbacks
#' @export
earlyStopping <- function(monitor = "val_loss", patience = 5, minDelta = 0,
                          restoreBestWeights = TRUE)
    .callback("earlyStopping", monitor = monitor, patience = patience, minDelta = minDelta,
              restoreBestWeights = restoreBestWeights)

#' @rdname callbacks
#' @export
modelCheckpoint <- function(file, monitor = "val_loss", saveBestOnly = TRUE)
    .callback("modelCheckpoint", file = file, monitor = monitor, saveBestOnly = saveBestOnly)

#' @rdname callbacks
#' @export
reduceLROnPlateau <- function(monitor = "val_loss", factor = 0.5, patience = 3, minDelta = 0,
                              minLR = 0)
    .callback("reduceLROnPlateau", monitor = monitor, factor = factor, patience = patience,
              minDelta = minDelta, minLR = minLR)

## Runs the callbacks after an epoch; returns the action for the C++ trainer.
## `save` FALSE: checkpoints are not written (a data-parallel rank other than 0).
.epochActions <- function(callbacks, state, log, model, save = TRUE) {
    act <- list(stop = FALSE, lr = -1, snapshot = FALSE, restore = FALSE)
    ## signed so that lower is better (Keras' mode "auto": scores are maximised)
    value <- function(cb) {
        v <- log[[cb$monitor]]
        if (is.null(v) || is.na(v)) return(log$loss)
        if (grepl("accuracy|auroc|aupr|pearson", cb$monitor)) -v else v
    }
    for (i in seq_along(callbacks)) {
        cb <- callbacks[[i]]
        s <- state[[i]]
        v <- value(cb)
        better <- is.null(s$best) || v < s$best - (if (is.null(cb$minDelta)) 0 else cb$minDelta)
        if (better) {
            s$best <- v
            s$wait <- 0
        } else {
            s$wait <- s$wait + 1
        }
        if (cb$type == "earlyStopping") {
            if (better && isTRUE(cb$restoreBestWeights)) act$snapshot <- TRUE
            if (!better && s$wait >= cb$patience) {
                act$stop <- TRUE
                act$restore <- isTRUE(cb$restoreBestWeights)
            }
        } else if (cb$type == "reduceLROnPlateau") {
            if (!better && s$wait >= cb$patience) {
                act$lr <- max(log$lr * cb$factor, cb$minLR)
                s$wait <- 0
            }
        } else if (cb$type == "modelCheckpoint") {
            if (better || !isTRUE(cb$saveBestOnly)) {
                f <- gsub("{epoch}", log$epoch, cb$file, fixed = TRUE)
                if (save) saveModel(model, f)
            }
        }
        state[[i]] <- s
    }
    list(action = act, state = state)
}

#' Train a model
#'
#' Trains \code{model} in place (a \code{SequenceModel} has reference
#' semantics: every copy made by \code{<-} is trained too; see
#' \code{\link{copyModel}}), in C++: worker threads fill batches from the
#' generator while LibTorch trains; a progress bar shows the loss; an interrupt
#' (Ctrl-C) stops cleanly after the current step, the model keeping its last
#' completed step.
#'
#' @param model a \code{SequenceModel}.
#' @param x training data: a generator (\code{sequenceGenerator()}), \code{list(x =
#'   one-hot array, y = targets)} or a one-hot array / \code{DNAStringSet} with \code{y}.
#' @param y targets when \code{x} is an array: N x tasks, N x length x
#'   tracks, or a list of those (one per output).
#' @param validation validation data, of the same kinds as \code{x},
#'   or chromosome names: with a \code{SequenceGenerator}, the training and
#'   validation generators are then made by \code{\link{splitGenerator}}
#'   (keras_dna's \code{incl_chromosomes} of the validation set).
#' @param epochs number of epochs.
#' @param stepsPerEpoch batches per epoch (default: all of the generator's).
#' @param validationSteps validation batches (default: all).
#' @param batchSize batch size for array data (generators have their own,
#'   \code{sequenceGenerator(batchSize = 64)}: the same default).
#' @param optimizer \code{"adam"}, \code{"sgd"}, \code{"rmsprop"} or \code{"adamw"}.
#' @param learningRate learning rate.
#' @param loss loss per output: \code{"bce"} (binary cross-entropy of
#'   probabilities, mean over tasks), \code{"cce"} (categorical cross-entropy
#'   of class probabilities: a flat output of K >= 2 units with
#'   \code{activation = "softmax"}; as Keras' \code{categorical_crossentropy},
#'   each row is rescaled to sum 1 and clipped to [1e-7, 1 - 1e-7]; targets
#'   one-hot, N x K, or one class index per sample, N or N x 1, \strong{0-based}
#'   (0 to K - 1) as Keras' sparse categorical cross-entropy, so
#'   \code{as.integer(factor) - 1}; other values are an error), \code{"mse"},
#'   \code{"mae"}, \code{"poisson"}, \code{"mnll"} (multinomial profile) or
#'   \code{"counts"} (MSE of log(1 + total counts), BPNet's counts loss).
#'   Default: the model's. A loss that cannot fit its output is refused:
#'   \code{"mnll"} on a single value (its loss is exactly 0) and \code{"cce"}
#'   without a softmax output are errors, as are \code{"bce"} labels outside
#'   [0, 1]; \code{"bce"} on an output that is not a sigmoid, and \code{"mnll"}
#'   after a sigmoid or softmax, are warnings.
#' @param lossWeights weight of each output's loss (BPNet's counts lambda).
#' @param callbacks a list of \code{\link{earlyStopping}},
#'   \code{\link{modelCheckpoint}}, \code{\link{reduceLROnPlateau}}.
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}; CUDA asked for
#'   and missing is an error.
#' @param mixedPrecision train with automatic mixed precision: the forward pass
#'   runs in float16 on CUDA, with a dynamic loss scale against gradient
#'   underflow, and in bfloat16 on the CPU; weights, optimizer state and losses
#'   stay float32, and the saved model is float32. Prediction and evaluation
#'   run in float32. It pays on GPUs; on the CPU the gain is small (1.0 to 1.1
#'   times float32 for the presets on an AVX512-BF16 CPU; \code{bench/train.R}
#'   measures it).
#' @param verbose show progress.
#' @param momentum,weightDecay optimizer settings (SGD momentum; L2 / decoupled decay).
#' @param prefetchThreads threads filling batches ahead of training (0: load
#'   batches synchronously; default: \code{threads}).
#' @param threads threads of the core: LibTorch's intra-op threads (default:
#'   option GenomicDL.threads).
#' @param seed seed of the shuffling of array data and of dropout.
#' @param layout layout of array data (\code{"NLC"} or \code{"NCL"}).
#' @param metrics metrics recorded per epoch, on the training batches (the
#'   outputs of each step's forward pass, as Keras) and on the validation data:
#'   any of \code{"accuracy"} (binary: prediction > 0.5 against target >= 0.5;
#'   for a \code{"cce"} output: the arg-max class against the true class),
#'   \code{"mae"}, \code{"mse"}, \code{"auroc"}, \code{"aupr"} (average
#'   precision), \code{"pearson"}. Each is computed in C++ over all the values of
#'   an output (tasks and positions pooled, as Keras' metrics; per-task values
#'   are \code{\link{auc}} and \code{\link{correlation}}), unweighted, skipping
#'   NaN targets; a \code{"counts"} output is compared with log(1 + total
#'   counts), a \code{"cce"} output with its one-hot labels, other outputs
#'   as they are (an \code{"mnll"} output holds logits). An unknown name is
#'   an error.
#' @param validationWeights weigh the validation loss by the validation data's
#'   sample weights (a generator's \code{weighting}, or \code{list(x, y,
#'   weights)})? \code{FALSE} by default, as keras_dna's \code{weights_val};
#'   training is always weighted by the training data's weights. The same
#'   concept is \code{weights} of \code{\link{evaluate}}.
#' @param distributed \code{NULL}, or a \code{\link{distributedConfig}}: this
#'   process is then one rank of a data-parallel training (LibTorch's c10d):
#'   it joins the other ranks (waiting at most the config's timeout), starts
#'   from rank 0's weights, trains on its shard of the data (the generator's
#'   batches \code{g * worldSize + rank}: with batches of B, every rank
#'   together equal one process of batch \code{worldSize x B}) with the
#'   gradients averaged over the ranks after each backward pass; only rank 0
#'   prints and writes checkpoints, and every rank returns the same history.
#'   With \code{device = "cuda"} each rank takes \code{cuda:localRank}.
#'   \code{\link{fitDistributed}} starts the ranks on this machine; see it for
#'   the details (dropout, BatchNorm, faults).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{generator} (now \code{x}), \code{workers}
#'   (\code{prefetchThreads}).
#' @details Training refuses what cannot be right: NA, NaN or infinite labels,
#'   inputs or sample weights, and one-hot arrays with values outside [0, 1]
#'   or positions summing to more than 1, are errors before the first step
#'   (for generators, per batch). A loss or a weight that becomes non-finite
#'   stops training with an error naming the step and epoch; the model keeps
#'   its last finite weights, those of the last finite loss.
#' @return The training history (a \code{TrainingHistory} DataFrame: epoch,
#'   loss, val_loss, lr, seconds, samples, per-output losses
#'   \code{loss_<output>} / \code{val_loss_<output>} for several outputs, and
#'   for each metric \code{<metric>} and \code{val_<metric>}, suffixed
#'   \code{_<output>} for several outputs; validation columns are NA without
#'   validation data; with \code{distributed}, \code{allreduce_seconds}: the
#'   epoch's time spent in gradient all-reduces, waits for slower ranks
#'   included).
#' @examples
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
#' m <- sequentialModel(c(10, 4), list(layerConv1d(4, 3, activation = "relu"),
#'     layerGlobalMaxPool1d(), layerDense(1, activation = "sigmoid")))
#' h <- fit(m, x, y = c(1, 0, 1, 0), epochs = 2, batchSize = 2, verbose = FALSE,
#'     metrics = c("accuracy", "auroc"))
#' h
#' ## three classes: softmax output, categorical cross-entropy, 0-based labels
#' m3 <- sequentialModel(c(10, 4), list(layerFlatten(), layerDense(3, activation = "softmax")))
#' fit(m3, x, y = c(0, 2, 1, 0), loss = "cce", metrics = "accuracy", verbose = FALSE)
#' @export
fit <- function(model, x, y = NULL, validation = NULL, epochs = 1,
                stepsPerEpoch = NULL, validationSteps = NULL, batchSize = 64,
                optimizer = c("adam", "sgd", "rmsprop", "adamw"), learningRate = 1e-3,
                loss = NULL, lossWeights = NULL, callbacks = list(), device = "auto",
                mixedPrecision = FALSE, verbose = TRUE, momentum = 0, weightDecay = 0,
                prefetchThreads = NULL, seed = 1, layout = c("NLC", "NCL"), metrics = character(),
                validationWeights = FALSE, threads = NULL, distributed = NULL, ...) {
    .renamedArgs(list(generator = "x", workers = "prefetchThreads"))
    threads <- .threads(threads)
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    metrics <- .metricNames(metrics)
    validationWeights <- .checkFlag(validationWeights, "validationWeights")
    optimizer <- optimizer[1L]
    if (!optimizer %in% c("adam", "sgd", "rmsprop", "adamw"))
        .gdlStop("unknown optimizer '", optimizer, "': use adam, sgd, rmsprop or adamw")
    layout <- .matchArg(layout)
    .checkFlag(mixedPrecision, "mixedPrecision")
    if (is(callbacks, "GenomicDLCallback")) callbacks <- list(callbacks)
    if (!all(vapply(callbacks, is, logical(1L), "GenomicDLCallback")))
        .gdlStop("callbacks must be a list of earlyStopping(), modelCheckpoint(), reduceLROnPlateau()")
    epochs <- .checkCount(epochs, "epochs")
    if (!is.null(stepsPerEpoch)) stepsPerEpoch <- .checkCount(stepsPerEpoch, "stepsPerEpoch")
    if (!is.null(validationSteps)) validationSteps <- .checkCount(validationSteps, "validationSteps")
    batchSize <- .checkCount(batchSize, "batchSize")
    learningRate <- .checkNumber(learningRate, "learningRate", 0, minOpen = TRUE)
    momentum <- .checkNumber(momentum, "momentum", 0)
    weightDecay <- .checkNumber(weightDecay, "weightDecay", 0)
    if (!is.null(prefetchThreads)) prefetchThreads <- .checkCount(prefetchThreads, "prefetchThreads", min = 0)
    .checkCount(seed, "seed", 0)
    dev <- .resolveDevice(device)
    rank <- if (is.null(distributed)) NULL else .rankSetup(distributed, dev)  # train-distributed.R
    if (!is.null(rank)) {
        dev <- rank$device
        verbose <- isTRUE(verbose) && rank$root
    }
    losses <- .lossSpec(model, loss, lossWeights)
    given <- x
    valChromosomes <- NULL
    if (is.character(validation)) {
        if (!is(x, "SequenceGenerator"))
            .gdlStop("validation chromosomes need a SequenceGenerator as training data ",
                     "(or pass a validation x)")
        valChromosomes <- validation
        s <- splitGenerator(x, validation)
        x <- s$train
        validation <- s$validation
    }
    src <- .sourceOf(x, y, batchSize, TRUE, seed, layout, what = "x")
    val <- .sourceOf(validation, NULL, batchSize, FALSE, seed, layout, what = "validation")
    env <- model@handle
    old <- env$history
    opt <- list(epochs = epochs, stepsPerEpoch = if (is.null(stepsPerEpoch)) 0 else stepsPerEpoch,
                validationSteps = if (is.null(validationSteps)) 0 else validationSteps,
                optimizer = optimizer, learningRate = learningRate, momentum = momentum,
                weightDecay = weightDecay, losses = losses, device = dev,
                workers = if (is.null(prefetchThreads)) threads else as.integer(prefetchThreads),
                firstEpoch = if (is.null(old)) 0 else nrow(old), seed = seed,
                threads = threads, mixedPrecision = mixedPrecision,
                encode = .sequenceEncoding(), metrics = metrics,
                validationWeights = validationWeights, distributed = rank$opt)
    .checkMonitors(callbacks, model, metrics)
    state <- rep(list(list(best = NULL, wait = 0)), length(callbacks))
    dataConfig <- .dataConfig(given, batchSize, valChromosomes)
    done <- NULL
    onEpoch <- function(log) {
        ## the model as it stands after this epoch -- its data configuration, losses and
        ## history so far -- so that a checkpoint is the archive saveModel() writes at the end
        done <<- rbind(done, .historyFrame(log, model, metrics))
        env$history <- .history(old, done)
        env$losses <- losses
        env$dataConfig <- dataConfig
        r <- .epochActions(callbacks, state, as.list(done[nrow(done), , drop = FALSE]), model,
                           save = is.null(rank) || rank$root)
        state <<- r$state
        r$action
    }
    ptr <- .modelPtr(model)
    res <- tryCatch(.native(cpp_train_fit(ptr, src, val, opt, onEpoch, isTRUE(verbose))),
                    GenomicDL_error = function(e) {
                        ## the weights the core kept (a non-finite loss: the last finite ones)
                        .syncWeights(model)
                        stop(e)
                    })
    .syncWeights(model)
    hist <- .history(old, .historyFrame(res, model, metrics))
    env$history <- hist
    env$losses <- losses
    env$dataConfig <- dataConfig
    env$device <- res$device
    if (res$interrupted)
        warning("training interrupted; the model keeps its last completed step (",
                res$steps, " steps)", call. = FALSE)
    hist
}

## History rows (data.frame) from the trainer's result or from one epoch's log: the same columns
## either way (a checkpoint's history is the final one cut at its epoch).
.historyFrame <- function(res, model, metrics) {
    h <- data.frame(epoch = res$epoch, loss = res$loss, val_loss = res$val_loss, lr = res$lr,
                    seconds = res$seconds, samples = res$samples)
    ## data-parallel ranks: seconds of the epoch spent in gradient all-reduces
    if (!is.null(res$allreduceSeconds)) h$allreduce_seconds <- res$allreduceSeconds
    nOut <- length(model@spec$outputs)
    on <- .outputNames(model)
    byOutput <- function(x) matrix(x, ncol = nOut)
    if (nOut > 1L) {
        for (k in seq_len(nOut)) {
            h[[paste0("loss_", on[k])]] <- byOutput(res$outputLoss)[, k]
            h[[paste0("val_loss_", on[k])]] <- byOutput(res$valOutputLoss)[, k]
        }
    }
    for (m in metrics)
        for (set in c("", "val_")) {
            v <- byOutput(res[[if (nzchar(set)) "valMetrics" else "metrics"]][[m]])
            if (nOut == 1L) h[[paste0(set, m)]] <- v[, 1L]
            else for (k in seq_len(nOut)) h[[paste0(set, m, "_", on[k])]] <- v[, k]
        }
    h
}

## Callbacks monitor a column of the history: a misspelt one is an error before training, not a
## silent fallback (only val_loss without validation data falls back to loss).
.checkMonitors <- function(callbacks, model, metrics) {
    nOut <- length(model@spec$outputs)
    na <- matrix(NA_real_, 1L, nOut)
    m <- stats::setNames(rep(list(na), length(metrics)), metrics)
    cols <- names(.historyFrame(list(epoch = NA, loss = NA, val_loss = NA, lr = NA, seconds = NA,
                                     samples = NA, outputLoss = na, valOutputLoss = na,
                                     metrics = m, valMetrics = m), model, metrics))
    cols <- setdiff(cols, c("epoch", "lr", "seconds", "samples"))
    for (cb in callbacks)
        if (!is.null(cb$monitor) && !cb$monitor %in% cols)
            .gdlStop(cb$type, "(monitor = \"", cb$monitor, "\"): the history has no such column; ",
                     "use one of ", paste(cols, collapse = ", "))
}

## The TrainingHistory of earlier fits followed by new rows; columns one of them lacks (metrics
## asked for in one fit only) are NA there.
.history <- function(old, h) {
    if (!is.null(old)) {
        old <- as.data.frame(old)
        for (n in setdiff(names(h), names(old))) old[[n]] <- NA_real_
        for (n in setdiff(names(old), names(h))) h[[n]] <- NA_real_
        h <- rbind(old, h[names(old)])
    }
    new("TrainingHistory", S4Vectors::DataFrame(h, check.names = FALSE))
}

## Where sequences are one-hot encoded: "auto" (by the loader on the CPU, on the device from
## one byte per base on a GPU), or "host" / "device" to force one (option GenomicDL.encode).
.sequenceEncoding <- function() {
    e <- getOption("GenomicDL.encode", "auto")
    if (!is.character(e) || length(e) != 1L || !e %in% c("auto", "host", "device"))
        .gdlStop("option GenomicDL.encode must be \"auto\", \"host\" or \"device\"")
    e
}

## What a model remembers of its training data: the arguments of the generator it was given
## (generatorArgs(), to rebuild it) and the validation chromosomes split off it, or a
## description of array data.
.dataConfig <- function(generator, batchSize, validation = NULL) {
    if (is(generator, "SequenceGenerator") || is(generator, "MultiGenerator"))
        return(list(type = "generator", args = .generatorArgs(generator),
                    validation = validation))
    if (isS4(generator)) return(list(type = "generator", generator = generator))
    x <- if (is.list(generator) && !is.null(generator$x)) generator$x else generator
    list(type = "arrays", inputShape = if (is.array(x)) dim(x)[-1L] else NULL,
         batchSize = batchSize)
}

#' Training history of a model
#'
#' @param model a \code{SequenceModel}.
#' @return A \code{TrainingHistory} (DataFrame) or \code{NULL} when untrained.
#' @examples
#' trainingHistory(cnnModel())
#' @export
trainingHistory <- function(model) model@handle$history

#' @rdname trainingHistory
#' @param x a \code{TrainingHistory}.
#' @param y ignored.
#' @param ... ignored.
#' @return \code{plot}: a ggplot of the training and validation losses.
#' @export
plot.TrainingHistory <- function(x, y, ...) {
    d <- as.data.frame(x)
    long <- data.frame(epoch = d$epoch, value = d$loss, set = "training")
    if (any(!is.na(d$val_loss)))
        long <- rbind(long, data.frame(epoch = d$epoch, value = d$val_loss, set = "validation"))
    ggplot2::ggplot(long, ggplot2::aes(x = epoch, y = value, colour = set)) +
        ggplot2::geom_line() + ggplot2::geom_point() +
        ggplot2::labs(x = "epoch", y = "loss", colour = NULL) + ggplot2::theme_bw()
}

utils::globalVariables(c("epoch", "value", "set"))
