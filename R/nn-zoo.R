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
    activation <- .matchArg(activation)
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
    pooling <- .matchArg(pooling)
    activation <- .matchArg(activation)
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

## The fields of a head: BPReveal's JSON names first, then camelCase, then the normalised
## names .heads() returns. Models keep the normalised form in info$heads, and it is what
## transformationModel() and combinedModel() take by default: it has to parse back unchanged.
.headFields <- list(name = c("head-name", "headName", "name"),
                    tasks = c("num-tasks", "numTasks", "tasks"),
                    profileWeight = c("profile-loss-weight", "profileLossWeight", "profileWeight"),
                    countsWeight = c("counts-loss-weight", "countsLossWeight", "countsWeight"),
                    useBiasCounts = c("use-bias-counts", "useBiasCounts"))

## Heads as BPReveal's head lists (or a number of tasks for one head), normalised to
## list(name, tasks, profileWeight, countsWeight, useBiasCounts) per head.
.heads <- function(heads) {
    if (is.numeric(heads) && length(heads) == 1L) heads <- list(list(tasks = heads))
    if (!is.list(heads) || length(heads) == 0L)
        .gdlStop("heads must be a list of heads as BPReveal's head-list (list(list(\"head-name\" = ",
                 "\"chip\", \"num-tasks\" = 2, ...))) or a number of tasks for one head")
    ## one head given alone, not in a list of heads
    if (!is.null(names(heads)) && !is.list(heads[[1L]])) heads <- list(heads)
    known <- unlist(.headFields, use.names = FALSE)
    out <- lapply(seq_along(heads), function(i) {
        h <- heads[[i]]
        if (!is.list(h) || (length(h) && is.null(names(h))))
            .gdlStop("head ", i, " must be a named list (head-name, num-tasks, ...)")
        bad <- setdiff(names(h), known)
        if (length(bad))
            .gdlStop("head ", i, ": unknown field(s) ", paste0("'", bad, "'", collapse = ", "),
                     "; a head takes ", paste(vapply(.headFields, `[`, "", 1L), collapse = ", "),
                     if ("counts-loss-frac-target" %in% bad)
                         " (BPReveal's adaptive counts-loss-frac-target is not supported: give counts-loss-weight)")
        get <- function(field, default) {
            for (a in .headFields[[field]]) if (!is.null(h[[a]])) return(h[[a]])
            default
        }
        name <- get("name", paste0("head", i))
        if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name) ||
            grepl(".", name, fixed = TRUE))
            .gdlStop("head ", i, ": head-name must be one non-empty string without '.', not ",
                     deparse(name)[1L])
        weight <- function(field, default, what)
            .checkNumber(get(field, default), paste0("head '", name, "': ", what), 0)
        useBias <- .checkFlag(get("useBiasCounts", FALSE), paste0("head '", name, "': use-bias-counts"))
        list(name = name, tasks = .checkCount(get("tasks", 1), paste0("head '", name, "': num-tasks")),
             profileWeight = weight("profileWeight", 1, "profile-loss-weight"),
             countsWeight = weight("countsWeight", 100, "counts-loss-weight"),
             useBiasCounts = useBias)
    })
    nm <- vapply(out, function(h) h$name, "")
    if (anyDuplicated(nm))
        .gdlStop("head names must be unique: '", nm[anyDuplicated(nm)], "' is given twice")
    out
}

## The heads a model built on `model` takes by default: those it was built with.
.headsOf <- function(model, what) {
    h <- model@info$heads
    if (is.null(h))
        .gdlStop(what, " has no BPNet heads (not built by bpnetModel(), transformationModel() or ",
                 "combinedModel()): give heads")
    h
}

## Checks that a solo / transformation / bias model's outputs are those of `heads` (profiles of
## outputLength x tasks, then one log count per head), so that a mismatch is named here rather
## than by a layer deep in the new graph.
.checkHeadOutputs <- function(model, heads, what, outputLength = NULL) {
    shapes <- outputShapes(model)
    k <- length(heads)
    if (length(shapes) != 2L * k)
        .gdlStop(what, " has ", length(shapes), " outputs; ", k, " head(s) need ", 2L * k,
                 " (profiles, then counts)")
    for (i in seq_len(k)) {
        p <- shapes[[i]]
        if (length(p) != 2L || p[2L] != heads[[i]]$tasks)
            .gdlStop("head '", heads[[i]]$name, "' has ", heads[[i]]$tasks, " task(s), but profile ",
                     "output ", i, " of ", what, " has shape (", paste(p, collapse = ", "), ")")
        if (!is.null(outputLength) && p[1L] != outputLength)
            .gdlStop(what, " predicts profiles of ", p[1L], " bp for head '", heads[[i]]$name,
                     "', not outputLength = ", outputLength)
        if (!identical(as.numeric(shapes[[k + i]]), 1))
            .gdlStop("counts output ", k + i, " of ", what, " must be one log count per sample")
    }
    invisible(TRUE)
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

## BPReveal's losses per head: the profile MNLL weighted by profile-loss-weight and the counts
## MSE weighted by counts-loss-weight; outputs are all profiles, then all counts. Each counts
## output reads the profile target of its own head (the trainer's default would pair it with the
## output before it, the last head's profile).
.bpnetLosses <- function(heads) {
    k <- length(heads)
    list(loss = c(rep("mnll", k), rep("counts", k)),
         weights = c(vapply(heads, function(h) h$profileWeight, 0),
                     vapply(heads, function(h) h$countsWeight, 0)),
         targets = c(seq_len(k), seq_len(k)),
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
#' \code{"counts"}). The input length must be at least \code{outputLength +
#' (inputFilterWidth - 1) + (2^(layers + 2) - 4) + (outputFilterWidth - 1)}; a
#' longer input is cropped with a warning. The outputs are all the profiles,
#' then all the counts, in the order of the heads, named \code{profile_<head>}
#' and \code{counts_<head>}.
#'
#' \code{transformationModel} freezes a solo (bias) model and learns a simple
#' function of its outputs, as BPReveal's transformation model: the
#' specification \code{list(name = "passthrough")} (the output unchanged) or
#' \code{list(name = "simple", types = c(...))} with types \code{"linear"}
#' (\eqn{m x + b}), \code{"sigmoid"} and \code{"relu"} (linear -> activation ->
#' linear), several types summed. On profiles the function applies at each
#' position across the head's tasks. By default it keeps the solo model's
#' heads (names, tasks, loss weights).
#'
#' \code{combinedModel} builds a residual BPNet beside a frozen bias model (a
#' transformation or solo model) on the same input (the bias input is
#' centre-cropped when the bias model takes less); the profile logits are
#' added, and for heads with \code{use-bias-counts} the counts are combined as
#' \code{log(exp(a) + exp(b))} (else the residual counts are the output). By
#' default it takes the bias model's heads. It returns \code{list(combined,
#' residual, solo)}: train \code{combined}; \code{residual} is the bias-free
#' model and shares its weights with the residual part of \code{combined} (the
#' same tensors, not a copy), so it predicts with the trained weights as soon
#' as \code{fit(combined, ...)} returns (and training \code{residual} would
#' change \code{combined} too). \code{\link{residualWeights}} links or copies
#' them for models loaded separately. \code{\link{saveModel}} writes either
#' one as a standalone model.
#'
#' Losses are BPReveal's, per head: the profile MNLL times the head's
#' \code{profile-loss-weight} plus the counts loss times its
#' \code{counts-loss-weight}; \code{\link{fit}} and \code{\link{evaluate}} use
#' these weights (\code{model@info$lossWeights}) unless given
#' \code{lossWeights}. Each counts output is compared with the profile target
#' of its own head.
#'
#' @param inputLength,outputLength input and profile lengths.
#' @param filters,layers filters per layer and number of dilated layers.
#' @param inputFilterWidth,outputFilterWidth widths of the first and profile
#'   convolutions.
#' @param heads a list of heads as BPReveal's head-list JSON:
#'   \code{list(list("head-name" = "chip", "num-tasks" = 2,
#'   "profile-loss-weight" = 1, "counts-loss-weight" = 100, "use-bias-counts" =
#'   FALSE))} (defaults as shown; camelCase names such as \code{numTasks}, and
#'   the normalised form a model keeps in \code{model@info$heads}, are
#'   accepted too), or a number of tasks for one head. \code{transformationModel}
#'   and \code{combinedModel} take by default the heads of \code{solo} or
#'   \code{bias}.
#' @param solo,bias a BPNet \code{SequenceModel} (solo or transformation).
#' @param profileTransform,countsTransform a transformation as BPReveal's
#'   \code{profile-architecture} / \code{counts-architecture}:
#'   \code{list(name = "simple", types = c("linear", "sigmoid"))} or
#'   \code{list(name = "passthrough")}; also \code{"passthrough"},
#'   \code{"simple"} (one linear type) or a character vector of types.
#' @param seed seed of the parameter initialisation.
#' @return A \code{SequenceModel}; \code{combinedModel} a list of three.
#' @examples
#' m <- bpnetModel(3092, 1000, filters = 8, layers = 9, inputFilterWidth = 25,
#'                 outputFilterWidth = 25, heads = 2)
#' outputShapes(m)
#' ## BPReveal's three models on 120 bp (88 bp profiles), two heads
#' heads <- list(list("head-name" = "chip", "num-tasks" = 2, "counts-loss-weight" = 10),
#'               list("head-name" = "input", "num-tasks" = 1, "use-bias-counts" = TRUE))
#' solo <- bpnetModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
#'                    outputFilterWidth = 11, heads = heads)
#' tm <- transformationModel(solo,
#'                           list(name = "simple", types = c("linear", "sigmoid")),
#'                           list(name = "passthrough"))
#' vapply(tm@info$heads, function(h) h$tasks, 0)
#' cm <- combinedModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
#'                     outputFilterWidth = 11, bias = tm)
#' outputShapes(cm$combined)
#' cm$combined@info$lossWeights
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

.transformTypes <- c("linear", "sigmoid", "relu")

## A transformation specification (BPReveal's profile-architecture / counts-architecture,
## or the short forms) -> its types; character(0) for a passthrough.
.transformSpec <- function(spec, what) {
    if (is.list(spec)) {
        if (length(spec) && is.null(names(spec)))
            .gdlStop(what, " must be a named list such as list(name = \"simple\", types = ",
                     "c(\"linear\", \"sigmoid\")) or list(name = \"passthrough\")")
        bad <- setdiff(names(spec), c("name", "types"))
        if (length(bad))
            .gdlStop(what, ": unknown field(s) ", paste0("'", bad, "'", collapse = ", "),
                     " of a transformation specification; use name and types")
        name <- spec$name
        if (!is.character(name) || length(name) != 1L || is.na(name))
            .gdlStop(what, ": name must be \"simple\" or \"passthrough\", not ", deparse(name)[1L])
        types <- spec$types
        if (is.list(types)) types <- unlist(types)  # JSON arrays read as lists
        if (is.null(types)) types <- character(0)
    } else if (is.character(spec) && length(spec) >= 1L && !anyNA(spec)) {
        name <- if (identical(spec, "passthrough")) "passthrough" else "simple"
        types <- if (name == "passthrough" || identical(spec, "simple")) character(0) else spec
    } else {
        .gdlStop(what, " must be a transformation specification such as list(name = \"simple\", ",
                 "types = c(\"linear\", \"sigmoid\")), \"passthrough\" or types, not ",
                 deparse(spec)[1L])
    }
    if (!name %in% c("simple", "passthrough"))
        .gdlStop(what, ": unknown transformation '", name, "'; use \"simple\" or \"passthrough\"")
    if (!is.character(types) || anyNA(types))
        .gdlStop(what, ": types must be a character vector of ",
                 paste0("\"", .transformTypes, "\"", collapse = ", "))
    if (name == "passthrough") {
        if (length(types))
            .gdlStop(what, ": a passthrough transformation takes no types (given ",
                     paste(types, collapse = ", "), ")")
        return(character(0))
    }
    ## "simple" alone: BPReveal's plainest transform, one linear function
    if (!length(types)) types <- "linear"
    bad <- setdiff(types, .transformTypes)
    if (length(bad))
        .gdlStop(what, ": unknown transformation type(s) ", paste0("'", bad, "'", collapse = ", "),
                 "; use ", paste0("\"", .transformTypes, "\"", collapse = ", "))
    if (anyDuplicated(types))
        .gdlStop(what, ": type '", types[anyDuplicated(types)], "' is given twice")
    types
}

.transform <- function(node, types, units, name) {
    if (!length(types)) return(node)
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
                                heads = NULL, seed = 1) {
    if (!is(solo, "SequenceModel")) .gdlStop("solo must be a SequenceModel")
    heads <- .heads(if (is.null(heads)) .headsOf(solo, "the solo model") else heads)
    profileTypes <- .transformSpec(profileTransform, "profileTransform")
    countsTypes <- .transformSpec(countsTransform, "countsTransform")
    .checkHeadOutputs(solo, heads, "the solo model")
    inLen <- rev(solo@spec$inputs[[1L]])[1L]
    dna <- layerInput(c(inLen, 4))
    so <- .replayModel(solo, dna, "solo_")
    k <- length(heads)
    outs <- c(lapply(seq_len(k), function(i) .transform(so[[i]], profileTypes, heads[[i]]$tasks,
                                                        paste0("tprofile_", heads[[i]]$name))),
              lapply(seq_len(k), function(i) .transform(so[[k + i]], countsTypes, 1,
                                                        paste0("tcounts_", heads[[i]]$name))))
    l <- .bpnetLosses(heads)
    names(outs) <- l$names
    m <- functionalModel(dna, outs, name = "bpnet_transformation", loss = l$loss, seed = seed)
    .withHeads(m, l, heads, from = solo, prefix = "solo_")
}

## A BPNet-family model's losses (weights and counts targets per head) and heads; with `from`,
## the weights of `from` copied into the layers named `prefix`... (the solo or bias part it
## embeds).
.withHeads <- function(m, l, heads, from = NULL, prefix = NULL) {
    m@info$lossWeights <- l$weights
    m@info$lossTargets <- l$targets
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
                          inputFilterWidth = 25, outputFilterWidth = 25, heads = NULL, bias,
                          seed = 1) {
    if (missing(bias) || !is(bias, "SequenceModel"))
        .gdlStop("bias must be a SequenceModel (a solo or transformation model)")
    heads <- .heads(if (is.null(heads)) .headsOf(bias, "the bias model") else heads)
    .checkHeadOutputs(bias, heads, "the bias model", outputLength)
    k <- length(heads)
    dna <- layerInput(c(inputLength, 4))
    res <- .bpnetTower(dna, inputLength, outputLength, filters, layers, inputFilterWidth,
                       outputFilterWidth, heads, prefix = "res_")
    biasLen <- rev(bias@spec$inputs[[1L]])[1L]
    bx <- dna
    if (biasLen > inputLength) .gdlStop("the bias model takes ", biasLen, " bp, more than ", inputLength)
    if (biasLen < inputLength) bx <- connect(layerCrop(biasLen, name = "bias_input_crop"), dna)
    bo <- .replayModel(bias, bx, "bias_")
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
    combined@info$residualPrefix <- "res_"
    names(res) <- l$names
    residual <- functionalModel(dna, res, name = "bpnet_residual", loss = l$loss, seed = seed)
    residual <- .withHeads(residual, l, heads)
    ## The residual's layers carry the names of the combined model's residual layers (res_...):
    ## its network becomes a view on them (see .shareNetwork).
    residual <- .shareNetwork(residual, combined)
    list(combined = combined, residual = residual, solo = bias)
}

#' Link the residual model to a combined BPNet model
#'
#' The residual model returned by \code{\link{combinedModel}} already shares
#' its weights with the combined model (the same tensors), so it needs no
#' call to this function: calling it then is a harmless no-op. For a residual
#' and a combined model loaded separately (\code{\link{loadModel}}), or built
#' by separate calls, it makes the residual model's network a view on the
#' combined model's residual layers (\code{res_...}, matched by name and
#' shape): the residual then predicts with the combined model's weights, now
#' and after further training of either.
#'
#' @param combined a combined model (\code{\link{combinedModel}}).
#' @param residual a residual model of the same architecture.
#' @return \code{residual} (invisibly), updated in place: every copy of it
#'   reads the combined model's weights.
#' @examples
#' bias <- bpnetModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
#'                    outputFilterWidth = 11, heads = 1)
#' cm <- combinedModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
#'                     outputFilterWidth = 11, bias = bias)
#' residualWeights(cm$combined, cm$residual)  # already shared: nothing to do
#' ## models saved and loaded separately
#' fc <- tempfile(fileext = ".gdlm")
#' fr <- tempfile(fileext = ".gdlm")
#' saveModel(cm$combined, fc)
#' saveModel(cm$residual, fr)
#' residual <- residualWeights(loadModel(fc), loadModel(fr))
#' @export
residualWeights <- function(combined, residual) {
    if (!is(combined, "SequenceModel") || !is(residual, "SequenceModel"))
        .gdlStop("combined and residual must be SequenceModels (from combinedModel() or loadModel())")
    invisible(.shareNetwork(residual, combined))
}
