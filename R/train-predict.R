### =========================================================================
### Prediction over genomic regions: predictRegions() tiles regions or whole
### chromosomes with the model's input window; the C++ core encodes, runs and
### stitches the windows (train/predict.cpp); R builds GRanges, RleLists or a
### SummarizedExperiment and writes bigWig files.
### -------------------------------------------------------------------------

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### How outputs are read
###

## The generator arguments a model was trained with (NULL for array data).
.trainingArgs <- function(model) {
    a <- tryCatch(generatorConfig(model), error = function(e) NULL)
    if (is.null(a) || identical(a[["type"]], "arrays")) return(NULL)
    if (identical(a[["type"]], "multi")) return(a$generators[[1L]])
    a
}

## Continuous training targets: list(targetWindow, window, bin, files, names), else NULL.
.continuousTargets <- function(model) {
    a <- .trainingArgs(model)
    if (is.null(a)) return(NULL)
    ann <- tryCatch(.annotationList(a$annotations), error = function(e) NULL)
    if (is.null(ann) || !all(vapply(ann, function(x) identical(tryCatch(.annotationKind(x),
                                     error = function(e) ""), "continuous"), TRUE)))
        return(NULL)
    L <- a$inputLength
    tg <- a$targetWindow
    if (!is.numeric(L) || !is.numeric(tg)) return(NULL)
    nm <- vapply(seq_along(ann), function(i) {
        x <- ann[[i]]
        if (is(x, "BigWigFile")) x <- BiocGenerics::path(x)
        if (is.character(x)) sub("\\.(bw|bigwig)$", "", basename(x), ignore.case = TRUE)
        else paste0("track", i)
    }, "")
    list(targetWindow = tg, window = L, files = length(ann), names = nm,
         bin = if (is.null(a$downsampling)) 1 else L / tg)
}

## Per output: c(positions, channels, bin) for the core; positions 0 = one value set per window.
## What an output is comes from .outputSemantics(): profiles (sequence outputs, or the
## targetWindow x tracks values of a model trained on bigWig targets, flat or not) become
## per-base tracks; label shapes such as cells x annotations stay per-window scores.
.outputLayouts <- function(model, sem = .outputSemantics(model)) {
    ct <- .continuousTargets(model)
    lapply(seq_along(sem), function(k) {
        s <- sem[[k]]
        if (s$positions == 0) return(c(0, s$channels, 1))
        bin <- if (!is.null(ct) && k == 1L && s$positions == ct$targetWindow) ct$bin else 1
        c(s$positions, s$channels, bin)
    })
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Regions
###

.predictionRegions <- function(regions, lens) {
    if (is.null(regions)) regions <- names(lens)
    if (is.character(regions)) {
        miss <- setdiff(regions, names(lens))
        if (length(miss))
            .gdlStop("chromosome(s) not in the genome: ", paste(miss, collapse = ", "),
                     " (it has: ", paste(utils::head(names(lens), 5L), collapse = ", "),
                     if (length(lens) > 5L) ", ..." else "", ")")
        regions <- unname(as(GenomeInfoDb::Seqinfo(names(lens), as.integer(lens)), "GRanges")[regions])
    }
    if (!is(regions, "GRanges")) .gdlStop("regions must be NULL, chromosome names or a GRanges")
    .checkRanges(regions, lens)
    regions
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Core call (one chunk of regions), optionally spread with BiocParallel
###

.predictChunk <- function(model, g, regions, layouts, step, rc, batchSize, device, threads,
                          ambiguous, verbose) {
    .native(cpp_predict_regions(.modelPtr(model), .genomePtr(g),
                                as.character(seqnames(regions)), as.numeric(start(regions)),
                                as.numeric(end(regions)), layouts, step, rc, batchSize, device,
                                threads, ambiguous == "zero", verbose, .sequenceEncoding()))
}

## One chunk of regions in a BiocParallel worker (predictRegions() with BPPARAM, in memory).
.predictRegionsWorker <- function(regions, g, call, o) {
    .predictChunk(.workerModel(call), .workerGenome(g, call), regions, o$layouts, o$step, o$rc,
                  o$batchSize, o$dev, o$threads, o$ambiguous, FALSE)
}

.combineChunks <- function(parts) {
    if (length(parts) == 1L) return(parts[[1L]])
    offsets <- cumsum(c(0, vapply(parts, function(p) length(p$grid), 0)))
    out <- list(windowRegion = unlist(lapply(seq_along(parts), function(i)
                    parts[[i]]$windowRegion + offsets[i])),
                windowStart = unlist(lapply(parts, `[[`, "windowStart")),
                windowEnd = unlist(lapply(parts, `[[`, "windowEnd")),
                grid = unlist(lapply(parts, `[[`, "grid")),
                bins = unlist(lapply(parts, `[[`, "bins")), device = parts[[1L]]$device)
    nOut <- length(parts[[1L]]$perWindow)
    out$perWindow <- lapply(seq_len(nOut), function(k) {
        if (is.null(parts[[1L]]$perWindow[[k]])) return(NULL)
        do.call(rbind, lapply(parts, function(p) p$perWindow[[k]]))
    })
    out$tracks <- lapply(seq_len(nOut), function(k) {
        if (is.null(parts[[1L]]$tracks[[k]])) return(NULL)
        do.call(c, lapply(parts, function(p) p$tracks[[k]]))
    })
    out
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Results as Bioconductor objects
###

## One RleList (whole chromosomes, NA outside the regions) per channel of a stitched output:
## every region's bins (from its grid start, b bases each, cut to the region) as one GRanges,
## turned into Rles by GenomicRanges::mcolAsRleList() (NA between ranges). Regions are disjoint
## (reduced by the caller).
.stitchedTracks <- function(res, k, regions, lens, names, b) {
    per <- do.call(rbind, res$tracks[[k]])           # the bins of every region, in region order
    r <- rep(seq_along(regions), res$bins)
    bs <- res$grid[r] + (sequence(res$bins) - 1) * b
    s <- pmax(bs, start(regions)[r])
    e <- pmin(bs + b - 1, end(regions)[r])
    keep <- e >= s
    chroms <- unique(as.character(seqnames(regions)))   # the Rles cover these whole
    gr <- GRanges(as.character(seqnames(regions))[r][keep], IRanges(s[keep], e[keep]),
                  seqinfo = GenomeInfoDb::Seqinfo(chroms, as.integer(lens[chroms])))
    out <- lapply(seq_len(ncol(per)), function(c) {
        v <- per[keep, c]
        v[is.nan(v)] <- NA_real_
        gr$score <- v
        GenomicRanges::mcolAsRleList(gr, "score")
    })
    names(out) <- names
    out
}

## Windows of the regions as a GRanges (trimmed to the chromosomes) with the region index.
.windowRanges <- function(res, regions, g) {
    chr <- as.character(seqnames(regions))[res$windowRegion]
    lens <- .lengthsOf(g)
    s <- pmax(1, res$windowStart)
    e <- pmin(lens[chr], res$windowEnd)
    gr <- GRanges(chr, IRanges(s, e), seqinfo = seqinfo(g)[unique(as.character(seqnames(regions)))])
    gr$region <- res$windowRegion
    gr
}

## Per-window scores as a per-base track: each base takes the score of the window whose centre
## is nearest (the earlier on ties), inside the regions; NA elsewhere. Built by hand: the same
## track through GRanges, pintersect() and mcolAsRleList() takes 4x as long (bench/tracks-io.R:
## 0.16 s against 0.73 s for 244,000 windows).
.windowTrack <- function(windows, score, regions, lens) {
    chr <- as.character(seqnames(windows))
    centre <- (start(windows) + end(windows)) / 2
    rchr <- as.character(seqnames(regions))
    chroms <- unique(chr)
    l <- lapply(chroms, function(ch) {
        i <- which(chr == ch)
        i <- i[order(centre[i])]
        i <- i[!duplicated(centre[i])]
        cen <- centre[i]
        rr <- regions[rchr == ch]
        lo <- min(start(rr))
        hi <- max(end(rr))
        cut <- c(lo - 1, pmax(lo - 1, pmin(hi, floor((cen[-1L] + cen[-length(cen)]) / 2))), hi)
        len <- diff(cut)
        ok <- len > 0
        v <- S4Vectors::Rle(c(NA_real_, score[i][ok], NA_real_),
                            c(lo - 1, len[ok], lens[[ch]] - hi))
        cov <- IRanges::coverage(IRanges::reduce(ranges(rr)), width = lens[[ch]])
        v[cov == 0] <- NA_real_
        v
    })
    names(l) <- chroms
    IRanges::RleList(l, compress = FALSE)
}

.trackExportPaths <- function(export, trackNames) {
    n <- length(trackNames)
    if (!is.character(export) || anyNA(export) || !length(export))
        .gdlStop("export must be a bigWig path (one track), a path prefix or one path per track")
    if (length(export) == n) return(export)
    if (length(export) != 1L)
        .gdlStop("export gives ", length(export), " paths for ", n, " tracks: give one path per ",
                 "track or one prefix")
    if (n == 1L) return(export)
    prefix <- sub("\\.(bw|bigwig)$", "", export, ignore.case = TRUE)
    ## names that differ only in characters a file name cannot hold must not share a file
    safe <- make.unique(gsub("[^A-Za-z0-9._-]+", "_", trackNames), sep = "_")
    paste0(prefix, "_", safe, ".bw")
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Streamed runs: bigWig (and HDF5) written by the core as the windows finish
###

## Where per-window scores of output `name` go as an HDF5 file beside the bigWig exports.
.hdf5ExportPath <- function(export, name) {
    prefix <- sub("\\.(bw|bigwig)$", "", export[1L], ignore.case = TRUE)
    paste0(prefix, "_", gsub("[^A-Za-z0-9._-]+", "_", name), ".h5")
}

## Per-window rows of a streamed run, in genome order: the window coordinates (three numbers per
## window) and, per output, the scores in an R matrix or, for a SummarizedExperiment, an HDF5
## dataset written block by block. add() takes rows from `first` on (row numbers in genome
## order); results() gives the outputs' objects (a GRanges or an HDF5-backed
## SummarizedExperiment each); abort() removes unfinished HDF5 files.
.windowRows <- function(perWindow, taskNames, nwin, format, export, outNames) {
    ## rows arrive in chunks; an environment lets them fill preallocated vectors in place
    acc <- new.env(parent = emptyenv())
    acc$region <- integer(nwin)
    acc$start <- acc$end <- numeric(nwin)
    sinks <- list()
    for (k in perWindow) {
        nt <- length(taskNames[[k]])
        asSE <- format == "SummarizedExperiment" || (format == "auto" && nt > 10L)
        if (asSE) sinks[[k]] <- .hdf5Sink(.hdf5ExportPath(export, outNames[k]), nwin, nt)
        else acc[[paste0("m", k)]] <- matrix(NA_real_, nwin, nt)
    }
    sinkOf <- function(k) if (k <= length(sinks)) sinks[[k]] else NULL
    list(add = function(k, first, region, start, end, values) {
        i <- seq.int(first, length.out = length(region))
        if (k == perWindow[1L]) {
            acc$region[i] <- region
            acc$start[i] <- start
            acc$end[i] <- end
        }
        s <- sinkOf(k)
        if (!is.null(s)) s$write(first, values)
        else acc[[paste0("m", k)]][i, ] <- values
        NULL
    }, abort = function() for (s in sinks) if (!is.null(s)) s$abort(),
    results = function(sreg, ord, seqinfo) {
        chroms <- unique(as.character(seqnames(sreg)))
        windows <- GRanges(as.character(seqnames(sreg))[acc$region],
                           IRanges(acc$start, acc$end), seqinfo = seqinfo[chroms])
        windows$region <- ord[acc$region]
        out <- vector("list", max(perWindow))
        for (k in perWindow) {
            s <- sinkOf(k)
            if (is.null(s)) {
                scores <- acc[[paste0("m", k)]]
                colnames(scores) <- taskNames[[k]]
                gr <- windows
                mcols(gr) <- cbind(mcols(gr), S4Vectors::DataFrame(scores, check.names = FALSE))
                out[[k]] <- gr
                next
            }
            out[[k]] <- SummarizedExperiment::SummarizedExperiment(
                assays = list(score = s$commit()), rowRanges = windows,
                colData = S4Vectors::DataFrame(task = taskNames[[k]], row.names = taskNames[[k]]))
        }
        out
    })
}

## The light results of a streamed run, per output: profiles a BigWigFileList of their files
## (named by track), per-window outputs the objects of .windowRows().
.streamResults <- function(profile, paths, taskNames, rows, sreg, ord, seqinfo) {
    win <- if (is.null(rows)) NULL else rows$results(sreg, ord, seqinfo)
    lapply(seq_along(profile), function(k) {
        if (!profile[k]) return(win[[k]])
        f <- rtracklayer::BigWigFileList(paths[[k]])
        names(f) <- taskNames[[k]]
        f
    })
}

## What a streamed run shares: the regions in genome order, the export paths per output, the
## per-window outputs and their row sink.
.streamSetup <- function(regions, lens, layouts, profile, taskNames, fileNames, outNames, export,
                         step, span, L, format, returnValues) {
    ord <- order(match(as.character(seqnames(regions)), names(lens)), start(regions), end(regions))
    sreg <- regions[ord]
    allPaths <- .trackExportPaths(export, unlist(fileNames))
    paths <- split(allPaths, rep(seq_along(fileNames), lengths(fileNames)))
    paths <- lapply(unname(paths), unname)
    bin <- if (any(profile)) layouts[[which(profile)[1L]]][3L] else 1
    perWindow <- which(!profile)
    rows <- NULL
    if (length(perWindow) && !returnValues) {
        nwin <- sum(cpp_predict_window_counts(start(sreg), end(sreg), L, span, step, bin))
        rows <- .windowRows(perWindow, taskNames, nwin, format, export, outNames)
    }
    list(ord = ord, sreg = sreg, chroms = unique(as.character(seqnames(sreg))), paths = paths,
         rows = rows)
}

## predictRegions() with export and no BPPARAM: regions in genome order go through the core,
## which writes one bigWig per track as the windows finish (profiles bin by bin, per-window
## scores as nearest-centre tracks one chromosome at a time); per-window scores come back in
## chunks of rows and go to an R matrix or, for a SummarizedExperiment, an HDF5 dataset.
## The bigWigs are the core's (tracks/bigwig_stream.hpp), not rtracklayer's: export() takes a
## whole track at once and cannot append to an open file, so memory would grow with the genome
## instead of the tile. In-memory tracks (exportTrack()) are written by rtracklayer.
## Returns list(out, res): `out` the light results per output, `res` the values (returnValues).
.streamPredict <- function(model, g, regions, lens, layouts, profile, taskNames, fileNames,
                           outNames, export, step, span, L, rc, batchSize, dev, threads, ambiguous,
                           verbose, format, returnValues) {
    su <- .streamSetup(regions, lens, layouts, profile, taskNames, fileNames, outNames, export,
                       step, span, L, format, returnValues)
    sreg <- su$sreg
    if (!is.null(su$rows)) on.exit(su$rows$abort(), add = TRUE)
    res <- .native(cpp_predict_stream(.modelPtr(model), .genomePtr(g), as.character(seqnames(sreg)),
                                      as.numeric(start(sreg)), as.numeric(end(sreg)), layouts,
                                      step, rc, batchSize, dev, threads, ambiguous == "zero",
                                      verbose, .sequenceEncoding(), su$paths, su$chroms,
                                      as.numeric(lens[su$chroms]), su$rows$add, 4096,
                                      returnValues))
    if (returnValues) return(list(res = res, regions = sreg, order = su$ord, paths = su$paths))
    list(out = .streamResults(profile, su$paths, taskNames, su$rows, sreg, su$ord, seqinfo(g)))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Streamed runs over BiocParallel workers: tiles computed by the workers, written here
###

## Tiles of a run over the regions in genome order, as ranges of the serial run's windows (in
## order over all regions): tile j owns windows [G0, G1), G0 and G1 multiples of the batch size,
## and computes windows [H0, G1), H0 = G0 - `pad` (a multiple of the batch size, at least the
## windows that can cover one base), so that its batches are the serial run's very batches (a
## window's output depends on its batch's size in LibTorch) and every owned bin averages the very
## windows it averages in the serial run. Per tile, a data frame of its pieces of regions: the
## region, the sub-region [s, t] whose tiling gives exactly windows [i0, i1) of the region
## (spans at a + i step; the last one flush with e), and the owned windows [j0, j1) and bases
## [lo, hi] (none, j1 = j0: a piece computed for the stitching only).
.predictTiles <- function(sreg, counts, size, pad, step, span, bin) {
    a <- start(sreg)
    e <- end(sreg)
    n <- counts
    offset <- cumsum(c(0, n))[seq_along(n)]
    ## span start of window j of region r: on the grid, the last one flush with e
    flush <- a + ceiling((e - span + 1 - a) / bin) * bin
    spanStart <- function(r, j) ifelse(j >= n[r] - 1 & n[r] > 1, flush[r], a[r] + j * step)
    total <- sum(n)
    G0 <- seq(0, max(0, total - 1), by = size)
    lapply(G0, function(g0) {
        g1 <- min(total, g0 + size)
        h0 <- max(0, g0 - pad)
        r <- which(offset < g1 & offset + n > h0)
        i0 <- pmax(h0, offset[r]) - offset[r]
        i1 <- pmin(g1, offset[r] + n[r]) - offset[r]
        j0 <- pmax(g0, offset[r]) - offset[r]
        j1 <- pmin(g1, offset[r] + n[r]) - offset[r]
        s <- ifelse(i0 == 0, a[r], spanStart(r, i0))
        t <- ifelse(i1 == n[r], e[r], spanStart(r, i1 - 1) + span - 1)
        ## the flush window alone: a sub-region of the span's width places it where it is
        only <- i0 == n[r] - 1 & i0 > 0
        t[only] <- s[only] + span - 1
        data.frame(region = r, chrom = as.character(seqnames(sreg))[r], a = a[r], e = e[r],
                   s = s, t = t, i0 = i0, i1 = i1, j0 = j0, j1 = j1,
                   lo = ifelse(j0 == 0, a[r], spanStart(r, j0)),
                   hi = ifelse(j1 == n[r], e[r], spanStart(r, j1) - 1), whole = n[r] == 1)
    })
}

## Output values per tile of a tiled run (option GenomicDL.tileValues, 2^22: 32 MB of doubles).
.tileValues <- function() .checkCount(getOption("GenomicDL.tileValues", 2^22), "GenomicDL.tileValues")

## One tile in this process or a worker: the core's results for its sub-regions, cut to what
## the tile owns: per piece and profile output its bins (grid = first base of the first bin) and
## per-window outputs its owned windows.
.predictTile <- function(tile, g, call, o) {
    g <- .workerGenome(g, call)
    res <- .predictChunk(.workerModel(call), g, GRanges(tile$chrom, IRanges(tile$s, tile$t)),
                         o$layouts, o$step, o$rc, o$batchSize, o$dev, o$threads, o$ambiguous,
                         FALSE)
    lapply(seq_len(nrow(tile)), function(p) {
        own <- tile$j1[p] > tile$j0[p]
        w <- which(res$windowRegion == p)
        keep <- w[seq_along(w) > tile$j0[p] - tile$i0[p] & seq_along(w) <= tile$j1[p] - tile$i0[p]]
        out <- list(own = own, start = res$windowStart[keep], end = res$windowEnd[keep],
                    grid = numeric(length(o$layouts)), tracks = list(), perWindow = list())
        if (!own) return(out)
        for (k in seq_along(o$layouts)) {
            if (!o$profile[k]) {
                out$perWindow[[k]] <- res$perWindow[[k]][keep, , drop = FALSE]
                next
            }
            b <- o$layouts[[k]][3L]
            grid <- res$grid[p]
            i0 <- if (tile$whole[p]) 1 else (tile$lo[p] - grid) %/% b + 1
            i1 <- if (tile$whole[p]) res$bins[p]
                  else min(res$bins[p], ceiling((tile$hi[p] - grid + 1) / b))
            out$grid[k] <- grid + (i0 - 1) * b
            out$tracks[[k]] <- res$tracks[[k]][[p]][seq.int(i0, i1), , drop = FALSE]
        }
        out
    })
}

## predictRegions() with export and BPPARAM: the tiles run in the workers (each opening the
## genome itself and rebuilding the model from its serialised archive); this process writes
## each tile's bins and windows to the bigWig streams as they come back, in genome order. Memory
## here is bounded by the tiles in flight (`size` bases, at most 2^22 output values each) and
## the per-window rows that come back (three numbers per window and the scores, or HDF5).
.streamPredictTiles <- function(model, g, regions, lens, layouts, profile, taskNames, fileNames,
                                outNames, export, step, span, L, rc, batchSize, dev, threads,
                                ambiguous, verbose, format, BPPARAM) {
    su <- .streamSetup(regions, lens, layouts, profile, taskNames, fileNames, outNames, export,
                       step, span, L, format, FALSE)
    sreg <- su$sreg
    if (!is.null(su$rows)) on.exit(su$rows$abort(), add = TRUE)
    streams <- .streamSet()
    on.exit(streams$abort(), add = TRUE)
    st <- lapply(seq_along(layouts), function(k)
        streams$add(.trackStream(su$paths[[k]], su$chroms, lens[su$chroms],
                                 if (profile[k]) "bins" else "windows")))
    ## tiles of whole batches, at most 2^22 output values (and 2^12 windows: a few seconds of
    ## work, what an interrupt waits for the workers to finish) each
    per <- sum(vapply(layouts, function(l) if (l[1L] > 0) l[1L] * l[2L] else l[2L], 0))
    size <- batchSize * max(1, floor(min(2^12, .tileValues() / max(1, per)) / batchSize))
    bin <- if (any(profile)) layouts[[which(profile)[1L]]][3L] else 1
    counts <- cpp_predict_window_counts(start(sreg), end(sreg), L, span, step, bin)
    tiles <- .predictTiles(sreg, counts, size, batchSize * ceiling(ceiling(span / step) / batchSize),
                           step, span, bin)
    call <- .workerCall(model, g)
    on.exit(.workerDone(), add = TRUE)
    o <- list(layouts = layouts, step = step, rc = rc, batchSize = batchSize, dev = dev,
              threads = threads, ambiguous = ambiguous, profile = profile, L = L, span = span)
    nextRow <- 1
    write <- function(i, parts) {
        t <- tiles[[i]]
        for (p in which(vapply(parts, `[[`, NA, "own"))) {
            part <- parts[[p]]
            chrom <- t$chrom[p]
            ws <- pmax(1, part$start)
            we <- pmin(lens[[chrom]], part$end)
            first <- t$j0[p] == 0
            for (k in seq_along(layouts)) {
                if (profile[k]) {
                    st[[k]]$bins(chrom, part$grid[k], layouts[[k]][3L], 1, part$tracks[[k]],
                                 t$a[p], t$e[p])
                    next
                }
                st[[k]]$windows(chrom, if (first) t$a[p] else numeric(),
                                if (first) t$e[p] else numeric(), ws, we, part$perWindow[[k]])
                su$rows$add(k, nextRow, rep(t$region[p], length(ws)), ws, we, part$perWindow[[k]])
            }
            nextRow <<- nextRow + length(ws)
        }
    }
    pb <- .progressBar(length(tiles), "tiles", "Predicting", verbose)
    on.exit(pb$close(), add = TRUE)
    .forTiles(tiles, .predictTile, write, g = g, call = call, o = o, BPPARAM = BPPARAM,
              progress = pb)
    streams$commit()
    .streamResults(profile, su$paths, taskNames, su$rows, sreg, su$ord, seqinfo(g))
}

#' Predict over genomic regions or whole chromosomes
#'
#' Tiles regions (or whole chromosomes) with the model's input window, runs
#' the windows through the model in C++ (worker threads encode them while the
#' network runs, as in training), optionally adds a reverse-complement pass,
#' and stitches profile outputs into per-base tracks. Works on any genome
#' (\code{\link{genomeSource}}), not only the one the model was trained on
#' (keras_dna's \code{ModelWrapper.predict}).
#'
#' @param model a \code{SequenceModel} whose one input is one-hot DNA.
#' @param genome anything \code{\link{genomeSource}} accepts.
#' @param regions \code{NULL} (every chromosome), chromosome names, or a
#'   \code{GRanges} (strand ignored).
#' @param step bases between consecutive windows (default: the bases the
#'   outputs cover, so that windows do not overlap). Overlapping outputs are
#'   averaged.
#' @param rc \code{"none"}, \code{"average"} or \code{"max"}: combine the
#'   predictions with those of the reverse-complemented windows (positions of
#'   profile outputs reversed; strand-specific channels are not swapped).
#' @param export \code{NULL}, or where to write one bigWig per track: one
#'   path (a single track), a prefix (files \code{<prefix>_<track>.bw}) or one
#'   path per track. The files are written as the windows finish (a streamed
#'   run, see Details), each through a temporary file renamed at the end.
#' @param ... unused.
#' @param batchSize windows per forward pass.
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param format for per-window outputs: \code{"auto"} (a
#'   \code{SummarizedExperiment} above 10 tasks), \code{"GRanges"} or
#'   \code{"SummarizedExperiment"}.
#' @param BPPARAM \code{NULL} or a \code{BiocParallel} parameter object (any
#'   backend: multicore, snow, batchtools); each worker opens the genome
#'   itself and rebuilds the model from its serialised archive, and the results
#'   equal the serial ones. Without \code{export} the regions are split into
#'   one chunk per worker; with \code{export}, the workers run tiles and this
#'   process writes them as they come back (see Details).
#' @param threads threads of the core (encoding and LibTorch).
#' @param ambiguous value of N in the one-hot encoding (\code{"quarter"} or
#'   \code{"zero"}); positions past chromosome ends read as N.
#' @param returnValues with \code{export}: also return the values in memory,
#'   as without \code{export} (\code{FALSE}: return handles to the written
#'   files).
#' @param verbose show a progress bar on long work.
#' @return With \code{export} (and \code{returnValues = FALSE}), per output:
#'   for profile outputs a \code{BigWigFileList} of the written files (one
#'   per track, named by track); for per-window outputs the windows (in genome
#'   order) as a \code{GRanges} with the scores, or a
#'   \code{SummarizedExperiment} whose \code{score} assay is an
#'   \code{HDF5Array} in \code{<prefix>_<output>.h5} beside the bigWig
#'   files. Otherwise, per output: for per-window outputs, a \code{GRanges} of the
#'   windows (trimmed to the chromosomes) with the region index and one score
#'   column per task (\code{score} for one task), or a
#'   \code{SummarizedExperiment} (rowRanges = windows, assay \code{score},
#'   colData = task names); for profile outputs (sequence outputs, or a flat
#'   output holding the \code{targetWindow} x files values of a model trained
#'   on bigWig targets), an \code{RleList} per track over whole chromosomes
#'   (\code{NA} outside the regions), a named list of them for several tracks.
#'   Several outputs give a named list of those.
#' @details Windows of a region \code{[a, e]} are placed so that their
#'   output spans start at \code{a}, \code{a + step}, ..., the last one flush
#'   with \code{e}; the flanks of windows at chromosome ends read N, so every
#'   base is predicted. A region shorter than the span gets one window centred
#'   on it. Profile outputs cover the centre of the window (as
#'   \code{\link{layerCrop}} and \code{targetWindow} do); a model trained with
#'   \code{downsampling} predicts bins of \code{window / targetWindow} bases.
#'   With \code{export}, per-window scores are written as a track in which
#'   each base takes the score of the window whose centre is nearest.
#'
#'   A streamed run (\code{export} without \code{BPPARAM}) goes through the
#'   regions in genome order and hands each bin to the bigWig writer as soon
#'   as no later window covers it, so the memory it takes beyond the model is
#'   bounded by one batch: about \code{batchSize} x (input length x 4 + output
#'   values) floats plus \code{batchSize} x \code{step} x tracks stitching
#'   values, whatever the length of the genome. Per-window scores of a
#'   chromosome are held until it is written (one value per window and
#'   track), and the window coordinates (three numbers per window) come back.
#'   An error or an interrupt leaves no file under the final names.
#'
#'   With \code{export} and \code{BPPARAM} (and \code{returnValues = FALSE}),
#'   the windows of the regions, in genome order, are cut into tiles of whole
#'   batches, at most 2^12 windows and 2^22 output values (option
#'   \code{GenomicDL.tileValues}); each tile runs in a worker with the batches
#'   before it that overlap its first bases (the serial run's very batches and
#'   windows, so every value and file is the serial one) and comes back cut to
#'   the tile; this process
#'   writes the tiles in genome order as they arrive, holding only those
#'   that arrived ahead of the next one to write. A progress bar counts the
#'   tiles.
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' m <- sequentialModel(c(101, 4), list(layerConv1d(1, 1, useBias = FALSE),
#'                                      layerCrop(51)))
#' tr <- predictRegions(m, fa, GRanges("chr1:1001-1500"), step = 51)
#' tr
#' w <- predictRegions(cnnModel(201), fa, "chr2", step = 100, verbose = FALSE)
#' head(w)
#' ## streamed to bigWig: a handle to the file comes back
#' f <- predictRegions(m, fa, "chr1", step = 51, export = tempfile(fileext = ".bw"),
#'                     verbose = FALSE)
#' f
#' @export
predictRegions <- function(model, genome, regions = NULL, step = NULL,
                           rc = c("none", "average", "max"), export = NULL, ...,
                           batchSize = 128, device = "auto",
                           format = c("auto", "GRanges", "SummarizedExperiment"),
                           BPPARAM = NULL, threads = NULL, ambiguous = c("quarter", "zero"),
                           returnValues = FALSE, verbose = TRUE) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    rc <- .matchArg(rc)
    format <- .matchArg(format)
    ambiguous <- .matchArg(ambiguous)
    if (length(model@spec$inputs) != 1L)
        .gdlStop("the model takes ", length(model@spec$inputs), " inputs; predictRegions() ",
                 "reads DNA only")
    g <- genomeSource(genome)
    lens <- .lengthsOf(g)
    regions <- .predictionRegions(regions, lens)
    shapes <- outputShapes(model)
    sem <- .outputSemantics(model)
    layouts <- .outputLayouts(model, sem)
    L <- model@spec$inputs[[1L]][2L]
    profile <- vapply(layouts, function(l) l[1L] > 0, TRUE)
    span <- if (any(profile)) layouts[[which(profile)[1L]]][1L] * layouts[[which(profile)[1L]]][3L] else L
    if (is.null(step)) step <- span
    step <- .checkCount(step, "step")
    batchSize <- .checkCount(batchSize, "batchSize")
    threads <- .threads(threads)
    dev <- .resolveDevice(device)
    strand(regions) <- "*"
    if (any(profile)) regions <- GenomicRanges::reduce(regions)
    .checkFlag(returnValues, "returnValues")
    taskNames <- lapply(sem, `[[`, "names")   # unique within an output
    fileNames <- .uniqueTrackNames(sem)        # unique across outputs: one file per track
    outNames <- .outputNames(model)
    if (!is.null(BPPARAM) && !is(BPPARAM, "BiocParallelParam"))
        .gdlStop("BPPARAM must be a BiocParallelParam")
    streamed <- !is.null(export) && is.null(BPPARAM)
    regionOrder <- NULL
    if (!is.null(export) && !is.null(BPPARAM) && !returnValues) {
        out <- .streamPredictTiles(model, g, regions, lens, layouts, profile, taskNames,
                                   fileNames, outNames, export, step, span, L, rc, batchSize, dev,
                                   threads, ambiguous, isTRUE(verbose), format, BPPARAM)
        if (length(out) == 1L) return(out[[1L]])
        names(out) <- outNames
        return(out)
    }
    if (streamed) {
        st <- .streamPredict(model, g, regions, lens, layouts, profile, taskNames, fileNames,
                             outNames, export, step, span, L, rc, batchSize, dev, threads,
                             ambiguous, isTRUE(verbose), format, returnValues)
        if (!returnValues) {
            if (length(st$out) == 1L) return(st$out[[1L]])
            names(st$out) <- outNames
            return(st$out)
        }
        res <- st$res
        regions <- st$regions
        regionOrder <- st$order
    } else if (is.null(BPPARAM)) {
        res <- .predictChunk(model, g, regions, layouts, step, rc, batchSize, dev, threads,
                             ambiguous, isTRUE(verbose))
    } else {
        ## one chunk of regions per worker, each worker with its own genome handle and model
        call <- .workerCall(model, g)
        on.exit(.workerDone(), add = TRUE)
        n <- min(length(regions), BiocParallel::bpnworkers(BPPARAM))
        chunks <- split(seq_along(regions), ceiling(seq_along(regions) * n / length(regions)))
        parts <- BiocParallel::bplapply(lapply(unname(chunks), function(i) regions[i]),
                                        .predictRegionsWorker, g = g, call = call,
                                        o = list(layouts = layouts, step = step, rc = rc,
                                                 batchSize = batchSize, dev = dev,
                                                 threads = threads, ambiguous = ambiguous),
                                        BPPARAM = BPPARAM)
        res <- .combineChunks(parts)
    }
    windows <- NULL
    out <- lapply(seq_along(shapes), function(k) {
        if (profile[k]) return(.stitchedTracks(res, k, regions, lens, taskNames[[k]],
                                                     layouts[[k]][3L]))
        if (is.null(windows)) {
            windows <<- .windowRanges(res, regions, g)
            if (!is.null(regionOrder)) windows$region <<- regionOrder[windows$region]
        }
        scores <- res$perWindow[[k]]
        colnames(scores) <- taskNames[[k]]
        asSE <- format == "SummarizedExperiment" || (format == "auto" && ncol(scores) > 10L)
        if (asSE)
            return(SummarizedExperiment::SummarizedExperiment(
                assays = list(score = scores), rowRanges = windows,
                colData = S4Vectors::DataFrame(task = taskNames[[k]], row.names = taskNames[[k]])))
        gr <- windows
        mcols(gr) <- cbind(mcols(gr), S4Vectors::DataFrame(scores, check.names = FALSE))
        gr
    })
    if (!is.null(export) && !streamed) {
        ## BPPARAM: the chunks come back whole, then are written
        tracks <- list()
        for (k in seq_along(out)) {
            tk <- if (profile[k]) unname(out[[k]])
                  else lapply(seq_len(ncol(res$perWindow[[k]])), function(j)
                      .windowTrack(windows, res$perWindow[[k]][, j], regions, lens))
            names(tk) <- fileNames[[k]]
            tracks <- c(tracks, tk)
        }
        paths <- .trackExportPaths(export, names(tracks))
        for (i in seq_along(tracks))
            exportTrack(tracks[[i]], paths[i], seqlengths = lens[names(tracks[[i]])])
    }
    out <- lapply(seq_along(out), function(k) {
        if (profile[k] && length(out[[k]]) == 1L) out[[k]][[1L]] else out[[k]]
    })
    if (length(out) == 1L) return(out[[1L]])
    names(out) <- .outputNames(model)
    out
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Hand-set parameters (internal; tests and models built from known weights)
###

#' Set one parameter of a model by hand (internal)
#'
#' @param model a \code{SequenceModel}.
#' @param key the parameter's name in the network's state, e.g.
#'   \code{"conv1d_1.conv.weight"} (layer name, module, tensor).
#' @param value an array of the parameter's shape (for a convolution weight:
#'   filters x channels x kernel, channels A, C, G, T) or a vector in
#'   row-major order.
#' @return The model, invisibly (changed in place).
#' @keywords internal
.setParameter <- function(model, key, value) {
    d <- dim(value)
    v <- if (length(d) > 1L) as.numeric(aperm(value, rev(seq_along(d)))) else as.numeric(value)
    .native(cpp_model_set_parameters(.modelPtr(model), stats::setNames(list(v), key)))
    .syncWeights(model)
    invisible(model)
}
