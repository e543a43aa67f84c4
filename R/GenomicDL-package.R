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
#' @section Argument names:
#' One concept has one argument name and one default across the exported
#' functions. Earlier names (last column) still work until the next
#' release, with a warning of class \code{"GenomicDL_deprecated"}.
#' \tabular{llll}{
#'   \strong{concept} \tab \strong{argument} \tab \strong{default} \tab \strong{was} \cr
#'   input data (sequences, one-hot arrays, GRanges, generators) \tab \code{x} \tab -- \tab
#'     \code{sequences} (deepbindScore, filterMotifs, filterImportance),
#'     \code{subject} (scanMotifs), \code{generator} (fit), \code{data}
#'     (evaluate, auc, correlation) \cr
#'   genomic intervals read or predicted \tab \code{regions} \tab -- \tab
#'     \code{ranges} (getSequence, trackValues) \cr
#'   genome \tab \code{genome} \tab -- \tab \cr
#'   input length of a network or scanned window (bases) \tab
#'     \code{inputLength} \tab \code{"maxlen"} (sequenceGenerator), 101
#'     (scanDeepBind, scoreVariants of DeepBind models), per preset (zoo) \tab
#'     \code{window}, \code{seqLen} (sequenceGenerator), \code{width}
#'     (scanDeepBind) \cr
#'   input shape of a hand-built network \tab \code{inputShape} \tab -- \tab \cr
#'   central values predicted by a generator \tab \code{targetWindow} \tab 1
#'     \tab \cr
#'   DeepBind's \code{--window-size} \tab \code{deepbindWindow} \tab
#'     \code{NULL} (the model's) \tab \code{window} (deepbindScore,
#'     scanDeepBind) \cr
#'   seqlet score window \tab \code{seqletWindow} \tab 21 \tab \code{window}
#'     (discoverMotifs) \cr
#'   bins per region \tab \code{bins} \tab \code{NULL} (trackValues) \tab \cr
#'   histogram bins of balanced weights \tab \code{weightBins} \tab
#'     \code{"auto"} \tab \code{bins} (sequenceGenerator) \cr
#'   reverse-complement every sample \tab \code{reverseComplement} \tab
#'     \code{FALSE} \tab \code{rc} (sequenceGenerator) \cr
#'   random strand per sample (augmentation) \tab \code{rcAugment} \tab
#'     \code{FALSE} \tab \cr
#'   reverse-complement mode of predictions \tab \code{rc} \tab
#'     \code{"none"} (predictRegions), \code{"average"} (scoreVariants) \tab \cr
#'   strands scanned \tab \code{strands} \tab \code{"both"}
#'     (\code{"model"} for deepbindScore) \tab \code{bothStrands}
#'     (scanMotifs, callMotifHits) \cr
#'   significance threshold (p-, q- or E-value at most) \tab \code{threshold}
#'     \tab 1e-4 (scanMotifs, p-value), 0.5 (compareMotifs, q-value) \tab
#'     \code{thresh} (compareMotifs) \cr
#'   lower bound of a score \tab \code{minActivation}, \code{minScore},
#'     \code{minSimilarity} \tab 0, 0.5, 0.7 \tab \code{threshold}
#'     (filterMotifs) \cr
#'   minimum overlap, in columns \tab \code{minOverlap} \tab 1
#'     (compareMotifs) \tab \cr
#'   minimum overlap, as a fraction \tab \code{minOverlapFraction} \tab 0.7
#'     (discoverMotifs) \tab \code{minOverlap} (discoverMotifs) \cr
#'   threads of the core \tab \code{threads} \tab \code{NULL}: option
#'     \code{GenomicDL.threads} \tab \cr
#'   batch-loading threads of training \tab \code{prefetchThreads} \tab
#'     \code{NULL}: \code{threads} \tab \code{workers} (fit) \cr
#'   processes (regions or chunks split over them) \tab \code{BPPARAM} \tab
#'     \code{NULL}: this process \tab \cr
#'   device of a network \tab \code{device} \tab \code{"auto"} \tab \cr
#'   training batch size \tab \code{batchSize} \tab 64 (sequenceGenerator,
#'     fit on arrays; multiGenerator: its first generator's) \tab \cr
#'   inference batch size \tab \code{batchSize} \tab 128 (predict, evaluate,
#'     auc, correlation, predictRegions, scoreVariants, attributeBases,
#'     filterImportance) \tab \cr
#'   seed of random choices \tab \code{seed} \tab 1 \tab \cr
#'   one-hot layout of arrays \tab \code{layout} \tab \code{"NLC"} \tab \cr
#'   value of N in one-hot encodings \tab \code{ambiguous} \tab
#'     \code{"quarter"} \tab \cr
#'   streamed output file(s) \tab \code{export} (tracks), \code{file},
#'     \code{output} (tables) \tab \code{NULL} \tab \cr
#'   progress messages \tab \code{verbose} \tab \code{TRUE} (fit,
#'     predictRegions, scoreVariants); \code{FALSE} (discoverMotifs: step
#'     timings) \tab \cr
#' }
#' Differences kept on purpose: training and inference batch sizes differ
#' because the first changes the result (the gradient steps) and the second
#' only memory and speed; \code{rc} averages both strands by default for
#' variant effects (a strand-symmetric effect estimate, as Basenji's and
#' Enformer's variant scores) but not for genome-wide prediction, where it
#' would double the work; the significance threshold of a motif scan is on
#' p-values (FIMO's default) and that of a motif comparison on q-values
#' (Tomtom's). The seed was 42 for generators and 1 elsewhere in earlier versions;
#' it is 1 everywhere.
#'
#' @section Models are references:
#' A \code{SequenceModel} is a reference to one network: \code{m2 <- m} does
#' not copy it, and \code{fit()} trains it in place. Use
#' \code{\link{copyModel}} for an independent copy; see
#' \code{\link[=SequenceModel-class]{SequenceModel}}.
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
