### =========================================================================
### compareMotifs(): Tomtom's motif comparison
### -------------------------------------------------------------------------

#' Compare motifs with Tomtom's statistics
#'
#' Compares each query motif with every target motif (and its reverse
#' complement) as MEME suite's Tomtom 5.5 does, in the threaded C++ core.
#'
#' @param query,target \code{PFMatrix}, \code{PFMatrixList},
#'   \code{PWMatrixList}, or the path of a MEME or JASPAR file. \code{query}
#'   may also be a numeric array N x width x 4 (letters A, C, G, T) of
#'   non-negative weights, one motif per row, each position scaled to sum to
#'   1: one-hot seqlets, or absolute contributions of seqlets, compared in
#'   bulk without building N matrix objects (ids from the row names, else
#'   \code{"query1"}, ...; nsites unknown, i.e. Tomtom's 20).
#' @param dist column similarity: \code{"pearson"} (Pearson correlation with
#'   both means fixed at 1/4), \code{"ed"} (minus the Euclidean distance),
#'   \code{"sandelin"} or \code{"kullback"} (minus the average
#'   Kullback-Leibler divergence). Tomtom's default is \code{"ed"}.
#' @param minOverlap minimum number of overlapping columns of an alignment
#'   (lowered to the width of the shorter motif).
#' @param threshold significance threshold: on q-values, or on E-values when
#'   \code{evalue = TRUE}.
#' @param evalue threshold on E-values instead of q-values.
#' @param completeScores \code{TRUE} (Tomtom's default) scores unaligned query
#'   columns by their median-shifted scores; \code{FALSE} uses Tomtom's
#'   \code{-incomplete-scores} statistics.
#' @param nNearest \code{NULL} (every target that passes \code{threshold}), or
#'   k: only the k best targets per query, in Tomtom's order. Their
#'   statistics are those of the full comparison (q-values over all targets),
#'   and the result holds at most k rows per query, so that many queries
#'   (100,000 seqlets against JASPAR) fit in memory O(queries x k).
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{thresh} (now \code{threshold}).
#' @return A \code{DataFrame} with Tomtom's \code{-text} columns, in Tomtom's
#'   order (queries in input order; per query by p-value, then overlap):
#'   \code{Query_ID}, \code{Target_ID}, \code{Optimal_offset}, \code{p-value},
#'   \code{E-value}, \code{q-value}, \code{Overlap}, \code{Query_consensus},
#'   \code{Target_consensus}, \code{Orientation}. Each target appears once per
#'   query, on its better strand.
#' @details The statistics are Tomtom's: a pseudocount of 0.1 times the
#'   background (the query file's, uniform for matrix objects); column scores
#'   of every query column against all target columns and their reverse
#'   complements; each query column's scores shifted by their median and
#'   binned to integers 0..100; the null of a summed alignment score is the
#'   convolution of the per-column empirical nulls; the p-value is that of the
#'   best alignment among all alignments and both strands; E = p x number of
#'   targets; q-values by Storey's method with Tomtom's bootstrap estimate of
#'   pi0. p-values are single precision, as Tomtom reports them. Tomtom warns
#'   that fewer than 50 targets give inaccurate p-values.
#' @references Gupta S, Stamatoyannopoulos JA, Bailey TL, Noble WS (2007).
#'   Quantifying similarity between motifs. Genome Biology 8:R24.
#' @examples
#' motifs <- system.file("extdata", "example_motifs.meme", package = "GenomicDL")
#' compareMotifs(motifs, motifs, dist = "pearson", threshold = 1)
#' @export
compareMotifs <- function(query, target, dist = c("pearson", "ed", "sandelin", "kullback"),
                          minOverlap = 1, threshold = 0.5, evalue = FALSE, completeScores = TRUE,
                          nNearest = NULL, threads = NULL, ...) {
    .renamedArgs(list(thresh = "threshold"))
    dist <- .matchArg(dist)
    .checkNumber(minOverlap, "minOverlap", min = 0)
    .checkNumber(threshold, "threshold", min = 0)
    .checkFlag(evalue, "evalue")
    .checkFlag(completeScores, "completeScores")
    if (!is.null(nNearest)) .checkCount(nNearest, "nNearest", max = .Machine$integer.max,
                                        note = " (or NULL: all targets)")
    if (!evalue && threshold > 1)
        .gdlStop("threshold (", threshold, ") must be at most 1 for q-values; use evalue = TRUE")
    q <- if (is.array(query) && is.numeric(query)) .arrayToCoreMotifs(query, "query")
         else .motifsToCore(query, "query")
    t <- .motifsToCore(target, "target")
    .tomtom(q, t, dist, as.integer(minOverlap), threshold, evalue, completeScores, threads,
            nNearest = if (is.null(nNearest)) 0L else as.integer(nNearest))
}

## An N x width x 4 array of non-negative weights as core motifs (positions scaled to sum 1).
.arrayToCoreMotifs <- function(x, what) {
    d <- dim(x)
    if (length(d) != 3L || d[3L] != 4L || d[1L] < 1L || d[2L] < 1L)
        .gdlStop(what, ": an array of motifs must be N x width x 4 (A, C, G, T), not ",
                 paste(d, collapse = " x "))
    if (anyNA(x) || any(!is.finite(x))) .gdlStop(what, ": the array holds NA, NaN or infinite values")
    if (any(x < 0)) .gdlStop(what, ": the array holds negative weights; give probabilities, ",
                             "one-hot seqlets or absolute contributions")
    tot <- rowSums(x, dims = 2L)
    if (any(tot <= 0)) {
        w <- which(tot <= 0, arr.ind = TRUE)[1L, ]
        .gdlStop(what, ": motif ", w[1L], " has no weight at position ", w[2L])
    }
    ids <- dimnames(x)[[1L]]
    if (is.null(ids)) ids <- paste0("query", seq_len(d[1L]))
    p <- x / as.vector(tot)
    prob <- lapply(seq_len(d[1L]), function(i) matrix(p[i, , ], d[2L], 4L))
    list(id = ids, name = rep("", d[1L]), url = rep("", d[1L]), nsites = numeric(d[1L]),
         prob = prob, background = c(0.25, 0.25, 0.25, 0.25))
}

## reference = TRUE: the straightforward per-target path (benchmarks and tests).
.tomtom <- function(q, t, dist, minOverlap, thresh, evalue, completeScores, threads = NULL,
                    reference = FALSE, exact = FALSE, nNearest = 0L) {
    r <- .native(cpp_motif_tomtom(q, t, dist, minOverlap, thresh, evalue, completeScores,
                                  reference, exact, q$background, nNearest, .threads(threads)))
    S4Vectors::DataFrame(Query_ID = q$id[r$query], Target_ID = t$id[r$target],
                         Optimal_offset = r$offset, `p-value` = r$pvalue,
                         `E-value` = r$evalue, `q-value` = r$qvalue, Overlap = r$overlap,
                         Query_consensus = r$query_consensus,
                         Target_consensus = r$target_consensus, Orientation = r$orientation,
                         check.names = FALSE)
}
