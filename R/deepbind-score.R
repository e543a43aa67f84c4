### =========================================================================
### DeepBind scoring: deepbindScore(), scanDeepBind()
### -------------------------------------------------------------------------

## Model parameter lists as the bridge takes them.
.deepbindParams <- function(models) unname(lapply(as.list(models), function(m) m@params))

.deepbindWindow <- function(window) {
    if (is.null(window)) return(0L)
    as.integer(.checkCount(window, "deepbindWindow", note = " (or NULL for each model's int(1.5 x detector length))"))
}

.modelColData <- function(models) {
    S4Vectors::DataFrame(
        protein = unname(vapply(as.list(models), .infoField, "", "Protein")),
        type = unname(vapply(as.list(models), .infoField, "", "Type")),
        experiment = unname(vapply(as.list(models), .infoField, "", "Experiment")),
        row.names = names(models))
}

#' Score sequences with DeepBind models
#'
#' Scores each sequence with each model exactly as the original DeepBind
#' v0.11 program does (same float32 arithmetic, same order of sums), without
#' its length limit and a hundred times faster or more.
#'
#' @param models a \code{\link[=DeepBindModel-class]{DeepBindModel}}, a
#'   \code{DeepBindModelList}, or params file paths (read with
#'   \code{\link{readDeepBind}}).
#' @param x a \code{DNAStringSet}, \code{RNAStringSet} (or
#'   \code{BStringSet}, e.g. from \code{readBStringSet()} of a FASTA with U and
#'   N) or character vector of sequences of any lengths, or a \code{GRanges} with
#'   \code{genome} (minus-strand ranges are reverse-complemented).
#' @param genome for \code{GRanges}: anything \code{\link{genomeSource}}
#'   accepts.
#' @param deepbindWindow the original's \code{--window-size}: the length of the
#'   windows scored along longer sequences; \code{NULL} (default) uses each
#'   model's \code{int(1.5 x detector length)}.
#' @param average the original's \code{--average}: the sum of the window
#'   scores divided by the sequence length (not by the number of windows, as
#'   the original does; a sequence no longer than the window is scored once,
#'   undivided), instead of their maximum.
#' @param padding \code{"N"} (the original): each window is padded with
#'   \code{detector length - 1} N on each side; \code{"flank"}: each window is
#'   padded with its real flanking sequence, N only beyond the sequence ends
#'   (as DeepBindToKeras does).
#' @param strands \code{"model"}: the reverse complement is also scored (the
#'   larger score kept) for models whose \code{reverse_complement} flag is set
#'   (the DNA models), as the original does; \code{"both"} or \code{"forward"}
#'   for every model.
#' @param method \code{"fast"} (default) or \code{"reference"}, a direct
#'   transcription of the original, one window at a time (for checking; about
#'   a hundred times slower). Both give the same floats.
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{sequences} (now \code{x}), \code{window}
#'   (\code{deepbindWindow}).
#' @return A numeric matrix, sequences x models (named by model ID), or for a
#'   \code{GRanges} a \code{SummarizedExperiment} with assay \code{"score"},
#'   the ranges as \code{rowRanges} and the models' protein, type and
#'   experiment as \code{colData}.
#' @details Sequences may hold A, C, G, T, U and N in upper or lower case; any
#'   other character is an error naming the sequence and the position (for
#'   genome ranges, IUPAC ambiguity codes read as N). N contributes a quarter
#'   of each weight of the detector row it falls under.
#'
#'   The original program reverse-complements its sequence buffer in place
#'   for DNA models, so models listed after an odd number of DNA models
#'   score the reverse complement of the sequence (a bug of v0.11). Here every
#'   model scores the sequence as given, so a model's scores do not depend on
#'   the other models requested. The original also stops at 1,000 bases; here
#'   sequences have any length.
#'
#'   The fast path computes the detectors' responses along each sequence once
#'   and reuses them for every window; only the window edges, where the
#'   detector overlaps the N padding, are computed per window, with a
#'   rigorous bound on their rounding difference from the original's. Windows
#'   whose score could be changed by that difference are recomputed as the
#'   original does, so the result is the original's float32 score.
#' @seealso \code{\link{readDeepBind}}, \code{\link{scanDeepBind}}
#' @examples
#' db <- system.file("extdata", "deepbind", package = "GenomicDL")
#' models <- readDeepBind(c("D00210.001", "D00120.001", "D00410.003", "D00328.003"), db = db)
#' seqs <- readLines(file.path(db, "example.seq"))
#' deepbindScore(models, seqs)
#' ## the windows padded with their real flanks (DeepBindToKeras)
#' deepbindScore(models, seqs, padding = "flank")
#' ## genome ranges
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' deepbindScore(models, GRanges(c("chr1:1001-1101", "chr2:501-601:-")), genome = fa)
#' @export
deepbindScore <- function(models, x, genome = NULL, deepbindWindow = NULL, average = FALSE,
                          padding = c("N", "flank"), strands = c("model", "both", "forward"),
                          method = c("fast", "reference"), threads = NULL, ...) {
    .renamedArgs(list(sequences = "x", window = "deepbindWindow"))
    models <- .asDeepBindList(models)
    if (!length(models)) .gdlStop("models is empty")
    padding <- .matchArg(padding)
    strands <- .matchArg(strands)
    method <- .matchArg(method)
    deepbindWindow <- .deepbindWindow(deepbindWindow)
    average <- .checkFlag(average, "average")
    ranges <- NULL
    iupac <- FALSE
    if (is(x, "GRanges")) {
        if (is.null(genome)) .gdlStop("deepbindScore() of a GRanges needs a genome")
        ranges <- x
        g <- genomeSource(genome)
        x <- as.character(getSequence(g, ranges))
        names(x) <- names(ranges)
        iupac <- TRUE
    } else if (is(x, "XStringSet") || is(x, "XString")) {
        if (is(x, "AAStringSet") || is(x, "AAString"))
            .gdlStop("x must be DNA or RNA, not ", class(x)[1L])
        x <- if (is(x, "XString")) as.character(x)
                     else stats::setNames(as.character(x), names(x))
    } else if (!is.character(x)) {
        .gdlStop("x must be a DNAStringSet, an RNAStringSet, a character vector or a GRanges, not ",
                 class(x)[1L])
    }
    if (!length(x)) .gdlStop("x is empty")
    if (anyNA(x)) .gdlStop("sequence ", which(is.na(x))[1L], " is NA")
    nms <- names(x)
    scores <- .native(cpp_deepbind_score(.deepbindParams(models), unname(x),
                                         if (is.null(nms)) character() else nms,
                                         deepbindWindow, average, padding, strands, method, iupac,
                                         .threads(threads)))
    dimnames(scores) <- list(nms, names(models))
    if (is.null(ranges)) return(scores)
    SummarizedExperiment::SummarizedExperiment(assays = list(score = scores),
                                               rowRanges = ranges,
                                               colData = .modelColData(models))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### scanDeepBind
###

## The windows scanDeepBind() scores: `width` bases every `step` over each region, on the plus
## strand, with the region index. Starts are computed by hand: IRanges::slidingWindows() (then
## dropping its last, shorter windows) takes 3-7x as long (bench/tracks-io.R: 0.15 s against
## 0.48 s for 980,000 windows).
.scanWindows <- function(regions, width, step, seqinfo = NULL) {
    nw <- pmax(0, (width(regions) - width) %/% step + 1)
    r <- rep(seq_along(regions), nw)
    out <- GRanges(as.character(seqnames(regions))[r],
                   IRanges(start(regions)[r] + (sequence(nw) - 1) * step, width = width),
                   seqinfo = seqinfo)
    out$region <- r
    out
}

## The windows cut into pieces (one core call each) of at most `n` consecutive windows of one
## region: a piece's windows are the windows of its span.
.scanPieces <- function(windows, n = 20000L) {
    if (!length(windows)) return(NULL)
    r <- windows$region
    piece <- cumsum((sequence(rle(r)$lengths) - 1L) %% n == 0L)
    first <- !duplicated(piece)
    data.frame(region = r[first], chrom = as.character(seqnames(windows))[first],
               start = start(windows)[first], end = end(windows)[!duplicated(piece, fromLast = TRUE)])
}

.deepbindExportPaths <- function(export, ids) {
    if (is.null(export)) return(NULL)
    if (!is.character(export) || anyNA(export)) .gdlStop("export must be bigWig path(s)")
    if (length(export) == 1L && length(ids) > 1L) {
        if (!grepl("%s", export, fixed = TRUE))
            .gdlStop("export: give one path per model, or one path with '%s' (replaced by the model ID)")
        return(vapply(ids, function(id) sprintf(export, id), ""))
    }
    if (length(export) != length(ids)) .gdlStop("export must have one path per model (", length(ids), ")")
    if (length(ids) == 1L) export <- sub("%s", ids, export, fixed = TRUE)
    stats::setNames(export, ids)
}

#' Scan genome regions with DeepBind models
#'
#' Scores sliding windows over genome regions with DeepBind models, in
#' parallel over regions (BiocParallel) and threads (the core).
#'
#' @param models a \code{\link[=DeepBindModel-class]{DeepBindModel}}, a
#'   \code{DeepBindModelList} or params file paths.
#' @param genome anything \code{\link{genomeSource}} accepts.
#' @param regions a \code{GRanges}; windows are scanned on the plus strand
#'   (DNA models also score the reverse complement, see \code{strands}).
#' @param inputLength length of the windows scored (bases), each window
#'   scored as one sequence by \code{\link{deepbindScore}} (default 101, as
#'   \code{scoreVariants()} of DeepBind models).
#' @param step distance between window starts (bases).
#' @param BPPARAM \code{NULL} (default: this process, in the core's
#'   \code{threads}) or a BiocParallel backend; regions are split over its
#'   workers.
#' @param export \code{NULL}, or bigWig path(s) to write the score tracks to,
#'   one per model (or one path with \code{"\%s"}, replaced by the model ID).
#'   Each window's score covers its central \code{min(step, inputLength)} bases, so
#'   the track has no overlaps; regions must not overlap.
#' @param threads threads of the core per worker (default: option
#'   GenomicDL.threads).
#' @param ... \code{deepbindWindow}, \code{average}, \code{padding},
#'   \code{strands}, \code{method}: as in \code{\link{deepbindScore}}
#'   (\code{window} and \code{width}, the deprecated names of
#'   \code{deepbindWindow} and \code{inputLength}, warn).
#' @return A \code{GRanges} of the windows with one score column per model
#'   (named by model ID) and the region index in column \code{region}.
#'   Regions shorter than \code{inputLength} give no windows. IUPAC ambiguity codes
#'   of the genome read as N.
#' @seealso \code{\link{deepbindScore}}, \code{\link{exportTrack}}
#' @examples
#' db <- system.file("extdata", "deepbind", package = "GenomicDL")
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' ctcf <- readDeepBind("D00328.003", db = db)
#' hits <- scanDeepBind(ctcf, fa, GRanges("chr1:1-2000"), inputLength = 101, step = 25,
#'                      BPPARAM = BiocParallel::SerialParam())
#' hits[which.max(hits$D00328.003)]
#' @export
scanDeepBind <- function(models, genome, regions, inputLength = 101, step = 10,
                         BPPARAM = NULL, export = NULL, threads = NULL, ...) {
    opts <- .renamedArgs(list(width = "inputLength"), dots = TRUE)
    opts <- .renameArgList(opts, list(window = "deepbindWindow"), "scanDeepBind")
    models <- .asDeepBindList(models)
    if (!length(models)) .gdlStop("models is empty")
    if (is.null(BPPARAM)) BPPARAM <- BiocParallel::SerialParam()
    bad <- setdiff(names(opts), c("deepbindWindow", "average", "padding", "strands", "method"))
    if (length(bad) || (length(opts) && is.null(names(opts))))
        .gdlStop("unknown argument(s) of scanDeepBind: ", paste(bad, collapse = ", "))
    padding <- .matchArg(opts$padding, c("N", "flank"), "padding")
    strands <- .matchArg(opts$strands, c("model", "both", "forward"), "strands")
    method <- .matchArg(opts$method, c("fast", "reference"), "method")
    window <- .deepbindWindow(opts$deepbindWindow)
    average <- .checkFlag(if (is.null(opts$average)) FALSE else opts$average, "average")
    inputLength <- as.integer(.checkCount(inputLength, "inputLength"))
    step <- as.integer(.checkCount(step, "step"))
    g <- genomeSource(genome)
    .checkRanges(regions, .lengthsOf(g))
    ids <- names(models)
    paths <- .deepbindExportPaths(export, ids)
    threads <- .threads(threads)
    params <- .deepbindParams(models)
    out <- .scanWindows(regions, inputLength, step, seqinfo(g))
    pieces <- .scanPieces(out)
    empty <- matrix(numeric(), 0L, length(ids))
    if (is.null(pieces)) {
        scores <- empty
    } else {
        parent <- Sys.getpid()
        ## each worker opens the genome itself (a forked handle must not be shared)
        nt <- min(nrow(pieces), max(1L, BiocParallel::bpnworkers(BPPARAM)))
        tasks <- split(seq_len(nrow(pieces)), ceiling(seq_len(nrow(pieces)) / ceiling(nrow(pieces) / nt)))
        res <- BiocParallel::bplapply(tasks, function(idx, pieces, g, params, parent) {
            if (Sys.getpid() != parent) g@handle <- new.env(parent = emptyenv())
            ptr <- .genomePtr(g)
            lapply(idx, function(i)
                .native(cpp_deepbind_scan(params, ptr, pieces$chrom[i], pieces$start[i],
                                          pieces$end[i], inputLength, step, window, average, padding,
                                          strands, method, threads)))
        }, pieces = pieces, g = g, params = params, parent = parent, BPPARAM = BPPARAM)
        scores <- do.call(rbind, unlist(res, recursive = FALSE, use.names = FALSE))
    }
    colnames(scores) <- ids
    mcols(out) <- S4Vectors::DataFrame(region = out$region, scores, check.names = FALSE)
    if (!is.null(paths)) {
        bin <- min(step, inputLength)
        track <- GRanges(seqnames(out),
                         IRanges::IRanges(start(out) + (inputLength - bin) %/% 2L, width = bin),
                         seqinfo = seqinfo(g))
        for (id in ids) {
            mcols(track)$score <- mcols(out)[[id]]
            exportTrack(track, paths[[id]])
        }
    }
    out
}
