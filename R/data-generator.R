### =========================================================================
### SequenceGenerator: training batches from a genome and annotations
### (keras_dna's Generator), filled by the C++ core's threads.
### -------------------------------------------------------------------------

#' SequenceGenerator and MultiGenerator: training data for the C++ core
#'
#' A \code{SequenceGenerator} (made by \code{\link{sequenceGenerator}}) holds
#' the arguments it was built from and an external pointer to the C++ batch
#' source; a \code{MultiGenerator} (made by \code{\link{multiGenerator}}) mixes
#' several of them. Training code reads batches in C++ without passing
#' through R; \code{\link{batch}} gives one batch as R arrays.
#'
#' @slot args the arguments of \code{sequenceGenerator} (see
#'   \code{\link{generatorArgs}}).
#' @slot info shapes and counts reported by the core.
#' @slot handle environment holding the external pointer (rebuilt from the
#'   arguments when invalid, e.g. after \code{readRDS}).
#' @return A class definition; the objects are made by
#'   \code{\link{sequenceGenerator}} and \code{\link{multiGenerator}}.
#' @name SequenceGenerator-class
#' @exportClass SequenceGenerator
setClass("SequenceGenerator",
    representation(args = "list", info = "list", handle = "environment"))

#' @rdname SequenceGenerator-class
#' @slot generators the generators mixed (a list).
#' @slot counts samples drawn from each generator per epoch.
#' @exportClass MultiGenerator
setClass("MultiGenerator",
    representation(generators = "list", counts = "numeric", batchSize = "numeric",
                   seed = "numeric", info = "list", handle = "environment"))

#' Shapes and batches of a generator
#'
#' @param x a \code{SequenceGenerator} or \code{MultiGenerator}.
#' @param i batch number (1-based) within the epoch.
#' @param epoch epoch number (1-based); each epoch has its own shuffle.
#' @param ... unused.
#' @return \code{inputShape}, \code{labelShape}, \code{secondaryShape}: the
#'   shape of one sample (without the batch axis), as keras_dna prints it.
#'   \code{batch}: \code{list(x, y, weights, secondary)} of arrays whose first
#'   axis is the batch (\code{weights} and \code{secondary} are \code{NULL}
#'   when there are none).
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' gen <- sequenceGenerator(fa, bw, inputLength = 501, targetWindow = 10, batchSize = 8)
#' inputShape(gen)
#' labelShape(gen)
#' b <- batch(gen, 1)
#' dim(b$x)
#' dim(b$y)
#' @name generatorShapes
NULL

#' @rdname generatorShapes
#' @export
setGeneric("inputShape", function(x, ...) standardGeneric("inputShape"))
#' @rdname generatorShapes
#' @export
setGeneric("labelShape", function(x, ...) standardGeneric("labelShape"))
#' @rdname generatorShapes
#' @export
setGeneric("secondaryShape", function(x, ...) standardGeneric("secondaryShape"))
#' @rdname generatorShapes
#' @export
setGeneric("batch", function(x, i, ...) standardGeneric("batch"))

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Constructor
###

#' Generate training data from a genome and annotations
#'
#' Builds the samples of keras_dna's \code{Generator} in C++: windows of the
#' genome (one-hot encoded) with targets from bigWig tracks (regression) or
#' from BED / GFF features (classification), shuffled per epoch, with
#' negatives, normalisation, weights and augmentation. Batches are filled by
#' C++ threads; the same seed gives the same batches whatever the number of
#' threads.
#'
#' @param genome anything \code{\link{genomeSource}} accepts [fasta_file].
#' @param annotations bigWig paths, \code{BigWigFile}s or \code{RleList}s
#'   (continuous targets), or BED / narrowPeak / GFF / GTF paths or
#'   \code{GRanges} (sparse targets); several (a vector or list) are several
#'   cell types [annotation_files].
#' @param annotationTypes sparse: the feature types to learn (BED name column,
#'   GFF type column) [annotation_list]. \code{NULL}: every row of each BED
#'   file is its one annotation (a GFF with several types must name them). A
#'   type that no file holds is an error naming the types found (a misspelt
#'   type never labels every row); a BED without names (3 columns, or names
#'   \code{"."}) is all of the one type named.
#' @param nAnnotationTypes continuous: files per cell type; the files are
#'   ordered cell1-type1, cell1-type2, cell2-type1, ... [nb_annotation_type].
#' @param inputLength input length (bases): a number (continuous targets
#'   need one), \code{"maxlen"} (default; sparse: the longest feature) or
#'   \code{"real"} (sparse: the longest feature, each positive's input being
#'   its feature only, centred, N elsewhere; real negatives are N-padded to the
#'   length of a positive, keras_dna's were not) [window / seq_len].
#' @param targetWindow continuous: number of central values (or of values
#'   after downsampling) predicted [tg_window].
#' @param downsampling continuous: \code{NULL}, \code{"mean"} or
#'   \code{"first"}: the whole window reduced to \code{targetWindow} values.
#' @param stride continuous: one window every \code{stride} bases (1:
#'   every position, as keras_dna; \code{targetWindow}: non-overlapping
#'   targets, keras_dna's \code{overlapping = False}).
#' @param chromosomes,excludeChromosomes chromosomes sampled (default all)
#'   and left out [incl_ / excl_chromosomes]. Normalisation statistics use the
#'   chromosomes sampled.
#' @param regions a \code{GRanges}: windows lie inside these.
#' @param blacklist a \code{GRanges}: windows never overlap these.
#' @param maxN drop windows with a larger fraction of N (1: keep all, as
#'   keras_dna).
#' @param normalization continuous: up to two of \code{"max"},
#'   \code{"perctrim"} (clip at the 99th percentile), \code{"zscore"},
#'   \code{"minmax"}, \code{"log"} (log(x + 1)), in keras_dna's order: the
#'   last listed applies first, so \code{c("max", "perctrim")} (keras_dna's
#'   \code{['max', 'perctrim']}) clips at the 99th percentile, then divides by
#'   the maximum of the clipped track (values in [0, 1]).
#' @param weighting \code{"none"}, \code{"balanced"} (sparse: N / (2 n_pos)
#'   and N / (2 n_neg); continuous: inverse histogram frequencies per file,
#'   with \code{weightBins}), \code{c(positive, negative)} weights (sparse) or
#'   \code{list(edges = , weights = )} with one vector per file (continuous).
#' @param weightBins histogram bins of \code{weighting = "balanced"}
#'   (continuous): \code{"auto"} (numpy's rule) or a number of bins.
#' @param negativeRatio negatives per positive, or \code{"all"} (every window
#'   between positives).
#' @param negativeType \code{"real"} (windows between positive windows),
#'   \code{"random"} (uniform ACGT), \code{"shuffled"} (dinucleotide-shuffled
#'   positives) or \code{NULL} (positives only).
#' @param augmentation sparse: every window containing the feature is a
#'   sample [data_augmentation].
#' @param jitter random shift of each window by up to this many bases, new
#'   each epoch: a whole number smaller than the window (an error otherwise).
#'   A shift never takes a window off its chromosome: it stops at the
#'   chromosome's ends (a window already past an end, centred on a feature
#'   near it, stays where it was).
#' @param rcAugment a random strand for each sample, new each epoch.
#' @param positiveMode \code{"match_all"} (a feature inside the window, or
#'   containing it, is positive) or \code{"match_any"} (any overlap).
#' @param seq2seq sparse: a label per base.
#' @param predict sparse: \code{"region"}, \code{"start"} or \code{"stop"}
#'   (the first or last base of stranded features).
#' @param useStrand sparse: minus-strand features give reverse-complemented
#'   windows.
#' @param secondary bigWig tracks read over the centre of the input
#'   [sec_inputs]; \code{secondaryLength}, \code{secondaryNAnnotationTypes},
#'   \code{secondaryNormalization} as for targets; \code{useSecondaryAs}
#'   \code{"inputs"} or \code{"targets"}.
#' @param secondaryLength,secondaryNAnnotationTypes,secondaryNormalization,useSecondaryAs see \code{secondary}.
#' @param reverseComplement reverse-complement every sample (and reverse its per-position
#'   labels; class labels are unchanged).
#' @param batchSize samples per batch.
#' @param layout \code{"NLC"} (batch x length x 4, keras_dna's) or
#'   \code{"NCL"} for \code{batch()} and \code{inputShape()}.
#' @param dummyAxis insert an axis of length 1 at this (1-based) position of
#'   the input shape (keras_dna's \code{dummy_axis} + 1).
#' @param outputShape the label shape wanted (without the batch axis; keras_dna's
#'   \code{output_shape} with the batch size first is accepted too): the labels
#'   are reshaped to it (row-major, as numpy), checked at construction
#'   [output_shape].
#' @param seed seed of every random choice.
#' @param threads threads of the core (default: option GenomicDL.threads).
#' @param ... deprecated names, accepted with a warning until the next
#'   release: \code{window} and \code{seqLen} (now \code{inputLength}),
#'   \code{bins} (\code{weightBins}), \code{rc} (\code{reverseComplement}).
#' @param strict error (instead of a warning) for annotations (features, or
#'   bigWig chromosomes) on chromosomes the genome lacks; without it they are
#'   dropped with a warning.
#' @param chrPrefix how annotation chromosome names (BED, GFF, bigWig,
#'   \code{regions}, \code{blacklist}) are matched to the genome's:
#'   \code{"auto"} (the same name, else the name with "chr" added or removed,
#'   and chrM / MT), \code{"add"} (prepend "chr" where missing: keras_dna's
#'   \code{num_chr = False}), \code{"strip"} (remove it: \code{num_chr =
#'   True}) or \code{"asis"}.
#' @param ambiguous value of N in the one-hot encoding: \code{"quarter"} or
#'   \code{"zero"}.
#' @return A \code{SequenceGenerator}. \code{length(gen)} is the number of
#'   batches per epoch (the last partial batch is dropped).
#' @details
#' Samples. Continuous targets: every window of the included chromosomes
#' (inside \code{regions}, off the \code{blacklist}) is a sample; its label is
#' the \code{targetWindow} central values (from base \code{(inputLength -
#' targetWindow) \%/\% 2 + 1} of the window), bases without data read 0 before
#' normalisation. Label shape \code{(targetWindow, files)}, or
#' \code{(targetWindow, files / nAnnotationTypes, nAnnotationTypes)}. Sparse
#' targets: one sample per distinct feature, the window centred on it (start
#' - ceiling((L - width) / 2)), or every window containing it with
#' \code{augmentation}; each window is labelled against every feature of
#' every file. Label shape \code{(files, types)}, \code{(L, files, types)}
#' with \code{seq2seq}. Negatives are drawn once (from the seed); jitter and
#' rcAugment change every epoch.
#'
#' keras_dna's arguments map as: fasta_file = \code{genome},
#' annotation_files = \code{annotations}, annotation_list =
#' \code{annotationTypes}, nb_annotation_type = \code{nAnnotationTypes},
#' window / seq_len = \code{inputLength}, rc = \code{reverseComplement},
#' tg_window = \code{targetWindow}, incl_chromosomes = \code{chromosomes},
#' excl_chromosomes = \code{excludeChromosomes}, normalization_mode =
#' \code{normalization} (the same order), weighting_mode = \code{weighting},
#' data_augmentation = \code{augmentation}, defined_positive =
#' \code{positiveMode}, sec_inputs / sec_input_length / sec_nb_annotation /
#' sec_normalization_mode / use_sec_as = \code{secondary} /
#' \code{secondaryLength} / \code{secondaryNAnnotationTypes} /
#' \code{secondaryNormalization} / \code{useSecondaryAs}, dummy_axis =
#' \code{dummyAxis} - 1 (0-based there), output_shape = \code{outputShape},
#' num_chr = \code{chrPrefix} (False: \code{"add"}, True: \code{"strip"}). keras_dna's bugs are not copied:
#' \code{reverseComplement} keeps class labels (keras_dna reversed the cell-type axis),
#' zscore divides by the number of bases, balanced weights use each file's
#' own bins and values below the first edge take the first bin.
#'
#' Checks. The logical arguments (\code{augmentation}, \code{rcAugment},
#' \code{seq2seq}, \code{useStrand}, \code{reverseComplement}, \code{strict}) must each be
#' \code{TRUE} or \code{FALSE}, and every choice one of its values: anything
#' else is an error, never a default. A bigWig (target or secondary) that gives
#' an included chromosome fewer bases than the genome has is an error naming
#' the file and the chromosome: it is a track of another assembly (or cut), and
#' every target past its end would be 0. \code{annotationTypes} absent from
#' every file are an error naming the types found. The plan (window starts,
#' features kept, maxN over the genome's N runs, chromosome-name matching,
#' shapes) is worked out by the C++ core from one typed spec; the core rejects
#' any option it does not know.
#'
#' Training code reads the batches in C++ (\code{.batchSource(gen)}, worker
#' threads filling a ring of buffers); \code{batch()} is for inspection.
#' @seealso \code{\link{batch}}, \code{\link{splitGenerator}},
#'   \code{\link{multiGenerator}}, \code{\link{generatorArgs}}.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' gen <- sequenceGenerator(fa, bw, inputLength = 2001, targetWindow = 100,
#'                          normalization = c("max", "perctrim"),
#'                          chromosomes = c("chr1", "chr2"))
#' gen
#' bed <- system.file("extdata", "example_peaks_cell1.bed", package = "GenomicDL")
#' peaks <- sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 551,
#'                            negativeRatio = 1, batchSize = 32)
#' labelShape(peaks)
#' @export
sequenceGenerator <- function(genome, annotations, annotationTypes = NULL, ...,
                              nAnnotationTypes = NULL, inputLength = "maxlen",
                              targetWindow = 1, downsampling = NULL, stride = 1, chromosomes = NULL,
                              excludeChromosomes = NULL, regions = NULL, blacklist = NULL,
                              maxN = 1, normalization = NULL, weighting = "none",
                              weightBins = "auto", negativeRatio = 1, negativeType = "real",
                              augmentation = FALSE, jitter = 0, rcAugment = FALSE,
                              positiveMode = "match_all", seq2seq = FALSE,
                              predict = "region", useStrand = FALSE, secondary = NULL,
                              secondaryLength = NULL, secondaryNAnnotationTypes = NULL,
                              secondaryNormalization = NULL, useSecondaryAs = "inputs",
                              reverseComplement = FALSE, batchSize = 64, layout = "NLC",
                              dummyAxis = NULL, outputShape = NULL, seed = 1, threads = NULL,
                              strict = FALSE, chrPrefix = "auto", ambiguous = "quarter") {
    .renamedArgs(.generatorRenames)
    args <- as.list(environment())
    if (is(genome, "GenomeSource") && genome@type == "fasta") args$genome <- genome@path
    if (is(genome, "FaFile")) args$genome <- BiocGenerics::path(genome)
    p <- .generatorPlan(args)
    ptr <- .native(cpp_generator_new(.genomePtr(p$genome), p$spec))
    h <- new.env(parent = emptyenv())
    h$ptr <- ptr
    h$genome <- p$genome
    info <- .native(cpp_generator_info(ptr))
    info$plan <- p[c("kind", "window", "inc", "layout", "labelShape", "inputShape",
                     "secondaryShape", "secondaryAsTargets", "hasWeights", "labels")]
    new("SequenceGenerator", args = args, info = info, handle = h)
}

#' Arguments of a generator, to rebuild it
#'
#' @param x a \code{SequenceGenerator} or \code{MultiGenerator}.
#' @return For a \code{SequenceGenerator}, the list of arguments of
#'   \code{\link{sequenceGenerator}} it was built with (the genome as a path
#'   when it is a FASTA file): \code{do.call(sequenceGenerator, args)} builds
#'   it again, on new files after changing \code{args$annotations} or
#'   \code{args$genome}. For a \code{MultiGenerator}, a list with the
#'   arguments of each generator, the counts, batch size and seed.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bw1 <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' bw2 <- system.file("extdata", "example_coverage_cell2.bw", package = "GenomicDL")
#' gen <- sequenceGenerator(fa, bw1, inputLength = 1001)
#' a <- generatorArgs(gen)
#' a$annotations <- bw2
#' gen2 <- do.call(sequenceGenerator, a)
#' @export
generatorArgs <- function(x) .generatorArgs(x)

.generatorArgs <- function(x) {
    if (is(x, "SequenceGenerator")) return(.upgradeGeneratorArgs(x@args))
    if (is(x, "MultiGenerator"))
        return(list(type = "multi", generators = lapply(x@generators, .generatorArgs),
                    counts = x@counts, batchSize = x@batchSize, seed = x@seed,
                    outputShape = x@info$outputShape))
    .gdlStop("x must be a SequenceGenerator or a MultiGenerator")
}

## The C++ source of a generator, rebuilt from its arguments when the pointer
## is invalid (e.g. after saveRDS / readRDS).
.generatorPtr <- function(x) {
    h <- x@handle
    if (is.null(h$ptr) || cpp_xptr_is_null(h$ptr)) {
        if (is(x, "SequenceGenerator")) {
            fresh <- do.call(sequenceGenerator, .upgradeGeneratorArgs(x@args))
        } else {
            fresh <- multiGenerator(x@generators, counts = x@counts, batchSize = x@batchSize,
                                    seed = x@seed, outputShape = x@info$outputShape)
        }
        h$ptr <- fresh@handle$ptr
        h$genome <- fresh@handle$genome
    }
    h$ptr
}

#' @rdname SequenceGenerator-class
#' @param x a \code{SequenceGenerator} or \code{MultiGenerator}.
#' @param ... unused.
setMethod(".batchSource", "SequenceGenerator", function(x, ...) .generatorPtr(x))
#' @rdname SequenceGenerator-class
setMethod(".batchSource", "MultiGenerator", function(x, ...) .generatorPtr(x))

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Shapes and batches
###

#' @rdname generatorShapes
setMethod("inputShape", "SequenceGenerator", function(x, ...) x@info$plan$inputShape)
#' @rdname generatorShapes
setMethod("labelShape", "SequenceGenerator", function(x, ...) as.integer(x@info$plan$labelShape))
#' @rdname generatorShapes
setMethod("secondaryShape", "SequenceGenerator", function(x, ...) {
    s <- x@info$plan$secondaryShape
    if (is.null(s)) NULL else as.integer(s)
})
#' @rdname generatorShapes
setMethod("inputShape", "MultiGenerator", function(x, ...) inputShape(x@generators[[1L]]))
#' @rdname generatorShapes
setMethod("labelShape", "MultiGenerator", function(x, ...) {
    if (!is.null(x@info$outputShape)) as.integer(x@info$outputShape) else labelShape(x@generators[[1L]])
})
#' @rdname generatorShapes
setMethod("secondaryShape", "MultiGenerator", function(x, ...) secondaryShape(x@generators[[1L]]))

#' @rdname generatorShapes
#' @export
setMethod("length", "SequenceGenerator", function(x) as.integer(x@info$batches))
#' @rdname generatorShapes
#' @export
setMethod("length", "MultiGenerator", function(x) as.integer(x@info$batches))

.batchOf <- function(x, plan, i, epoch) {
    n <- length(x)
    if (!is.numeric(i) || length(i) != 1L || is.na(i) || i < 1 || i > n || i != round(i))
        .gdlStop("batch ", i, " does not exist: the generator has ", n, " batches per epoch")
    epoch <- .checkCount(epoch, "epoch")
    b <- .native(cpp_generator_batch(.generatorPtr(x), epoch - 1, i - 1, plan$layout == "NLC"))
    N <- dim(b$x)[1L]
    if (!is.null(plan$inputShape) && length(plan$inputShape) == 3L)
        dim(b$x) <- c(N, plan$inputShape)
    y <- b$y[[1L]]
    sec <- if (plan$secondaryAsTargets) b$y[[2L]] else b$secondary
    if (!is.null(sec) && !plan$secondaryAsTargets && plan$layout == "NLC") {
        sec <- aperm(sec, c(1L, 3L, 2L))           # N x Ls x files
        dim(sec) <- c(N, plan$secondaryShape)
    }
    w <- b$weights
    if (!is.null(w) && length(dim(w)) == 1L) w <- as.numeric(w)
    list(x = b$x, y = y, weights = w, secondary = sec)
}

#' @rdname generatorShapes
setMethod("batch", "SequenceGenerator", function(x, i, epoch = 1, ...) {
    .batchOf(x, x@info$plan, i, epoch)
})
#' @rdname generatorShapes
setMethod("batch", "MultiGenerator", function(x, i, epoch = 1, ...) {
    .batchOf(x, x@generators[[1L]]@info$plan, i, epoch)
})

## Bytes held by the generator's C++ side, by part (samples: sample tables; index: label
## intervals; statistics: normalisation and weight tables; tracks / secondary: decoded-track
## caches; scratch: per-thread buffers), their total with `threads` filling threads, the number
## of pooled bigWig readers, and 'ring': the prefetcher's buffers for that many threads (2 x
## threads batches, held by the training loop while it runs, not by the generator).
.generatorMemory <- function(x, threads = 2L) {
    .native(cpp_generator_memory(.generatorPtr(x), as.integer(threads)))
}

## Windows of the samples of batch i (1-based) of an epoch, as a GRanges with the sample
## index (1-based) and a 'random' flag (random negatives have no window).
.batchWindows <- function(x, i, epoch = 1) {
    w <- .native(cpp_generator_windows(.generatorPtr(x), .genomePtr(x@handle$genome), epoch - 1, i - 1))
    random <- w$chrom == ""
    chr <- ifelse(random, seqnames(seqinfo(x@handle$genome))[1L], w$chrom)
    gr <- GRanges(chr, IRanges(w$start, w$end), strand = ifelse(w$minus, "-", "+"))
    gr$sample <- w$sample + 1
    gr$random <- random
    gr
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Shapes without a generator
###

#' Shapes a generator would have, without building it
#'
#' Take the arguments of \code{\link{sequenceGenerator}} and return the
#' shape of one sample's input or label (without the batch axis), reading
#' only what the shape needs (feature files when \code{inputLength = "maxlen"}).
#'
#' @param ... arguments of \code{\link{sequenceGenerator}}.
#' @return An integer vector.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' predictLabelShape(genome = fa, annotations = rep(bw, 4), inputLength = 2001,
#'                   targetWindow = 10, nAnnotationTypes = 2)
#' predictInputShape(genome = fa, annotations = bw, inputLength = 2001, dummyAxis = 2)
#' @export
predictLabelShape <- function(...) as.integer(.shapePlan(...)$labelShape)

#' @rdname predictLabelShape
#' @export
predictInputShape <- function(...) .shapePlan(...)$inputShape

#' @rdname predictLabelShape
#' @export
predictSecondaryShape <- function(...) {
    s <- .shapePlan(...)$secondaryShape
    if (is.null(s)) NULL else as.integer(s)
}

.shapePlan <- function(...) {
    f <- formals(sequenceGenerator)
    f[["..."]] <- NULL
    a <- .renameArgList(list(...), .generatorRenames, "sequenceGenerator")
    bad <- setdiff(names(a), names(f))
    if (length(bad)) .gdlStop("unknown argument(s) of sequenceGenerator: ", paste(bad, collapse = ", "))
    full <- lapply(f, function(v) if (is.symbol(v) && !nzchar(as.character(v))) NULL else eval(v))
    full[names(a)] <- a
    # list(...)[name] <- NULL drops entries; keep explicit NULLs as NULL
    for (n in names(a)) if (is.null(a[[n]])) full[n] <- list(NULL)
    .generatorPlan(full, shapesOnly = TRUE)
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Splitting and mixing
###

#' Split a generator by chromosomes
#'
#' @param x a \code{SequenceGenerator}.
#' @param validation chromosomes of the validation generator; the training
#'   generator excludes them.
#' @param ... further arguments of \code{\link{sequenceGenerator}} changed in
#'   the validation generator (e.g. \code{augmentation = FALSE}).
#' @return \code{list(train, validation)}.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
#' gen <- sequenceGenerator(fa, bw, inputLength = 1001)
#' s <- splitGenerator(gen, validation = "chr3")
#' length(s$train); length(s$validation)
#' @export
splitGenerator <- function(x, validation, ...) {
    if (!is(x, "SequenceGenerator")) .gdlStop("x must be a SequenceGenerator")
    validation <- as.character(validation)
    a <- .upgradeGeneratorArgs(x@args)
    lens <- .lengthsOf(x@handle$genome)
    miss <- setdiff(validation, names(lens))
    if (length(miss)) .gdlStop("validation chromosome(s) not in the genome: ", paste(miss, collapse = ", "))
    inc <- x@info$plan$inc
    if (!length(setdiff(inc, validation)))
        .gdlStop("no training chromosome is left once the validation chromosomes are removed")
    tr <- a
    tr$chromosomes <- setdiff(inc, validation)
    tr$excludeChromosomes <- NULL
    va <- a
    va$chromosomes <- validation
    va$excludeChromosomes <- NULL
    extra <- .renameArgList(list(...), .generatorRenames, "splitGenerator")
    va[names(extra)] <- extra
    list(train = do.call(sequenceGenerator, tr), validation = do.call(sequenceGenerator, va))
}

#' Mix several generators (genomes, species, strands)
#'
#' keras_dna's \code{MultiGenerator}: each epoch draws \code{counts[k]}
#' samples from generator \code{k} (all its samples by default) and shuffles
#' them together. The generators must yield the same shapes.
#'
#' @param generators a list of \code{SequenceGenerator}s.
#' @param weights relative share of each generator in an epoch (\code{NULL}:
#'   every sample of each generator once).
#' @param counts samples per epoch from each generator (overrides
#'   \code{weights}).
#' @param batchSize samples per batch (default: that of the first generator).
#' @param seed seed of the shuffles.
#' @param outputShape the label shape wanted, as in \code{\link{sequenceGenerator}}
#'   (keras_dna's \code{output_shape} of its \code{MultiGenerator}; the batch
#'   size first is accepted too): the labels are reshaped to it (row-major).
#' @return A \code{MultiGenerator}.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' bed <- system.file("extdata", "example_peaks_cell1.bed", package = "GenomicDL")
#' fwd <- sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 551)
#' rev <- sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = 551,
#'                          reverseComplement = TRUE)
#' both <- multiGenerator(list(fwd, rev))
#' length(both)
#' @export
multiGenerator <- function(generators, weights = NULL, counts = NULL, batchSize = NULL, seed = 1,
                           outputShape = NULL) {
    if (!is.list(generators) || !length(generators) ||
        !all(vapply(generators, is, TRUE, "SequenceGenerator")))
        .gdlStop("generators must be a non-empty list of SequenceGenerators")
    s1 <- generators[[1L]]
    for (k in seq_along(generators)[-1L]) {
        gk <- generators[[k]]
        if (!identical(labelShape(gk), labelShape(s1)) || !identical(inputShape(gk), inputShape(s1)) ||
            !identical(secondaryShape(gk), secondaryShape(s1)) ||
            !identical(gk@info$plan$hasWeights, s1@info$plan$hasWeights))
            .gdlStop("generator ", k, " has shapes (input ", paste(inputShape(gk), collapse = "x"),
                     ", label ", paste(labelShape(gk), collapse = "x"), ") different from generator 1 (input ",
                     paste(inputShape(s1), collapse = "x"), ", label ", paste(labelShape(s1), collapse = "x"), ")")
    }
    n <- vapply(generators, function(g) g@info$samples, 0)
    if (is.null(counts)) {
        counts <- if (is.null(weights)) n else {
            if (length(weights) != length(generators) || any(weights < 0))
                .gdlStop("weights must give one non-negative share per generator")
            round(sum(n) * weights / sum(weights))
        }
    }
    if (length(counts) != length(generators) || any(counts < 0))
        .gdlStop("counts must give one non-negative number per generator")
    if (is.null(batchSize)) batchSize <- s1@info$batch_size
    batchSize <- .checkCount(batchSize, "batchSize")
    ptrs <- lapply(generators, .generatorPtr)
    os <- .outputShape(outputShape, labelShape(s1), batchSize)
    ptr <- .native(cpp_generator_multi(ptrs, as.numeric(counts), batchSize, .checkCount(seed, "seed", 0),
                                       as.numeric(if (is.null(os)) integer() else os)))
    h <- new.env(parent = emptyenv())
    h$ptr <- ptr
    h$genome <- s1@handle$genome
    info <- .native(cpp_generator_info(ptr))
    info$outputShape <- os
    new("MultiGenerator", generators = generators, counts = as.numeric(counts),
        batchSize = batchSize, seed = seed, info = info, handle = h)
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Display
###

#' @rdname SequenceGenerator-class
#' @param object a \code{SequenceGenerator} or \code{MultiGenerator}.
#' @export
setMethod("show", "SequenceGenerator", function(object) {
    i <- object@info
    p <- i$plan
    cat("SequenceGenerator (", p$kind, " targets) on ", length(p$inc), " chromosome(s)\n", sep = "")
    cat("  samples:", format(i$samples, big.mark = ","),
        if (p$kind == "sparse") paste0("(", format(i$positives, big.mark = ","), " positive, ",
                                       format(i$negatives, big.mark = ","), " negative)") else "",
        "\n")
    cat("  batches per epoch:", length(object), "of", i$batch_size, "\n")
    cat("  input shape:", paste(inputShape(object), collapse = " x "), "\n")
    cat("  label shape:", paste(labelShape(object), collapse = " x "),
        if (p$hasWeights) "(with weights)" else "", "\n")
    if (!is.null(p$secondaryShape))
        cat("  secondary", if (p$secondaryAsTargets) "targets" else "inputs", "shape:",
            paste(p$secondaryShape, collapse = " x "), "\n")
})

#' @rdname SequenceGenerator-class
#' @export
setMethod("show", "MultiGenerator", function(object) {
    cat("MultiGenerator of", length(object@generators), "generators\n")
    cat("  samples per epoch:", paste(object@counts, collapse = " + "), "\n")
    cat("  batches per epoch:", length(object), "of", object@batchSize, "\n")
    cat("  input shape:", paste(inputShape(object), collapse = " x "), "\n")
    cat("  label shape:", paste(labelShape(object), collapse = " x "), "\n")
})
