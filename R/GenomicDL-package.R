#' GenomicDL: deep learning on DNA sequence with a LibTorch core
#'
#' GenomicDL generates training data from genomes and annotations, trains
#' convolutional and recurrent networks on LibTorch, scores DeepBind models and
#' turns filters into motifs. GRanges go in, Bioconductor objects come out; the
#' heavy work runs in a threaded C++17 core.
#'
#' Options: \code{GenomicDL.threads} (threads of the core, default 2 or the
#' number of cores if fewer).
#'
#' Loading is kept fast (a few seconds): the namespace imports only
#' GenomicRanges and the small packages below it. TFBSTools, rtracklayer,
#' Rsamtools, BiocParallel, SummarizedExperiment and the plotting packages
#' load when a function first needs them (\code{pkg::f} calls).
#'
#' @keywords internal
#' @useDynLib GenomicDL, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @import methods
#' @import GenomicRanges
#' @importFrom S4Vectors mcols mcols<- DataFrame isSingleNumber isTRUEorFALSE
#' @importFrom IRanges IRanges NumericList
#' @importFrom GenomeInfoDb seqinfo Seqinfo seqnames seqlengths seqlevels
#' @importFrom BiocGenerics start end width strand
#' @importFrom utils head tail
"_PACKAGE"

#' @importClassesFrom Biostrings DNAStringSet XStringSet
#' @importClassesFrom GenomeInfoDb Seqinfo
NULL
