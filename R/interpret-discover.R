### =========================================================================
### Motif discovery from base attributions: discoverMotifs() (TF-MoDISco-lite)
### -------------------------------------------------------------------------

#' MotifDiscovery: motifs discovered from base attributions
#'
#' What \code{\link{discoverMotifs}} returns. Use \code{$} (or \code{@}) to
#' reach the parts.
#'
#' @slot patterns a TFBSTools \code{PFMatrixList}: per pattern the base counts
#'   of its aligned seqlets (IDs \code{pattern_1}, ...; tags \code{nSeqlets},
#'   \code{sign} (\code{"+"} or \code{"-"}), \code{nsites} and the exact
#'   \code{probabilities}).
#' @slot cwm list of 4 x width contribution weight matrices (rows A, C, G, T:
#'   the mean contribution of the aligned seqlets), one per pattern.
#' @slot hcwm list of 4 x width hypothetical contribution weight matrices.
#' @slot seqlets \code{DataFrame} of every seqlet called: \code{example}
#'   (row of the attributions), \code{start}, \code{end} (1-based, closed),
#'   \code{sign} (+1 / -1), \code{score} (window sum), \code{pattern} (ID, or
#'   NA when in no pattern), \code{strand} (\code{"+"}, \code{"-"}, or
#'   \code{"*"} when in no pattern) and \code{patternStart},
#'   \code{patternEnd} (where the pattern's columns lie in the example, on
#'   the forward strand; may run past the ends of the sequence).
#' @slot info list: \code{posThreshold}, \code{negThreshold},
#'   \code{passingFraction}, \code{clustering} (the method) and the
#'   parameters.
#' @return A class definition (objects come from \code{\link{discoverMotifs}});
#'   \code{$} returns the slot named, \code{show} prints a summary.
#' @exportClass MotifDiscovery
## `patterns` is typed "ANY" and checked by the validity method: a slot of class PFMatrixList would
## make library(GenomicDL) load TFBSTools (14 s here), which only motif functions need.
setClass("MotifDiscovery",
    representation(patterns = "ANY", cwm = "list", hcwm = "list",
                   seqlets = "DFrame", info = "list"),
    validity = function(object) {
        if (!is(object@patterns, "PFMatrixList"))
            return(paste0("patterns must be a TFBSTools PFMatrixList, not ", class(object@patterns)[1L]))
        if (length(object@cwm) != length(object@patterns) || length(object@hcwm) != length(object@patterns))
            return("cwm and hcwm must hold one matrix per pattern")
        TRUE
    })

#' @rdname MotifDiscovery-class
#' @param x a \code{MotifDiscovery}.
#' @param name slot name: \code{patterns}, \code{cwm}, \code{hcwm},
#'   \code{seqlets} or \code{info}.
#' @export
setMethod("$", "MotifDiscovery", function(x, name) slot(x, name))

#' @rdname MotifDiscovery-class
#' @param object a \code{MotifDiscovery}.
#' @export
setMethod("show", "MotifDiscovery", function(object) {
    s <- object@seqlets
    cat("MotifDiscovery:", length(object@patterns), "pattern(s) from", nrow(s), "seqlet(s)\n")
    if (length(object@patterns)) {
        tg <- lapply(as.list(object@patterns), TFBSTools::tags)
        w <- vapply(object@cwm, ncol, integer(1))
        cons <- vapply(as.list(object@patterns), function(m) {
            p <- TFBSTools::Matrix(m)
            paste(c("A", "C", "G", "T")[apply(p, 2L, which.max)], collapse = "")
        }, "")
        df <- data.frame(ID = names(object@patterns),
                         sign = vapply(tg, function(t) t$sign, ""),
                         seqlets = vapply(tg, function(t) as.integer(t$nSeqlets), 1L),
                         width = w, consensus = cons)
        print(df, row.names = FALSE)
    }
    cat("  thresholds on window sums:", format(object@info$negThreshold, digits = 3), "/",
        format(object@info$posThreshold, digits = 3), "; clustering:", object@info$clustering, "\n")
})

## Checks an array N x L x 4 and returns it as a double array.
.discoverArray <- function(a, what, dims = NULL) {
    if (!is.array(a) || !is.numeric(a) || length(dim(a)) != 3L || dim(a)[3L] != 4L)
        .gdlStop(what, " must be a numeric array N x length x 4 (as attributeBases() returns)",
                 if (is.array(a)) paste0("; it is ", paste(dim(a), collapse = " x ")) else "")
    if (!is.null(dims) && !identical(as.integer(dim(a)), as.integer(dims)))
        .gdlStop(what, " (", paste(dim(a), collapse = " x "), ") must have the shape of the ",
                 "attributions (", paste(dims, collapse = " x "), ")")
    if (anyNA(a)) .gdlStop(what, " must not hold NA values")
    storage.mode(a) <- "double"
    dimnames(a) <- NULL
    a
}

## Leiden (modularity) on one graph over n vertices, best of nSeeds runs.
.leiden <- function(n, g, resolution, nSeeds, seed) {
    if (!requireNamespace("igraph", quietly = TRUE))
        .gdlStop("discoverMotifs() needs the igraph package (Debian: r-cran-igraph)")
    gr <- igraph::make_empty_graph(n, directed = FALSE)
    if (length(g$from)) gr <- igraph::add_edges(gr, rbind(g$from, g$to), attr = list(weight = g$weight))
    ## igraph's Leiden draws from R's generator: seeded for reproducible patterns, and
    ## withr gives the user's random state back untouched afterwards
    best <- NULL
    bestQ <- -Inf
    for (k in seq_len(nSeeds)) {
        cl <- withr::with_seed(seed + k - 1L,
                               igraph::cluster_leiden(gr, objective_function = "modularity",
                                                      weights = igraph::E(gr)$weight,
                                                      resolution_parameter = resolution,
                                                      n_iterations = -1))
        m <- igraph::membership(cl)
        q <- if (length(g$from)) igraph::modularity(gr, m, weights = igraph::E(gr)$weight) else 0
        if (q > bestQ + 1e-12) {
            bestQ <- q
            best <- as.integer(m)
        }
    }
    best
}

#' Discover motifs from base attributions (TF-MoDISco-lite)
#'
#' Calls seqlets (short windows of high contribution) in attributions from
#' \code{\link{attributeBases}}, clusters them by a shift- and
#' strand-aware similarity, and turns each large cluster into a motif:
#' a position frequency matrix of its aligned seqlets (usable with
#' \code{\link{compareMotifs}}, \code{\link{plotMotifs}} and
#' \code{\link{writeMEME}}), its contribution weight matrix (CWM) and
#' hypothetical CWM. The algorithm follows TF-MoDISco-lite
#' (jmschrei/tfmodisco-lite); the work runs in the threaded C++ core, the
#' community detection in igraph.
#'
#' Steps:
#' \enumerate{
#'   \item contribution per base = one-hot x hypothetical score summed over
#'     the bases; window sums over \code{seqletWindow} bases.
#'   \item null: a Laplace distribution fitted around the mode of the window
#'     sums (rates from the 5..95 \% quantiles of each side), 10,000 draws;
#'     thresholds on |window sum| by weighted isotonic regression of real vs
#'     null values at FDR \code{fdr}, with the fraction of passing windows
#'     forced into [0.03, 0.2].
#'   \item seqlets: per sequence, greedy argmax of |window sum| over passing
#'     windows, seqlet = window +- \code{flank}, neighbours within
#'     \code{seqletWindow / 2 + flank} suppressed; split by the sign of the window
#'     sum; at most \code{maxSeqlets} (the strongest).
#'   \item similarity: continuous Jaccard (sum sgn(x) sgn(y) min(|x|, |y|) /
#'     sum max(|x|, |y|)) of the L1-normalised hypothetical and actual
#'     contributions, the central \code{minOverlapFraction} of one seqlet slid over
#'     the other, best of forward and reverse complement, averaged over both
#'     directions.
#'   \item affinity graph: per seqlet its \code{neighbors} most similar
#'     seqlets, distances d = max(ln(1 / (0.5 a) - 1), 0), t-SNE
#'     probabilities calibrated to \code{perplexity}, symmetrised; Leiden
#'     community detection (modularity, igraph's \code{cluster_leiden}), the
#'     best of \code{nSeeds} runs; positive and negative seqlets separately.
#'   \item merging: each cluster's seqlets are aligned to its seed and
#'     averaged (its aggregate); every seqlet's fit to an aggregate is the
#'     same similarity. Two clusters are alike when the seqlets of each fit
#'     the other's aggregate nearly as well as their own (the ratio of the
#'     mean fits, averaged over both directions); the most alike pair is
#'     merged, seqlets re-assigned, while the ratio is at least
#'     \code{mergeThreshold}. (A ratio rather than the aggregates' own
#'     similarity: the pieces of a noisy motif, from weak attributions or
#'     homotypic clusters, are only 0.2 to 0.4 alike as aggregates while
#'     their seqlets fit each other's 0.75 to 0.9 as well as their own; those
#'     of another motif fit about 0, or up to 0.6 where the hypothetical
#'     contributions are not base-specific.)
#'   \item per cluster with at least \code{minSeqlets} seqlets: every seqlet
#'     aligned (shift and strand) to the cluster's seed (the seqlet with the
#'     largest summed affinity inside the cluster); columns covered by fewer
#'     than half of the seqlets trimmed; the 20-column window of largest
#'     information content kept with 5 columns of flank on each side.
#' }
#' Simplifications against TF-MoDISco-lite: one round of clustering instead
#' of two (and no removal of seqlets whose coarse and fine similarities
#' disagree); up to \code{exactMax} seqlets every pair is scored with the
#' fine similarity, above it only the \code{coarseNeighbors} nearest pairs
#' by the cosine of contribution-weighted canonical 5-mer profiles (not
#' gapped k-mers of 4..6); the affinity matrix is symmetrised as
#' (P + t(P)) / 2 rather than sqrt(P * t(P)); seqlets are aligned to one seed
#' instead of being merged in order; clusters are merged by the similarity
#' of their averaged seqlets, not by TF-MoDISco-lite's Pearson alignment
#' similarity and cross-contamination tests, and seqlets are not re-assigned
#' between patterns; the support threshold is half of the seqlets.
#'
#' @param attributions array N x length x 4 from \code{attributeBases} (the
#'   contributions, one-hot x hypothetical scores; or the hypothetical scores
#'   themselves).
#' @param x the sequences the attributions are of: a \code{DNAStringSet}, a
#'   character vector or a one-hot array N x length x 4 (needed:
#'   \code{attributeBases} does not keep its input).
#' @param hypothetical hypothetical scores (\code{attributeBases(...,
#'   hypothetical = TRUE)}), N x length x 4, or \code{NULL} to use
#'   \code{attributions} for both. The contributions used are always
#'   one-hot x hypothetical (with a warning when they differ from
#'   \code{attributions}).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{window} (now \code{seqletWindow}), \code{minOverlap}
#'   (\code{minOverlapFraction}).
#' @param minSeqlets smallest number of seqlets of a reported pattern.
#' @param seqletWindow window of the seqlet scores (bases): the sliding sum of
#'   contributions whose peaks are seqlets (TF-MoDISco's sliding_window_size).
#' @param flank bases added on each side of a seqlet's \code{seqletWindow}.
#' @param seed seed of the null draws and the Leiden runs (the global random
#'   state is restored).
#' @param fdr false discovery rate of the seqlet threshold.
#' @param maxSeqlets largest number of seqlets kept.
#' @param minOverlapFraction smallest overlap of an alignment, as a fraction
#'   of a seqlet (\code{compareMotifs()}' \code{minOverlap} counts columns).
#' @param neighbors neighbours per seqlet in the affinity graph.
#' @param perplexity perplexity of the t-SNE calibration.
#' @param resolution resolution of Leiden's modularity.
#' @param nSeeds number of Leiden runs (the best modularity is kept).
#' @param mergeThreshold how well (a fraction of their fit to their own
#'   cluster) the seqlets of two clusters must fit each other's for the
#'   clusters to be merged; above 1: no merging.
#' @param exactMax largest number of seqlets (per sign) whose every pair is
#'   scored.
#' @param coarseNeighbors candidates per seqlet scored above \code{exactMax}.
#' @param verbose print the steps' timings.
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @return A \code{\linkS4class{MotifDiscovery}}. Its \code{patterns} go to
#'   \code{compareMotifs}, \code{plotMotifs} and \code{writeMEME}; its
#'   signed CWMs draw with \code{ggseqlogo::ggseqlogo(res$cwm, method =
#'   "custom", seq_type = "dna")}.
#' @references Shrikumar A, et al. (2018). Technical note on transcription
#'   factor motif discovery from importance scores (TF-MoDISco).
#'   arXiv:1811.00416. tfmodisco-lite: https://github.com/jmschrei/tfmodisco-lite
#' @examples
#' ## planted GATA1 sites and attributions that mark them
#' motifs <- readMEME(system.file("extdata", "example_motifs.meme", package = "GenomicDL"))
#' gata <- TFBSTools::Matrix(motifs[["MA0035.4"]])
#' set.seed(1)
#' n <- 80; len <- 120
#' seqs <- replicate(n, sample(c("A", "C", "G", "T"), len, TRUE))
#' hyp <- array(rnorm(n * len * 4, sd = 0.02), c(n, len, 4))
#' for (i in seq_len(n)) {
#'     at <- sample(20:80, 1)
#'     site <- apply(gata, 2, function(p) sample(c("A", "C", "G", "T"), 1, prob = p))
#'     seqs[at + seq_along(site) - 1, i] <- site
#'     hyp[i, at + seq_along(site) - 1, ] <- hyp[i, at + seq_along(site) - 1, ] + 1
#' }
#' seqs <- apply(seqs, 2, paste, collapse = "")
#' onehot <- oneHot(seqs)
#' res <- discoverMotifs(onehot * hyp, onehot, minSeqlets = 10)
#' res
#' compareMotifs(res$patterns, motifs, threshold = 1)[, c("Query_ID", "Target_ID", "q-value")]
#' head(res$seqlets)
#' round(res$cwm[[1]][, 1:8], 2)
#' if (requireNamespace("ggseqlogo", quietly = TRUE)) plotMotifs(res$patterns)
#' @export
discoverMotifs <- function(attributions, x = NULL, hypothetical = NULL, ..., minSeqlets = 20,
                           seqletWindow = 21, flank = 10, seed = 1, fdr = 0.2, maxSeqlets = 20000,
                           minOverlapFraction = 0.7, neighbors = 30, perplexity = 10, resolution = 1,
                           nSeeds = 10, mergeThreshold = 0.7, exactMax = 2000,
                           coarseNeighbors = 200, verbose = FALSE, threads = NULL) {
    .renamedArgs(list(window = "seqletWindow", minOverlap = "minOverlapFraction"))
    contrib <- .discoverArray(attributions, "attributions")
    d <- dim(contrib)
    if (is.null(x))
        .gdlStop("x (the sequences of the attributions: a DNAStringSet, character vector or one-hot ",
                 "array) is needed: attributeBases() does not keep its input")
    onehot <- .discoverArray(.asOneHot(x, what = "x (one-hot)"), "x (one-hot)", d)
    hyp <- if (is.null(hypothetical)) contrib else .discoverArray(hypothetical, "hypothetical", d)
    if (!is.null(hypothetical)) {
        ## the core computes contributions as one-hot x hypothetical: they should be these
        gap <- max(abs(onehot * hyp - contrib))
        if (gap > 1e-4 * max(1e-12, max(abs(contrib))))
            warning("attributions differ from x * hypothetical by up to ", format(gap, digits = 3),
                    ": the contributions used are x * hypothetical", call. = FALSE)
    }
    minSeqlets <- as.integer(.checkCount(minSeqlets, "minSeqlets"))
    seqletWindow <- as.integer(.checkCount(seqletWindow, "seqletWindow"))
    flank <- as.integer(.checkCount(flank, "flank", 0))
    seed <- as.integer(.checkCount(seed, "seed", 0))
    maxSeqlets <- as.integer(.checkCount(maxSeqlets, "maxSeqlets"))
    neighbors <- as.integer(.checkCount(neighbors, "neighbors"))
    nSeeds <- as.integer(.checkCount(nSeeds, "nSeeds"))
    exactMax <- as.integer(.checkCount(exactMax, "exactMax", 0))
    coarseNeighbors <- as.integer(.checkCount(coarseNeighbors, "coarseNeighbors"))
    .checkNumber(fdr, "fdr", 0, 1, minOpen = TRUE)
    .checkNumber(minOverlapFraction, "minOverlapFraction", 0, 1, minOpen = TRUE)
    .checkNumber(perplexity, "perplexity", 0, minOpen = TRUE)
    .checkNumber(resolution, "resolution", 0, minOpen = TRUE)
    .checkNumber(mergeThreshold, "mergeThreshold", 0, minOpen = TRUE)
    if (d[2L] < seqletWindow + 2L * flank)
        .gdlStop("sequences of ", d[2L], " bases are shorter than a seqlet (seqletWindow + 2 x flank = ",
                 seqletWindow + 2L * flank, "): lower seqletWindow or flank")
    th <- .threads(threads)
    tm <- function(what, t0) if (verbose) message(sprintf("discoverMotifs: %s (%.2f s)", what,
                                                          (proc.time() - t0)[["elapsed"]]))
    t0 <- proc.time()
    ## the core computes contributions as one-hot x hypothetical
    sq <- .native(cpp_discover_seqlets(onehot, hyp, seqletWindow, flank, fdr, 0.03, 0.2,
                                       maxSeqlets, seed, th))
    ns <- length(sq$example)
    tm(paste(ns, "seqlets"), t0)
    if (ns == 0L)
        .gdlStop("no seqlets found: the attributions have no window of ", seqletWindow,
                 " bases whose summed contribution stands out (are they all zero?)")
    pattern <- rep(NA_character_, ns)
    strand <- rep("*", ns)
    pStart <- pEnd <- rep(NA_integer_, ns)
    counts <- tags <- list()   # per pattern: base counts and PFMatrix tags
    cwms <- list()
    hcwms <- list()
    k <- 0L
    for (sg in c(1L, -1L)) {
        idx <- which(sq$sign == sg)
        if (length(idx) < minSeqlets) next
        t1 <- proc.time()
        g <- .native(cpp_discover_graph(onehot, hyp, sq$example[idx], sq$start[idx], sq$end[idx],
                                        sq$sign[idx], minOverlapFraction, neighbors, perplexity,
                                        exactMax, coarseNeighbors, th))
        tm(paste0("affinity graph of ", length(idx), " ", if (sg > 0) "positive" else "negative",
                  " seqlets, ", length(g$from), " edges"), t1)
        t1 <- proc.time()
        memb <- .leiden(length(idx), g, resolution, nSeeds, seed)
        tm(paste(max(memb), "Leiden clusters"), t1)
        pats <- .native(cpp_discover_patterns(onehot, hyp, sq$example[idx], sq$start[idx],
                                              sq$end[idx], sq$sign[idx], memb, g$from, g$to,
                                              g$weight, minOverlapFraction, mergeThreshold, minSeqlets,
                                              0.5, 20L, 5L, th))
        for (p in pats) {
            k <- k + 1L
            id <- paste0("pattern_", k)
            rows <- idx[p$members]
            pattern[rows] <- id
            strand[rows] <- ifelse(p$rc == 1L, "-", "+")
            pStart[rows] <- p$start
            pEnd[rows] <- p$end
            n <- p$nSeqlets
            counts[[id]] <- p$ppm * n
            tags[[id]] <- list(nSeqlets = n, sign = if (p$sign > 0) "+" else "-", nsites = n,
                               probabilities = t(p$ppm))
            cw <- p$cwm
            hc <- p$hcwm
            dimnames(cw) <- dimnames(hc) <- list(c("A", "C", "G", "T"), NULL)
            cwms[[id]] <- cw
            hcwms[[id]] <- hc
        }
    }
    if (k == 0L)
        warning("no cluster of seqlets reached minSeqlets = ", minSeqlets, " (", ns,
                " seqlets): no patterns", call. = FALSE)
    pl <- .pfmList(counts, names(counts), tags)
    seqlets <- DataFrame(example = sq$example, start = sq$start, end = sq$end, sign = sq$sign,
                         score = sq$score, pattern = pattern, strand = strand,
                         patternStart = pStart, patternEnd = pEnd)
    tm("done", t0)
    new("MotifDiscovery", patterns = pl, cwm = cwms, hcwm = hcwms, seqlets = seqlets,
        info = list(posThreshold = sq$posThreshold, negThreshold = sq$negThreshold,
                    passingFraction = sq$passingFraction,
                    clustering = "Leiden (modularity, igraph) on a perplexity-calibrated kNN graph",
                    seqletWindow = seqletWindow, flank = flank, minSeqlets = minSeqlets, fdr = fdr,
                    minOverlapFraction = minOverlapFraction, neighbors = neighbors, perplexity = perplexity,
                    resolution = resolution, nSeeds = nSeeds, seed = seed))
}
