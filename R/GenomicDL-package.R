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
#' @keywords internal
#' @useDynLib GenomicDL, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @import methods
#' @import GenomicRanges
#' @importFrom S4Vectors mcols mcols<- DataFrame
#' @importFrom IRanges IRanges NumericList
#' @importFrom GenomeInfoDb seqinfo Seqinfo seqnames seqlengths seqlevels
#' @importFrom BiocGenerics start end width strand
#' @importFrom utils head tail
#' @importFrom BiocParallel bpparam bplapply
#' @importFrom Rsamtools FaFile
"_PACKAGE"

#' @importClassesFrom Biostrings DNAStringSet
#' @importClassesFrom GenomeInfoDb Seqinfo
NULL
