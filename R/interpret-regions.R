### =========================================================================
### Attributions over genome regions: attributeBases(model, regions = , genome)
### tiles regions of any length with the model's input windows and streams
### the attributions tile by tile (bigWig of the per-base contribution, or an
### HDF5-backed windows x length x 4 array), here or in BiocParallel workers.
### -------------------------------------------------------------------------

#' Attributions over genome regions
#'
#' \code{attributeBases(model, regions = gr, genome = fa, ...)} attributes a
#' model's prediction to every base of genome regions of any length
#' (chromosomes, whole genomes): the regions are tiled with the model's input
#' windows and the attributions (any \code{method} of
#' \code{\link{attributeBases}}) computed a tile at a time, in this process or
#' in the workers of \code{BPPARAM}, and written as they come back, in genome
#' order, with memory bounded by the tiles in flight.
#'
#' Arguments, beside those of \code{\link{attributeBases}} (\code{method},
#' \code{output}, \code{task}, \code{profile}, \code{hypothetical},
#' \code{nReferences}, \code{seed}, \code{batchSize}, \code{tolerance},
#' \code{device}, \code{threads}):
#' \describe{
#'   \item{regions}{a \code{GRanges} (strand ignored; not overlapping when
#'     exported to bigWig).}
#'   \item{genome}{anything \code{\link{genomeSource}} accepts.}
#'   \item{export}{\code{NULL}, a bigWig path (\code{.bw}, \code{.bigWig}):
#'     each base of the regions takes the contribution of its window summed
#'     over the four bases, or an HDF5 path (\code{.h5}): the windows x length
#'     x 4 attributions as an HDF5 dataset \code{"attribution"}. Written
#'     through a temporary file renamed at the end: an error or an interrupt
#'     leaves no file under the final name.}
#'   \item{returnValues}{with \code{export}: return the values in memory too.}
#'   \item{BPPARAM}{\code{NULL} or any BiocParallel backend; each worker opens
#'     the genome itself and rebuilds the model from its serialised archive.
#'     The results equal the serial ones (same \code{threads}).}
#'   \item{verbose}{show a progress bar (tiles done, rate, time left).}
#' }
#' Windows of a region \code{[a, e]} start at \code{a}, \code{a + L}, ...
#' (L the input length), the last one flush with \code{e}; a region shorter
#' than L gets one window centred on it. Windows are moved inside the
#' chromosome. In the bigWig, a base covered by two windows (the last two of
#' a region) takes the value of the earlier one. Tiles hold 256 windows;
#' with \code{"deepliftshap"}, the references of a window are those of its
#' position in its tile (as \code{attributeBases()} of the tile's windows
#' gives them), so the results do not depend on the backend.
#'
#' @return Without \code{export} (or with \code{returnValues = TRUE}): the
#'   array windows x length x 4 of \code{\link{attributeBases}}, with the
#'   windows as attribute \code{"windows"} (a \code{GRanges}, in genome
#'   order, with the region index) and \code{"prediction"}. With a bigWig
#'   \code{export}: a \code{BigWigFileList} of the file (named
#'   \code{"attribution"}); with an HDF5 \code{export}: a
#'   \code{SummarizedExperiment} whose assay \code{attribution} is the
#'   HDF5-backed windows x length x 4 array, the windows as its
#'   \code{rowRanges} (with the prediction per window).
#' @name attributeBases-regions
#' @seealso \code{\link{attributeBases}}
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' m <- sequentialModel(c(100, 4), list(layerConv1d(4, 5, activation = "relu"),
#'     layerGlobalAvgPool1d(), layerDense(1)))
#' f <- attributeBases(m, regions = GRanges("chr1:1-5000"), genome = fa,
#'                     method = "saliency", export = tempfile(fileext = ".bw"),
#'                     verbose = FALSE)
#' f
#' a <- attributeBases(m, regions = GRanges("chr1:1-1000"), genome = fa,
#'                     method = "ism", verbose = FALSE)
#' dim(a)
NULL

## The windows of the regions (in genome order): start a, a + L, ..., the last flush with e, moved
## inside the chromosome; `lo`..`hi` the bases each window writes (its part of the region not
## written by the window before).
.attributionWindows <- function(sreg, L, lens) {
    a <- start(sreg)
    e <- end(sreg)
    chrom <- as.character(seqnames(sreg))
    short <- lens[chrom] < L
    if (any(short))
        .gdlStop("chromosome ", chrom[short][1L], " (", lens[chrom][short][1L], " bases) is ",
                 "shorter than the model's input (", L, ")")
    n <- pmax(1, ceiling((e - a + 1) / L))
    r <- rep(seq_along(sreg), n)
    k <- sequence(n) - 1
    s <- ifelse(k == n[r] - 1, pmax(a[r], e[r] - L + 1), a[r] + k * L)
    s[n[r] == 1] <- (a[r] - (L - (e[r] - a[r] + 1)) %/% 2)[n[r] == 1]
    s <- pmin(pmax(1, s), lens[chrom[r]] - L + 1)
    lo <- pmax(a[r], ifelse(k == 0, a[r], a[r] + k * L))
    hi <- pmin(e[r], ifelse(k == n[r] - 1, e[r], a[r] + (k + 1) * L - 1))
    data.frame(region = r, chrom = chrom[r], start = s, lo = lo, hi = hi)
}

## One tile of windows in this process or a worker: attributeBases() of its windows.
.attributeTile <- function(tile, g, call, args) {
    g <- .workerGenome(g, call)
    x <- GRanges(tile$chrom, IRanges(tile$start, width = args$L))
    a <- do.call(attributeBases, c(list(.workerModel(call), x, genome = g), args$opts))
    list(values = unclass(a), prediction = attr(a, "prediction"))
}

## A windows x length x 4 HDF5 dataset written a block of windows at a time, through a temporary
## file renamed by commit() (which returns the HDF5Array).
.hdf5Array3 <- function(path, dim, name) {
    for (p in c("HDF5Array", "DelayedArray"))
        if (!requireNamespace(p, quietly = TRUE))
            .gdlStop("attributions are exported to HDF5 through the ", p, " package: install ",
                     "it (Debian: r-bioc-hdf5array) or export to bigWig")
    tmp <- tempfile(".gdl-", tmpdir = dirname(path), fileext = ".h5")
    sink <- HDF5Array::HDF5RealizationSink(as.integer(dim), type = "double", filepath = tmp,
                                           name = name,
                                           chunkdim = as.integer(c(min(dim[1L], 64), dim[-1L])))
    list(write = function(first, values) DelayedArray::write_block(sink,
             DelayedArray::ArrayViewport(as.integer(dim),
                 IRanges::IRanges(c(first, 1, 1), width = dim(values))), values),
         commit = function() {
             DelayedArray::close(sink)
             if (file.exists(path)) unlink(path)
             if (!file.rename(tmp, path)) .gdlStop("cannot write '", path, "'")
             HDF5Array::HDF5Array(path, name)
         }, abort = function() unlink(tmp))
}

## attributeBases(model, regions = , genome = , ...): see ?`attributeBases-regions`.
.attributeRegions <- function(model, regions, genome, opts, export = NULL, returnValues = FALSE,
                              BPPARAM = NULL, verbose = TRUE) {
    if (!is(regions, "GRanges")) .gdlStop("regions must be a GRanges")
    if (is.null(genome)) .gdlStop("attributions over regions need a genome")
    .checkFlag(returnValues, "returnValues")
    .checkFlag(verbose, "verbose")
    kind <- "memory"
    if (!is.null(export)) {
        if (!is.character(export) || length(export) != 1L || is.na(export))
            .gdlStop("export must be one bigWig (.bw) or HDF5 (.h5) path")
        kind <- if (grepl("\\.(bw|bigwig)$", export, ignore.case = TRUE)) "bigwig"
                else if (grepl("\\.(h5|hdf5)$", export, ignore.case = TRUE)) "hdf5"
                else .gdlStop("export must end in .bw / .bigWig (per-base contributions) or ",
                              ".h5 (the windows x length x 4 attributions), not '", export, "'")
    }
    g <- genomeSource(genome)
    lens <- .lengthsOf(g)
    .checkRanges(regions, lens)
    strand(regions) <- "*"
    L <- model@spec$inputs[[1L]][2L]
    sreg <- regions[order(match(as.character(seqnames(regions)), names(lens)), start(regions))]
    if (kind == "bigwig") .checkDisjoint(sreg, "regions of a bigWig export")
    win <- .attributionWindows(sreg, L, lens)
    nwin <- nrow(win)
    tiles <- split(win, ceiling(seq_len(nwin) / 256))
    first <- c(0, cumsum(vapply(tiles, nrow, 0L)))
    keep <- kind == "memory" || returnValues
    values <- if (keep) array(0, c(nwin, L, 4L)) else NULL
    prediction <- numeric(nwin)
    out <- .streamSet()
    on.exit(out$abort(), add = TRUE)
    if (kind == "bigwig") {
        chroms <- unique(win$chrom)
        st <- out$add(.trackStream(export, chroms, lens[chroms], "bins"))
    } else if (kind == "hdf5") {
        h5 <- .hdf5Array3(export, c(nwin, L, 4), "attribution")
        on.exit(h5$abort(), add = TRUE)   # nothing left once committed
    }
    write <- function(i, part) {
        rows <- first[i] + seq_len(dim(part$values)[1L])
        prediction[rows] <<- part$prediction
        if (keep) values[rows, , ] <<- part$values
        if (kind == "hdf5") h5$write(first[i] + 1, part$values)
        if (kind != "bigwig") return()
        t <- tiles[[i]]
        for (w in seq_len(nrow(t))) {
            pos <- seq.int(t$lo[w], t$hi[w]) - t$start[w] + 1
            st$bins(t$chrom[w], t$lo[w], 1, 1, matrix(rowSums(part$values[w, pos, , drop = FALSE],
                                                              dims = 2L)[1L, ], ncol = 1L),
                    t$lo[w], t$hi[w])
        }
    }
    call <- .workerCall(model, g)
    on.exit(.workerDone(), add = TRUE)
    pb <- .progressBar(length(tiles), "tiles", "Attributing", verbose)
    on.exit(pb$close(), add = TRUE)
    .forTiles(unname(tiles), .attributeTile, write, g = g, call = call,
              args = list(L = L, opts = opts), BPPARAM = BPPARAM, progress = pb)
    windows <- GRanges(win$chrom, IRanges(win$start, width = L), seqinfo = seqinfo(g))
    windows$region <- order(match(as.character(seqnames(regions)), names(lens)),
                            start(regions))[win$region]
    windows$prediction <- prediction
    h <- NULL
    if (kind == "hdf5") {
        h <- SummarizedExperiment::SummarizedExperiment(assays = list(attribution = h5$commit()),
                                                        rowRanges = windows)
    }
    out$commit()
    if (kind == "bigwig") {
        h <- rtracklayer::BigWigFileList(export)
        names(h) <- "attribution"
    }
    if (!keep) return(h)
    dimnames(values) <- list(NULL, NULL, c("A", "C", "G", "T"))
    attr(values, "method") <- opts$method
    attr(values, "windows") <- windows
    attr(values, "prediction") <- prediction
    values
}
