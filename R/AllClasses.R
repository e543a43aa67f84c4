### =========================================================================
### Classes of GenomicDL
### -------------------------------------------------------------------------

#' GenomeSource: a genome the C++ core reads from
#'
#' A \code{GenomeSource} wraps a FASTA file (plain or bgzip, read through
#' htslib's faidx index) or sequences held in memory (from a
#' \code{DNAStringSet} or a \code{BSgenome}). Create one with
#' \code{\link{genomeSource}}.
#'
#' @slot type \code{"fasta"} or \code{"memory"}.
#' @slot path the FASTA path (\code{"fasta"}), or \code{NA}.
#' @slot sequences the sequences of an in-memory genome (a DNAStringSet), or
#'   an empty one.
#' @slot seqinfo the sequence names and lengths.
#' @slot handle environment holding the external pointer to the core genome
#'   (reopened when invalid, e.g. after \code{readRDS}).
#' @exportClass GenomeSource
setClass("GenomeSource",
    representation(type = "character", path = "character",
                   sequences = "DNAStringSet", seqinfo = "Seqinfo",
                   handle = "environment"))
