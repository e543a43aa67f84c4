### =========================================================================
### Training data plan: arguments of sequenceGenerator() checked and turned
### into plain vectors and one typed spec (.generatorSpec) that the C++ core
### plans from: window starts (chromosomes, regions, blacklist, maxN), feature
### selection, N filtering and chromosome-name matching live in src/core/data
### (plan*.cpp). Shapes come from the core too (cpp_generator_shapes, which
### reads no file), so predictLabelShape() / predictInputShape() need no
### generator.
### -------------------------------------------------------------------------

.continuousExt <- "\\.(bw|bigwig)$"
.sparseExt <- "\\.(bed|narrowpeak|broadpeak|gff|gff3|gtf)(\\.gz)?$"

## One annotation "file" (cell type) -> list(kind, value) where value is a
## bigWig path (continuous) or a GRanges with a 'type' column (sparse).
.annotationKind <- function(a) {
    if (is(a, "BigWigFile")) return("continuous")
    if (is(a, "RleList")) return("continuous")
    if (is(a, "GRanges")) return("sparse")
    if (is.character(a) && length(a) == 1L && !is.na(a)) {
        f <- tolower(a)
        if (grepl(.continuousExt, f)) return("continuous")
        if (grepl(.sparseExt, f)) return("sparse")
        .gdlStop("unknown annotation file type '", basename(a), "': use bigWig (.bw, .bigWig) for ",
                 "continuous targets or BED / narrowPeak / GFF / GTF for sparse targets")
    }
    .gdlStop("annotations must be bigWig / BED / GFF paths, BigWigFile, RleList or GRanges objects, not ",
             class(a)[1L])
}

.annotationList <- function(annotations) {
    if (is.null(annotations) || length(annotations) == 0L) .gdlStop("annotations is empty")
    if (is.character(annotations)) return(as.list(annotations))
    if (is(annotations, "GRanges") || is(annotations, "BigWigFile") || is(annotations, "RleList"))
        return(list(annotations))
    if (is.list(annotations) || is(annotations, "List")) return(as.list(annotations))
    .gdlStop("annotations must be a path, an object or a list of them, not ", class(annotations)[1L])
}

## A bigWig path for a continuous annotation (an RleList is written to a
## temporary bigWig once).
.trackPath <- function(a) {
    if (is(a, "RleList")) {
        f <- tempfile(fileext = ".bw")
        exportTrack(a, f)
        return(normalizePath(f))
    }
    .bigwigPath(a)
}

## Sparse annotation -> GRanges with a character 'type' column (BED name, GFF type).
.readFeatures <- function(a) {
    isGff <- FALSE
    if (is(a, "GRanges")) {
        gr <- a
        mc <- mcols(gr)
        type <- if ("type" %in% names(mc)) as.character(mc$type)
                else if ("name" %in% names(mc)) as.character(mc$name) else rep("", length(gr))
    } else {
        if (!file.exists(a)) .gdlStop("annotation file '", a, "' does not exist")
        f <- tolower(a)
        isGff <- grepl("\\.(gff|gff3|gtf)(\\.gz)?$", f)
        gr <- tryCatch({
            if (isGff) rtracklayer::import(a)
            else if (grepl("narrowpeak", f)) rtracklayer::import(a, format = "narrowPeak")
            else if (grepl("broadpeak", f)) rtracklayer::import(a, format = "broadPeak")
            else .importBed(a)
        }, error = function(e) .gdlStop("annotation file '", basename(a), "' is malformed: ",
                                         conditionMessage(e)))
        type <- if (isGff) as.character(mcols(gr)$type)
                else if ("name" %in% names(mcols(gr))) as.character(mcols(gr)$name)
                else rep("", length(gr))
    }
    type[is.na(type)] <- ""
    out <- granges(gr)
    mcols(out) <- NULL
    out$type <- type
    ## GFF types (and a GRanges' 'type' column) are feature types; a BED's name column is a
    ## free label (peak IDs in narrowPeak files, or a type): see .selectTypes()
    attr(out, "typed") <- if (is(a, "GRanges")) "type" %in% names(mcols(a)) else isGff
    out
}

## A BED file as rtracklayer reads it: BED3 to BED12, or BED6 + extra columns (bedN+k, as
## ENCODE's narrowPeak is BED6+4) when columns 7 on are not BED12's (thickStart, thickEnd,
## itemRgb, blocks): the extra columns are kept as character metadata (V7, V8, ...).
.importBed <- function(a) {
    first <- .firstBedLine(a)
    n <- if (is.null(first)) 0L else length(strsplit(first, "[ \t]+")[[1L]])
    std <- tryCatch(rtracklayer::import(a, format = "BED"), error = function(e) e)
    if (!inherits(std, "error")) return(std)
    if (n > 6L) {
        extra <- stats::setNames(rep("character", n - 6L), paste0("V", seq(7L, n)))
        ext <- tryCatch(rtracklayer::import(a, format = "BED", extraCols = extra),
                        error = function(e) NULL)
        if (!is.null(ext)) return(ext)
    }
    shown <- if (nchar(first) > 60) paste0(substr(first, 1, 60), "...") else first
    readAs <- if (n > 6L) paste0("BED and as BED6+", n - 6L) else "BED"
    stop(n, " columns on the first line (", shown, "); read as ", readAs, ": ",
         conditionMessage(std), call. = FALSE)
}

.firstBedLine <- function(a) {
    con <- file(a, "r")  # file() reads gzip too
    on.exit(close(con))
    repeat {
        l <- readLines(con, n = 1L, warn = FALSE)
        if (!length(l)) return(NULL)
        if (nzchar(trimws(l)) && !grepl("^(#|track|browser)", l)) return(l)
    }
}

## Features of one file restricted to annotationTypes; channel = type index. Without
## annotationTypes, every row of a BED file is the one annotation (its name column is a free
## label: peak IDs in narrowPeak files), while a GFF with several feature types must say which.
## A file without feature names (a BED of 3 columns, or every name "." / empty) is all of the
## one type asked for (keras_dna's rule for such files); a file with names keeps the rows of the
## types asked for, so that a misspelt type is an error (.checkTypesFound), never every row.
.selectTypes <- function(gr, types, what) {
    unnamed <- all(gr$type %in% c("", "."))
    if (is.null(types)) {
        u <- unique(gr$type)
        if (length(u) > 1L && isTRUE(attr(gr, "typed")))
            .gdlStop("annotation '", what, "' has several feature types (",
                     paste(head(u, 4L), collapse = ", "), if (length(u) > 4L) ", ..." else "",
                     "): choose them with annotationTypes")
        gr$channel <- rep(1L, length(gr))
        return(gr)
    }
    if (unnamed) {
        if (length(types) > 1L)
            .gdlStop("annotation '", what, "' has no feature names (BED name / GFF type) to tell ",
                     "the annotationTypes (", paste(types, collapse = ", "), ") apart")
        gr$channel <- rep(1L, length(gr))
        return(gr)
    }
    gr <- gr[gr$type %in% types]
    gr$channel <- match(gr$type, types)
    gr
}

## Every annotation type asked for must be in some file: a misspelt type would otherwise give an
## all-zero label channel. `found` are the types of each file (NULL for unnamed files).
.checkTypesFound <- function(types, found) {
    if (is.null(types)) return(invisible())
    named <- Filter(Negate(is.null), found)
    if (!length(named)) return(invisible())
    have <- unique(unlist(named))
    miss <- setdiff(types, have)
    if (length(miss))
        .gdlStop("annotationTypes ", paste0("'", miss, "'", collapse = ", "), " not in any annotation ",
                 "file; the files have: ", paste(head(sort(have), 10L), collapse = ", "),
                 if (length(have) > 10L) ", ..." else "")
}

## Included chromosomes: `chromosomes` (default all) minus excludeChromosomes.
.includedChromosomes <- function(lens, chromosomes, excludeChromosomes) {
    if (is.null(chromosomes)) chromosomes <- names(lens)
    chromosomes <- as.character(chromosomes)
    miss <- setdiff(chromosomes, names(lens))
    if (length(miss))
        .gdlStop("chromosome(s) not in the genome: ", paste(miss, collapse = ", "))
    inc <- setdiff(chromosomes, as.character(excludeChromosomes))
    if (!length(inc)) .gdlStop("no chromosome left after excludeChromosomes")
    inc
}

## Chromosome names of annotations matched to the genome's (keras_dna's num_chr): the genome
## name of each of `names` under chrPrefix `mode`, NA when none matches.
.matchChromosomes <- function(names, lens, mode) {
    m <- .native(cpp_generator_chrom_match(as.character(names), names(lens), mode))
    names(lens)[m]
}

## A GRanges with its chromosomes renamed to the genome's; ranges on chromosomes without a match
## are dropped (with a warning or, with strict, an error naming `what`; silently without `what`).
.renameChromosomes <- function(gr, lens, mode, what = NULL, strict = FALSE) {
    if (is.null(gr) || !length(gr)) return(gr)
    chr <- as.character(seqnames(gr))
    to <- .matchChromosomes(chr, lens, mode)
    if (!is.null(what)) .unknownChromosomes(unique(chr[is.na(to)]), what, strict, mode)
    if (identical(to, chr)) return(gr)
    keep <- !is.na(to)
    out <- GRanges(to[keep], ranges(gr)[keep], strand = strand(gr)[keep])
    mcols(out) <- mcols(gr)[keep, , drop = FALSE]
    out
}

## Chromosomes the genome lacks: dropped with a warning, or an error with strict = TRUE.
.unknownChromosomes <- function(unknown, what, strict, mode) {
    if (!length(unknown)) return(invisible())
    msg <- paste0(what, " on chromosome(s) the genome lacks: ", paste(head(unknown, 5L), collapse = ", "),
                  if (length(unknown) > 5L) paste0(" (and ", length(unknown) - 5L, " more)") else "",
                  " (names matched with chrPrefix = '", mode, "')")
    if (isTRUE(strict)) .gdlStop(msg)
    warning(msg, "; dropped", call. = FALSE)
}

## outputShape (keras_dna's output_shape): the label shape reshaped, checked against the labels
## by the core; keras_dna's form with the batch size first is accepted too.
.outputShape <- function(os, labelShape, batchSize) {
    if (is.null(os)) return(NULL)
    if (!is.numeric(os) || !length(os) || anyNA(os) || any(os < 1) || any(os != round(os)))
        .gdlStop("outputShape must be a vector of positive whole numbers")
    as.integer(.native(cpp_output_shape(as.numeric(os), as.numeric(labelShape), as.numeric(batchSize))))
}

## A bigWig's chromosomes against the genome's: those the genome lacks are dropped (warning) or an
## error (strict); included chromosomes the file lacks read 0 (warning).
.checkTrackChromosomes <- function(f, lens, inc, strict, mode) {
    bl <- .bigwigLengths(f)
    to <- .matchChromosomes(names(bl), lens, mode)
    .unknownChromosomes(names(bl)[is.na(to)], paste0("bigWig '", basename(f), "' has data"), strict, mode)
    miss <- setdiff(inc, to)
    if (length(miss))
        warning("bigWig '", basename(f), "' has no chromosome ", paste(miss, collapse = ", "),
                ": its targets there are 0", call. = FALSE)
    ## A chromosome the file declares shorter than the genome's: the file is of another assembly
    ## (or was cut), and every target past its end would silently be 0.
    have <- !is.na(to) & to %in% inc
    short <- which(have & as.numeric(bl) < as.numeric(lens[to]))
    if (length(short)) {
        k <- short[1L]
        .gdlStop("bigWig '", basename(f), "' gives chromosome ", names(bl)[k], " a length of ",
                 format(bl[[k]], scientific = FALSE), " but the genome's ", to[k], " has ",
                 format(lens[[to[k]]], scientific = FALSE), " bases: the track is not of this genome ",
                 "(its targets past base ", format(bl[[k]], scientific = FALSE), " would all be 0)")
    }
}

## A GRanges as plain vectors (1-based closed; the bridge converts); NULL stays NULL.
.asSpecIntervals <- function(gr, what = "intervals") {
    if (is.null(gr)) return(NULL)
    if (!is(gr, "GRanges")) .gdlStop(what, " must be a GRanges, not ", class(gr)[1L])
    list(chrom = as.character(seqnames(gr)), start = as.numeric(start(gr)),
         end = as.numeric(end(gr)))
}

## The spec the core reads (src/generator.cpp, cpp_generator_new): one flat list of typed values,
## Bioconductor objects already turned into plain vectors. It is a typed list checked once by
## .checkSpec against this table, not an S4 class: it lives for one call (built here, read by the
## bridge, dropped), no user ever holds it, and the bridge checks the same keys and types again
## (rejecting any key or option string it does not know), so a class with a validity method would
## repeat this table without guarding anything more.
.specTypes <- c(
    kind = "string", window = "count", batch_size = "count", seed = "count", threads = "count",
    ambiguous = "string", rc = "flag", rc_augment = "flag", jitter = "count", chr_prefix = "string",
    weighting = "string", bins = "count", output_shape = "numbers", chromosomes = "strings",
    regions = "intervals", blacklist = "intervals", max_n = "number", strict_length = "flag",
    secondary = "strings", secondary_normalization = "strings", secondary_length = "count",
    secondary_types = "count", secondary_as_targets = "flag",
    tracks = "strings", normalization = "strings", target_window = "count", downsampling = "string",
    n_types = "count", stride = "count", manual_edges = "list", manual_weights = "list",
    annotations = "features", n_files = "count", n_ann = "count", seq2seq = "flag",
    real_length = "flag", augmentation = "flag", use_strand = "flag", positive = "string",
    negative = "string", negative_ratio = "number", weight_positive = "number",
    weight_negative = "number")

.checkSpec <- function(spec) {
    bad <- setdiff(names(spec), names(.specTypes))
    if (length(bad)) .gdlStop("unknown generator spec key(s): ", paste(bad, collapse = ", "))
    for (k in names(spec)) {
        v <- spec[[k]]
        ok <- switch(.specTypes[[k]],
            string = is.character(v) && length(v) == 1L && !is.na(v),
            count = is.numeric(v) && length(v) == 1L && !is.na(v) && v >= 0 && v == round(v),
            number = is.numeric(v) && length(v) == 1L && is.finite(v),
            flag = is.logical(v) && length(v) == 1L && !is.na(v),
            strings = is.character(v) && !anyNA(v),
            numbers = is.numeric(v) && !anyNA(v),
            intervals = is.null(v) || (is.list(v) && identical(names(v), c("chrom", "start", "end"))),
            features = is.list(v) && identical(names(v), c("chrom", "start", "end", "minus", "channel")),
            list = is.list(v))
        if (!isTRUE(ok)) .gdlStop("generator spec: '", k, "' is not a valid ", .specTypes[[k]])
    }
    spec
}

.normChoices <- c("max", "perctrim", "zscore", "minmax", "log")
.checkNorm <- function(norm, what) {
    if (is.null(norm)) return(character())
    if (!is.character(norm) || length(norm) > 2L || !all(norm %in% .normChoices))
        .gdlStop(what, " must be up to two of ", paste0("'", .normChoices, "'", collapse = ", "))
    norm
}

## Generator arguments stored under their earlier names (a model archive's data
## configuration, a SequenceGenerator saved with saveRDS) read under the current names:
## window / seqLen -> inputLength, bins -> weightBins, rc -> reverseComplement. Silent: the user
## did not type them (calls of sequenceGenerator() with the old names warn, .renamedArgs()).
.generatorRenames <- list(window = "inputLength", seqLen = "inputLength", bins = "weightBins",
                          rc = "reverseComplement")
.upgradeGeneratorArgs <- function(a) {
    old <- intersect(names(.generatorRenames), names(a))
    if (!is.list(a) || !length(old)) return(a)
    keep <- attributes(a)[setdiff(names(attributes(a)), "names")]
    ## keras_dna's window (continuous) took precedence over seq_len (sparse)
    if (is.null(a$inputLength))
        a$inputLength <- if (!is.null(a$window)) a$window
                         else if (!is.null(a$seqLen)) a$seqLen else "maxlen"
    if ("bins" %in% old) a$weightBins <- a$bins
    if ("rc" %in% old) a$reverseComplement <- a$rc
    a[old] <- NULL
    attributes(a)[names(keep)] <- keep
    a
}

## The logical arguments of sequenceGenerator: each TRUE or FALSE, never a string or NA.
.generatorFlags <- c("reverseComplement", "rcAugment", "augmentation", "seq2seq", "useStrand", "strict")

## The checked plan of a generator: the spec for the core (p$spec) and what R keeps (shapes from
## the core, included chromosomes, layout, labels). With shapesOnly, stops once the shapes are
## known (no track is opened, no window is planned).
.generatorPlan <- function(a, shapesOnly = FALSE) {
    a <- .upgradeGeneratorArgs(a)
    g <- genomeSource(a$genome)
    lens <- .lengthsOf(g)
    ann <- .annotationList(a$annotations)
    kinds <- vapply(ann, .annotationKind, "")
    if (length(unique(kinds)) > 1L)
        .gdlStop("annotations mix continuous (bigWig) and sparse (BED / GFF) targets; ",
                 "give one kind (use secondary for extra tracks)")
    kind <- kinds[[1L]]
    inc <- .includedChromosomes(lens, a$chromosomes, a$excludeChromosomes)
    layout <- .matchArg(a$layout, c("NLC", "NCL"), "layout")
    chrMode <- .matchArg(if (is.null(a$chrPrefix)) "auto" else a$chrPrefix,
                            c("auto", "add", "strip", "asis"), "chrPrefix")
    for (f in .generatorFlags) .checkFlag(a[[f]], f)
    regions <- .asSpecIntervals(a$regions, "regions")
    blacklist <- .asSpecIntervals(a$blacklist, "blacklist")
    p <- list(kind = kind, genome = g, lens = lens, inc = inc, layout = layout)
    batchSize <- .checkCount(a$batchSize, "batchSize")
    seed <- .checkCount(a$seed, "seed", min = 0)
    norm <- .checkNorm(a$normalization, "normalization")
    w <- a$weighting
    bins <- a$weightBins
    binsN <- if (identical(bins, "auto")) 0L else as.integer(.checkCount(bins, "weightBins"))
    maxN <- a$maxN
    .checkNumber(maxN, "maxN (a fraction)", 0, 1)
    os <- a$outputShape
    if (!is.null(os) && (!is.numeric(os) || !length(os) || anyNA(os) || any(os < 1) || any(os != round(os))))
        .gdlStop("outputShape must be a vector of positive whole numbers")
    spec <- list(kind = kind, batch_size = batchSize, seed = seed, threads = .threads(a$threads),
                 ambiguous = .matchArg(a$ambiguous, c("quarter", "zero"), "ambiguous"),
                 rc = a$reverseComplement, rc_augment = a$rcAugment, jitter = .checkCount(a$jitter, "jitter", 0),
                 chr_prefix = chrMode, weighting = "none", bins = binsN,
                 output_shape = as.numeric(if (is.null(os)) numeric() else os),
                 chromosomes = inc, regions = regions, blacklist = blacklist, max_n = maxN,
                 strict_length = FALSE)
    shape <- list(kind = kind, target_window = 1, downsampling = "none", n_files = length(ann),
                  n_types = 0, n_ann = 1, seq2seq = FALSE)
    if (kind == "continuous") {
        if (!is.numeric(a$inputLength))
            .gdlStop("continuous (bigWig) targets need a numeric inputLength (the window length), not ",
                     .shown(a$inputLength))
        L <- .checkCount(a$inputLength, "inputLength")
        tg <- .checkCount(a$targetWindow, "targetWindow")
        down <- if (is.null(a$downsampling)) "none" else .matchArg(a$downsampling, c("mean", "first"), "downsampling")
        nt <- if (is.null(a$nAnnotationTypes)) 0L else as.integer(.checkCount(a$nAnnotationTypes, "nAnnotationTypes"))
        shape[c("target_window", "downsampling", "n_types")] <- list(tg, down, nt)
        spec <- c(spec, list(target_window = tg, downsampling = down, n_types = nt,
                             normalization = norm, stride = .checkCount(a$stride, "stride")))
        spec$strict_length <- !is.null(a$chromosomes)
    } else {
        if (!is.null(a$normalization) && length(norm))
            .gdlStop("normalization applies to continuous (bigWig) targets only")
        predict <- .matchArg(a$predict, c("region", "start", "stop"), "predict")
        types <- a$annotationTypes
        found <- vector("list", length(ann))
        feats <- lapply(seq_along(ann), function(i) {
            what <- if (is.character(ann[[i]])) basename(ann[[i]]) else paste("annotation", i)
            all <- .readFeatures(ann[[i]])
            if (!all(all$type %in% c("", "."))) found[[i]] <<- unique(all$type)
            gr <- .selectTypes(all, types, what)
            gr$file <- rep(i, length(gr))
            gr
        })
        .checkTypesFound(types, found)
        gr <- .renameChromosomes(do.call(c, unname(feats)), lens, chrMode, "annotations", a$strict)
        nAnn <- if (is.null(types)) 1L else length(types)
        if (length(gr)) {
            past <- which(end(gr) > lens[as.character(seqnames(gr))])
            if (length(past))
                .gdlStop("annotation ", as.character(seqnames(gr))[past[1L]], ":", start(gr)[past[1L]], "-",
                         end(gr)[past[1L]], " is past the end of the chromosome (length ",
                         format(lens[[as.character(seqnames(gr))[past[1L]]]], scientific = FALSE), ")")
        }
        if (predict != "region") {
            if (any(as.character(strand(gr)) == "*"))
                .gdlStop("predict = '", predict, "' needs stranded annotations")
            gr <- GenomicRanges::resize(gr, 1L, fix = if (predict == "start") "start" else "end")
        }
        ## the core selects the features sampled (included chromosomes, regions, blacklist)
        keep <- .native(cpp_generator_select(.genomePtr(g), .asSpecIntervals(gr),
                                             list(chromosomes = inc, regions = regions,
                                                  blacklist = blacklist, chr_prefix = chrMode)))
        used <- gr[keep]
        Lin <- a$inputLength
        real <- is.character(Lin) && identical(tolower(Lin), "real")
        if (real && isTRUE(a$augmentation))
            .gdlStop("inputLength = 'real' (each feature's own bases) cannot be combined with augmentation")
        if (is.null(Lin) || real || identical(tolower(Lin), "maxlen")) {
            if (predict != "region" && !is.numeric(Lin))
                .gdlStop("predict = '", predict, "' needs an integer inputLength (the features are 1 base)")
            Lin <- max(width(used))
        }
        if (is.character(Lin))
            .gdlStop("inputLength must be a whole number, 'maxlen' or 'real', not '", Lin, "'")
        L <- .checkCount(Lin, "inputLength")
        seq2seq <- a$seq2seq
        shape[c("n_ann", "seq2seq")] <- list(nAnn, seq2seq)
        p$features <- used
        negType <- if (is.null(a$negativeType)) "none"
                   else .matchArg(a$negativeType, c("real", "random", "shuffled"), "negativeType")
        ratio <- a$negativeRatio
        ratio <- if (identical(ratio, "all")) -1
                 else .checkNumber(ratio, "negativeRatio (a number or 'all')", 0, finite = FALSE)
        spec <- c(spec, list(
            annotations = c(.asSpecIntervals(used), list(minus = as.character(strand(used)) == "-",
                             channel = as.integer((used$file - 1L) * nAnn + used$channel))),
            n_files = length(ann), n_ann = nAnn, seq2seq = seq2seq, real_length = real,
            augmentation = a$augmentation, use_strand = a$useStrand,
            positive = if (seq2seq) "match_any" else .matchArg(a$positiveMode, c("match_all", "match_any"), "positiveMode"),
            negative = negType, negative_ratio = ratio, weight_positive = 1, weight_negative = 1))
    }
    ## jitter below the window (the core also keeps shifted windows on their chromosome)
    if (spec$jitter >= L)
        .gdlStop("jitter (", format(spec$jitter, scientific = FALSE), ") must be smaller than the window (",
                 L, "): a window is shifted by at most jitter bases and never off its chromosome")
    p$window <- L
    spec$window <- L
    p$labels <- .labelInfo(a)
    if (is.na(p$labels$positions)) p$labels$positions <- L  # seq2seq with inputLength = "maxlen"
    ## weights
    if (is.character(w)) {
        spec$weighting <- .matchArg(w, c("none", "balanced"), "weighting")
    } else if (kind == "sparse" && is.numeric(w) && length(w) == 2L && all(w > 0)) {
        spec$weighting <- "manual"
        spec$weight_positive <- w[[1L]]
        spec$weight_negative <- w[[2L]]
    } else if (kind == "continuous" && is.list(w) && all(c("edges", "weights") %in% names(w))) {
        if (length(w$edges) != length(ann) || length(w$weights) != length(ann))
            .gdlStop("manual weighting needs edges and weights for each of the ", length(ann), " bigWig files")
        spec$weighting <- "manual"
        spec$manual_edges <- lapply(w$edges, as.numeric)
        spec$manual_weights <- lapply(w$weights, as.numeric)
    } else {
        .gdlStop("weighting must be 'none', 'balanced', c(positive, negative) weights (sparse) or ",
                 "list(edges =, weights =) per file (continuous)")
    }
    p$hasWeights <- spec$weighting != "none"
    ## secondary tracks
    sec <- a$secondary
    Ls <- 0
    st <- 0L
    if (!is.null(sec)) {
        sec <- if (is.character(sec)) as.list(sec) else if (is.list(sec)) sec else list(sec)
        if (any(vapply(sec, .annotationKind, "") != "continuous"))
            .gdlStop("secondary must be bigWig tracks")
        Ls <- if (is.null(a$secondaryLength)) L else .checkCount(a$secondaryLength, "secondaryLength")
        st <- if (is.null(a$secondaryNAnnotationTypes)) 0L
              else as.integer(.checkCount(a$secondaryNAnnotationTypes, "secondaryNAnnotationTypes"))
        asTargets <- .matchArg(a$useSecondaryAs, c("inputs", "targets"), "useSecondaryAs") == "targets"
        p$secondaryAsTargets <- asTargets
        spec <- c(spec, list(secondary = character(), secondary_length = Ls, secondary_types = st,
                             secondary_as_targets = asTargets,
                             secondary_normalization = .checkNorm(a$secondaryNormalization, "secondaryNormalization")))
    } else {
        p$secondaryAsTargets <- FALSE
        spec <- c(spec, list(secondary = character(), secondary_length = 0, secondary_types = 0L,
                             secondary_as_targets = FALSE, secondary_normalization = character()))
    }
    ## shapes: the core's (no file read)
    sh <- .native(cpp_generator_shapes(c(shape, list(
        window = L, weighted = p$hasWeights, n_secondary = length(sec), secondary_length = Ls,
        secondary_types = st, output_shape = spec$output_shape, batch_size = batchSize))))
    p$labelShape <- sh$labels
    p$weightShape <- sh$weights
    p$secondaryShape <- sh$secondary
    if (!is.null(sec) && !p$secondaryAsTargets && layout == "NCL") p$secondaryShape <- c(length(sec), Ls)
    p$inputShape <- .inputShape(L, layout, a$dummyAxis)
    if (shapesOnly) return(p)
    ## files: bigWig paths and their chromosomes against the genome's
    if (!is.null(sec)) {
        spec$secondary <- vapply(sec, .trackPath, "")
        for (f in spec$secondary) .checkTrackChromosomes(f, lens, inc, a$strict, chrMode)
    }
    if (kind == "continuous") {
        spec$tracks <- vapply(ann, .trackPath, "")
        for (f in spec$tracks) .checkTrackChromosomes(f, lens, inc, a$strict, chrMode)
    }
    p$spec <- .checkSpec(spec)
    p
}

## keras-style input shape (no batch axis); dummyAxis (1-based) inserts an axis of 1.
.inputShape <- function(L, layout, dummyAxis) {
    s <- if (layout == "NLC") c(L, 4) else c(4, L)
    if (!is.null(dummyAxis)) {
        d <- .checkCount(dummyAxis, "dummyAxis")
        if (d > 3) .gdlStop("dummyAxis must be 1, 2 or 3")
        s <- append(s, 1, after = d - 1L)
    }
    as.integer(s)
}
