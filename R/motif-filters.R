### =========================================================================
### Filters to motifs: filterMotifs(), filterImportance(), plotMotifs()
### -------------------------------------------------------------------------

## First convolution layer of a model: a SequenceModel through .modelFirstConv()
## (branch models), or a list(weight = filters x 4 x width array, bias, dilation)
## given directly (DeepBind-style models, tests).
.firstConv <- function(model) {
    if (is.list(model) && !is.null(model$weight)) {
        conv <- model
    } else if (exists(".modelFirstConv", mode = "function")) {
        conv <- get(".modelFirstConv", mode = "function")(model)
    } else {
        .gdlStop("model must be a SequenceModel or a list(weight, bias, dilation) ",
                 "describing its first convolution layer")
    }
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

## Sequences -> N x 4 x L one-hot array.
.oneHotNCL <- function(sequences, genome = NULL) {
    if (is.array(sequences) && length(dim(sequences)) == 3L) {
        if (dim(sequences)[2L] == 4L) return(sequences)
        if (dim(sequences)[3L] == 4L) return(aperm(sequences, c(1L, 3L, 2L)))
        .gdlStop("a sequence array must be N x 4 x L or N x L x 4")
    }
    oneHot(sequences, genome = genome, layout = "NCL")
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
    pfms <- lapply(keep, function(i) {
        counts <- r$counts[[i]]
        n <- r$nsites[i]
        cs <- colSums(counts)
        p <- sweep(counts, 2L, ifelse(cs > 0, cs, 1), "/")
        ic <- sum(2 + colSums(ifelse(p > 0, p * log2(p), 0)))
        counts <- round(counts)
        storage.mode(counts) <- "integer"
        dimnames(counts) <- list(c("A", "C", "G", "T"), NULL)
        TFBSTools::PFMatrix(ID = paste0("filter", i), name = paste0("filter", i),
                            profileMatrix = counts,
                            tags = list(nsites = n, ic = ic, filter = i))
    })
    names(pfms) <- paste0("filter", keep)
    do.call(TFBSTools::PFMatrixList, c(pfms, list(use.names = TRUE)))
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
#' @param sequences a \code{DNAStringSet} or character vector of equal widths,
#'   a \code{GRanges} of equal widths with \code{genome}, or a one-hot array
#'   (N x 4 x L or N x L x 4).
#' @param genome for \code{GRanges} sequences: anything
#'   \code{\link{genomeSource}} accepts.
#' @param layer the convolution layer (only the first is supported).
#' @param method \code{"max"}: DanQ's method (per sequence and strand, the
#'   position of the largest activation, when it exceeds \code{threshold});
#'   \code{"threshold"}: Basset's (every position whose ReLU'd activation
#'   exceeds half-way from the filter's mean to its maximum over all
#'   sequences).
#' @param strands \code{"both"} scans the reverse complements too.
#' @param threshold for \code{"max"}: the activation a site must exceed.
#' @param threads threads of the core (default: option GenomicDL.threads).
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
filterMotifs <- function(model, sequences, genome = NULL, layer = 1,
                         method = c("max", "threshold"), strands = c("both", "forward"),
                         threshold = 0, threads = NULL) {
    method <- match.arg(method)
    strands <- match.arg(strands)
    if (!identical(as.numeric(layer), 1)) .gdlStop("only the first layer (layer = 1) is supported")
    .checkScalar(threshold, "threshold")
    conv <- .firstConv(model)
    x <- .oneHotNCL(sequences, genome)
    .filterPFMs(conv, x, method, strands, threshold, threads)
}

#' Rank first-layer filters by knockout
#'
#' Knocks each first-layer filter out in turn (its output channel replaced by
#' its mean activation over the sequences, or set to zero) and measures the
#' change of the predictions.
#'
#' @inheritParams filterMotifs
#' @param model a \code{SequenceModel}, or a \code{list(weight, bias,
#'   dilation, forward)} where \code{forward(x, knockout)} maps an N x 4 x L
#'   array to an N x tasks matrix, \code{knockout = list(filter = i, value =
#'   v or "zero")} replacing first-layer output channel i.
#' @param method \code{"mean"} (Basset / AI-TAC: the channel becomes its mean
#'   convolution output over the sequences and positions) or \code{"zero"}.
#' @return A \code{SummarizedExperiment}: rows = filters, columns = tasks,
#'   assays \code{meanAbsDelta} (mean over sequences of |knockout - full|)
#'   and \code{meanSqDelta} (mean squared difference).
#' @export
filterImportance <- function(model, sequences, genome = NULL, method = c("mean", "zero"),
                             threads = NULL) {
    method <- match.arg(method)
    fwd <- if (is.list(model) && is.function(model$forward)) {
        function(model, x, knockout = NULL) model$forward(x, knockout)
    } else if (exists(".modelForward", mode = "function")) {
        get(".modelForward", mode = "function")
    } else {
        .gdlStop("filterImportance() needs a SequenceModel, or a list(weight, bias, dilation, ",
                 "forward = function(x, knockout)) giving the first layer and the forward pass")
    }
    conv <- .firstConv(model)
    x <- .oneHotNCL(sequences, genome)
    storage.mode(x) <- "double"
    full <- as.matrix(fwd(model, x))
    nf <- dim(conv$weight)[1L]
    means <- if (method == "mean")
        .native(cpp_motif_filter_means(conv$weight, conv$bias, conv$dilation, x, .threads(threads)))
    abs <- sq <- matrix(NA_real_, nf, ncol(full),
                        dimnames = list(paste0("filter", seq_len(nf)), colnames(full)))
    for (i in seq_len(nf)) {
        ko <- list(filter = i, value = if (method == "mean") means[i] else "zero")
        d <- as.matrix(fwd(model, x, knockout = ko)) - full
        abs[i, ] <- colMeans(abs(d))
        sq[i, ] <- colMeans(d^2)
    }
    SummarizedExperiment::SummarizedExperiment(
        assays = list(meanAbsDelta = abs, meanSqDelta = sq),
        rowData = S4Vectors::DataFrame(filter = seq_len(nf), knockout = method))
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
    method <- match.arg(method)
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
