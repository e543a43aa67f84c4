### =========================================================================
### asTorchModel(): a DeepBind model as a SequenceModel on LibTorch
### -------------------------------------------------------------------------

#' A DeepBind model as a SequenceModel
#'
#' Builds the network of a DeepBind model on LibTorch -- a "full" convolution
#' padded with N (0.25 per channel), the thresholds as the convolution's bias,
#' ReLU, global max pooling (and average pooling), the dense layer(s) -- with
#' the model's parameters, so that it can be fine-tuned
#' (\code{\link{fit}}), interpreted and used with the rest of the package.
#'
#' @param model a \code{\link[=DeepBindModel-class]{DeepBindModel}}.
#' @param inputLength the sequence length of the network; default: the
#'   model's window, \code{int(1.5 x detector length)}. A sequence no longer
#'   than the window is scored by the original as one window, so a network of
#'   the sequence's length gives the same score.
#' @return A \code{SequenceModel} with one output, the score of the forward
#'   strand. For DNA models (\code{reverse_complement} set), the original's
#'   score is the larger of the scores of the sequence and of its reverse
#'   complement.
#' @details The network computes in LibTorch's float32 order, so its scores
#'   agree with \code{\link{deepbindScore}} to about 1e-6, not bit for bit.
#' @examples
#' db <- system.file("extdata", "deepbind", package = "GenomicDL")
#' gata3 <- readDeepBind("D00410.003", db = db)
#' net <- asTorchModel(gata3, inputLength = 20)
#' net
#' x <- Biostrings::DNAStringSet("GAGGTTACGCGGCAAGATAA")
#' max(predict(net, x), predict(net, Biostrings::reverseComplement(x)))
#' deepbindScore(gata3, x)
#' @export
asTorchModel <- function(model, inputLength = NULL) {
    if (!is(model, "DeepBindModel")) .gdlStop("model must be a DeepBindModel")
    p <- model@params
    d <- p$num_detectors
    m <- p$detector_len
    L <- as.integer(if (is.null(inputLength)) m * 1.5 else .checkCount(inputLength, "inputLength"))
    h2 <- if (p$num_hidden > 0) p$num_hidden else 1L
    h1 <- if (p$has_avg_pooling) 2L * d else d
    dense <- if (p$num_hidden > 0)
        list(layerDense(p$num_hidden, activation = "relu", name = "hidden"), layerDense(1, name = "score"))
    else list(layerDense(1, name = "score"))
    conv <- layerConv1d(d, m, padding = "full", padValue = 0.25, activation = "relu", name = "detectors")
    x <- layerInput(c(L, 4))
    h <- connect(conv, x)
    h <- if (p$has_avg_pooling)
        connect(layerConcatenate(name = "pooled"), connect(layerGlobalMaxPool1d(name = "maxpool"), h),
                connect(layerGlobalAvgPool1d(name = "avgpool"), h))
    else connect(layerGlobalMaxPool1d(name = "maxpool"), h)
    for (l in dense) h <- connect(l, h)
    net <- functionalModel(x, h, name = model@id)

    ## parameters, row-major in LibTorch's shapes
    det <- array(p$detectors, c(d, 4L, m))               # [k, base, pos] (file index k + d*(b + 4*pos))
    convW <- aperm(det, c(3L, 2L, 1L))                   # row-major [k][base][pos] = column-major [pos, base, k]
    w1 <- matrix(p$weights1, nrow = h1, ncol = h2, byrow = TRUE)  # [i, j]
    ## the original interleaves max and average pools (2k, 2k+1); the network concatenates them
    if (p$has_avg_pooling) w1 <- w1[c(seq(1L, h1, 2L), seq(2L, h1, 2L)), , drop = FALSE]
    values <- list(detectors.weight = as.numeric(convW), detectors.bias = p$thresholds,
                   hidden.weight = as.numeric(w1),  # row-major [out][in] = column-major [in, out]
                   hidden.bias = p$biases1)
    if (p$num_hidden > 0) {
        values <- c(values, list(score.weight = p$weights2, score.bias = p$biases2))
    } else {
        names(values)[3:4] <- c("score.weight", "score.bias")
    }
    keys <- names(.native(cpp_model_parameter_shapes(.modelPtr(net))))
    ## the network's keys are <layer name>.<module>.<weight|bias>
    full <- vapply(names(values), function(v) {
        parts <- strsplit(v, ".", fixed = TRUE)[[1L]]
        k <- keys[startsWith(keys, paste0(parts[1L], ".")) & endsWith(keys, paste0(".", parts[2L]))]
        if (length(k) != 1L) .gdlStop("unexpected parameters of the network: ", paste(keys, collapse = ", "))
        k
    }, "")
    names(values) <- full
    .native(cpp_model_set_parameters(.modelPtr(net), stats::setNames(values, keys)))
    .syncWeights(net)
    net
}
