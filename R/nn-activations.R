### =========================================================================
### First convolution layer of a SequenceModel seen from motif analysis
### (internal): mean first-layer activations, the values of "mean" filter
### knockouts, and filters set by hand (known motifs as filters).
### -------------------------------------------------------------------------

#' Mean first-layer activations of a model (internal)
#'
#' The mean over sequences and positions of each output channel of the
#' model's first convolution layer, after its activation (padded positions
#' included): the tensor that \code{.modelForward(model, x, knockout)}
#' replaces, computed by the network itself.
#'
#' @param model a \code{SequenceModel} with one input.
#' @param x a one-hot array N x 4 x L (\code{layout = "NCL"}) or N x L x 4.
#' @param layout layout of \code{x}.
#' @param batchSize sequences per forward pass.
#' @return A numeric vector, one mean per filter.
#' @keywords internal
.modelFirstActivationMeans <- function(model, x, layout = c("NCL", "NLC"), batchSize = 128) {
    layout <- .matchArg(layout)
    .checkFirstConv(model)
    if (!is.array(x) || length(dim(x)) != 3L) .gdlStop("x must be a one-hot array")
    storage.mode(x) <- "double"
    .native(cpp_activations_means(.modelPtr(model), x, layout == "NLC", batchSize))
}

#' Set the first-layer filters of a model (internal)
#'
#' @param model a \code{SequenceModel} whose first convolution layer reads
#'   one-hot DNA; changed in place (as \code{fit} does).
#' @param weight an array filters x 4 x width (channels A, C, G, T), the
#'   layer's shape.
#' @param bias one value per filter (\code{NULL}: zeros; must be \code{NULL}
#'   for a layer without bias).
#' @return The model, invisibly.
#' @keywords internal
.modelSetFirstConv <- function(model, weight, bias = NULL) {
    .checkFirstConv(model)
    if (!is.array(weight) || length(dim(weight)) != 3L)
        .gdlStop("weight must be an array filters x 4 x width")
    storage.mode(weight) <- "double"
    hasBias <- !identical(model@spec$layers[[.firstConvIndex(model)]]$bias, FALSE)
    if (is.null(bias)) bias <- if (hasBias) numeric(dim(weight)[1L]) else numeric(0)
    .native(cpp_activations_set_first_conv(.modelPtr(model), weight, as.numeric(bias)))
    .syncWeights(model)
    invisible(model)
}

.firstConvIndex <- function(model) {
    types <- vapply(model@spec$layers, function(l) l$type, character(1L))
    which(types == "conv1d")[1L]
}

.checkFirstConv <- function(model) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    if (is.na(.firstConvIndex(model))) .gdlStop("the model has no convolution layer")
    invisible(model)
}
