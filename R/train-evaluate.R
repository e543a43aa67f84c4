### =========================================================================
### Evaluation: losses, AUROC / AUPR, correlations (metrics computed in C++)
### -------------------------------------------------------------------------

## Predictions and targets over data (generator or arrays), as lists of matrices N x columns.
.predictData <- function(model, data, y = NULL, device = "auto", steps = NULL,
                         layout = "NLC", batchSize = 128, genome = NULL, annotations = NULL) {
    data <- .chromosomeData(model, data, y, genome, annotations)
    src <- .sourceOf(data, y, batchSize, FALSE, 1, layout, what = "data")
    p <- .native(cpp_train_predict_source(.modelPtr(model), src, .resolveDevice(device),
                                          if (is.null(steps)) 0 else steps, .threads(),
                                          .sequenceEncoding()))
    list(outputs = p$outputs, targets = p$targets)
}

## Data given as chromosome names (and no y): the model's training generator rebuilt from
## generatorConfig() on those chromosomes (keras_dna's evaluate(incl_chromosomes = )), on
## another genome or other annotations when given.
.chromosomeData <- function(model, data, y, genome = NULL, annotations = NULL) {
    if (!is.character(data) || !is.null(y)) return(data)
    a <- generatorConfig(model)
    if (is.null(a) || !is.null(a[["type"]]))
        .gdlStop("data given as chromosomes needs a model trained on a sequenceGenerator (its ",
                 "configuration rebuilds the generator); pass a generator instead")
    attr(a, "validation") <- NULL
    if (!is.null(genome)) a$genome <- genome
    if (!is.null(annotations)) a$annotations <- annotations
    a$chromosomes <- data
    a["excludeChromosomes"] <- list(NULL)
    do.call(sequenceGenerator, a)
}

.taskNames <- function(model, k, n) {
    on <- model@info$outputNames
    base <- if (is.null(on) || length(model@spec$outputs) == 1L) "" else paste0(on[k], ":")
    paste0(base, "task", seq_len(n))
}

#' Evaluate a model on data
#'
#' @param model a \code{SequenceModel}.
#' @param data a generator, \code{list(x, y)}, a one-hot array with \code{y},
#'   or chromosome names: the model's training generator
#'   (\code{\link{generatorConfig}}) rebuilt on those chromosomes.
#' @param genome,annotations with chromosome names as \code{data}: another
#'   genome or other annotation files for the rebuilt generator.
#' @param y targets for array data.
#' @param loss,lossWeights as in \code{\link{fit}} (default: those of the last fit).
#' @param steps batches to use (default: all).
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param layout layout of array data.
#' @param weights weigh the losses by the data's sample weights (a
#'   generator's \code{weighting}, or \code{list(x, y, weights)})?
#'   \code{FALSE} by default, as keras_dna's \code{weights_eval}; the same
#'   concept as \code{validationWeights} of \code{\link{fit}}. A weighted loss
#'   is the mean over samples of weight x loss.
#' @param metrics metrics as in \code{\link{fit}} (\code{"accuracy"},
#'   \code{"mae"}, \code{"mse"}, \code{"auroc"}, \code{"aupr"},
#'   \code{"pearson"}), over all values of each output, unweighted: one column
#'   each (NA in the \code{"total"} row).
#' @return A DataFrame with one row per output (and \code{"total"}): output,
#'   loss (its name; "weighted sum" for the total of the outputs' losses times
#'   their \code{lossWeights}), value, then one column per metric.
#' @examples
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
#' m <- sequentialModel(c(10, 4), list(layerConv1d(4, 3), layerGlobalMaxPool1d(),
#'     layerDense(1, activation = "sigmoid")))
#' evaluate(m, x, y = c(1, 0, 1, 0), metrics = c("accuracy", "mse"))
#' ## sample weights count only when asked for
#' evaluate(m, list(x = x, y = c(1, 0, 1, 0), weights = c(2, 1, 1, 1)), weights = TRUE)
#' @export
evaluate <- function(model, data, y = NULL, loss = NULL, lossWeights = NULL, steps = NULL,
                     device = "auto", layout = c("NLC", "NCL"), genome = NULL,
                     annotations = NULL, weights = FALSE, metrics = character()) {
    layout <- match.arg(layout)
    weights <- .flag(weights, "weights")
    metrics <- .metricNames(metrics)
    data <- .chromosomeData(model, data, y, genome, annotations)
    losses <- if (is.null(loss) && !is.null(model@handle$losses)) model@handle$losses
              else .lossSpec(model, loss, lossWeights)
    src <- .sourceOf(data, y, 128, FALSE, 1, layout, what = "data")
    v <- .native(cpp_train_evaluate(.modelPtr(model), src, losses, .resolveDevice(device),
                                    if (is.null(steps)) 0 else steps, .threads(),
                                    .sequenceEncoding(), weights, metrics))
    on <- model@info$outputNames
    if (is.null(on)) on <- paste0("output", seq_along(model@spec$outputs))
    r <- S4Vectors::DataFrame(output = c("total", on), loss = c("weighted sum", losses$type),
                              value = v$losses)
    for (m in metrics) r[[m]] <- c(NA_real_, v$metrics[[m]])
    r
}

#' Area under the ROC or precision-recall curve
#'
#' AUROC (ties counted one half) or AUPR (average precision) of each task of
#' each output, over the whole data set. Targets >= 0.5 are positive.
#'
#' @inheritParams evaluate
#' @param curve \code{"ROC"} or \code{"PR"}.
#' @return A DataFrame: output, task, auc, positives, negatives.
#' @examples
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
#' m <- sequentialModel(c(10, 4), list(layerConv1d(4, 3), layerGlobalMaxPool1d(),
#'     layerDense(1, activation = "sigmoid")))
#' auc(m, x, y = c(1, 0, 1, 0))
#' @export
auc <- function(model, data, y = NULL, curve = c("ROC", "PR"), steps = NULL, device = "auto",
                layout = c("NLC", "NCL"), genome = NULL, annotations = NULL) {
    curve <- match.arg(curve)
    layout <- match.arg(layout)
    p <- .predictData(model, data, y, device, steps, layout, genome = genome,
                      annotations = annotations)
    .perTask(model, p, if (curve == "ROC") "auroc" else "aupr", "auc", function(o) {
        list(positives = colSums(o >= 0.5, na.rm = TRUE), negatives = colSums(o < 0.5, na.rm = TRUE))
    })
}

#' Correlation of predictions and observations per track
#'
#' Pearson and Spearman correlation of each output column (task, or position x
#' track flattened per track for profile outputs) over the whole data set.
#'
#' @inheritParams evaluate
#' @return A DataFrame: output, task, pearson, spearman.
#' @examples
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
#' m <- sequentialModel(c(10, 4), list(layerConv1d(4, 3), layerGlobalMaxPool1d(),
#'     layerDense(1)))
#' correlation(m, x, y = c(1, 0, 3, 2))
#' @export
correlation <- function(model, data, y = NULL, steps = NULL, device = "auto",
                        layout = c("NLC", "NCL"), genome = NULL, annotations = NULL) {
    layout <- match.arg(layout)
    p <- .predictData(model, data, y, device, steps, layout, genome = genome,
                      annotations = annotations)
    r <- .perTask(model, p, "pearson", "pearson", NULL)
    r$spearman <- .perTask(model, p, "spearman", "spearman", NULL)$spearman
    r
}

## One row per task of each output; profile outputs (N x L*C) are scored per track over all
## positions (rows = samples x positions).
## N x d1 x ... x dk array -> N x (d1 ... dk) matrix with the last axis varying fastest (the
## row-major order of the core's buffers).
.rowMajorMatrix <- function(a) {
    k <- length(dim(a))
    matrix(aperm(a, c(1L, rev(seq_len(k - 1L) + 1L))), nrow = dim(a)[1L])
}

.perTask <- function(model, p, metric, column, extra) {
    shapes <- outputShapes(model)
    on <- model@info$outputNames
    if (is.null(on)) on <- paste0("output", seq_along(shapes))
    rows <- list()
    for (k in seq_along(p$outputs)) {
        t <- k
        if (t > length(p$targets)) next
        pr <- p$outputs[[k]]
        ob <- p$targets[[t]]
        ## a flat output holding a profile target (targetWindow x tracks): read it as the target
        ## (the trainer compares them flattened row-major: value l * C + c is position l, track c)
        ## (correlation); for AUROC / AUPR the axes are cell type x annotation (sparse labels),
        ## each a task of its own (below)
        classify <- metric %in% c("auroc", "aupr")
        if (!classify && length(dim(ob)) == 3L && length(dim(pr)) == 2L &&
            ncol(pr) == prod(dim(ob)[-1L]))
            pr <- aperm(array(pr, dim(ob)[c(1L, 3L, 2L)]), c(1L, 3L, 2L))
        ## columns = tasks (N x tasks) or tracks over all positions ((N * L) x tracks)
        cols <- function(a) if (length(dim(a)) == 3L) matrix(a, ncol = dim(a)[3L])
                            else matrix(a, nrow = dim(a)[1L])
        ## a flat head (N x F) trained on multi-axis targets (N x cells x types, keras_dna's
        ## label shape) compares with the targets flattened in the same (row-major) order
        labels <- NULL
        if (classify && length(dim(pr)) == 2L && length(dim(ob)) > 2L &&
            ncol(pr) == prod(dim(ob)[-1L])) {
            if (length(dim(ob)) == 3L)   # cell type x annotation, annotations fastest
                labels <- data.frame(cell = rep(seq_len(dim(ob)[2L]), each = dim(ob)[3L]),
                                     annotation = rep(seq_len(dim(ob)[3L]), dim(ob)[2L]))
            ob <- .rowMajorMatrix(ob)
        }
        pr <- cols(pr)
        ob <- cols(ob)
        if (ncol(pr) != ncol(ob)) next
        v <- .native(cpp_metric_columns(pr, ob, metric))
        d <- data.frame(output = on[k], task = seq_len(ncol(pr)))
        if (!is.null(labels)) d <- cbind(d, labels)
        d[[column]] <- v
        if (!is.null(extra)) d <- cbind(d, as.data.frame(extra(ob)))
        rows[[length(rows) + 1L]] <- d
    }
    if (!length(rows)) .gdlStop("the data have no targets matching the model's outputs")
    S4Vectors::DataFrame(do.call(rbind, rows))
}
