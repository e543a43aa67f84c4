### =========================================================================
### Layer specs: plain R lists (serialisable) that the C++ builder turns into
### LibTorch modules. Shapes are Keras-style: sequences (length, channels).
### -------------------------------------------------------------------------

.layer <- function(type, ..., name = NULL, trainable = TRUE) {
    l <- c(list(type = type, name = name, trainable = trainable), list(...))
    structure(l[!vapply(l, is.null, logical(1L))], class = "GenomicDLLayer")
}

.init <- function(init) {
    ok <- c("glorot_uniform", "torch")
    if (!is.character(init) || length(init) != 1L || !init %in% ok)
        .gdlStop("init must be \"glorot_uniform\" (Keras' defaults) or \"torch\" (LibTorch's)")
    if (init == "glorot_uniform") NULL else init  # the default is not stored in the spec
}

#' Layers of sequence models
#'
#' Layer builders for \code{\link{sequentialModel}} and \code{\link{functionalModel}}.
#' They return plain lists (class \code{GenomicDLLayer}) from which the C++ core
#' builds LibTorch modules. Sequence tensors have Keras' shape (length, channels).
#'
#' @param filters number of convolution filters.
#' @param kernelSize width of the filters.
#' @param strides step of the convolution.
#' @param dilation dilation of the filters.
#' @param padding \code{"valid"} (no padding), \code{"same"} (output length =
#'   input length / strides, TensorFlow's rule), \code{"full"} (\code{(kernelSize -
#'   1) * dilation} on each side, DeepBind's "full" convolution) or a whole number
#'   of positions padded on each side.
#' @param padValue value of padded positions (0; 0.25 pads with N as DeepBind does).
#' @eval .rdActivationParam()
#' @param useBias whether the layer has a bias.
#' @param name optional layer name (unique within a model).
#' @param trainable \code{FALSE} freezes the layer's parameters.
#' @param init initialisation of the parameters: \code{"glorot_uniform"}
#'   (Keras' defaults: glorot_uniform kernels, orthogonal recurrent kernels,
#'   zero biases, LSTM forget-gate bias 1) or \code{"torch"} (LibTorch's
#'   defaults: kaiming_uniform(a = sqrt(5)) kernels, uniform biases).
#' @param poolSize,units,rate,shape,length,bidirectional,returnSequences,epsilon,momentum,threshold
#'   layer parameters, as in Keras.
#' @return A \code{GenomicDLLayer}.
#' @examples
#' layerConv1d(16, 3, activation = "relu")
#' # a DeepBind detector layer: "full" convolution padded with N, ReLU after the bias
#' layerConv1d(16, 24, padding = "full", padValue = 0.25, activation = "relu")
#' @name layers
NULL

#' @rdname layers
#' @export
layerConv1d <- function(filters, kernelSize, strides = 1, dilation = 1, padding = "valid",
                        activation = "linear", useBias = TRUE, padValue = 0, name = NULL,
                        trainable = TRUE, init = "glorot_uniform") {
    .checkPadding(padding)
    .layer("conv1d", filters = .checkCount(filters, "filters"), kernel = .checkCount(kernelSize, "kernelSize"),
           stride = .checkCount(strides, "strides"), dilation = .checkCount(dilation, "dilation"),
           padding = if (is.numeric(padding)) .checkCount(padding, "padding", 0) else padding,
           pad_value = as.numeric(padValue), activation = .activation(activation),
           bias = isTRUE(useBias), name = name, trainable = trainable, init = .init(init))
}

.checkPadding <- function(padding) {
    if (is.character(padding) && length(padding) == 1L && padding %in% c("valid", "same", "full"))
        return(invisible())
    if (is.numeric(padding) && length(padding) == 1L && !is.na(padding) && padding >= 0)
        return(invisible())
    .gdlStop("padding must be \"valid\", \"same\", \"full\" or a whole number of positions")
}

#' @rdname layers
#' @export
layerConvTranspose1d <- function(filters, kernelSize, strides = 1, dilation = 1, padding = 0,
                                 activation = "linear", useBias = TRUE, name = NULL,
                                 trainable = TRUE, init = "glorot_uniform") {
    .layer("conv_transpose1d", filters = .checkCount(filters, "filters"),
           kernel = .checkCount(kernelSize, "kernelSize"), stride = .checkCount(strides, "strides"),
           dilation = .checkCount(dilation, "dilation"), padding = .checkCount(padding, "padding", 0),
           activation = .activation(activation), bias = isTRUE(useBias), name = name,
           trainable = trainable, init = .init(init))
}

#' @rdname layers
#' @export
layerMaxPool1d <- function(poolSize = 2, strides = poolSize, name = NULL)
    .layer("maxpool1d", pool = .checkCount(poolSize, "poolSize"), stride = .checkCount(strides, "strides"),
           name = name)

#' @rdname layers
#' @export
layerAvgPool1d <- function(poolSize = 2, strides = poolSize, name = NULL)
    .layer("avgpool1d", pool = .checkCount(poolSize, "poolSize"), stride = .checkCount(strides, "strides"),
           name = name)

#' @rdname layers
#' @export
layerGlobalMaxPool1d <- function(name = NULL) .layer("global_maxpool1d", name = name)

#' @rdname layers
#' @export
layerGlobalAvgPool1d <- function(name = NULL) .layer("global_avgpool1d", name = name)

#' @rdname layers
#' @export
layerDropout <- function(rate, name = NULL) {
    if (.checkNumber(rate, "dropout rate", 0, 1) == 1) .gdlStop("dropout rate must be in [0, 1), not 1")
    .layer("dropout", rate = rate, name = name)
}

#' @rdname layers
#' @export
layerBatchNorm <- function(epsilon = 1e-5, momentum = 0.1, name = NULL, trainable = TRUE)
    .layer("batchnorm", eps = epsilon, momentum = momentum, name = name, trainable = trainable)

#' @rdname layers
#' @export
layerLSTM <- function(units, bidirectional = FALSE, returnSequences = FALSE, name = NULL,
                      trainable = TRUE, init = "glorot_uniform")
    .layer("lstm", units = .checkCount(units, "units"), bidirectional = isTRUE(bidirectional),
           return_sequences = isTRUE(returnSequences), name = name, trainable = trainable,
           init = .init(init))

#' @rdname layers
#' @export
layerGRU <- function(units, bidirectional = FALSE, returnSequences = FALSE, name = NULL,
                     trainable = TRUE, init = "glorot_uniform")
    .layer("gru", units = .checkCount(units, "units"), bidirectional = isTRUE(bidirectional),
           return_sequences = isTRUE(returnSequences), name = name, trainable = trainable,
           init = .init(init))

#' @rdname layers
#' @export
layerDense <- function(units, activation = "linear", useBias = TRUE, name = NULL,
                       trainable = TRUE, init = "glorot_uniform")
    .layer("dense", units = .checkCount(units, "units"), activation = .activation(activation),
           bias = isTRUE(useBias), name = name, trainable = trainable, init = .init(init))

#' @rdname layers
#' @export
layerFlatten <- function(name = NULL) .layer("flatten", name = name)

#' @rdname layers
#' @export
layerReshape <- function(shape, name = NULL) {
    if (!is.numeric(shape) || !length(shape) %in% seq_len(2L) || any(shape < 1))
        .gdlStop("shape must be one or two positive numbers (length, channels)")
    .layer("reshape", shape = as.numeric(shape), name = name)
}

#' @rdname layers
#' @export
layerActivation <- function(activation, threshold = 1e-6, name = NULL)
    .layer("activation", activation = .activation(activation), threshold = threshold, name = name)

#' @rdname layers
#' @export
layerAdd <- function(name = NULL) .layer("add", name = name)

#' @rdname layers
#' @export
layerConcatenate <- function(name = NULL) .layer("concatenate", name = name)

#' @rdname layers
#' @export
layerCrop <- function(length, name = NULL) .layer("crop", length = .checkCount(length, "length"), name = name)

#' @rdname layers
#' @export
layerLogSumExp <- function(name = NULL) .layer("logsumexp", name = name)

#' @export
print.GenomicDLLayer <- function(x, ...) {
    p <- x[setdiff(names(x), c("type", "name", "trainable"))]
    cat("<layer ", x$type, if (!is.null(x$name)) paste0(" '", x$name, "'"), "> ",
        paste(names(p), vapply(p, function(v) paste(format(v), collapse = "x"), ""),
              sep = "=", collapse = ", "), "\n", sep = "")
    invisible(x)
}
