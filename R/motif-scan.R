### =========================================================================
### Motif instances: scanMotifs(), FIMO's statistics in the threaded C++ core
### -------------------------------------------------------------------------

## MEME's non-redundant database letter frequencies (A, C, G, T), FIMO's
## "--bfile --nrdb--".
.nrdbBackground <- c(A = 0.281774, C = 0.222020, G = 0.228876, T = 0.267330)

#' Scan sequences for motif instances with FIMO's statistics
#'
#' Finds the sites of motifs in sequences as MEME suite's FIMO 5.5 does:
#' same log-odds scores, same exact p-values, both strands, natively and in
#' threads.
#'
#' @param motifs a \code{PFMatrixList}, \code{PWMatrixList}, \code{PFMatrix}
#'   or the path of a MEME (or JASPAR) motif file.
#' @param x what to scan: a \code{DNAStringSet} (each sequence whole;
#'   sequences without names are called \code{seq1}, \code{seq2}, ...), a
#'   \code{GRanges} of regions of \code{genome} (strand ignored; overlapping
#'   ranges are scanned separately: \code{reduce()} them to report each site
#'   once), or a whole genome (a \code{BSgenome}, a \code{GenomeSource} or a
#'   FASTA path).
#' @param genome for a \code{GRanges} \code{x}: anything
#'   \code{\link{genomeSource}} accepts. Must be \code{NULL} otherwise.
#' @param threshold report sites with p-value \code{<= threshold} (FIMO's
#'   \code{--thresh}, default 1e-4).
#' @param pseudocount FIMO's \code{--motif-pseudo} (default 0.1), added to
#'   the motif's \code{nsites} (20 when unknown) times the background.
#' @param background \code{"motif"} (the motif file's background letter
#'   frequencies; a matrix object's \code{bg()}), \code{"uniform"},
#'   \code{"subject"} (letter frequencies of \code{x}, both strands),
#'   \code{"nrdb"} (MEME's non-redundant database frequencies) or four
#'   frequencies for A, C, G, T.
#' @param strands \code{"both"} (FIMO's default) scans the reverse strand
#'   too; \code{"forward"} is FIMO's \code{--norc}.
#' @param qvalues compute Storey q-values per motif (see Details).
#' @param matchedSequence return the matched sequence of each site.
#' @param file \code{NULL} to return the sites, or a path to stream them to
#'   (tab-separated, BED-like: 0-based starts, a \code{#} header line; written
#'   atomically) with memory bounded by the work of one batch, not by the
#'   genome.
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{subject} (now \code{x}), \code{bothStrands}
#'   (\code{strands}: \code{TRUE} is \code{"both"}, \code{FALSE}
#'   \code{"forward"}).
#' @return Without \code{file}: a \code{GRanges} of sites (the motif's width,
#'   the strand it matched on) in genome order, with columns \code{motifId},
#'   \code{motifName} (FIMO's \code{motif_alt_id}), \code{score} (log-odds,
#'   bits), \code{pValue}, \code{qValue} (NA unless \code{qvalues = TRUE}) and
#'   \code{matchedSequence} (as the motif reads it: the reverse complement on
#'   the minus strand). Its metadata hold the background used and the number
#'   of windows scored per motif. With \code{file}: the path, invisibly, with
#'   attribute \code{"hits"} (the number of sites written).
#' @details The statistics follow FIMO (MEME suite 5.5, fimo.c and pssm.c):
#'   the pseudocount \code{(p n + a b) / (n + a)} with \code{n =
#'   as.integer(nsites)}; log-odds \code{log(p / b) * 1.44269504}; the matrix
#'   scaled to integers with \code{offset = floor(min)} and \code{scale =
#'   floor(1000 / (max - offset))}; the exact distribution of the integer
#'   score under the background by convolution over the columns; a site's
#'   p-value is \code{P(S >= s)} of its integer score \code{s} and its score
#'   \code{s / scale + w * offset}, both rounded to 10 significant digits. The
#'   minus strand is scanned with the reverse complement motif. Scanning both
#'   strands, the background is made strand-symmetric (A and T averaged, C and
#'   G averaged) as FIMO does. Windows holding any letter other than A, C, G,
#'   T (lower case counts) are not scored.
#'
#'   Departures from FIMO: q-values use Storey's estimate \code{pi0 = #{p >
#'   1/2} / (m / 2)} over all \code{m} windows scored on both strands (FIMO
#'   bootstraps a random sample of 10,000 p-values); sites are not capped at
#'   FIMO's \code{--max-stored-scores} (100,000); the default background is
#'   the motif file's (FIMO's command line defaults to \code{--nrdb--}:
#'   \code{background = "nrdb"}). Like FIMO's \code{--text}, streaming to a
#'   file computes no q-values.
#'
#'   Reference used: MEME FIMO 5.5.9's own output for JASPAR MA0069.1 (PAX6)
#'   and MA0718.1 (RAX) on hg38 around NOTCH1 (\code{fimo --bgfile --nrdb--
#'   --thresh 1e-4}, FIMO's defaults otherwise; 23 sites on both strands), as
#'   printed in a public analysis script: \code{scanMotifs(background =
#'   "nrdb")} gives the same sites, matched sequences, scores and p-values to
#'   FIMO's printed precision (tests/testthat/test-motif-scan.R). MEME itself
#'   cannot be run where this is built (no MEME installation), so background,
#'   pseudocount, q-value and genome-scale variants are checked against an
#'   independent R implementation of the steps above (the exact score
#'   distribution by convolution, written out from fimo.c / pssm.c).
#' @references Grant CE, Bailey TL, Noble WS (2011). FIMO: scanning for
#'   occurrences of a given motif. Bioinformatics 27:1017-1018.
#' @seealso \code{\link{compareMotifs}}, \code{\link{readMEME}}
#' @examples
#' motifs <- system.file("extdata", "example_motifs.meme", package = "GenomicDL")
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' sites <- scanMotifs(motifs, fa, threshold = 1e-5)
#' sites
#' table(sites$motifName)
#' @export
scanMotifs <- function(motifs, x, genome = NULL, threshold = 1e-4, pseudocount = 0.1,
                       background = "motif", strands = c("both", "forward"), qvalues = FALSE,
                       matchedSequence = TRUE, file = NULL, threads = NULL, ...) {
    .renamedArgs(list(subject = "x", bothStrands = list("strands", .strandsFromFlag)))
    bothStrands <- .matchArg(strands) == "both"
    .checkNumber(threshold, "threshold (a p-value)", 0, 1, minOpen = TRUE)
    .checkNumber(pseudocount, "pseudocount", min = 0)
    .checkFlag(qvalues, "qvalues")
    .checkFlag(matchedSequence, "matchedSequence")
    if (!is.null(file) && (!is.character(file) || length(file) != 1L || is.na(file)))
        .gdlStop("file must be NULL or one output path")
    if (!is.null(file) && qvalues)
        .gdlStop("qvalues = TRUE needs the sites in memory: use file = NULL (as FIMO's --text)")
    m <- .motifsToCore(motifs, "motifs")
    if (length(m$prob) == 0L) .gdlStop("motifs: no motifs to scan")
    s <- .scanSubject(x, genome)
    ptr <- .genomePtr(s$genome)
    bg <- .scanBackground(background, motifs, m, s, ptr, bothStrands)
    r <- .native(cpp_motif_scan(ptr, s$chrom, s$start, s$end, m, unname(bg), threshold,
                                pseudocount, bothStrands, qvalues, matchedSequence,
                                if (is.null(file)) "" else path.expand(file), .threads(threads)))
    if (!is.null(file)) return(invisible(structure(file, hits = r$written)))
    width <- vapply(m$prob, nrow, integer(1))
    si <- seqinfo(s$genome)
    gr <- GenomicRanges::GRanges(s$chrom[r$region],
                                 IRanges::IRanges(r$start, width = width[r$motif]),
                                 strand = r$strand, seqinfo = si)
    mc <- S4Vectors::DataFrame(motifId = m$id[r$motif], motifName = m$name[r$motif],
                               score = r$score, pValue = r$pvalue, qValue = r$qvalue)
    if (matchedSequence) mc$matchedSequence <- r$sequence
    S4Vectors::mcols(gr) <- mc
    if (bothStrands) {  # the core makes it strand-symmetric, as FIMO does
        bg <- bg / sum(bg)
        at <- (bg[["A"]] + bg[["T"]]) / 2
        cg <- (bg[["C"]] + bg[["G"]]) / 2
        bg <- c(A = at, C = cg, G = cg, T = at)
    }
    S4Vectors::metadata(gr) <- list(background = bg,
                                    windows = stats::setNames(r$windows, m$id),
                                    threshold = threshold, pseudocount = pseudocount)
    gr
}

## Subject -> list(genome = GenomeSource, chrom, start, end) (1-based closed).
.scanSubject <- function(subject, genome) {
    if (is(subject, "GRanges")) {
        if (is.null(genome)) .gdlStop("a GRanges x needs genome (see ?genomeSource)")
        g <- genomeSource(genome)
        chrom <- as.character(GenomicRanges::seqnames(subject))
        miss <- setdiff(unique(chrom), GenomeInfoDb::seqnames(seqinfo(g)))
        if (length(miss))
            .gdlStop("x: sequence(s) not in the genome: ", paste(miss, collapse = ", "))
        len <- GenomeInfoDb::seqlengths(seqinfo(g))[chrom]
        if (any(BiocGenerics::start(subject) < 1L) || any(BiocGenerics::end(subject) > len))
            .gdlStop("x: ranges must lie inside their sequences (trim() them first)")
        return(list(genome = g, chrom = chrom, start = as.numeric(BiocGenerics::start(subject)),
                    end = as.numeric(BiocGenerics::end(subject))))
    }
    if (!is.null(genome)) .gdlStop("genome is only for a GRanges x")
    if (is(subject, "DNAStringSet")) {
        if (is.null(names(subject))) names(subject) <- paste0("seq", seq_along(subject))
        if (anyDuplicated(names(subject))) .gdlStop("x: sequence names must be unique")
        g <- genomeSource(subject)
    } else if (is(subject, "BSgenome") || is(subject, "GenomeSource") ||
               (is.character(subject) && length(subject) == 1L)) {
        g <- genomeSource(subject)
    } else {
        .gdlStop("x must be a DNAStringSet, a GRanges (with genome), a BSgenome, ",
                 "a GenomeSource or a FASTA path, not ", class(subject)[1L])
    }
    si <- seqinfo(g)
    list(genome = g, chrom = GenomeInfoDb::seqnames(si), start = rep(1, length(si)),
         end = as.numeric(GenomeInfoDb::seqlengths(si)))
}

.scanBackground <- function(background, motifs, m, s, ptr, bothStrands) {
    if (is.numeric(background)) {
        if (length(background) != 4L || anyNA(background) || any(background <= 0))
            .gdlStop("background must be one of \"motif\", \"uniform\", \"subject\", \"nrdb\" ",
                     "or four positive frequencies for A, C, G, T")
        if (!is.null(names(background))) {
            if (!setequal(names(background), c("A", "C", "G", "T")))
                .gdlStop("background names must be A, C, G, T")
            background <- background[c("A", "C", "G", "T")]
        }
        return(stats::setNames(background / sum(background), c("A", "C", "G", "T")))
    }
    if (!is.character(background) || length(background) != 1L ||
        !background %in% c("motif", "uniform", "subject", "nrdb"))
        .gdlStop("background must be one of \"motif\", \"uniform\", \"subject\", \"nrdb\" ",
                 "or four frequencies for A, C, G, T")
    bg <- switch(background,
        uniform = rep(0.25, 4),
        nrdb = .nrdbBackground,
        subject = .native(cpp_motif_scan_background(ptr, s$chrom, s$start, s$end, bothStrands)),
        motif = {
            if (is.character(motifs)) m$background
            else {
                x <- if (is(motifs, "XMatrixList")) motifs[[1L]] else motifs
                b <- TFBSTools::bg(x)
                if (is.null(names(b))) b else b[c("A", "C", "G", "T")]
            }
        })
    stats::setNames(as.numeric(bg), c("A", "C", "G", "T"))
}
