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

## The windows of the regions cut into pieces (one core call each) of at most `n` consecutive
## windows of one region, computed from the regions alone (no window list: memory does not grow
## with the genome): a piece's windows are the windows of its span; `windows` counts them.
.scanRegionPieces <- function(regions, width, step, n = 20000L) {
    nw <- pmax(0, (width(regions) - width) %/% step + 1)
    np <- ceiling(nw / n)
    r <- rep(seq_along(regions), np)
    first <- (sequence(np) - 1) * n                      # window index (0-based) of the piece
    count <- pmin(n, nw[r] - first)
    s <- start(regions)[r] + first * step
    data.frame(region = r, chrom = as.character(seqnames(regions))[r], start = s,
               end = s + (count - 1) * step + width - 1, windows = count)
}

## One piece in this process or a worker: windows x models scores.
.scanPiece <- function(piece, g, call, params, opts) {
    g <- .workerGenome(g, call)
    .native(cpp_deepbind_scan(params, .genomePtr(g), piece$chrom, piece$start, piece$end,
                              opts$inputLength, opts$step, opts$window, opts$average,
                              opts$padding, opts$strands, opts$method, opts$threads))
}

## Rows of a data frame as a list of one-row data frames (the tiles of .forTiles).
.rowList <- function(df) lapply(seq_len(nrow(df)), function(i) df[i, , drop = FALSE])

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
#' parallel over regions (BiocParallel) and threads (the core); with
#' \code{export}, streams the score tracks to bigWig as it goes.
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
#'   \code{threads}) or a BiocParallel backend (any: multicore, snow,
#'   batchtools); the tiles (up to 20,000 windows of a region) are scored by
#'   its workers, each opening the genome itself, and the results equal the
#'   serial ones.
#' @param export \code{NULL}, or bigWig path(s) to write the score tracks to,
#'   one per model (or one path with \code{"\%s"}, replaced by the model ID).
#'   Each window's score covers its central \code{min(step, inputLength)}
#'   bases, so the track has no overlaps; regions must not overlap. The files
#'   are written as the tiles finish, in genome order, through temporary
#'   files renamed at the end (see Details).
#' @param threads threads of the core per worker (default: option
#'   GenomicDL.threads).
#' @param returnValues with \code{export}: also return the scores in memory
#'   (the \code{GRanges} of the windows), instead of handles to the files.
#' @param verbose show a progress bar (tiles done, rate, time left) on long
#'   scans.
#' @param ... \code{deepbindWindow}, \code{average}, \code{padding},
#'   \code{strands}, \code{method}: as in \code{\link{deepbindScore}}
#'   (\code{window} and \code{width}, the deprecated names of
#'   \code{deepbindWindow} and \code{inputLength}, warn).
#' @return A \code{GRanges} of the windows with one score column per model
#'   (named by model ID) and the region index in column \code{region}.
#'   Regions shorter than \code{inputLength} give no windows. IUPAC ambiguity codes
#'   of the genome read as N. With \code{export} (and \code{returnValues =
#'   FALSE}): a \code{BigWigFileList} of the written files, named by model ID.
#' @details A streamed run (\code{export}) scores the regions in genome order,
#'   a tile of at most 20,000 windows at a time (in this process or in the
#'   workers of \code{BPPARAM}), and hands each tile's scores to the core's
#'   bigWig writer as it comes back, in order: memory is bounded by the tiles
#'   in flight (20,000 x models scores each, times the workers), whatever the
#'   length of the genome. No window list is built. An error or an interrupt
#'   (Ctrl-C) leaves no file under the final names.
#' @seealso \code{\link{deepbindScore}}, \code{\link{exportTrack}}
#' @examples
#' db <- system.file("extdata", "deepbind", package = "GenomicDL")
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' ctcf <- readDeepBind("D00328.003", db = db)
#' hits <- scanDeepBind(ctcf, fa, GRanges("chr1:1-2000"), inputLength = 101, step = 25,
#'                      BPPARAM = BiocParallel::SerialParam())
#' hits[which.max(hits$D00328.003)]
#' ## streamed to bigWig: a handle to the file comes back
#' f <- scanDeepBind(ctcf, fa, GRanges("chr1:1-20000"), step = 25,
#'                   export = tempfile(fileext = ".bw"), verbose = FALSE)
#' f
#' @export
scanDeepBind <- function(models, genome, regions, inputLength = 101, step = 10,
                         BPPARAM = NULL, export = NULL, threads = NULL, returnValues = FALSE,
                         verbose = TRUE, ...) {
    opts <- .renamedArgs(list(width = "inputLength"), dots = TRUE)
    opts <- .renameArgList(opts, list(window = "deepbindWindow"), "scanDeepBind")
    models <- .asDeepBindList(models)
    if (!length(models)) .gdlStop("models is empty")
    bad <- setdiff(names(opts), c("deepbindWindow", "average", "padding", "strands", "method"))
    if (length(bad) || (length(opts) && is.null(names(opts))))
        .gdlStop("unknown argument(s) of scanDeepBind: ", paste(bad, collapse = ", "))
    inputLength <- as.integer(.checkCount(inputLength, "inputLength"))
    step <- as.integer(.checkCount(step, "step"))
    o <- list(padding = .matchArg(opts$padding, c("N", "flank"), "padding"),
              strands = .matchArg(opts$strands, c("model", "both", "forward"), "strands"),
              method = .matchArg(opts$method, c("fast", "reference"), "method"),
              window = .deepbindWindow(opts$deepbindWindow),
              average = .checkFlag(if (is.null(opts$average)) FALSE else opts$average, "average"),
              inputLength = inputLength, step = step, threads = .threads(threads))
    .checkFlag(returnValues, "returnValues")
    .checkFlag(verbose, "verbose")
    g <- genomeSource(genome)
    lens <- .lengthsOf(g)
    .checkRanges(regions, lens)
    ids <- names(models)
    paths <- .deepbindExportPaths(export, ids)
    params <- .deepbindParams(models)
    call <- .workerCall(genome = g)
    on.exit(.workerDone(), add = TRUE)
    ## a streamed run goes through the regions in genome order
    ord <- if (is.null(paths)) seq_along(regions)
           else order(match(as.character(seqnames(regions)), names(lens)), start(regions))
    sreg <- regions[ord]
    if (!is.null(paths)) .checkDisjoint(sreg, "regions of an exported scan")
    pieces <- .scanRegionPieces(sreg, inputLength, step)
    keep <- if (is.null(paths) || returnValues) vector("list", nrow(pieces)) else NULL
    streams <- .streamSet()
    on.exit(streams$abort(), add = TRUE)
    write <- function(i, scores) if (!is.null(keep)) keep[[i]] <<- scores
    if (!is.null(paths)) {
        chroms <- unique(as.character(seqnames(sreg)))
        st <- streams$add(.trackStream(paths, chroms, lens[chroms], "bins"))
        ## each window's score covers its central min(step, inputLength) bases
        bin <- min(step, inputLength)
        offset <- (inputLength - bin) %/% 2L
        write <- function(i, scores) {
            p <- pieces[i, ]
            st$intervals(p$chrom, p$start + offset + (seq_len(p$windows) - 1) * step, bin, scores)
            if (!is.null(keep)) keep[[i]] <<- scores
        }
    }
    pb <- .progressBar(nrow(pieces), "tiles", "Scanning", verbose)
    on.exit(pb$close(), add = TRUE)
    .forTiles(.rowList(pieces), .scanPiece, write, g = g, call = call, params = params, opts = o,
              BPPARAM = BPPARAM, progress = pb)
    streams$commit()
    if (!is.null(paths) && !returnValues) {
        f <- rtracklayer::BigWigFileList(unname(paths))
        names(f) <- ids
        return(f)
    }
    scores <- if (length(keep)) do.call(rbind, keep) else matrix(numeric(), 0L, length(ids))
    out <- .scanWindows(regions, inputLength, step, seqinfo(g))
    if (!is.null(paths)) {   # rows back from genome order to the regions' order
        nw <- tabulate(out$region, length(regions))
        block <- rep(seq_along(sreg), nw[ord])
        scores <- scores[unlist(split(seq_along(block), factor(block, seq_along(sreg)))[order(ord)], use.names = FALSE), ,
                         drop = FALSE]
    }
    colnames(scores) <- ids
    mcols(out) <- S4Vectors::DataFrame(region = out$region, scores, check.names = FALSE)
    out
}
