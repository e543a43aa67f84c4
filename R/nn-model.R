### =========================================================================
### SequenceModel: an architecture spec (R lists), the LibTorch network built
### from it in C++ (external pointer in an environment, rebuilt from spec +
### weights after readRDS), the training history and the data configuration.
### -------------------------------------------------------------------------

#' SequenceModel: a network on one-hot DNA
#'
#' Built by \code{\link{sequentialModel}}, \code{\link{functionalModel}} or a
#' preset (\code{\link{cnnModel}}, \code{\link{deepseaModel}}, ...), trained in
#' place by \code{\link{fit}}, saved by \code{\link{saveModel}}.
#'
#' @slot spec the architecture: \code{inputs} (shapes, channels first),
#'   \code{layers} (layer specs with 0-based input node ids), \code{outputs}.
#' @slot info name, default losses (one per output), output names, seed.
#' @slot handle environment holding the external pointer to the C++ network,
#'   a view on its weights (serialised with the model, never copied into R
#'   between calls), the training history and the data configuration; for a
#'   model whose network is a view on another's layers (the residual model of
#'   \code{\link{combinedModel}}), that model too.
#' @section Reference semantics:
#' A \code{SequenceModel} is a reference to one network, as a Keras or torch
#' model is: \code{m2 <- m} gives a second name for the same network, and
#' \code{fit(m2, ...)} (or anything else that changes weights, history or
#' data configuration) changes \code{m} too. \code{fit()} therefore trains
#' in place and returns the history, not a model. \code{\link{copyModel}}
#' makes an independent model (its own weights, history and data
#' configuration). Why references: a network's weights are often hundreds of
#' megabytes, and value semantics would copy them on every call that trains
#' or edits them.
#'
#' The weights are not kept in R: they live in the network and are serialised
#' only when the model leaves the process -- \code{saveRDS()},
#' \code{serialize()}, a \code{BiocParallel} worker -- with the values they
#' have at that moment; \code{readRDS()} gives a model (a new reference)
#' whose network is rebuilt on first use. \code{\link{saveModel}} writes
#' the package's own archive.
#' @return A class definition; \code{SequenceModel} objects are made by the
#'   builders and presets above.
#' @exportClass SequenceModel
setClass("SequenceModel", representation(spec = "list", info = "list", handle = "environment"))

#' @importClassesFrom S4Vectors DFrame
setClass("TrainingHistory", contains = "DFrame")

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Constructors
###

.modelInputShape <- function(inputShape) {
    ## a length alone is an error, not c(length, 4): a 1-D shape reads as one channel in Keras,
    ## so guessing either way would silently build another model than the one meant
    if (!is.numeric(inputShape) || length(inputShape) != 2L || anyNA(inputShape) ||
        any(inputShape < 1) || any(inputShape != round(inputShape)))
        .gdlStop("an input shape must be c(length, channels) of whole numbers, e.g. c(1000, 4) ",
                 "for one-hot DNA, not ", deparse(inputShape))
    as.numeric(rev(inputShape))  # channels first inside
}

.defaultLoss <- function(layer) {
    a <- layer$activation
    if (!is.null(a) && a == "sigmoid") "bce" else "mse"
}

.newModel <- function(spec, name, losses, outputNames = NULL, seed = 1) {
    info <- list(name = name, losses = losses, outputNames = outputNames, seed = seed)
    env <- new.env(parent = emptyenv())
    env$ptr <- .native(cpp_model_build(spec, seed))
    env$weights <- .native(cpp_model_weights_view(env$ptr))
    env$history <- NULL
    env$dataConfig <- NULL
    m <- new("SequenceModel", spec = spec, info = info, handle = env)
    .refreshLayerNames(m)
}

## The C++ builder names unnamed layers; keep those names in the spec.
.refreshLayerNames <- function(model) {
    s <- .native(cpp_model_summary(model@handle$ptr))
    for (i in seq_along(model@spec$layers)) model@spec$layers[[i]]$name <- s$name[i]
    model
}

#' Build a sequential model
#'
#' Stacks layers, each reading the previous one, as Keras' \code{Sequential}.
#'
#' @param inputShape \code{c(length, channels)} of the one-hot input, e.g.
#'   \code{c(1000, 4)}.
#' @param layers a list of layers (\code{\link{layerConv1d}}, ...).
#' @param name model name.
#' @param loss default loss of the output for \code{\link{fit}} (by default
#'   \code{"bce"} after a sigmoid, else \code{"mse"}).
#' @param seed seed of the parameter initialisation.
#' @return A \code{SequenceModel}.
#' @examples
#' m <- sequentialModel(c(101, 4), list(
#'     layerConv1d(8, 5, activation = "relu"), layerGlobalMaxPool1d(),
#'     layerDense(1, activation = "sigmoid")))
#' summary(m)
#' # a DeepBind network: full convolution padded with N, ReLU after the bias,
#' # max and average pooling concatenated, then a hidden layer
#' dna <- layerInput(c(101, 4))
#' h <- connect(layerConv1d(16, 24, padding = "full", padValue = 0.25,
#'                          activation = "relu"), dna)
#' p <- connect(layerConcatenate(), connect(layerGlobalMaxPool1d(), h),
#'              connect(layerGlobalAvgPool1d(), h))
#' out <- connect(layerDense(1), connect(layerDense(32, "relu"), p))
#' functionalModel(dna, out)
#' @export
sequentialModel <- function(inputShape, layers, name = "sequential", loss = NULL, seed = 1) {
    if (is(layers, "GenomicDLLayer")) layers <- list(layers)
    if (!is.list(layers) || length(layers) == 0L ||
        !all(vapply(layers, is, logical(1L), "GenomicDLLayer")))
        .gdlStop("layers must be a non-empty list of layers (layerConv1d(), layerDense(), ...)")
    spec <- list(inputs = list(.modelInputShape(inputShape)), layers = list(), outputs = length(layers))
    for (i in seq_along(layers)) {
        l <- unclass(layers[[i]])
        if (l$type %in% c("add", "concatenate", "logsumexp"))
            .gdlStop("layer ", i, " (", l$type, ") merges several inputs: use functionalModel()")
        l$inputs <- i - 1L
        spec$layers[[i]] <- l
    }
    if (is.null(loss)) loss <- .defaultLoss(layers[[length(layers)]])
    .newModel(spec, name, loss, seed = seed)
}

## Functional API: nodes are lists holding the layer and their parent nodes.
.nodeCounter <- new.env(parent = emptyenv())

.newNode <- function(layer, parents, shape = NULL) {
    n <- if (is.null(.nodeCounter$n)) 1L else .nodeCounter$n + 1L
    .nodeCounter$n <- n
    structure(list(id = n, layer = layer, parents = parents, shape = shape),
              class = "GenomicDLNode")
}

#' Inputs and connections of functional models
#'
#' \code{layerInput} declares a model input; \code{connect} applies a layer to
#' one or more nodes and returns the new node. Pass the inputs and outputs to
#' \code{\link{functionalModel}}.
#'
#' @param shape \code{c(length, channels)} of the input (both: a length alone
#'   is an error).
#' @param layer a layer (\code{\link{layerConv1d}}, \code{\link{layerAdd}}, ...).
#' @param ... the nodes the layer reads.
#' @param name input name.
#' @return A \code{GenomicDLNode}.
#' @examples
#' x <- layerInput(c(100, 4))
#' y <- connect(layerConv1d(4, 3), x)
#' @export
layerInput <- function(shape, name = "input") {
    .newNode(list(type = "input", name = name), list(), shape = .modelInputShape(shape))
}

#' @rdname layerInput
#' @export
connect <- function(layer, ...) {
    parents <- list(...)
    if (!is(layer, "GenomicDLLayer")) .gdlStop("connect() needs a layer first")
    if (length(parents) == 0L || !all(vapply(parents, is, logical(1L), "GenomicDLNode")))
        .gdlStop("connect() needs one or more nodes (from layerInput() or connect()) after the layer")
    .newNode(unclass(layer), parents)
}

#' Build a model with several inputs or outputs
#'
#' @param inputs a node from \code{\link{layerInput}} or a list of them (the
#'   first is the one-hot DNA, a second one a secondary track).
#' @param outputs a node or a list of nodes; a named list names the outputs.
#' @param name model name.
#' @param loss default losses, one per output.
#' @param seed seed of the parameter initialisation.
#' @return A \code{SequenceModel}.
#' @examples
#' dna <- layerInput(c(200, 4))
#' h <- connect(layerConv1d(8, 9, activation = "relu"), dna)
#' cls <- connect(layerDense(1, "sigmoid"), connect(layerGlobalMaxPool1d(), h))
#' reg <- connect(layerDense(1), connect(layerGlobalAvgPool1d(), h))
#' m <- functionalModel(dna, list(bound = cls, signal = reg))
#' m
#' @export
functionalModel <- function(inputs, outputs, name = "functional", loss = NULL, seed = 1) {
    if (is(inputs, "GenomicDLNode")) inputs <- list(inputs)
    if (is(outputs, "GenomicDLNode")) outputs <- list(outputs)
    ids <- integer(0)
    nodes <- list()
    visit <- function(node) {
        key <- as.character(node$id)
        if (!is.null(nodes[[key]])) return(invisible())
        for (p in node$parents) visit(p)
        nodes[[key]] <<- node
        ids <<- c(ids, node$id)
    }
    for (o in outputs) visit(o)
    inIds <- vapply(inputs, function(n) n$id, integer(1L))
    for (n in nodes)
        if (n$layer$type == "input" && !n$id %in% inIds)
            .gdlStop("the outputs depend on an input not listed in 'inputs'")
    layerIds <- setdiff(ids, inIds)
    order <- c(inIds, layerIds)
    spec <- list(inputs = lapply(inputs, function(n) n$shape), layers = list(),
                 outputs = match(vapply(outputs, function(n) n$id, integer(1L)), order) - 1L)
    for (i in seq_along(layerIds)) {
        n <- nodes[[as.character(layerIds[i])]]
        l <- n$layer
        l$inputs <- match(vapply(n$parents, function(p) p$id, integer(1L)), order) - 1L
        spec$layers[[i]] <- l
    }
    if (is.null(loss))
        loss <- vapply(outputs, function(o) .defaultLoss(o$layer), character(1L))
    .newModel(spec, name, unname(loss), outputNames = names(outputs), seed = seed)
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### The C++ network
###

.validPtr <- function(p) is(p, "externalptr") && !identical(p, new("externalptr"))

## The external pointer of a model, rebuilt from spec + weights when invalid (after readRDS).
## A view (.shareNetwork) is re-linked to its source's network whenever that is not the one it
## was linked to (the source rebuilt after readRDS, or replaced).
.modelPtr <- function(model) {
    env <- model@handle
    if (!.validPtr(env$ptr)) {
        ptr <- .native(cpp_model_build(model@spec, model@info$seed))
        if (!is.null(env$weights)) .native(cpp_model_load_state(ptr, env$weights))
        env$ptr <- ptr
        env$weights <- .native(cpp_model_weights_view(ptr))  # the R copy is dropped
    }
    if (!is.null(env$viewOf)) {
        src <- .modelPtr(env$viewOf)
        ## identical() compares the addresses; viewPtr holds the old pointer object, so that its
        ## address cannot be reused by a new network while the link is remembered.
        if (!identical(src, env$viewPtr)) {
            .native(cpp_model_share_layers(src, env$ptr))
            env$viewPtr <- src
        }
    }
    env$ptr
}

## Makes `model`'s network a view on `source`'s layers of the same names (BPNet's residual
## model on the residual part of its combined model): the two networks then hold the very same
## torch tensors. Why a view rather than copying weights (or syncing lazily before each use):
## whatever changes the tensors -- fit() of either model, a callback restoring the best epoch,
## loading weights -- is seen by both at once, with nothing to remember to call and no copy
## that can be one step behind; fit(residual) cannot be undone by a later sync from the source.
## The link is kept in the handle (viewOf: the source model, viewPtr: the source network the
## view was made on) so that it survives readRDS (.modelPtr re-links); saveModel() writes
## either model's current weights as a standalone model, and loadModel() gives a standalone
## one (residualWeights() links two loaded models again).
.shareNetwork <- function(model, source) {
    if (identical(model@handle, source@handle)) .gdlStop("a model cannot be a view on itself")
    env <- model@handle
    src <- .modelPtr(source)
    own <- if (.validPtr(env$ptr)) env$ptr else {
        env$viewOf <- NULL  # rebuild the model's own network first, then link it
        .modelPtr(model)
    }
    .native(cpp_model_share_layers(src, own))
    env$viewOf <- source
    env$viewPtr <- src
    .syncWeights(model)
    invisible(model)
}

.layerTable <- function(model) {
    s <- .native(cpp_model_summary(.modelPtr(model)))
    nIn <- length(model@spec$inputs)
    nodeNames <- c(paste0("input_", seq_len(nIn)), s$name)
    conn <- vapply(model@spec$layers, function(l) paste(nodeNames[l$inputs + 1L], collapse = ", "),
                   character(1L))
    list(table = data.frame(layer = paste0(s$name, " (", s$type, ")"), output = s$shape,
                            params = s$params, keras = s$kerasParams, inputs = conn,
                            trainable = s$trainable, stringsAsFactors = FALSE),
         outputShapes = s$outputShapes)
}

#' @rdname SequenceModel-class
#' @param object a \code{SequenceModel}.
#' @param ... ignored.
#' @export
setMethod("summary", "SequenceModel", function(object, ...) {
    t <- .layerTable(object)
    tab <- t$table
    sequential <- all(vapply(seq_along(object@spec$layers),
                             function(i) identical(as.integer(object@spec$layers[[i]]$inputs), i - 1L),
                             logical(1L)))
    cols <- if (sequential) c("layer", "output", "params") else c("layer", "output", "params", "inputs")
    out <- tab[, cols]
    names(out) <- c("Layer (type)", "Output shape", "Param #", "Connected to")[seq_along(cols)]
    out[["Param #"]] <- format(tab$params, big.mark = ",")
    cat("Model: \"", object@info$name, "\"\n", sep = "")
    w <- vapply(names(out), function(n) max(nchar(c(n, out[[n]]))), numeric(1L)) + 2
    line <- strrep("-", sum(w))
    cat(line, "\n")
    row <- function(v) paste(mapply(function(s, n) formatC(s, width = -n), v, w), collapse = "")
    cat(row(names(out)), "\n")
    cat(strrep("=", sum(w)), "\n")
    for (i in seq_len(nrow(out)))
        cat(row(as.character(unlist(out[i, ]))), "\n")
    cat(strrep("=", sum(w)), "\n")
    total <- sum(tab$params)
    cat("Total params: ", format(total, big.mark = ","), "\n", sep = "")
    cat("Trainable params: ", format(sum(tab$params[tab$trainable]), big.mark = ","), "\n", sep = "")
    cat("Non-trainable params: ", format(sum(tab$params[!tab$trainable]), big.mark = ","), "\n", sep = "")
    if (any(tab$keras != tab$params))
        cat("Counted as LibTorch stores them (LSTM: two bias vectors per gate; BatchNorm: running ",
            "statistics as buffers). Keras count: ", format(sum(tab$keras), big.mark = ","), "\n",
            sep = "")
    invisible(tab)
})

#' @rdname SequenceModel-class
#' @export
setMethod("show", "SequenceModel", function(object) {
    t <- .layerTable(object)
    ins <- vapply(object@spec$inputs, function(s) paste0("(", paste(rev(s), collapse = ", "), ")"), "")
    outs <- vapply(t$outputShapes, function(s) paste0("(", paste(s, collapse = ", "), ")"), "")
    cat("SequenceModel '", object@info$name, "': ", nrow(t$table), " layers, ",
        format(sum(t$table$params), big.mark = ","), " parameters\n", sep = "")
    cat("  input:  ", paste(ins, collapse = ", "), "\n", sep = "")
    cat("  output: ", paste(outs, collapse = ", "), "  loss: ",
        paste(object@info$losses, collapse = ", "), "\n", sep = "")
    src <- object@handle$viewOf
    if (!is.null(src)) {
        sh <- src@handle$history
        cat("  weights shared with '", src@info$name, "'",
            if (!is.null(sh) && nrow(sh) > 0) paste0(" (trained ", nrow(sh), " epoch(s))"), "\n",
            sep = "")
    }
    h <- object@handle$history
    if (!is.null(h) && nrow(h) > 0)
        cat("  trained: ", nrow(h), " epoch(s), last loss ", format(tail(h$loss, 1L), digits = 4),
            "\n", sep = "")
    else cat("  untrained\n")
    cat("  reference semantics: copies made by <- share this network; copyModel() for an",
        "independent one\n")
})

#' Copy a model
#'
#' A \code{SequenceModel} has reference semantics (see
#' \code{\link[=SequenceModel-class]{SequenceModel}}): \code{m2 <- m} is the
#' same network under two names. \code{copyModel()} makes an independent
#' model: the same architecture, a copy of the current weights, of the
#' training history and of the data configuration. Training or editing the
#' copy leaves \code{model} as it is, and the reverse. The copy of a model
#' sharing its layers with another (the residual model of
#' \code{\link{combinedModel}}) stands alone.
#'
#' @param model a \code{SequenceModel}.
#' @return A \code{SequenceModel}.
#' @examples
#' m <- sequentialModel(c(10, 4), list(layerConv1d(2, 3), layerGlobalMaxPool1d(),
#'     layerDense(1)))
#' m2 <- copyModel(m)
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT"))
#' fit(m2, x, y = c(1, 0), epochs = 2, verbose = FALSE)
#' identical(predict(m, x), predict(m2, x))   # FALSE: m is untrained
#' @export
copyModel <- function(model) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel, not ", class(model)[1L])
    from <- model@handle
    ptr <- .native(cpp_model_build(model@spec, model@info$seed))
    .native(cpp_model_load_state(ptr, cpp_model_state(.modelPtr(model))))
    env <- new.env(parent = emptyenv())
    ## history, losses, data configuration, device: R values, copied on write
    for (n in setdiff(ls(from, all.names = TRUE), c("ptr", "weights", "viewOf", "viewPtr")))
        assign(n, get(n, envir = from), envir = env)
    env$ptr <- ptr
    env$weights <- .native(cpp_model_weights_view(ptr))
    new("SequenceModel", spec = model@spec, info = model@info, handle = env)
}

#' Number of parameters of a model
#'
#' @param model a \code{SequenceModel}.
#' @param convention \code{"libtorch"} (what the network holds) or
#'   \code{"keras"} (one bias per LSTM gate, BatchNorm statistics counted).
#' @return A number.
#' @examples
#' countParams(cnnModel())
#' @export
countParams <- function(model, convention = c("libtorch", "keras")) {
    convention <- .matchArg(convention)
    t <- .layerTable(model)$table
    sum(if (convention == "keras") t$keras else t$params)
}

#' Output shapes of a model
#'
#' @param model a \code{SequenceModel}.
#' @return A list of integer vectors, Keras-style (length, channels) for
#'   sequence outputs.
#' @examples
#' outputShapes(deepseaModel())
#' @export
outputShapes <- function(model) .layerTable(model)$outputShapes

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Prediction
###

#' Predict with a sequence model
#'
#' @param object a \code{SequenceModel}.
#' @param x a \code{DNAStringSet} (or character vector) of sequences of the
#'   model's input length, a one-hot array, or a generator (every sample once,
#'   in its first epoch's order, the last batch partial).
#' @param layout layout of an array \code{x}: \code{"NLC"} (N x length x 4,
#'   as \code{\link{oneHot}} gives) or \code{"NCL"}.
#' @param secondary for models with a second input, its array.
#' @param batchSize samples per forward pass.
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... ignored.
#' @return For one output, a matrix N x outputs (or an array N x length x
#'   tracks for profile outputs); for several, a list of those.
#' @examples
#' m <- sequentialModel(c(20, 4), list(layerConv1d(4, 5), layerGlobalMaxPool1d(),
#'                                   layerDense(2)))
#' predict(m, Biostrings::DNAStringSet(strrep("ACGT", 5)))
#' @export
setMethod("predict", "SequenceModel", function(object, x, layout = c("NLC", "NCL"),
                                               secondary = NULL, batchSize = 128,
                                               device = "auto", threads = NULL, ...) {
    layout <- .matchArg(layout)
    if (is(x, "SequenceGenerator") || is(x, "MultiGenerator")) {
        ## every sample of the generator once (epoch 1's order, the last batch partial), as
        ## evaluate() and auc() read it
        out <- .predictData(object, x, device = device, threads = threads)$outputs
        if (!is.null(object@info$outputNames)) names(out) <- object@info$outputNames
        return(if (length(out) == 1L) out[[1L]] else out)
    }
    batchSize <- .checkCount(batchSize, "batchSize")
    ## sequences are encoded in `layout` too: the core reads either layout
    inputs <- list(.asOneHot(x, layout, channels = NULL))
    if (!is.null(secondary)) {
        if (!is.numeric(secondary) || anyNA(secondary) || any(is.infinite(secondary)))
            .gdlStop("secondary must be a numeric array without NA, NaN or infinite values")
        inputs[[2L]] <- secondary
    }
    cpp_set_torch_threads(.threads(threads))
    out <- .native(cpp_model_predict(.modelPtr(object), inputs, layout == "NLC", batchSize,
                                     .resolveDevice(device), 0L, 0))
    if (!is.null(object@info$outputNames)) names(out) <- object@info$outputNames
    if (length(out) == 1L) out[[1L]] else out
})

.resolveDevice <- function(device) {
    if (!is.character(device) || length(device) != 1L)
        .gdlStop("device must be \"auto\", \"cpu\" or \"cuda\"")
    .native(cpp_model_device(device))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Contract for motif and interpretation code (internal)
###

#' First-layer convolution of a model (internal)
#'
#' @param model a \code{SequenceModel} whose first layer is a convolution.
#' @return \code{list(weight = filters x 4 x k array (A, C, G, T), bias,
#'   dilation)}.
#' @keywords internal
.modelFirstConv <- function(model) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    first <- model@spec$layers[[1L]]
    if (first$type != "conv1d")
        .gdlStop("the first layer of the model is a ", first$type, ", not a convolution")
    fc <- .native(cpp_model_first_conv(.modelPtr(model)))
    dimnames(fc$weight) <- list(NULL, c("A", "C", "G", "T")[seq_len(dim(fc$weight)[2L])], NULL)
    fc
}

#' Forward pass with an optional first-layer filter knockout (internal)
#'
#' @param model a \code{SequenceModel}.
#' @param x an N x 4 x L one-hot array (NCL).
#' @param knockout \code{NULL} or \code{list(filter = i, value = v)}: channel
#'   \code{i} of the first layer's output (after its activation) is replaced by
#'   \code{v}.
#' @param batchSize,device,threads as in \code{predict()}.
#' @return An N x outputs matrix (all outputs, flattened, side by side).
#' @keywords internal
.modelForward <- function(model, x, knockout = NULL, batchSize = 128, device = "auto",
                          threads = NULL) {
    ko <- 0L
    value <- 0
    if (!is.null(knockout)) {
        ko <- as.integer(.checkCount(knockout$filter, "knockout$filter"))
        value <- if (is.null(knockout$value)) 0 else as.numeric(knockout$value)
    }
    cpp_set_torch_threads(.threads(threads))
    out <- .native(cpp_model_predict(.modelPtr(model), list(x), FALSE, batchSize,
                                     .resolveDevice(device), ko, value))
    do.call(cbind, lapply(out, function(o) matrix(o, nrow = dim(o)[1L])))
}

## Makes sure that the model's weights leave the process with it. They are not copied: the
## handle's `weights` is a view on the network (src/model_weights.cpp, an ALTREP raw vector)
## that serialises the network's current weights when the model is serialised (saveRDS(), a
## BiocParallel worker), so nothing has to be called after fit() or any other change. This
## only (re)makes that view, e.g. for a handle built by hand; kept as the one place to call
## where a model is about to cross a process boundary. A view model (.shareNetwork) shares its
## tensors with its source, whose own view is then current as well.
.syncWeights <- function(model) {
    env <- model@handle
    if (.validPtr(env$ptr)) env$weights <- .native(cpp_model_weights_view(env$ptr))
    invisible(model)
}
