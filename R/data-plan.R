### =========================================================================
### Training data plan: arguments of sequenceGenerator() checked and turned
### into the plain vectors the C++ core takes (window starts, annotations,
### channels, statistics chromosomes). Shapes are computed here too, so that
### predictLabelShape() / predictInputShape() need no generator.
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
    stop(n, " columns on the first line (", if (nchar(first) > 60) paste0(substr(first, 1, 60), "...")
         else first, "); read as BED", if (n > 6L) paste0(" and as BED6+", n - 6L), ": ",
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

.checkChoice <- function(x, choices, name) {
    if (!is.character(x) || length(x) != 1L || !x %in% choices)
        .gdlStop(name, " must be one of ", paste0("'", choices, "'", collapse = ", "))
    x
}

.checkCount <- function(x, name, min = 1) {
    if (!is.numeric(x) || length(x) != 1L || is.na(x) || x < min || x != round(x))
        .gdlStop(name, " must be a whole number >= ", min)
    as.numeric(x)
}

## Allowed window starts (1-based GRanges of starts) on the included
## chromosomes: inside regions, not overlapping the blacklist, at most maxN N.
.windowStarts <- function(g, lens, inc, L, regions, blacklist, maxN, strictLength) {
    short <- inc[lens[inc] < L]
    if (length(short) && (strictLength || length(short) == length(inc)))
        .gdlStop("the window (", L, ") is longer than chromosome ", short[1L], " (length ",
                 format(lens[[short[1L]]], scientific = FALSE), ")")
    inc <- setdiff(inc, short)
    st <- GRanges(inc, IRanges(1L, lens[inc] - L + 1L), seqlengths = lens)
    if (!is.null(regions)) {
        if (!is(regions, "GRanges")) .gdlStop("regions must be a GRanges")
        r <- regions[as.character(seqnames(regions)) %in% inc & width(regions) >= L]
        strand(r) <- "*"
        r <- GRanges(seqnames(r), IRanges(start(r), end(r) - L + 1L))
        st <- GenomicRanges::intersect(st, r, ignore.strand = TRUE)
    }
    if (!is.null(blacklist)) {
        if (!is(blacklist, "GRanges")) .gdlStop("blacklist must be a GRanges")
        b <- blacklist[as.character(seqnames(blacklist)) %in% inc]
        if (length(b)) {
            b <- GRanges(seqnames(b), IRanges(pmax(1L, start(b) - L + 1L), end(b)))
            st <- GenomicRanges::setdiff(st, b, ignore.strand = TRUE)
        }
    }
    if (maxN < 1) {
        runs <- .native(cpp_generator_nruns(.genomePtr(g), inc))
        bad <- lapply(inc, function(chr) {
            r <- runs[[chr]]
            if (!length(r$start)) return(NULL)
            cov <- IRanges::coverage(IRanges(r$start, r$end), width = lens[[chr]])
            rs <- S4Vectors::runsum(cov, k = L)  # N count of the window starting at each base
            over <- IRanges::slice(rs, lower = floor(maxN * L) + 1, rangesOnly = TRUE)
            if (!length(over)) return(NULL)
            GRanges(factor(rep(chr, length(over)), levels = inc), over)
        })
        bad <- Filter(Negate(is.null), bad)
        if (length(bad)) st <- GenomicRanges::setdiff(st, do.call(c, unname(bad)), ignore.strand = TRUE)
    }
    st
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

## outputShape (keras_dna's output_shape): the label shape reshaped, checked against the labels;
## keras_dna's form with the batch size first is accepted too.
.outputShape <- function(os, labelShape, batchSize) {
    if (is.null(os)) return(NULL)
    if (!is.numeric(os) || !length(os) || anyNA(os) || any(os < 1) || any(os != round(os)))
        .gdlStop("outputShape must be a vector of positive whole numbers")
    n <- prod(labelShape)
    if (prod(os) == n) return(as.integer(os))
    if (length(os) > 1L && os[[1L]] == batchSize && prod(os[-1L]) == n) return(as.integer(os[-1L]))
    .gdlStop("outputShape (", paste(os, collapse = ", "), ") does not fit the labels of shape (",
             paste(labelShape, collapse = ", "), "): it must hold ", n, " values per sample")
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
}

.asSpecIntervals <- function(gr) {
    list(chrom = as.character(seqnames(gr)), start = as.numeric(start(gr)),
         end = as.numeric(end(gr)))
}

## The checked plan of a generator. With shapesOnly, stops once the shapes
## are known (nothing heavy is computed).
.generatorPlan <- function(a, shapesOnly = FALSE) {
    g <- genomeSource(a$genome)
    lens <- .lengthsOf(g)
    ann <- .annotationList(a$annotations)
    kinds <- vapply(ann, .annotationKind, "")
    if (length(unique(kinds)) > 1L)
        .gdlStop("annotations mix continuous (bigWig) and sparse (BED / GFF) targets; ",
                 "give one kind (use secondary for extra tracks)")
    kind <- kinds[[1L]]
    inc <- .includedChromosomes(lens, a$chromosomes, a$excludeChromosomes)
    layout <- .checkChoice(a$layout, c("NLC", "NCL"), "layout")
    chrMode <- .checkChoice(if (is.null(a$chrPrefix)) "auto" else a$chrPrefix,
                            c("auto", "add", "strip", "asis"), "chrPrefix")
    for (what in c("regions", "blacklist"))
        if (!is.null(a[[what]]) && !is(a[[what]], "GRanges"))
            .gdlStop(what, " must be a GRanges (e.g. GRanges(\"chr1:1-100000\")), not ",
                     class(a[[what]])[1L])
    a$regions <- .renameChromosomes(a$regions, lens, chrMode)
    a$blacklist <- .renameChromosomes(a$blacklist, lens, chrMode)
    p <- list(kind = kind, genome = g, lens = lens, inc = inc, layout = layout)
    batchSize <- .checkCount(a$batchSize, "batchSize")
    seed <- .checkCount(a$seed, "seed", min = 0)
    norm <- a$normalization
    normChoices <- c("max", "perctrim", "zscore", "minmax", "log")
    .checkNorm <- function(norm, what) {
        if (is.null(norm)) return(character())
        if (!is.character(norm) || length(norm) > 2L || !all(norm %in% normChoices))
            .gdlStop(what, " must be up to two of ", paste0("'", normChoices, "'", collapse = ", "))
        norm
    }
    norm <- .checkNorm(norm, "normalization")
    w <- a$weighting
    bins <- a$bins
    binsN <- if (identical(bins, "auto")) 0L else as.integer(.checkCount(bins, "bins"))
    spec <- list(kind = kind, batch_size = batchSize, seed = seed, threads = .threads(a$threads),
                 ambiguous_zero = .checkChoice(a$ambiguous, c("quarter", "zero"), "ambiguous") == "zero",
                 rc = isTRUE(a$rc),
                 rc_augment = isTRUE(a$rcAugment), jitter = .checkCount(a$jitter, "jitter", 0),
                 stat_chroms = inc, bins = binsN, weighting = "none", chr_prefix = chrMode)
    if (kind == "continuous") {
        if (is.null(a$window) && is.character(a$seqLen)) .gdlStop("continuous targets need a window")
        L <- .checkCount(if (is.null(a$window)) a$seqLen else a$window, "window")
        tg <- .checkCount(a$targetWindow, "targetWindow")
        if (tg > L) .gdlStop("targetWindow (", tg, ") is larger than the window (", L, ")")
        down <- if (is.null(a$downsampling)) "none" else .checkChoice(a$downsampling, c("mean", "first"), "downsampling")
        if (down != "none" && L %% tg != 0)
            .gdlStop("with downsampling, targetWindow (", tg, ") must divide the window (", L, ")")
        nf <- length(ann)
        nt <- if (is.null(a$nAnnotationTypes)) 0L else as.integer(.checkCount(a$nAnnotationTypes, "nAnnotationTypes"))
        if (nt > 0L && nf %% nt != 0L)
            .gdlStop("nAnnotationTypes (", nt, ") must divide the number of bigWig files (", nf, ")")
        p$labelShape <- if (nt > 0L) c(tg, nf %/% nt, nt) else c(tg, nf)
        p$weightShape <- tg
        spec <- c(spec, list(target_window = tg, downsampling = down, n_types = nt,
                             normalization = norm, stride = .checkCount(a$stride, "stride")))
    } else {
        if (!is.null(a$normalization) && length(norm))
            .gdlStop("normalization applies to continuous (bigWig) targets only")
        predict <- .checkChoice(a$predict, c("region", "start", "stop"), "predict")
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
        used <- gr[as.character(seqnames(gr)) %in% inc]
        if (!is.null(a$regions)) used <- used[IRanges::overlapsAny(used, a$regions, type = "within", ignore.strand = TRUE)]
        if (!is.null(a$blacklist)) used <- used[!IRanges::overlapsAny(used, a$blacklist, ignore.strand = TRUE)]
        if (!length(used)) .gdlStop("there is no annotation on the included chromosomes (empty annotations)")
        Lin <- if (is.null(a$window)) a$seqLen else a$window
        real <- is.character(Lin) && identical(tolower(Lin), "real")
        if (real && isTRUE(a$augmentation))
            .gdlStop("seqLen = 'real' (each feature's own bases) cannot be combined with augmentation")
        if (is.null(Lin) || real || identical(tolower(Lin), "maxlen")) {
            if (predict != "region" && is.null(a$window) && !is.numeric(a$seqLen))
                .gdlStop("predict = '", predict, "' needs an integer seqLen (the features are 1 base)")
            Lin <- max(width(used))
        }
        if (is.character(Lin))
            .gdlStop("seqLen must be a whole number, 'maxlen' or 'real', not '", Lin, "'")
        L <- .checkCount(Lin, "seqLen")
        seq2seq <- isTRUE(a$seq2seq)
        p$labelShape <- if (seq2seq) c(L, length(ann), nAnn) else c(length(ann), nAnn)
        p$weightShape <- integer()
        p$features <- used
        negType <- if (is.null(a$negativeType)) "none"
                   else .checkChoice(a$negativeType, c("real", "random", "shuffled"), "negativeType")
        ratio <- a$negativeRatio
        ratio <- if (identical(ratio, "all")) -1
                 else { if (!is.numeric(ratio) || length(ratio) != 1L || is.na(ratio) || ratio < 0)
                            .gdlStop("negativeRatio must be a number >= 0 or 'all'"); ratio }
        spec <- c(spec, list(
            annotations = c(.asSpecIntervals(used), list(minus = as.character(strand(used)) == "-",
                             channel = as.integer((used$file - 1L) * nAnn + used$channel))),
            n_files = length(ann), n_ann = nAnn, seq2seq = seq2seq, real_length = real,
            augmentation = isTRUE(a$augmentation), use_strand = isTRUE(a$useStrand),
            positive = if (seq2seq) "match_any" else .checkChoice(a$positiveMode, c("match_all", "match_any"), "positiveMode"),
            negative = negType, negative_ratio = ratio, weight_positive = 1, weight_negative = 1))
    }
    p$window <- L
    spec$window <- L
    p$labels <- .labelInfo(a)
    if (is.na(p$labels$positions)) p$labels$positions <- L  # seq2seq with seqLen = "maxlen"
    ## weights
    if (is.character(w)) {
        spec$weighting <- .checkChoice(w, c("none", "balanced"), "weighting")
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
    if (!is.null(sec)) {
        sec <- if (is.character(sec)) as.list(sec) else if (is.list(sec)) sec else list(sec)
        if (any(vapply(sec, .annotationKind, "") != "continuous"))
            .gdlStop("secondary must be bigWig tracks")
        Ls <- if (is.null(a$secondaryLength)) L else .checkCount(a$secondaryLength, "secondaryLength")
        if (Ls > L) .gdlStop("secondaryLength (", Ls, ") is larger than the window (", L, ")")
        st <- if (is.null(a$secondaryNAnnotationTypes)) 0L
              else as.integer(.checkCount(a$secondaryNAnnotationTypes, "secondaryNAnnotationTypes"))
        if (st > 0L && length(sec) %% st != 0L)
            .gdlStop("secondaryNAnnotationTypes (", st, ") must divide the number of secondary files (", length(sec), ")")
        asTargets <- .checkChoice(a$useSecondaryAs, c("inputs", "targets"), "useSecondaryAs") == "targets"
        p$secondaryShape <- if (st > 0L) c(Ls, length(sec) %/% st, st) else c(Ls, length(sec))
        if (!asTargets && layout == "NCL") p$secondaryShape <- c(length(sec), Ls)
        p$secondaryAsTargets <- asTargets
        spec <- c(spec, list(secondary_length = Ls, secondary_types = st,
                             secondary_as_targets = asTargets,
                             secondary_normalization = .checkNorm(a$secondaryNormalization, "secondaryNormalization")))
    } else {
        p$secondaryShape <- NULL
        p$secondaryAsTargets <- FALSE
        spec <- c(spec, list(secondary = character(), secondary_length = 0, secondary_types = 0L,
                             secondary_as_targets = FALSE, secondary_normalization = character()))
    }
    p$inputShape <- .inputShape(L, layout, a$dummyAxis)
    os <- .outputShape(a$outputShape, p$labelShape, batchSize)
    if (!is.null(os)) {
        p$labelShape <- os
        spec$output_shape <- as.numeric(os)
    }
    if (shapesOnly) return(p)
    ## heavy part: files, window plan
    if (!is.null(sec)) {
        spec$secondary <- vapply(sec, .trackPath, "")
        for (f in spec$secondary) .checkTrackChromosomes(f, lens, inc, a$strict, chrMode)
    }
    maxN <- a$maxN
    if (!is.numeric(maxN) || length(maxN) != 1L || is.na(maxN) || maxN < 0 || maxN > 1)
        .gdlStop("maxN must be a fraction between 0 and 1")
    if (kind == "continuous") {
        spec$tracks <- vapply(ann, .trackPath, "")
        for (f in spec$tracks) .checkTrackChromosomes(f, lens, inc, a$strict, chrMode)
        st <- .windowStarts(g, lens, inc, L, a$regions, a$blacklist, maxN, !is.null(a$chromosomes))
        if (!length(st)) .gdlStop("no window of length ", L, " fits the included chromosomes and regions")
        spec$starts <- .asSpecIntervals(st)
    } else {
        st <- if (spec$negative == "real")
                  .windowStarts(g, lens, inc, L, a$regions, a$blacklist, maxN, FALSE)
              else GRanges()
        spec$negative_space <- .asSpecIntervals(st)
        if (maxN < 1) {
            f <- p$features
            runs <- .native(cpp_generator_nruns(.genomePtr(g), unique(as.character(seqnames(f)))))
            wx <- L - width(f)
            s <- start(f) - (wx %/% 2L + wx %% 2L)
            keep <- vapply(seq_along(f), function(i) {
                r <- runs[[as.character(seqnames(f))[i]]]
                if (!length(r$start)) return(TRUE)
                ov <- pmax(0, pmin(r$end, s[i] + L - 1) - pmax(r$start, s[i]) + 1)
                sum(ov) <= maxN * L
            }, TRUE)
            if (!any(keep)) .gdlStop("every annotation window has more than maxN N")
            f <- f[keep]
            spec$annotations <- c(.asSpecIntervals(f), list(minus = as.character(strand(f)) == "-",
                                  channel = as.integer((f$file - 1L) * spec$n_ann + f$channel)))
        }
    }
    p$spec <- spec
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
