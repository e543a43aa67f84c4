### =========================================================================
### Genome-scale work a tile at a time: bigWig streams fed tile by tile (the
### core's writers, src/track_stream.cpp), tiles run here or in BiocParallel
### workers and written in genome order as they come back, and the progress
### bar of those long calls. Used by scanDeepBind(), predictRegions() with
### BPPARAM and attributeBases() over regions.
### -------------------------------------------------------------------------

## bigWig files (one per track) written as values arrive, in genome order, through temporary
## files renamed by commit(); abort() (or an error before commit) removes them. kind "bins":
## values on bins or equal-width intervals; "windows": per-window scores as nearest-centre tracks.
.trackStream <- function(paths, chroms, lengths, kind = c("bins", "windows")) {
    kind <- match.arg(kind)
    ptr <- .native(cpp_track_stream_open(unname(as.character(paths)), as.character(chroms),
                                         as.numeric(lengths), kind))
    list(bins = function(chrom, grid, bin, first, values, lo, hi)
             .native(cpp_track_stream_bins(ptr, chrom, grid, bin, first, values, lo, hi)),
         intervals = function(chrom, start, width, values)
             .native(cpp_track_stream_intervals(ptr, chrom, as.numeric(start), width, values)),
         windows = function(chrom, regionStart, regionEnd, start, end, values)
             .native(cpp_track_stream_windows(ptr, chrom, as.numeric(regionStart),
                                              as.numeric(regionEnd), as.numeric(start),
                                              as.numeric(end), values)),
         commit = function() .native(cpp_track_stream_commit(ptr)),
         abort = function() cpp_track_stream_abort(ptr))
}

## Several streams aborted together unless committed: on.exit(s$abort()) in the caller.
.streamSet <- function() {
    env <- new.env(parent = emptyenv())
    env$streams <- list()
    list(add = function(s) {
        env$streams[[length(env$streams) + 1L]] <- s
        s
    }, commit = function() {
        for (s in env$streams) s$commit()
        env$streams <- list()
    }, abort = function() {
        for (s in env$streams) s$abort()
        env$streams <- list()
    })
}

## A progress bar of `total` units (tiles, chromosomes) done, with their rate and the time left.
## Shown only after a second (short calls stay quiet), redrawn at most four times a second.
.progressBar <- function(total, what = "tiles", label = "Working", verbose = TRUE) {
    env <- new.env(parent = emptyenv())
    env$done <- 0
    env$t0 <- env$last <- proc.time()[["elapsed"]]
    env$shown <- FALSE
    draw <- function() {
        now <- proc.time()[["elapsed"]]
        secs <- now - env$t0
        if (!verbose || secs < 1 || (env$done < total && now - env$last < 0.25)) return()
        env$last <- now
        env$shown <- TRUE
        width <- 25L
        full <- as.integer(width * env$done / max(total, 1))
        bar <- strrep("=", full)
        if (full < width) bar <- paste0(bar, ">", strrep(".", width - full - 1L))
        rate <- env$done / secs
        left <- if (rate > 0) (total - env$done) / rate else NA
        cat(sprintf("\r%s %.0f/%.0f %s [%s] %.2f %s/s, %s left   ", label, env$done, total, what,
                    bar, rate, what, if (is.na(left)) "?" else sprintf("%.0f s", left)))
        utils::flush.console()
    }
    list(tick = function(n = 1) {
        env$done <- env$done + n
        draw()
    }, close = function() if (env$shown) cat("\n"))
}

## Runs FUN(tile, ...) for each of `tiles` (a list) and hands every result to WRITE(i, value)
## in this process, in tile order, as soon as it and the tiles before it are done: here one
## after the other without BPPARAM (or with a SerialParam), else in BiocParallel workers
## (bpiterate(), results reduced in order, so that only the tiles ahead of the next one to write
## are held). FUN runs in the workers: give it what it needs through `...` (it must be a function
## of the package namespace, not a closure over the caller's frame).
.forTiles <- function(tiles, FUN, WRITE, ..., BPPARAM = NULL, progress = NULL) {
    n <- length(tiles)
    if (!n) return(invisible())
    tick <- if (is.null(progress)) function() NULL else progress$tick
    if (is.null(BPPARAM) || is(BPPARAM, "SerialParam")) {
        for (i in seq_len(n)) {
            WRITE(i, FUN(tiles[[i]], ...))
            tick()
        }
        return(invisible())
    }
    if (!is(BPPARAM, "BiocParallelParam")) .gdlStop("BPPARAM must be a BiocParallelParam")
    nxt <- 0L
    iter <- function() {
        if (nxt >= n) return(NULL)
        nxt <<- nxt + 1L
        tiles[[nxt]]
    }
    written <- 0L
    BiocParallel::bpiterate(iter, FUN, ..., REDUCE = function(acc, value) {
        written <<- written + 1L
        WRITE(written, value)
        tick()
        NULL
    }, init = NULL, reduce.in.order = TRUE, BPPARAM = BPPARAM)
    if (written != n) .gdlStop("only ", written, " of ", n, " tiles came back from the workers")
    invisible()
}

## What a worker needs to rebuild, once per process: the genome (a forked worker must not use
## its parent's native handles: the handle is reopened; a socket or batchtools worker opens it
## from the serialised object) and the model (from its serialised archive). The parent registers
## its own objects under a token of the call (.workerCall), so that tiles run here use them as
## they are; a worker (another pid) rebuilds them once and keeps them for the call's later tiles.
.workerCache <- new.env(parent = emptyenv())

.workerCall <- function(model = NULL, genome = NULL) {
    token <- basename(tempfile("gdl"))
    values <- new.env(parent = emptyenv())
    values$model <- model
    values$genome <- genome
    .workerCache$call <- list(token = token, pid = Sys.getpid(), values = values)
    list(token = token, archive = if (is.null(model)) NULL else serialize(model, NULL))
}

## Forgets the call's objects (on.exit of the caller).
.workerDone <- function() .workerCache$call <- NULL

.workerObject <- function(token, name, make) {
    hit <- .workerCache$call
    if (is.null(hit) || !identical(hit$token, token) || !identical(hit$pid, Sys.getpid())) {
        hit <- list(token = token, pid = Sys.getpid(), values = new.env(parent = emptyenv()))
        .workerCache$call <- hit
    }
    if (is.null(hit$values[[name]])) hit$values[[name]] <- make()
    hit$values[[name]]
}

## The genome for a worker: its own native handle, opened on first use in this process.
.workerGenome <- function(g, call) {
    .workerObject(call$token, "genome", function() {
        g@handle <- new.env(parent = emptyenv())
        g
    })
}

## The model for a worker, rebuilt from the parent's serialize(model) (weights and spec).
.workerModel <- function(call) {
    .workerObject(call$token, "model", function() unserialize(call$archive))
}

## Regions sorted in genome order must not overlap (a bigWig holds one value per base).
.checkDisjoint <- function(sorted, what = "regions") {
    chr <- as.character(seqnames(sorted))
    n <- length(sorted)
    if (n < 2L) return(invisible())
    same <- chr[-1L] == chr[-n]
    reach <- unlist(lapply(split(end(sorted), factor(chr, unique(chr))), cummax), use.names = FALSE)
    bad <- which(same & start(sorted)[-1L] <= reach[-n])
    if (length(bad))
        .gdlStop(what, " must not overlap: ", as.character(sorted[bad[1L] + 1L]),
                 " overlaps the region before it")
    invisible()
}
