### =========================================================================
### Model zoo: the published architectures (../shared/reference/models.md)
### -------------------------------------------------------------------------

## The last layers of the presets: a dense layer of prod(outputs) units, reshaped when outputs
## is a shape (e.g. a generator's labelShape(), cell types x annotations).
.outputHead <- function(outputs, activation) {
    if (!is.numeric(outputs) || !length(outputs) %in% seq_len(2L) || anyNA(outputs) || any(outputs < 1) ||
        any(outputs != round(outputs)))
        .gdlStop("outputs must be a number of outputs or a shape of two whole numbers, not ",
                 deparse(outputs))
    head <- list(layerDense(prod(outputs), activation = activation))
    if (length(outputs) == 2L) head <- c(head, list(layerReshape(outputs)))
    head
}

#' Published sequence models
#'
#' \code{cnnModel}: the keras_dna tutorial CNN (Conv 16x3, MaxPool 2, Conv
#' 32x10, MaxPool 2, Conv 64x20, MaxPool 2, Flatten, Dense; ReLU, valid
#' convolutions; 2001 bp flattens to 238 x 64). \code{deepseaModel}: DeepSEA
#' (1000 bp -> 919, Threshold(0, 1e-6) activations). \code{danqModel}: DanQ
#' (Conv 320x26, MaxPool 13, (Bi)LSTM 320, Dense 925, Dense 919).
#' \code{bassetModel}: Basset (600 bp -> 164). \code{deepbindNetwork}: a DeepBind
#' network (full convolution padded with N, ReLU after the bias, max or max and
#' average pooling, optional hidden layer).
#'
#' @param inputLength sequence length.
#' @param outputs number of outputs (tasks), or a shape of two numbers such as
#'   a generator's \code{labelShape()} (cell types x annotations): a dense layer of
#'   their product, reshaped to that shape.
#' @param activation activation of the output layer (\code{"sigmoid"} for
#'   classification with \code{"bce"}, \code{"linear"} for regression).
#' @param bidirectional DanQ's LSTM in both directions (the published model)
#'   or forward only (the seed's unidirectional variant).
#' @param filters,kernelSize DeepBind detectors and their width.
#' @param pooling \code{"max"} or \code{"maxavg"} (max and average concatenated).
#' @param hidden units of DeepBind's hidden layer (0: none).
#' @param seed seed of the parameter initialisation.
#' @return A \code{SequenceModel}.
#' @examples
#' m <- cnnModel()
#' summary(m)
#' outputShapes(deepseaModel())
#' @name zoo
NULL

#' @rdname zoo
#' @export
cnnModel <- function(inputLength = 2001, outputs = 1, activation = c("linear", "sigmoid"),
                     seed = 1) {
    activation <- match.arg(activation)
    sequentialModel(c(inputLength, 4), c(list(
        layerConv1d(16, 3, activation = "relu"), layerMaxPool1d(2),
        layerConv1d(32, 10, activation = "relu"), layerMaxPool1d(2),
        layerConv1d(64, 20, activation = "relu"), layerMaxPool1d(2),
        layerFlatten()), .outputHead(outputs, activation)),
        name = "keras_dna_cnn", seed = seed)
}

#' @rdname zoo
#' @export
deepseaModel <- function(inputLength = 1000, outputs = 919, seed = 1) {
    sequentialModel(c(inputLength, 4), c(list(
        layerConv1d(320, 8, activation = "threshold"), layerMaxPool1d(4), layerDropout(0.2),
        layerConv1d(480, 8, activation = "threshold"), layerMaxPool1d(4), layerDropout(0.2),
        layerConv1d(960, 8, activation = "threshold"), layerDropout(0.5),
        layerFlatten(), layerDense(925, activation = "threshold")),
        .outputHead(outputs, "sigmoid")), name = "deepsea", seed = seed)
}

#' @rdname zoo
#' @export
danqModel <- function(inputLength = 1000, outputs = 919, bidirectional = TRUE, seed = 1) {
    sequentialModel(c(inputLength, 4), c(list(
        layerConv1d(320, 26, activation = "relu"), layerMaxPool1d(13), layerDropout(0.2),
        layerLSTM(320, bidirectional = bidirectional, returnSequences = TRUE), layerDropout(0.5),
        layerFlatten(), layerDense(925, activation = "relu")),
        .outputHead(outputs, "sigmoid")), name = "danq", seed = seed)
}

#' @rdname zoo
#' @export
bassetModel <- function(inputLength = 600, outputs = 164, seed = 1) {
    sequentialModel(c(inputLength, 4), c(list(
        layerConv1d(300, 19), layerBatchNorm(), layerActivation("relu"), layerMaxPool1d(3),
        layerConv1d(200, 11), layerBatchNorm(), layerActivation("relu"), layerMaxPool1d(4),
        layerConv1d(200, 7), layerBatchNorm(), layerActivation("relu"), layerMaxPool1d(4),
        layerFlatten(), layerDense(1000, activation = "relu"), layerDropout(0.3),
        layerDense(1000, activation = "relu"), layerDropout(0.3)),
        .outputHead(outputs, "sigmoid")), name = "basset", seed = seed)
}

#' @rdname zoo
#' @export
deepbindNetwork <- function(inputLength = 101, filters = 16, kernelSize = 24,
                            pooling = c("maxavg", "max"), hidden = 32,
                            activation = c("linear", "sigmoid"), seed = 1) {
    pooling <- match.arg(pooling)
    activation <- match.arg(activation)
    dna <- layerInput(c(inputLength, 4))
    h <- connect(layerConv1d(filters, kernelSize, padding = "full", padValue = 0.25,
                             activation = "relu", name = "detectors"), dna)
    p <- connect(layerGlobalMaxPool1d(), h)
    if (pooling == "maxavg") p <- connect(layerConcatenate(), p, connect(layerGlobalAvgPool1d(), h))
    if (hidden > 0) p <- connect(layerDense(hidden, activation = "relu"), p)
    functionalModel(dna, connect(layerDense(1, activation = activation), p), name = "deepbind",
                    seed = seed)
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### BPNet family (BPReveal's soloModel, transformationModel, combinedModel)
###

## Heads as BPReveal's JSON head lists: head-name, num-tasks, profile-loss-weight,
## counts-loss-weight, use-bias-counts (camelCase names accepted too).
.heads <- function(heads) {
    if (is.numeric(heads)) heads <- list(list(`num-tasks` = heads))
    if (!is.list(heads) || length(heads) == 0L) .gdlStop("heads must be a list of head lists")
    if (!is.null(names(heads)) && !is.list(heads[[1L]])) heads <- list(heads)
    get <- function(h, a, b, default) {
        v <- h[[a]]
        if (is.null(v)) v <- h[[b]]
        if (is.null(v)) default else v
    }
    lapply(seq_along(heads), function(i) {
        h <- heads[[i]]
        list(name = as.character(get(h, "head-name", "headName", paste0("head", i))),
             tasks = .count(get(h, "num-tasks", "numTasks", 1), "num-tasks"),
             profileWeight = as.numeric(get(h, "profile-loss-weight", "profileLossWeight", 1)),
             countsWeight = as.numeric(get(h, "counts-loss-weight", "countsLossWeight", 100)),
             useBiasCounts = isTRUE(get(h, "use-bias-counts", "useBiasCounts", FALSE)))
    })
}

## The BPNet tower on node `x`; returns the output nodes (profiles, then counts).
.bpnetTower <- function(x, inputLength, outputLength, filters, layers, inputFilterWidth,
                        outputFilterWidth, heads, prefix = "") {
    need <- outputLength + (inputFilterWidth - 1) + (2^(layers + 2) - 4) + (outputFilterWidth - 1)
    if (inputLength < need)
        .gdlStop("an input of ", inputLength, " bp is too short for ", outputLength,
                 " bp of output with ", layers, " layers and filter widths ", inputFilterWidth,
                 "/", outputFilterWidth, ": it needs ", need, " bp")
    if (inputLength > need) {
        warning("input length ", inputLength, " is longer than the ", need,
                " bp the model needs; the input is cropped", call. = FALSE)
        x <- connect(layerCrop(need, name = paste0(prefix, "input_crop")), x)
    }
    n <- function(s) paste0(prefix, s)
    h <- connect(layerConv1d(filters, inputFilterWidth, activation = "relu", name = n("conv_input")), x)
    for (i in seq_len(layers)) {
        c <- connect(layerConv1d(filters, 3, dilation = 2^i, activation = "relu",
                                 name = n(paste0("conv_dil", i))), h)
        h <- connect(layerAdd(name = n(paste0("add", i))), h, c)
    }
    profiles <- lapply(heads, function(hd)
        connect(layerConv1d(hd$tasks, outputFilterWidth, name = n(paste0("profile_", hd$name))), h))
    pooled <- connect(layerGlobalAvgPool1d(name = n("pool")), h)
    counts <- lapply(heads, function(hd)
        connect(layerDense(1, name = n(paste0("counts_", hd$name))), pooled))
    c(profiles, counts)
}

.bpnetLosses <- function(heads) {
    list(loss = c(rep("mnll", length(heads)), rep("counts", length(heads))),
         weights = c(vapply(heads, function(h) h$profileWeight, 0),
                     vapply(heads, function(h) h$countsWeight, 0)),
         names = c(paste0("profile_", vapply(heads, function(h) h$name, "")),
                   paste0("counts_", vapply(heads, function(h) h$name, ""))))
}

#' BPNet models (BPReveal's solo, transformation and combined models)
#'
#' \code{bpnetModel} builds BPReveal's solo model: a valid convolution of width
#' \code{inputFilterWidth} with ReLU, \code{layers} dilated convolutions (width
#' 3, dilation \eqn{2^i}, ReLU) each added to a centre-cropped copy of its
#' input, then per head a valid profile convolution of width
#' \code{outputFilterWidth} with one channel per task (logits, loss
#' \code{"mnll"}) and global average pooling -> Dense(1) log counts (loss
#' \code{"counts"}, weighted by the head's \code{counts-loss-weight}). The
#' input length must be at least \code{outputLength + (inputFilterWidth - 1) +
#' (2^(layers + 2) - 4) + (outputFilterWidth - 1)}; a longer input is cropped
#' with a warning.
#'
#' \code{transformationModel} freezes a solo (bias) model and learns a simple
#' function of its outputs: \code{"passthrough"} or \code{"simple"} with types
#' \code{"linear"} (m x + b), \code{"sigmoid"} and \code{"relu"} (linear ->
#' activation -> linear), several types summed.
#'
#' \code{combinedModel} builds a residual BPNet beside a frozen bias model (a
#' transformation or solo model) on the same input; the profile logits are
#' added, and the counts combined as \code{log(exp(a) + exp(b))} for heads with
#' \code{use-bias-counts}. It returns \code{list(combined, residual, solo)};
#' train \code{combined}, then use \code{residual} (which shares nothing with
#' the trained combined network: copy its weights with
#' \code{\link{residualWeights}}).
#'
#' @param inputLength,outputLength input and profile lengths.
#' @param filters,layers filters per layer and number of dilated layers.
#' @param inputFilterWidth,outputFilterWidth widths of the first and profile
#'   convolutions.
#' @param heads a list of heads as BPReveal's JSON: \code{list(list("head-name" =
#'   "chip", "num-tasks" = 2, "profile-loss-weight" = 1, "counts-loss-weight" =
#'   100))}, or a number of tasks for one head.
#' @param solo,bias a BPNet \code{SequenceModel} (solo or transformation).
#' @param profileTransform,countsTransform \code{"passthrough"}, \code{"simple"}
#'   or a character vector of types (\code{"linear"}, \code{"sigmoid"},
#'   \code{"relu"}) for a simple transform.
#' @param seed seed of the parameter initialisation.
#' @return A \code{SequenceModel}; \code{combinedModel} a list of three.
#' @examples
#' m <- bpnetModel(3092, 1000, filters = 8, layers = 9, inputFilterWidth = 25,
#'                 outputFilterWidth = 25, heads = 2)
#' outputShapes(m)
#' @export
bpnetModel <- function(inputLength, outputLength, filters = 64, layers = 9,
                       inputFilterWidth = 25, outputFilterWidth = 25, heads = 2, seed = 1) {
    heads <- .heads(heads)
    dna <- layerInput(c(inputLength, 4))
    outs <- .bpnetTower(dna, inputLength, outputLength, filters, layers, inputFilterWidth,
                        outputFilterWidth, heads)
    l <- .bpnetLosses(heads)
    names(outs) <- l$names
    m <- functionalModel(dna, outs, name = "bpnet_solo", loss = l$loss, seed = seed)
    .withHeads(m, l, heads)
}

## Rebuilds a model's graph as nodes on `x` (frozen, names prefixed); returns the output nodes.
.replayModel <- function(model, x, prefix, trainable = FALSE) {
    nodes <- list(x)
    for (l in model@spec$layers) {
        parents <- nodes[l$inputs + 1L]
        layer <- l[setdiff(names(l), "inputs")]
        layer$name <- paste0(prefix, l$name)
        layer$trainable <- trainable && !identical(l$trainable, FALSE)
        nodes[[length(nodes) + 1L]] <- do.call(connect, c(list(structure(layer, class = "GenomicDLLayer")),
                                                      parents))
    }
    nodes[model@spec$outputs + 1L]
}

.transform <- function(node, spec, units, name) {
    if (identical(spec, "passthrough")) return(node)
    types <- if (identical(spec, "simple")) "linear" else spec
    bad <- setdiff(types, c("linear", "sigmoid", "relu"))
    if (length(bad)) .gdlStop("unknown transformation type(s): ", paste(bad, collapse = ", "))
    parts <- lapply(types, function(t) {
        if (t == "linear") return(connect(layerDense(units, name = paste0(name, "_linear")), node))
        h <- connect(layerDense(units, activation = t, name = paste0(name, "_", t, "_in")), node)
        connect(layerDense(units, name = paste0(name, "_", t, "_out")), h)
    })
    if (length(parts) == 1L) parts[[1L]] else do.call(connect, c(list(layerAdd(name = paste0(name, "_sum"))), parts))
}

#' @rdname bpnetModel
#' @export
transformationModel <- function(solo, profileTransform = "simple", countsTransform = "simple",
                                heads = solo@info$heads, seed = 1) {
    if (!is(solo, "SequenceModel")) .gdlStop("solo must be a SequenceModel")
    heads <- .heads(heads)
    inLen <- rev(solo@spec$inputs[[1L]])[1L]
    dna <- layerInput(c(inLen, 4))
    so <- .replayModel(solo, dna, "solo_")
    k <- length(heads)
    if (length(so) != 2L * k) .gdlStop("the solo model has ", length(so), " outputs for ", k, " heads")
    outs <- c(lapply(seq_len(k), function(i) .transform(so[[i]], profileTransform, heads[[i]]$tasks,
                                                        paste0("tprofile_", heads[[i]]$name))),
              lapply(seq_len(k), function(i) .transform(so[[k + i]], countsTransform, 1,
                                                        paste0("tcounts_", heads[[i]]$name))))
    l <- .bpnetLosses(heads)
    names(outs) <- l$names
    m <- functionalModel(dna, outs, name = "bpnet_transformation", loss = l$loss, seed = seed)
    .withHeads(m, l, heads, from = solo, prefix = "solo_")
}

## A BPNet-family model's loss weights and heads; with `from`, the weights of `from` copied into
## the layers named `prefix`... (the solo or bias part it embeds).
.withHeads <- function(m, l, heads, from = NULL, prefix = NULL) {
    m@info$lossWeights <- l$weights
    m@info$heads <- heads
    if (!is.null(from)) {
        .native(cpp_model_copy_weights(.modelPtr(from), .modelPtr(m), prefix, FALSE))
        .syncWeights(m)
    }
    m
}

#' @rdname bpnetModel
#' @export
combinedModel <- function(inputLength, outputLength, filters = 64, layers = 9,
                          inputFilterWidth = 25, outputFilterWidth = 25, heads = 2, bias,
                          seed = 1) {
    if (!is(bias, "SequenceModel")) .gdlStop("bias must be a SequenceModel (a solo or transformation model)")
    heads <- .heads(heads)
    k <- length(heads)
    dna <- layerInput(c(inputLength, 4))
    res <- .bpnetTower(dna, inputLength, outputLength, filters, layers, inputFilterWidth,
                       outputFilterWidth, heads, prefix = "res_")
    biasLen <- rev(bias@spec$inputs[[1L]])[1L]
    bx <- dna
    if (biasLen > inputLength) .gdlStop("the bias model takes ", biasLen, " bp, more than ", inputLength)
    if (biasLen < inputLength) bx <- connect(layerCrop(biasLen, name = "bias_input_crop"), dna)
    bo <- .replayModel(bias, bx, "bias_")
    if (length(bo) != 2L * k) .gdlStop("the bias model has ", length(bo), " outputs for ", k, " heads")
    outs <- c(lapply(seq_len(k), function(i)
                  connect(layerAdd(name = paste0("combined_profile_", heads[[i]]$name)), res[[i]], bo[[i]])),
              lapply(seq_len(k), function(i) {
                  if (!heads[[i]]$useBiasCounts) return(res[[k + i]])
                  connect(layerLogSumExp(name = paste0("combined_counts_", heads[[i]]$name)),
                          res[[k + i]], bo[[k + i]])
              }))
    l <- .bpnetLosses(heads)
    names(outs) <- l$names
    combined <- functionalModel(dna, outs, name = "bpnet_combined", loss = l$loss, seed = seed)
    combined <- .withHeads(combined, l, heads, from = bias, prefix = "bias_")
    names(res) <- l$names
    residual <- functionalModel(dna, res, name = "bpnet_residual", loss = l$loss, seed = seed)
    residual <- .withHeads(residual, l, heads)
    combined@info$residualPrefix <- "res_"
    list(combined = combined, residual = residual, solo = bias)
}

#' Copy the trained residual part of a combined BPNet model
#'
#' @param combined the trained combined model.
#' @param residual the residual model returned beside it by
#'   \code{\link{combinedModel}}.
#' @return \code{residual}, with the weights of the combined model's residual
#'   layers (invisibly; the network is updated in place).
#' @examples
#' bias <- bpnetModel(120, 50, filters = 4, layers = 2, inputFilterWidth = 11,
#'                    outputFilterWidth = 11, heads = 1)
#' cm <- combinedModel(120, 50, filters = 4, layers = 2, inputFilterWidth = 11,
#'                     outputFilterWidth = 11, heads = 1, bias = bias)
#' residualWeights(cm$combined, cm$residual)
#' @export
residualWeights <- function(combined, residual) {
    .native(cpp_model_copy_weights(.modelPtr(combined), .modelPtr(residual), "", TRUE))
    .syncWeights(residual)
    invisible(residual)
}
