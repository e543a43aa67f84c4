### =========================================================================
### Evaluation: losses, AUROC / AUPR, correlations (metrics computed in C++)
### -------------------------------------------------------------------------

## Predictions and targets over data (generator or arrays), as lists of matrices N x columns,
## with what the labels are (.dataLabels(); NULL for arrays).
.predictData <- function(model, data, y = NULL, device = "auto", steps = NULL,
                         layout = "NLC", batchSize = 128, genome = NULL, annotations = NULL,
                         threads = NULL) {
    data <- .chromosomeData(model, data, y, genome, annotations)
    src <- .sourceOf(data, y, batchSize, FALSE, 1, layout, what = "data")
    p <- .native(cpp_train_predict_source(.modelPtr(model), src, .resolveDevice(device),
                                          if (is.null(steps)) 0 else steps, .threads(threads),
                                          .sequenceEncoding()))
    labels <- .dataLabels(data)
    list(outputs = p$outputs, targets = p$targets, arrays = is.null(labels),
         labels = if (is.null(labels)) .modelLabels(model) else labels)
}

## Data given as chromosome names (and no y): the model's training generator rebuilt from
## generatorConfig() on those chromosomes (keras_dna's evaluate(incl_chromosomes = )), on
## another genome or other annotations when given. A model trained on a multiGenerator is
## evaluated on its first generator's configuration with the genome / annotations given
## (keras_dna's multi-genome evaluation: one genome at a time), or, with neither given, on
## every one of its generators that has those chromosomes, mixed (every sample of each).
.chromosomeData <- function(model, data, y, genome = NULL, annotations = NULL) {
    if (!is.character(data) || !is.null(y)) return(data)
    a <- generatorConfig(model)
    if (is.null(a) || !(is.null(a[["type"]]) || identical(a[["type"]], "multi")))
        .gdlStop("data given as chromosomes needs a model trained on a sequenceGenerator or a ",
                 "multiGenerator (its configuration rebuilds the generator); pass a generator instead")
    rebuild <- function(args, chromosomes) {
        attr(args, "validation") <- NULL
        if (!is.null(genome)) args$genome <- genome
        if (!is.null(annotations)) args$annotations <- annotations
        args$chromosomes <- chromosomes
        args["excludeChromosomes"] <- list(NULL)
        args
    }
    if (is.null(a[["type"]])) return(do.call(sequenceGenerator, rebuild(a, data)))
    if (!is.null(genome) || !is.null(annotations)) {
        args <- rebuild(a$generators[[1L]], data)
        if (!is.null(a$outputShape)) args$outputShape <- a$outputShape
        return(do.call(sequenceGenerator, args))
    }
    gens <- lapply(a$generators, function(args) {
        have <- names(.lengthsOf(genomeSource(args$genome)))
        chr <- intersect(data, have)
        if (!length(chr)) return(NULL)
        do.call(sequenceGenerator, rebuild(args, chr))
    })
    gens <- Filter(Negate(is.null), gens)
    if (!length(gens))
        .gdlStop("no genome of the model's multiGenerator has chromosome(s) ",
                 paste(data, collapse = ", "), "; give genome = and annotations =")
    if (length(gens) == 1L && is.null(a$outputShape)) return(gens[[1L]])
    multiGenerator(gens, batchSize = a$batchSize, seed = a$seed, outputShape = a$outputShape)
}

#' Evaluate a model on data
#'
#' @param model a \code{SequenceModel}.
#' @param x the data: a generator, \code{list(x, y)}, a one-hot array with \code{y},
#'   or chromosome names: the model's training generator
#'   (\code{\link{generatorConfig}}) rebuilt on those chromosomes.
#' @param genome,annotations with chromosome names as \code{x}: another
#'   genome or other annotation files for the rebuilt generator.
#' @param y targets for array data.
#' @param loss,lossWeights as in \code{\link{fit}} (default: those of the last fit).
#' @param steps batches to use (default: all).
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param batchSize batch size for array data (a generator keeps its own).
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{data} (now \code{x}).
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
evaluate <- function(model, x, y = NULL, loss = NULL, lossWeights = NULL, steps = NULL,
                     device = "auto", layout = c("NLC", "NCL"), genome = NULL,
                     annotations = NULL, weights = FALSE, metrics = character(), batchSize = 128,
                     threads = NULL, ...) {
    .renamedArgs(list(data = "x"))
    batchSize <- .checkCount(batchSize, "batchSize")
    layout <- .matchArg(layout)
    weights <- .checkFlag(weights, "weights")
    metrics <- .metricNames(metrics)
    x <- .chromosomeData(model, x, y, genome, annotations)
    losses <- if (is.null(loss) && !is.null(model@handle$losses)) model@handle$losses
              else .lossSpec(model, loss, lossWeights)
    src <- .sourceOf(x, y, batchSize, FALSE, 1, layout, what = "x")
    v <- .native(cpp_train_evaluate(.modelPtr(model), src, losses, .resolveDevice(device),
                                    if (is.null(steps)) 0 else steps, .threads(threads),
                                    .sequenceEncoding(), weights, metrics))
    on <- .outputNames(model)
    r <- S4Vectors::DataFrame(output = c("total", on), loss = c("weighted sum", losses$type),
                              value = v$losses)
    for (m in metrics) r[[m]] <- c(NA_real_, v$metrics[[m]])
    r
}

#' Area under the ROC or precision-recall curve
#'
#' AUROC (ties counted one half) or AUPR (average precision) of each task of
#' each output, over the whole data set. Targets >= 0.5 are positive. A task
#' whose targets hold one class only (no positives, or for the ROC no
#' negatives) has no AUC: its value is \code{NA}, with a warning naming it.
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
auc <- function(model, x, y = NULL, curve = c("ROC", "PR"), steps = NULL, device = "auto",
                layout = c("NLC", "NCL"), genome = NULL, annotations = NULL, batchSize = 128,
                threads = NULL, ...) {
    .renamedArgs(list(data = "x"))
    curve <- .matchArg(curve)
    layout <- .matchArg(layout)
    p <- .predictData(model, x, y, device, steps, layout, batchSize = .checkCount(batchSize, "batchSize"),
                      genome = genome, annotations = annotations, threads = threads)
    r <- .perTask(model, p, if (curve == "ROC") "auroc" else "aupr", "auc", function(o) {
        list(positives = colSums(o >= 0.5, na.rm = TRUE), negatives = colSums(o < 0.5, na.rm = TRUE))
    })
    ## an AUROC needs both classes, an AUPR positives: NA (never a silent NaN) with a warning
    ## naming the tasks
    one <- r$positives == 0 | (curve == "ROC" & r$negatives == 0)
    if (any(one)) {
        r$auc[one] <- NA_real_
        what <- paste0(r$output[one], ":", r$name[one], " (",
                       ifelse(r$positives[one] == 0, "no positives", "no negatives"), ")")
        warning("auc(curve = \"", curve, "\"): task(s) ", paste(what, collapse = ", "),
                " have one class only; their AUC is NA", call. = FALSE)
    }
    r
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
correlation <- function(model, x, y = NULL, steps = NULL, device = "auto",
                        layout = c("NLC", "NCL"), genome = NULL, annotations = NULL,
                        batchSize = 128, threads = NULL, ...) {
    .renamedArgs(list(data = "x"))
    layout <- .matchArg(layout)
    p <- .predictData(model, x, y, device, steps, layout, batchSize = .checkCount(batchSize, "batchSize"),
                      genome = genome, annotations = annotations, threads = threads)
    r <- .perTask(model, p, "pearson", "pearson", NULL)
    r$spearman <- .perTask(model, p, "spearman", "spearman", NULL)$spearman
    r
}

## One row per track of each output: per window, or over all positions for profile outputs
## (rows = samples x positions), named as the labels are (.outputSemantics()).
.perTask <- function(model, p, metric, column, extra) {
    sem <- .outputSemantics(model, p$labels)
    classify <- metric %in% c("auroc", "aupr")
    rows <- list()
    for (k in seq_along(p$outputs)) {
        if (k > length(p$targets)) next
        pr <- p$outputs[[k]]
        ob <- p$targets[[k]]
        size <- function(a) if (is.null(dim(a))) 1 else prod(dim(a)[-1L])
        if (size(pr) != size(ob)) next
        s <- sem[[k]]
        P <- s$positions
        C <- s$channels
        cell <- s$cell
        annotation <- s$annotation
        ## array targets say what they are by their shape: N x L x tracks are profiles for
        ## correlations (a flat head trained on them), N x cells x annotations tasks for AUROC
        if (isTRUE(p$arrays) && P == 0 && length(dim(ob)) == 3L) {
            if (classify) {
                cell <- rep(seq_len(dim(ob)[2L]), each = dim(ob)[3L])
                annotation <- rep(seq_len(dim(ob)[3L]), dim(ob)[2L])
            } else {
                P <- dim(ob)[2L]
                C <- dim(ob)[3L]
                s$names <- .genericNames(C)
            }
        }
        v <- .native(cpp_metric_columns(.trackMatrix(pr, P, C), .trackMatrix(ob, P, C), metric))
        d <- data.frame(output = names(sem)[k], task = seq_len(C), name = s$names)
        if (!is.null(cell)) {
            d$cell <- cell
            d$annotation <- annotation
        }
        d[[column]] <- v
        if (!is.null(extra)) d <- cbind(d, as.data.frame(extra(.trackMatrix(ob, P, C))))
        rows[[length(rows) + 1L]] <- d
    }
    if (!length(rows)) .gdlStop("the data have no targets matching the model's outputs")
    S4Vectors::DataFrame(do.call(rbind, rows))
}
