### =========================================================================
### Filters to motifs: filterMotifs(), filterImportance(), plotMotifs()
### -------------------------------------------------------------------------

## First convolution layer of a model: a SequenceModel through .modelFirstConv()
## (branch models), or a list(weight = filters x 4 x width array, bias, dilation)
## given directly (DeepBind-style models, tests).
.firstConv <- function(model) {
    conv <- if (is.list(model) && !is.null(model$weight)) model
            else if (is(model, "SequenceModel")) .modelFirstConv(model)
            else if (is(model, "DeepBindModel")) .deepbindFirstConv(model)
            else .gdlStop("model must be a SequenceModel, a DeepBindModel or a list(weight, bias, dilation) ",
                          "describing its first convolution layer")
    w <- conv$weight
    if (!is.array(w) || length(dim(w)) != 3L || dim(w)[2L] != 4L)
        .gdlStop("the first-layer weights must be an array filters x 4 x width (channels A, C, G, T)")
    b <- if (is.null(conv$bias)) numeric(dim(w)[1L]) else as.numeric(conv$bias)
    if (length(b) != dim(w)[1L])
        .gdlStop("the first-layer bias has ", length(b), " values for ", dim(w)[1L], " filters")
    d <- if (is.null(conv$dilation)) 1L else as.integer(conv$dilation)
    storage.mode(w) <- "double"
    list(weight = w, bias = b, dilation = d)
}

## A DeepBind model's detectors as a first convolution: the params file's detectors are indexed
## k + d * (base + 4 * pos), i.e. column-major [detector, base, position]; the thresholds are the
## bias added before the ReLU.
.deepbindFirstConv <- function(model) {
    p <- model@params
    list(weight = array(p$detectors, c(p$num_detectors, 4L, p$detector_len)),
         bias = p$thresholds, dilation = 1L)
}

## The generic path: PFMs from first-layer weights on one-hot sequences.
.filterPFMs <- function(conv, x, method = "max", strands = "both", threshold = 0,
                        threads = NULL) {
    storage.mode(x) <- "double"
    r <- .native(cpp_motif_extract(conv$weight, conv$bias, conv$dilation, x, method,
                                   strands == "both", threshold, .threads(threads)))
    keep <- which(r$nsites > 0)
    if (length(keep) < length(r$nsites))
        message(length(r$nsites) - length(keep), " filter(s) with no site left out: ",
                paste(utils::head(setdiff(seq_along(r$nsites), keep), 20L), collapse = ", "))
    tags <- lapply(keep, function(i) {
        counts <- r$counts[[i]]
        cs <- colSums(counts)
        p <- sweep(counts, 2L, ifelse(cs > 0, cs, 1), "/")
        list(nsites = r$nsites[i], ic = sum(2 + colSums(ifelse(p > 0, p * log2(p), 0))), filter = i)
    })
    .pfmList(r$counts[keep], paste0("filter", keep), tags)
}

#' Motifs from the first-layer filters of a model
#'
#' Scans sequences with each first-layer convolution filter and stacks the
#' sequence under its activations into a position frequency matrix.
#'
#' @param model a \code{SequenceModel} whose first layer is a convolution, a
#'   DeepBind model, or a \code{list(weight, bias, dilation)} giving the first
#'   layer directly (\code{weight}: array filters x 4 x width, channels A, C,
#'   G, T).
#' @param x a \code{DNAStringSet} or character vector of equal widths,
#'   a \code{GRanges} of equal widths with \code{genome}, or a one-hot array
#'   in \code{layout}.
#' @param genome for \code{GRanges} sequences: anything
#'   \code{\link{genomeSource}} accepts.
#' @param layer the convolution layer (only the first is supported).
#' @param method \code{"max"}: DanQ's method (per sequence and strand, the
#'   position of the largest activation, when it exceeds \code{minActivation});
#'   \code{"threshold"}: Basset's (every position whose ReLU'd activation
#'   exceeds half-way from the filter's mean to its maximum over all
#'   sequences).
#' @param strands \code{"both"} scans the reverse complements too.
#' @param minActivation for \code{"max"}: the activation a site must exceed
#'   (formerly \code{threshold}).
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{sequences} (now \code{x}), \code{threshold}
#'   (\code{minActivation}).
#' @param layout layout of a one-hot array \code{x}: \code{"NLC"}
#'   (N x length x 4, as \code{\link{oneHot}} gives) or \code{"NCL"}.
#' @return A \code{TFBSTools::PFMatrixList} of integer counts (rows A, C, G,
#'   T), IDs \code{filter<i>}, tags \code{nsites}, \code{ic} (information
#'   content, bits) and \code{filter}. Filters without a site are left out
#'   with a message.
#' @examples
#' ## a filter that is the GATA motif's consensus
#' w <- array(0, c(1, 4, 4))
#' w[1, , ] <- diag(4)[, c(3, 1, 4, 1)]  # G A T A
#' seqs <- c("CCGATACC", "GATAGGGG", "TTTTTTTT")
#' m <- filterMotifs(list(weight = w, bias = -3), seqs, strands = "forward")
#' TFBSTools::Matrix(m[[1]])
#' @export
filterMotifs <- function(model, x, genome = NULL, layer = 1,
                         method = c("max", "threshold"), strands = c("both", "forward"),
                         minActivation = 0, threads = NULL, layout = c("NLC", "NCL"), ...) {
    .renamedArgs(list(sequences = "x", threshold = "minActivation"))
    method <- .matchArg(method)
    layout <- .matchArg(layout)
    strands <- .matchArg(strands)
    if (!identical(as.numeric(layer), 1)) .gdlStop("only the first layer (layer = 1) is supported")
    .checkNumber(minActivation, "minActivation", finite = FALSE)
    conv <- .firstConv(model)
    x <- .asOneHot(x, layout, "NCL", genome, what = "x")
    .filterPFMs(conv, x, method, strands, minActivation, threads)
}

## Mean first-layer activation of each filter of a list model (see filterImportance): the
## valid convolution over the sequences, then the list's activation (a function or a name).
.listFilterMeans <- function(model, conv, x, threads) {
    act <- if (is.null(model$activation)) "linear" else model$activation
    if (identical(act, "linear"))
        return(.native(cpp_motif_filter_means(conv$weight, conv$bias, conv$dilation, x,
                                              .threads(threads))))
    if (identical(act, "relu")) act <- function(a) pmax(a, 0)
    if (!is.function(act))
        .gdlStop("model$activation must be \"linear\", \"relu\" or a function")
    w <- conv$weight
    nf <- dim(w)[1L]
    k <- dim(w)[3L]
    n <- dim(x)[1L]
    span <- (k - 1L) * conv$dilation + 1L
    P <- dim(x)[3L] - span + 1L
    if (P < 1L) .gdlStop("sequences are shorter than the filter span (", span, ")")
    out <- matrix(conv$bias, nf, n * P)
    for (j in seq_len(k)) {
        xs <- x[, , (j - 1L) * conv$dilation + seq_len(P), drop = FALSE]  # n x 4 x P
        out <- out + w[, , j] %*% matrix(aperm(xs, c(2L, 1L, 3L)), 4L)
    }
    rowMeans(act(out))
}

## Names of the columns of .modelForward(): an output's name (outputName_j for the j-th of
## several values).
.outputColumnNames <- function(model) {
    shapes <- outputShapes(model)
    unlist(Map(function(n, s) if (prod(s) == 1) n else paste0(n, "_", seq_len(prod(s))),
               .outputNames(model), shapes),
           use.names = FALSE)
}

#' Rank first-layer filters by knockout
#'
#' Knocks each first-layer filter out in turn (its output channel, after the
#' layer's activation, replaced by its mean activation over the sequences, or
#' set to zero) and measures the change of the predictions.
#'
#' @inheritParams filterMotifs
#' @param model a \code{SequenceModel} with one input whose first convolution
#'   reads the DNA, or a \code{list(weight, bias, dilation, forward,
#'   activation)} where \code{forward(x, knockout)} maps an N x 4 x L array to
#'   an N x tasks matrix, \code{knockout = list(filter = i, value = v)}
#'   replacing channel i of the first layer's output (after its activation) by
#'   v, and \code{activation} (\code{"linear"}, the default, \code{"relu"} or
#'   a function) is the first layer's activation, applied to its valid
#'   convolution for the means.
#' @param method \code{"mean"} (Basset / AI-TAC: the channel becomes its mean
#'   activation over the sequences and positions; for a \code{SequenceModel}
#'   the mean of the tensor the network itself computes, padded positions
#'   included) or \code{"zero"}.
#' @param batchSize sequences per forward pass (\code{SequenceModel}s): the
#'   mean activations and every knockout.
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}: where the
#'   forward passes of a \code{SequenceModel} run.
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{sequences} (now \code{x}).
#' @return A \code{SummarizedExperiment}: rows = filters, columns = tasks
#'   (named by the model's outputs: \code{name} or \code{name_j} for the j-th
#'   value of an output),
#'   assays \code{meanAbsDelta} (mean over sequences of |knockout - full|)
#'   and \code{meanSqDelta} (mean squared difference); row data: the filter,
#'   the knockout and the value put in place of the filter's output.
#' @examples
#' m <- sequentialModel(c(50, 4), list(layerConv1d(4, 6, activation = "relu"),
#'     layerGlobalMaxPool1d(), layerDense(2)))
#' set.seed(1)
#' seqs <- vapply(1:20, function(i) paste(sample(c("A", "C", "G", "T"), 50, TRUE),
#'                                        collapse = ""), "")
#' se <- filterImportance(m, seqs)
#' SummarizedExperiment::assay(se, "meanAbsDelta")
#' @export
filterImportance <- function(model, x, genome = NULL, method = c("mean", "zero"),
                             batchSize = 128, device = "auto", threads = NULL,
                             layout = c("NLC", "NCL"), ...) {
    .renamedArgs(list(sequences = "x"))
    method <- .matchArg(method)
    layout <- .matchArg(layout)
    batchSize <- .checkCount(batchSize, "batchSize")
    listModel <- is.list(model) && is.function(model$forward)
    if (!listModel && !is(model, "SequenceModel"))
        .gdlStop("filterImportance() needs a SequenceModel, or a list(weight, bias, dilation, ",
                 "forward = function(x, knockout)) giving the first layer and the forward pass")
    conv <- .firstConv(model)
    x <- .asOneHot(x, layout, "NCL", genome, what = "x")
    fwd <- if (listModel) function(x, knockout = NULL) model$forward(x, knockout)
           else function(x, knockout = NULL) .modelForward(model, x, knockout, batchSize = batchSize,
                                                           device = device, threads = threads)
    full <- as.matrix(fwd(x))
    if (!listModel) colnames(full) <- .outputColumnNames(model)
    if (is.null(colnames(full)))
        colnames(full) <- .outputNames(n = ncol(full))
    nf <- dim(conv$weight)[1L]
    values <- if (method == "zero") numeric(nf)
              else if (listModel) .listFilterMeans(model, conv, x, threads)
              else .modelFirstActivationMeans(model, x, batchSize = batchSize)
    abs <- sq <- matrix(NA_real_, nf, ncol(full),
                        dimnames = list(paste0("filter", seq_len(nf)), colnames(full)))
    for (i in seq_len(nf)) {
        d <- as.matrix(fwd(x, knockout = list(filter = i, value = values[i]))) - full
        abs[i, ] <- colMeans(abs(d))
        sq[i, ] <- colMeans(d^2)
    }
    SummarizedExperiment::SummarizedExperiment(
        assays = list(meanAbsDelta = abs, meanSqDelta = sq),
        rowData = S4Vectors::DataFrame(filter = seq_len(nf), knockout = method, value = values,
                                       row.names = rownames(abs)))
}

#' Sequence logos of motifs
#'
#' @param motifs a \code{PFMatrixList}, \code{PFMatrix}, or anything
#'   \code{\link{compareMotifs}} accepts.
#' @param perPage motifs per page.
#' @param page which page to draw.
#' @param method \code{"bits"} or \code{"prob"} (ggseqlogo's methods).
#' @param ncol logos per row.
#' @return A ggplot object (ggseqlogo facets, titled by motif ID).
#' @examples
#' if (requireNamespace("ggseqlogo", quietly = TRUE)) {
#'     motifs <- readMEME(system.file("extdata", "example_motifs.meme", package = "GenomicDL"))
#'     plotMotifs(motifs)
#' }
#' @export
plotMotifs <- function(motifs, perPage = 12, page = 1, method = c("bits", "prob"), ncol = 3) {
    method <- .matchArg(method)
    if (!requireNamespace("ggseqlogo", quietly = TRUE))
        .gdlStop("plotMotifs() needs the ggseqlogo package")
    m <- .motifsToCore(motifs, "motifs")
    n <- length(m$prob)
    idx <- seq.int((page - 1) * perPage + 1, length.out = perPage)
    idx <- idx[idx <= n]
    if (!length(idx)) .gdlStop("page ", page, " is empty (", n, " motifs, ", perPage, " per page)")
    mats <- lapply(idx, function(i) {
        p <- t(m$prob[[i]])
        rownames(p) <- c("A", "C", "G", "T")
        p
    })
    names(mats) <- m$id[idx]
    ggseqlogo::ggseqlogo(mats, method = method, ncol = ncol)
}
