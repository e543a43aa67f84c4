### =========================================================================
### Attributions of predictions to bases: attributeBases(), dinucleotideShuffle()
### -------------------------------------------------------------------------

#' Attribute a model's predictions to the bases of its input
#'
#' Computes, for one scalar output of a model (a task), a contribution score
#' for every base of every sequence: in-silico saturation mutagenesis
#' (\code{"ism"}), gradient x input (\code{"saliency"}) or DeepLIFT with the
#' rescale rule averaged over dinucleotide-shuffled references (DeepSHAP,
#' \code{"deepliftshap"}), with tangermeme's conventions. Everything runs in
#' the C++ core in batches (all 3L mutants of a sequence, or a sequence and
#' its references, in one forward pass).
#'
#' Conventions, at position l and base b of a sequence x (one-hot):
#' \describe{
#'   \item{ism}{d[l, b] = f(x with b at l) - f(x) (0 for the base already
#'     there); the hypothetical score is d minus its mean over the four bases,
#'     the attribution that score times x (non-zero at the sequence's bases
#'     only).}
#'   \item{saliency}{the gradient g = df/dx is the hypothetical score (no mean
#'     subtracted); the attribution is x * g.}
#'   \item{deepliftshap}{DeepLIFT multipliers m against each reference r
#'     (rescale rule for elementwise activations: relu, sigmoid, tanh, exp,
#'     softplus, elu, gelu, ...; linear layers, batch normalisation and
#'     average pooling exact; max pooling by DeepLIFT's rule for it: the
#'     difference of the two maxima goes back to the input's and the
#'     reference's argmax, so networks that max-pool (every preset of the zoo)
#'     still sum to delta; sigmoid outputs take the rescale rule like any
#'     elementwise activation).
#'     Hypothetical score h[l, b] = m[l, b] - sum_c r[l, c] m[l, c], averaged
#'     over the references; attribution x * h. For networks of linear layers
#'     and elementwise activations the attributions of a sequence sum to
#'     f(x) - mean_r f(r) (summation-to-delta); the largest deviation is
#'     returned and a warning is given when it exceeds \code{tolerance}
#'     (relative to max(1, |f(x) - mean_r f(r)|)). The gap stays below 1e-3
#'     of |f(x) - f(r)| per sequence on the presets of the zoo (keras_dna's
#'     CNN, DeepSEA, Basset, DeepBind networks, BPNet's counts and profile
#'     heads, DanQ's bidirectional LSTM; tested). LSTM and GRU layers run
#'     step by step: their sigmoid and tanh gates take the rescale rule and
#'     every product of two input-dependent terms (gate x state, gate x
#'     candidate) the Shapley rule of SHAP's DeepExplainer for binary
#'     operations, a(x) b(x) - a(r) b(r) = mean(b) delta(a) + mean(a)
#'     delta(b) with mean(v) = (v(x) + v(r)) / 2, which is exact, so
#'     summation-to-delta holds through the recurrence too. Softmax
#'     activations and logsumexp merges are not supported (an error naming
#'     the layer; use \code{"ism"} or \code{"saliency"}).}
#' }
#' References are dinucleotide shuffles of each sequence (same dinucleotide
#' counts, first and last base), reproducible from \code{seed} whatever the
#' batch size; reference 1 of sequence i is \code{dinucleotideShuffle(x,
#' seed)[i]}. Bases that are not A, C, G or T shuffle as N (0.25 in each
#' channel).
#'
#' @param model a \code{SequenceModel} with one DNA input.
#' @param x a \code{DNAStringSet} or character vector of sequences of the
#'   model's input length, a \code{GRanges} of that width with \code{genome},
#'   or a one-hot array (N x length x 4 as \code{\link{oneHot}} gives, or N x 4
#'   x length with \code{layout = "NCL"}).
#' @param genome for \code{GRanges} input: anything \code{\link{genomeSource}}
#'   accepts.
#' @param method \code{"deepliftshap"}, \code{"ism"} or \code{"saliency"}.
#' @param output which output of the model (number or name).
#' @param task which value of that output (1-based; for a sequence output of
#'   length L and C tracks, the flattened index (l - 1) * C + c). With
#'   \code{profile = TRUE}, the track (0: all tracks together).
#' @param profile for sequence (profile) outputs such as BPNet's logits:
#'   attribute bpnet-lite's reduction f = sum_l w_l (z_l - mean(z)) over the
#'   positions of track \code{task} (or of all tracks), w = softmax(z -
#'   mean(z)) held constant in the gradient; DeepLIFT weighs its references
#'   with the input's w, which keeps summation-to-delta exact.
#' @param hypothetical return the hypothetical scores (every base of every
#'   position, as TF-MoDISco takes them) instead of the attributions.
#' @param nReferences dinucleotide-shuffled references per sequence
#'   (\code{"deepliftshap"}).
#' @param seed seed of the references.
#' @param batchSize network samples per forward pass (mutants for ISM; for
#'   DeepLIFT a sequence counts 2 x \code{nReferences}).
#' @param layout layout of an array \code{x}: \code{"NLC"} or \code{"NCL"}.
#' @param tolerance largest relative completeness gap accepted silently
#'   (\code{"deepliftshap"}).
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param threads threads of LibTorch (default: option GenomicDL.threads).
#' @param ism how \code{"ism"} runs the mutants. \code{"fast"} (fastISM's
#'   idea): each layer's output is computed once for the sequence, and each
#'   mutant recomputes only the positions its base reaches (its receptive
#'   field in that layer), until they cover the whole output; equal to
#'   \code{"batched"} up to float rounding. A pass holds 8 x
#'   \code{batchSize} mutants (a mutant holds windows, not whole
#'   sequences), its layers run \code{batchSize} at a time; results do not
#'   depend on \code{batchSize} beyond rounding. Models with layers it does not cover
#'   (LSTM, GRU, transposed convolutions) run \code{"batched"} with a
#'   message. \code{"batched"}: every mutant through the whole network,
#'   \code{batchSize} at a time.
#' @param ... ignored, but for \code{regions} (with \code{export},
#'   \code{returnValues}, \code{BPPARAM}, \code{verbose}): attributions over
#'   genome regions of any length, see \link{attributeBases-regions}.
#' @return An array N x length x 4 (dimnames: the sequences' names, NULL,
#'   A C G T; a \code{GRanges} gives the same array, its rows in the order of
#'   the ranges, minus-strand ranges reverse-complemented as \code{oneHot}
#'   reads them) with attributes \code{method}, \code{hypothetical},
#'   \code{prediction} (f(x) per sequence) and, for \code{"deepliftshap"},
#'   \code{reference} (mean_r f(r)), \code{completenessGap} (per sequence)
#'   and \code{maxCompletenessGap}; for \code{"ism"}, \code{ism} (the path
#'   taken, \code{"fast"} or \code{"batched"}).
#' @examples
#' m <- sequentialModel(c(30, 4), list(layerConv1d(8, 5, activation = "relu"),
#'     layerGlobalAvgPool1d(), layerDense(2)))
#' set.seed(1)
#' seqs <- vapply(1:3, function(i) paste(sample(c("A", "C", "G", "T"), 30, TRUE),
#'                                       collapse = ""), "")
#' a <- attributeBases(m, seqs, method = "deepliftshap", task = 2)
#' dim(a)
#' # DeepLIFT's attributions sum to f(x) - mean over references of f(r)
#' cbind(rowSums(a), attr(a, "prediction") - attr(a, "reference"))
#' ism <- attributeBases(m, seqs, method = "ism", task = 2)
#' round(ism[1, 1:5, ], 3)
#' # the same through every mutant's whole network
#' all.equal(ism, attributeBases(m, seqs, method = "ism", task = 2, ism = "batched"),
#'           check.attributes = FALSE, tolerance = 1e-5)
#' @export
attributeBases <- function(model, x, genome = NULL,
                           method = c("deepliftshap", "ism", "saliency"), output = 1,
                           task = 1, profile = FALSE, hypothetical = FALSE, nReferences = 20, seed = 1,
                           batchSize = 128, layout = c("NLC", "NCL"), tolerance = 1e-3,
                           device = "auto", threads = NULL, ism = c("fast", "batched"), ...) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    if (!is.null(list(...)$regions))   # regions of any length, streamed: R/interpret-regions.R
        return(.attributeRegions(model, genome = genome, opts = list(method = method[1L],
            output = output, task = task, profile = profile, hypothetical = hypothetical,
            nReferences = nReferences, seed = seed, batchSize = batchSize, tolerance = tolerance,
            device = device, threads = threads, ism = ism), ...))
    if (!is.character(method) || length(method) < 1L || !(method[1L] %in% c("deepliftshap", "ism", "saliency")))
        .gdlStop("method must be \"deepliftshap\", \"ism\" or \"saliency\", not ",
                 paste(format(method), collapse = ", "))
    method <- method[1L]
    layout <- .matchArg(layout)
    if (is.character(output)) {
        k <- match(output, .outputNames(model))
        if (length(output) != 1L || is.na(k))
            .gdlStop("output '", output[1L], "' is not an output of the model (",
                     paste(.outputNames(model), collapse = ", "), ")")
        output <- k
    }
    .checkCount(output, "output")
    .checkFlag(profile, "profile")
    .checkCount(task, "task", if (profile) 0 else 1)
    .checkCount(nReferences, "nReferences")
    .checkCount(batchSize, "batchSize")
    .checkCount(seed, "seed", 0)
    .checkFlag(hypothetical, "hypothetical")
    ism <- .matchArg(ism)
    x <- .asOneHot(x, layout, "NLC", genome)
    r <- .native(cpp_interpret_attribute(.modelPtr(model), x, TRUE, method, as.integer(output),
                                         task, profile, hypothetical, as.integer(nReferences), seed,
                                         batchSize, .resolveDevice(device), .threads(threads), ism))
    out <- r$values
    dimnames(out) <- list(dimnames(x)[[1L]], NULL, c("A", "C", "G", "T"))
    attr(out, "method") <- method
    attr(out, "hypothetical") <- hypothetical
    attr(out, "prediction") <- r$prediction
    if (method == "ism") {
        attr(out, "ism") <- r$ismPath
        if (nzchar(r$ismFallback))
            message("fast ISM does not cover ", r$ismFallback, " of this model: every mutant runs ",
                    "the whole network (ism = \"batched\")")
    }
    if (method == "deepliftshap") {
        attr(out, "reference") <- r$reference
        attr(out, "completenessGap") <- r$gap
        attr(out, "maxCompletenessGap") <- r$maxGap
        if (r$maxRelativeGap > tolerance)
            warning("DeepLIFT's attributions miss summation-to-delta by up to ",
                    format(r$maxRelativeGap, digits = 3), " (relative; tolerance ", tolerance,
                    "): float rounding, or activations whose input and reference differ by",
                    " less than 1e-6 (where the rescale rule takes the gradient)",
                    call. = FALSE)
    }
    out
}

#' Dinucleotide-shuffle sequences
#'
#' Random sequences with exactly the dinucleotide counts and the first and
#' last base of each input (Altschul-Erickson shuffle by a random Eulerian
#' walk, in C++), the references of \code{attributeBases(method =
#' "deepliftshap")}.
#'
#' @param x a \code{DNAStringSet} or character vector.
#' @param seed seed; the same seed gives the same shuffles.
#' @return The shuffled sequences, of the class of \code{x} (upper case;
#'   letters other than A, C, G, T become N). Sequence i is shuffled with its
#'   own stream, the one of reference 1 of sequence i in
#'   \code{\link{attributeBases}}.
#' @examples
#' s <- Biostrings::DNAStringSet(c("ACGTTGCAACGGTACCAGT", "AAAACCCCGGGGTTTTACGT"))
#' d <- dinucleotideShuffle(s, seed = 3)
#' d
#' all(Biostrings::dinucleotideFrequency(d) == Biostrings::dinucleotideFrequency(s))
#' @export
dinucleotideShuffle <- function(x, seed = 1) {
    .checkCount(seed, "seed", 0)
    if (is(x, "XStringSet")) {
        if (!is(x, "DNAStringSet")) .gdlStop("x must be a DNAStringSet or a character vector")
        out <- .native(cpp_interpret_shuffle(as.character(x), seed))
        out <- Biostrings::DNAStringSet(out)
        names(out) <- names(x)
        return(out)
    }
    if (!is.character(x)) .gdlStop("x must be a DNAStringSet or a character vector, not ", class(x)[1L])
    if (anyNA(x)) .gdlStop("x has missing sequences (NA)")
    out <- .native(cpp_interpret_shuffle(unname(x), seed))
    names(out) <- names(x)
    out
}
