### =========================================================================
### Tracks: trackValues(), exportTrack()
### -------------------------------------------------------------------------

.bigwigPath <- function(bigwig) {
    if (is(bigwig, "BigWigFile")) bigwig <- BiocGenerics::path(bigwig)
    if (!is.character(bigwig) || length(bigwig) != 1L || is.na(bigwig))
        .gdlStop("bigwig must be one bigWig path or a BigWigFile")
    if (!file.exists(bigwig)) .gdlStop("bigWig file '", bigwig, "' does not exist")
    normalizePath(bigwig)
}

.bigwigLengths <- function(path) {
    info <- .native(cpp_bigwig_info(path))
    stats::setNames(info$lengths, info$names)
}

#' Values of a bigWig track over genomic ranges
#'
#' @param bigwig a bigWig path or an \code{rtracklayer::BigWigFile}.
#' @param regions a \code{GRanges}.
#' @param bins \code{NULL} for per-base values, or the number of equal bins
#'   per range (the last bin takes the remainder) to summarise.
#' @param summary \code{"mean"}, \code{"sum"}, \code{"max"} or \code{"min"}
#'   of each bin, ignoring bases without data.
#' @param threads threads of the core (each reads with its own handle).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{ranges} (now \code{regions}).
#' @return A numeric matrix (ranges x positions, or ranges x bins) when every
#'   range has the same width or \code{bins} is given; otherwise a
#'   \code{NumericList}. Bases without data are \code{NaN}. Values are in
#'   genomic order whatever the strand.
#' @examples
#' bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' trackValues(bw, GRanges("chr1:1-20"))
#' trackValues(bw, GRanges(c("chr1:1-1000", "chr2:1-500")), bins = 4)
#' @export
trackValues <- function(bigwig, regions, bins = NULL, summary = c("mean", "sum", "max", "min"),
                        threads = NULL, ...) {
    .renamedArgs(list(ranges = "regions"))
    path <- .bigwigPath(bigwig)
    summary <- .matchArg(summary)
    lens <- .bigwigLengths(path)
    .checkRanges(regions, lens, what = paste0("bigWig '", basename(path), "'"))
    nb <- 0L
    if (!is.null(bins)) {
        nb <- as.integer(.checkCount(bins, "bins"))
        if (any(width(regions) < nb))
            .gdlStop("bins (", nb, ") is larger than the width of range ",
                     which(width(regions) < nb)[1L])
    }
    v <- .native(cpp_bigwig_values(path, as.character(seqnames(regions)), start(regions),
                                   end(regions), nb, summary, .threads(threads)))
    w <- width(regions)
    if (nb > 0L || all(w == w[1L])) {
        m <- matrix(unlist(v, use.names = FALSE), nrow = length(v), byrow = TRUE)
        rownames(m) <- names(regions)
        return(m)
    }
    out <- NumericList(v)
    names(out) <- names(regions)
    out
}

#' Write a bigWig file
#'
#' @param x an \code{RleList} (one Rle per chromosome, named) or a
#'   \code{GRanges} with a numeric \code{score} column and known seqlengths.
#' @param file the bigWig path. The file is written to a temporary file
#'   beside it and renamed when complete.
#' @param seqlengths chromosome lengths (named); default: the lengths of the
#'   Rles, or \code{seqlengths(x)} for a GRanges.
#' @return The path, invisibly.
#' @details \code{NA} values are left out (no data).
#' @examples
#' cov <- S4Vectors::Rle(c(0, 1.5, 3), c(10, 5, 5))
#' f <- tempfile(fileext = ".bw")
#' exportTrack(IRanges::RleList(chr1 = cov), f)
#' trackValues(f, GRanges("chr1:9-12"))
#' @export
exportTrack <- function(x, file, seqlengths = NULL) {
    if (!is.character(file) || length(file) != 1L || is.na(file)) .gdlStop("file must be one path")
    if (!dir.exists(dirname(file))) .gdlStop("folder '", dirname(file), "' does not exist")
    if (is(x, "RleList")) {
        if (is.null(names(x)) || any(names(x) == "")) .gdlStop("the RleList must be named by chromosome")
        if (anyDuplicated(names(x)))
            .gdlStop("x: the RleList names chromosome '", names(x)[anyDuplicated(names(x))],
                     "' twice; a bigWig holds each chromosome once (combine its runs first)")
        lens <- if (is.null(seqlengths)) lengths(x) else seqlengths[names(x)]
        if (anyNA(lens)) .gdlStop("seqlengths misses chromosomes of x")
        names(lens) <- names(x)
        x <- as(x, "GRanges")   # one range per run, the value in column "score"
    } else if (is(x, "GRanges")) {
        if (!"score" %in% names(mcols(x)) || !is.numeric(mcols(x)$score))
            .gdlStop("the GRanges needs a numeric 'score' column")
        lens <- if (is.null(seqlengths)) seqlengths(x) else seqlengths
        if (anyNA(lens)) .gdlStop("the GRanges needs seqlengths (seqlengths(x) <- ...) to write a bigWig")
        .checkRanges(x, lens, what = "seqlengths")
        if (!GenomicRanges::isDisjoint(x, ignore.strand = TRUE))
            .gdlStop("ranges of a bigWig must not overlap")
        x <- GRanges(as.character(seqnames(x)), ranges(x), score = as.numeric(mcols(x)$score))
    } else {
        .gdlStop("x must be an RleList or a GRanges with a score column, not ", class(x)[1L])
    }
    ## rtracklayer writes the file (bench/tracks-io.R: as fast as the package's libBigWig writer,
    ## which stays only for streamed prediction, where rtracklayer cannot append to an open file);
    ## NA runs are no data, and the file is written beside the target, then renamed onto it.
    x <- x[!is.na(x$score)]
    x <- GRanges(as.character(seqnames(x)), ranges(x), score = x$score,
                 seqinfo = GenomeInfoDb::Seqinfo(names(lens), as.integer(lens)))
    tmp <- .atomicTempPath(path.expand(file))
    on.exit(unlink(tmp))
    .native(rtracklayer::export(sort(x), rtracklayer::BigWigFile(tmp)))
    if (!file.rename(tmp, path.expand(file))) .gdlStop("cannot write the bigWig '", file, "'")
    invisible(file)
}
