### =========================================================================
### compareMotifs(): Tomtom's motif comparison
### -------------------------------------------------------------------------

#' Compare motifs with Tomtom's statistics
#'
#' Compares each query motif with every target motif (and its reverse
#' complement) as MEME suite's Tomtom 5.5 does, in the threaded C++ core.
#'
#' @param query,target \code{PFMatrix}, \code{PFMatrixList},
#'   \code{PWMatrixList}, or the path of a MEME or JASPAR file.
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
                          threads = NULL, ...) {
    .renamedArgs(list(thresh = "threshold"))
    dist <- .matchArg(dist)
    .checkNumber(minOverlap, "minOverlap", min = 0)
    .checkNumber(threshold, "threshold", min = 0)
    .checkFlag(evalue, "evalue")
    .checkFlag(completeScores, "completeScores")
    if (!evalue && threshold > 1)
        .gdlStop("threshold (", threshold, ") must be at most 1 for q-values; use evalue = TRUE")
    q <- .motifsToCore(query, "query")
    t <- .motifsToCore(target, "target")
    .tomtom(q, t, dist, as.integer(minOverlap), threshold, evalue, completeScores, threads)
}

## reference = TRUE: the straightforward per-target path (benchmarks and tests).
.tomtom <- function(q, t, dist, minOverlap, thresh, evalue, completeScores, threads = NULL,
                    reference = FALSE, exact = FALSE) {
    r <- .native(cpp_motif_tomtom(q, t, dist, minOverlap, thresh, evalue, completeScores,
                                  reference, exact, q$background, .threads(threads)))
    S4Vectors::DataFrame(Query_ID = q$id[r$query], Target_ID = t$id[r$target],
                         Optimal_offset = r$offset, `p-value` = r$pvalue,
                         `E-value` = r$evalue, `q-value` = r$qvalue, Overlap = r$overlap,
                         Query_consensus = r$query_consensus,
                         Target_consensus = r$target_consensus, Orientation = r$orientation,
                         check.names = FALSE)
}
