### =========================================================================
### Hits of discovered patterns on contribution scores: callMotifHits()
### -------------------------------------------------------------------------

#' Call instances of discovered patterns on contribution scores
#'
#' Places the patterns of \code{\link{discoverMotifs}} (their contribution
#' weight matrices, CWMs) back on contribution scores, as TF-MoDISco's hit
#' caller does: every window of every sequence, on both strands, is compared
#' with each CWM; windows that look like the CWM (cosine similarity) and carry
#' enough contribution are hits; overlapping hits of one pattern keep the
#' strongest.
#'
#' @param motifs a \code{MotifDiscovery} or a named list of 4 x width CWMs
#'   (rows A, C, G, T).
#' @param attributions contribution scores, an array sequences x length x 4
#'   (\code{attributeBases()}'s layout).
#' @param regions \code{NULL} (hits on sequences \code{seq1}, \code{seq2},
#'   ...) or a \code{GRanges} of one range per sequence, as wide as the
#'   attributions, to report genomic coordinates.
#' @param minSimilarity smallest cosine similarity between a window's
#'   contributions and the CWM.
#' @param minScore smallest total contribution of a window, as a fraction of
#'   the CWM's total contribution (the mean of its seqlets).
#' @param strands \code{"both"} also matches the reverse complement of each
#'   CWM; \code{"forward"} does not.
#' @param targets \code{NULL}, or motifs (as \code{compareMotifs()} takes) to
#'   annotate each pattern with its best Tomtom match.
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{bothStrands} (now \code{strands}: \code{TRUE} is
#'   \code{"both"}, \code{FALSE} \code{"forward"}).
#' @return A \code{GRanges} of hits (the CWM's width; strand of the match) in
#'   sequence order, with columns \code{pattern}, \code{score} (total
#'   contribution of the window), \code{similarity} (cosine with the CWM)
#'   and, with \code{targets}, \code{bestMatch} and \code{bestMatchQ} (the
#'   best target of the pattern and its q-value).
#' @details Departures: TF-MoDISco's hit caller sets its thresholds from the
#'   distribution of the seqlets' scores and FiNeMo fits a sparse
#'   regression; here the thresholds are the two arguments, and overlaps are
#'   resolved within a pattern only.
#' @examples
#' cwm <- list(GATA = rbind(A = c(0, 1, 0, 1, 1), C = 0, G = c(1, 0, 0, 0, 0),
#'                          T = c(0, 0, 1, 0, 0)))
#' a <- array(0, c(2, 40, 4))
#' a[1, 11:15, ] <- t(cwm$GATA)   # an instance at 11..15 of sequence 1
#' callMotifHits(cwm, a)
#' @export
callMotifHits <- function(motifs, attributions, regions = NULL, minSimilarity = 0.7,
                          minScore = 0.5, strands = c("both", "forward"), targets = NULL, ...) {
    .renamedArgs(list(bothStrands = list("strands", .strandsFromFlag)))
    bothStrands <- .matchArg(strands) == "both"
    cwms <- if (is(motifs, "MotifDiscovery")) motifs@cwm else motifs
    if (!is.list(cwms) || length(cwms) == 0L || is.null(names(cwms)) ||
        !all(vapply(cwms, function(m) is.matrix(m) && nrow(m) == 4L, logical(1))))
        .gdlStop("motifs must be a MotifDiscovery or a named list of 4 x width CWMs")
    a <- attributions
    if (!is.array(a) || length(dim(a)) != 3L || dim(a)[3L] != 4L)
        .gdlStop("attributions must be an array sequences x length x 4")
    .checkNumber(minSimilarity, "minSimilarity", -1, 1)
    .checkNumber(minScore, "minScore", finite = FALSE)
    n <- dim(a)[1L]
    len <- dim(a)[2L]
    if (!is.null(regions)) {
        if (!is(regions, "GRanges") || length(regions) != n || any(BiocGenerics::width(regions) != len))
            .gdlStop("regions must be a GRanges of one range per sequence, ", len, " bases wide")
    }
    hits <- list()
    for (id in names(cwms)) {
        cw <- unname(cwms[[id]])
        w <- ncol(cw)
        if (w > len) next
        orient <- list(`+` = cw)
        if (bothStrands) orient$`-` <- cw[4:1, w:1, drop = FALSE]
        total <- sum(cw)
        for (i in seq_len(n)) {
            x <- a[i, , ]
            ## windows as rows: column (j - 1) * 4 + b holds position j, letter b
            idx <- outer(seq_len(len - w + 1L), seq_len(w) - 1L, `+`)
            win <- do.call(cbind, lapply(seq_len(w), function(j) x[idx[, j], , drop = FALSE]))
            score <- rowSums(win)
            norm <- sqrt(rowSums(win^2))
            for (st in names(orient)) {
                v <- as.vector(orient[[st]])  # column-major: position-major, letters inside
                sim <- as.vector(win %*% v) / (norm * sqrt(sum(v^2)))
                sim[!is.finite(sim)] <- 0
                ok <- which(sim >= minSimilarity & score >= minScore * total)
                if (length(ok))
                    hits[[length(hits) + 1L]] <- data.frame(seq = i, start = ok, width = w,
                        strand = st, pattern = id, score = score[ok], similarity = sim[ok],
                        stringsAsFactors = FALSE)
            }
        }
    }
    h <- if (length(hits)) do.call(rbind, hits) else
        data.frame(seq = integer(), start = integer(), width = integer(), strand = character(),
                   pattern = character(), score = numeric(), similarity = numeric())
    h <- .resolveHitOverlaps(h)
    h <- h[order(h$seq, h$start, h$pattern), , drop = FALSE]
    gr <- if (is.null(regions)) {
        GenomicRanges::GRanges(sprintf("seq%d", h$seq), IRanges::IRanges(h$start, width = h$width),
                               strand = h$strand,
                               seqinfo = GenomeInfoDb::Seqinfo(paste0("seq", seq_len(n)), rep(len, n)))
    } else {
        GenomicRanges::GRanges(GenomicRanges::seqnames(regions)[h$seq],
                               IRanges::IRanges(BiocGenerics::start(regions)[h$seq] + h$start - 1L,
                                                width = h$width),
                               strand = h$strand, seqinfo = seqinfo(regions))
    }
    S4Vectors::mcols(gr) <- S4Vectors::DataFrame(pattern = h$pattern, score = h$score,
                                                 similarity = h$similarity)
    if (!is.null(targets) && is(motifs, "MotifDiscovery")) {
        tt <- compareMotifs(motifs@patterns, targets, threshold = 1)
        best <- tt[!duplicated(tt$Query_ID), ]
        k <- match(gr$pattern, best$Query_ID)
        gr$bestMatch <- best$Target_ID[k]
        gr$bestMatchQ <- best$`q-value`[k]
    }
    gr
}

## Greedy, per pattern and sequence: the strongest hit wins, hits overlapping it go.
.resolveHitOverlaps <- function(h) {
    if (nrow(h) == 0L) return(h)
    keep <- logical(nrow(h))
    grp <- split(seq_len(nrow(h)), paste(h$seq, h$pattern))
    for (g in grp) {
        o <- g[order(-h$score[g], -h$similarity[g])]
        taken <- integer(0)
        for (i in o) {
            if (length(taken) && any(h$start[taken] < h$start[i] + h$width[i] &
                                     h$start[i] < h$start[taken] + h$width[taken])) next
            taken <- c(taken, i)
        }
        keep[taken] <- TRUE
    }
    h[keep, , drop = FALSE]
}
