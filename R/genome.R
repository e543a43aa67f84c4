### =========================================================================
### Genome access: genomeSource(), getSequence(), oneHot()
### -------------------------------------------------------------------------

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Constructor
###

#' Open a genome for the C++ core
#'
#' @param x a FASTA path (plain, bgzip or gzip), an \code{Rsamtools::FaFile},
#'   a \code{BSgenome}, a named \code{DNAStringSet}, or a \code{GenomeSource}
#'   (returned as is).
#' @param chromosomes for a \code{BSgenome}: the sequences to load (default:
#'   all). A BSgenome is loaded into memory.
#' @param buildIndex build the \code{.fai} (and \code{.gzi}) index of a FASTA
#'   when it is missing. The folder must be writable.
#' @return A \code{GenomeSource}. \code{seqinfo()} gives its sequences.
#' @details A plain FASTA or one compressed with bgzip is read through
#'   htslib's index, without loading it. A FASTA compressed with plain gzip
#'   cannot be indexed; it is read into memory with a message.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' g <- genomeSource(fa)
#' g
#' seqinfo(g)
#' @export
genomeSource <- function(x, chromosomes = NULL, buildIndex = TRUE) {
    if (is(x, "GenomeSource")) return(x)
    if (is(x, "FaFile")) x <- BiocGenerics::path(x)
    if (is(x, "BSgenome")) {
        chromosomes <- if (is.null(chromosomes)) seqnames(x) else chromosomes
        miss <- setdiff(chromosomes, seqnames(x))
        if (length(miss))
            .gdlStop("chromosome(s) not in the BSgenome: ", paste(miss, collapse = ", "))
        ## whole sequences as ranges: a DNAStringSet even for one chromosome (getSeq by name
        ## gives a lone DNAString then)
        whole <- GenomicRanges::GRanges(chromosomes,
                                        IRanges::IRanges(1L, GenomeInfoDb::seqlengths(x)[chromosomes]))
        seqs <- Biostrings::getSeq(x, whole)
        names(seqs) <- chromosomes
        return(.memoryGenome(seqs))
    }
    if (is(x, "DNAStringSet")) return(.memoryGenome(x))
    if (is.character(x) && length(x) == 1L && !is.na(x) && dir.exists(x))
        .gdlStop("genome: '", x, "' is a directory; give the path of a FASTA file (plain or bgzip)")
    if (is.character(x) && length(x) == 1L) return(.fastaGenome(x, buildIndex))
    .gdlStop("genome must be a FASTA path, an FaFile, a BSgenome or a named DNAStringSet, not ",
             class(x)[1L])
}

.isPlainGzip <- function(path) {
    con <- file(path, "rb")
    on.exit(close(con))
    h <- readBin(con, "raw", 16L)
    length(h) >= 2L && h[1L] == as.raw(0x1f) && h[2L] == as.raw(0x8b) &&
        !(length(h) >= 14L && bitwAnd(as.integer(h[4L]), 4L) != 0L &&
          rawToChar(h[13:14]) == "BC")
}

.fastaGenome <- function(path, buildIndex = TRUE) {
    if (is.na(path) || !file.exists(path))
        .gdlStop("FASTA file '", path, "' does not exist")
    path <- normalizePath(path)
    if (.isPlainGzip(path)) {
        message("'", basename(path), "' is gzip-compressed (not bgzip): reading it into memory")
        seqs <- tryCatch(Biostrings::readDNAStringSet(path),
                         error = function(e) .gdlStop("FASTA '", path, "' is malformed: ",
                                                      conditionMessage(e)))
        return(.memoryGenome(seqs))
    }
    g <- new("GenomeSource", type = "fasta", path = path,
             sequences = Biostrings::DNAStringSet(), handle = new.env(parent = emptyenv()))
    g@handle$buildIndex <- isTRUE(buildIndex)  # read when the core opens the file
    .finishGenome(g)
}

.memoryGenome <- function(seqs) {
    if (length(seqs) == 0L) .gdlStop("the genome has no sequences")
    nms <- names(seqs)
    if (is.null(nms) || anyNA(nms) || any(nms == ""))
        .gdlStop("every sequence of the genome needs a name (names(x))")
    names(seqs) <- sub("[[:space:]].*$", "", nms)  # FASTA names stop at the first space
    g <- new("GenomeSource", type = "memory", path = NA_character_,
             sequences = seqs, handle = new.env(parent = emptyenv()))
    .finishGenome(g)
}

.finishGenome <- function(g) {
    info <- .native(cpp_genome_info(.genomePtr(g)))
    g@seqinfo <- Seqinfo(info$names, info$lengths)
    g
}

## The core genome behind a GenomeSource, opened on first use and again after
## the object was serialised (external pointers do not survive saveRDS).
.genomePtr <- function(g) {
    h <- g@handle
    if (is.null(h$ptr) || cpp_xptr_is_null(h$ptr)) {
        h$ptr <- if (g@type == "fasta") {
            .native(cpp_genome_fasta(g@path, !isFALSE(h$buildIndex)))
        } else {
            .native(cpp_genome_memory(names(g@sequences), as.character(g@sequences)))
        }
    }
    h$ptr
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Accessors and display
###

#' @rdname GenomeSource-class
#' @param x a \code{GenomeSource}.
#' @return \code{seqinfo}: a \code{Seqinfo}; \code{show}: the object,
#'   invisibly, after printing a summary.
#' @export
setMethod("seqinfo", "GenomeSource", function(x) x@seqinfo)

#' @rdname GenomeSource-class
#' @param object a \code{GenomeSource}.
#' @export
setMethod("show", "GenomeSource", function(object) {
    si <- object@seqinfo
    cat("GenomeSource (", object@type, ") with ", length(si), " sequences, ",
        format(sum(as.numeric(seqlengths(si)))), " bases\n", sep = "")
    if (object@type == "fasta") cat("  file:", object@path, "\n")
    n <- min(length(si), 5L)
    cat("  seqnames:", paste0(seqnames(si)[seq_len(n)], collapse = " "),
        if (length(si) > n) "..." else "", "\n")
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Range validation shared by every function that reads a genome or a track
###

## Checks ranges against seqnames/seqlengths; names the first offender.
.checkRanges <- function(ranges, lengths, what = "the genome", allowOutside = FALSE) {
    if (!is(ranges, "GRanges")) .gdlStop("ranges must be a GRanges, not ", class(ranges)[1L])
    if (length(ranges) == 0L) .gdlStop("ranges is empty")
    chr <- as.character(seqnames(ranges))
    unknown <- setdiff(unique(chr), names(lengths))
    if (length(unknown))
        .gdlStop("chromosome '", unknown[1L], "' is not in ", what,
                 " (it has: ", paste(utils::head(names(lengths), 5L), collapse = ", "),
                 if (length(lengths) > 5L) ", ..." else "", ")")
    if (!allowOutside) {
        len <- lengths[chr]
        bad <- which(start(ranges) < 1L | end(ranges) > len)
        if (length(bad))
            .gdlStop("range ", bad[1L], " (", chr[bad[1L]], ":", start(ranges)[bad[1L]], "-",
                     end(ranges)[bad[1L]], ") is past the end of chromosome ", chr[bad[1L]],
                     " (length ", len[bad[1L]], ")")
    }
    invisible(TRUE)
}

.lengthsOf <- function(g) {
    si <- seqinfo(g)
    stats::setNames(as.numeric(seqlengths(si)), seqnames(si))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### getSequence
###

#' Sequences of genomic ranges
#'
#' @param genome anything \code{\link{genomeSource}} accepts.
#' @param regions a \code{GRanges}; minus-strand ranges give the reverse
#'   complement.
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{ranges} (now \code{regions}).
#' @return A \code{DNAStringSet}, equal to \code{Biostrings::getSeq()} on the
#'   same input (upper case).
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' getSequence(fa, GRanges("chr1:1001-1020:-"))
#' @export
getSequence <- function(genome, regions, ...) {
    .renamedArgs(list(ranges = "regions"))
    g <- genomeSource(genome)
    .checkRanges(regions, .lengthsOf(g))
    s <- .native(cpp_genome_fetch(.genomePtr(g), as.character(seqnames(regions)),
                                  start(regions), end(regions),
                                  as.character(strand(regions)) == "-", FALSE, TRUE, TRUE))
    out <- Biostrings::DNAStringSet(s)
    # named as Biostrings::getSeq() names them: by the regions' names, else their seqnames
    names(out) <- if (is.null(names(regions))) as.character(seqnames(regions)) else names(regions)
    out
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### oneHot
###

#' One-hot encode sequences
#'
#' @param x a \code{DNAStringSet}, \code{RNAStringSet} or character vector of
#'   sequences of equal width, or a \code{GRanges} of equal widths with
#'   \code{genome}.
#' @param genome for \code{GRanges} input: anything \code{\link{genomeSource}}
#'   accepts.
#' @param layout \code{"NLC"} (sequences x positions x channels, keras_dna's
#'   layout) or \code{"NCL"} (sequences x channels x positions).
#' @param ambiguous value of N and other IUPAC codes in every channel:
#'   \code{"quarter"} (0.25) or \code{"zero"}.
#' @param threads threads of the core (default: option GenomicDL.threads);
#'   they write disjoint position ranges of the array.
#' @return A numeric array; channels are A, C, G, T (its dimnames). Lower case
#'   folds to upper case and U reads as T. Minus-strand ranges are
#'   reverse-complemented.
#' @details The core writes R's array in tiles of 512 sequences, in runs of
#'   contiguous values (a sequence-by-sequence loop would miss the cache, and
#'   for a new array fault a page, at every value). For genome-scale arrays
#'   (20,000 x 1 kb x 4 is 640 MB) most of the time is R's own allocation,
#'   with the garbage collection R runs before it when its heap must grow:
#'   see the README's Benchmarks.
#' @examples
#' x <- oneHot(c("ACGTN", "ttgca"))
#' dim(x)
#' x[1, , ]
#' @export
oneHot <- function(x, genome = NULL, layout = c("NLC", "NCL"),
                   ambiguous = c("quarter", "zero"), threads = NULL) {
    layout <- .matchArg(layout)
    ambiguous <- .matchArg(ambiguous)
    .oneHotArray(x, genome, layout, ambiguous, threads)
}

## oneHot() with the sequences' names (NULL: none) as the first dimnames, set by the core with
## the channels' names: the array is never touched again in R (no dimnames<- copy).
.oneHotArray <- function(x, genome, layout, ambiguous, threads, names = NULL) {
    nlc <- layout == "NLC"
    zero <- ambiguous == "zero"
    if (is(x, "GRanges")) {
        if (is.null(genome)) .gdlStop("oneHot() of a GRanges needs a genome")
        g <- genomeSource(genome)
        .checkRanges(x, .lengthsOf(g))
        w <- width(x)
        if (any(w != w[1L]))
            .gdlStop("ranges must have equal widths for one-hot encoding (found widths ",
                     paste(utils::head(unique(w), 3L), collapse = ", "), ")")
        return(.native(cpp_onehot_ranges(.genomePtr(g), as.character(seqnames(x)), start(x),
                                         end(x), as.character(strand(x)) == "-", nlc, zero,
                                         FALSE, .threads(threads), names)))
    }
    if (is(x, "XStringSet")) x <- as.character(x)
    if (!is.character(x)) .gdlStop("x must be sequences or a GRanges, not ", class(x)[1L])
    if (length(x) == 0L) .gdlStop("x is empty")
    if (anyNA(x)) .gdlStop("x has missing sequences (NA)")
    w <- nchar(x, type = "bytes")
    if (any(w != w[1L]))
        .gdlStop("sequences must have equal widths for one-hot encoding (found widths ",
                 paste(utils::head(unique(w), 3L), collapse = ", "), ")")
    .native(cpp_onehot_strings(unname(x), nlc, zero, .threads(threads), names))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### .asOneHot: every sequence input as a one-hot array (generic in R/AllGenerics.R)
###

.namedOneHot <- function(x, genome, to)
    .oneHotArray(x, genome, to, "quarter", NULL, names = names(x))

setMethod(".asOneHot", "character", function(x, layout, to, genome, what, channels)
    .namedOneHot(x, NULL, to))

setMethod(".asOneHot", "XStringSet", function(x, layout, to, genome, what, channels)
    .namedOneHot(x, NULL, to))

setMethod(".asOneHot", "GRanges", function(x, layout, to, genome, what, channels) {
    if (is.null(genome)) .gdlStop(what, ": a GRanges needs a genome to read its sequences from")
    .namedOneHot(x, genome, to)
})

setMethod(".asOneHot", "array", function(x, layout, to, genome, what, channels) {
    layout <- .matchArg(layout, c("NLC", "NCL"), "layout")
    d <- dim(x)
    shape <- if (layout == "NLC") "N x length x 4" else "N x 4 x length"
    if (length(d) != 3L)
        .gdlStop(what, " must be a 3-dimensional one-hot array (", shape, " for layout \"", layout,
                 "\"); it is ", paste(d, collapse = " x "))
    if (!is.null(channels) && d[if (layout == "NLC") 3L else 2L] != channels)
        .gdlStop(what, " (", paste(d, collapse = " x "), ") must be ", shape, " for layout \"",
                 layout, "\"", if (layout == "NLC") " (use layout = \"NCL\" for N x 4 x length)")
    .checkOneHot(x, layout, what)
    if (layout != to) x <- aperm(x, c(1L, 3L, 2L))
    storage.mode(x) <- "double"
    x
})

setMethod(".asOneHot", "ANY", function(x, layout, to, genome, what, channels)
    .gdlStop(what, " must be a DNAStringSet, a character vector, a GRanges (with a genome) or a ",
             "one-hot array, not ", class(x)[1L]))
