### =========================================================================
### Data-parallel training on LibTorch's c10d: DistributedConfig (one rank of
### a group), fit(distributed = ) in each rank, fitDistributed() launching the
### ranks on this machine, and the worker each launched rank runs.
### -------------------------------------------------------------------------

#' DistributedConfig: one rank of a data-parallel training
#'
#' Describes the process group a rank joins in \code{fit(distributed = )}:
#' its rank, the number of ranks, the address and port of rank 0 (which serves
#' the rendezvous store), the timeout of the rendezvous and of every
#' collective, and the backend. Create one with \code{\link{distributedConfig}}.
#'
#' @slot rank this process's rank, 0 to \code{worldSize - 1}.
#' @slot worldSize number of ranks.
#' @slot localRank rank among the ranks of this machine (its GPU, \code{cuda:localRank}).
#' @slot masterAddr host of rank 0.
#' @slot masterPort port of rank 0's store.
#' @slot timeout seconds.
#' @slot backend \code{"auto"}, \code{"gloo"} or \code{"nccl"}.
#' @return A class definition; objects come from \code{\link{distributedConfig}},
#'   and \code{show()} prints the rank, the group and the rendezvous address.
#' @exportClass DistributedConfig
setClass("DistributedConfig",
    representation(rank = "integer", worldSize = "integer", localRank = "integer",
                   masterAddr = "character", masterPort = "integer", timeout = "numeric",
                   backend = "character"))

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Validity
###

.valid.DistributedConfig.ranks <- function(object) {
    if (length(object@worldSize) != 1L || is.na(object@worldSize) || object@worldSize < 1L)
        return("worldSize must be a whole number >= 1")
    if (length(object@rank) != 1L || is.na(object@rank) || object@rank < 0L ||
        object@rank >= object@worldSize)
        return(paste0("rank must be 0 to worldSize - 1 = ", object@worldSize - 1L))
    if (length(object@localRank) != 1L || is.na(object@localRank) || object@localRank < 0L)
        return("localRank must be a whole number >= 0")
    NULL
}

.valid.DistributedConfig.master <- function(object) {
    if (length(object@masterAddr) != 1L || is.na(object@masterAddr) || !nzchar(object@masterAddr))
        return("masterAddr must name the host of rank 0")
    if (length(object@masterPort) != 1L || is.na(object@masterPort) || object@masterPort < 1L ||
        object@masterPort > 65535L)
        return("masterPort must be a port number 1 to 65535")
    if (length(object@timeout) != 1L || !is.finite(object@timeout) || object@timeout <= 0)
        return("timeout must be a positive number of seconds")
    if (length(object@backend) != 1L || !object@backend %in% c("auto", "gloo", "nccl"))
        return("backend must be \"auto\", \"gloo\" or \"nccl\"")
    NULL
}

setValidity("DistributedConfig", function(object) {
    msg <- c(.valid.DistributedConfig.ranks(object), .valid.DistributedConfig.master(object))
    if (length(msg)) msg else TRUE
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Constructor
###

## The first of the environment variables `vars` that is set, or NULL.
.envFirst <- function(vars) {
    for (v in vars) {
        x <- Sys.getenv(v, "")
        if (nzchar(x)) return(x)
    }
    NULL
}

## A whole number in [lo, hi] from an argument or an environment variable's text.
.wholeIn <- function(x, what, lo, hi = Inf) {
    if (is.character(x) && length(x) == 1L && !is.na(suppressWarnings(as.numeric(x))))
        x <- as.numeric(x)
    as.integer(.checkCount(x, what, lo, hi))
}

#' Data-parallel training: one rank's configuration
#'
#' \code{distributedConfig} describes the rank that \code{fit(distributed = )}
#' runs in this process. Under a scheduler it reads the rank and the number of
#' ranks from the environment, so that one script serves every task: the
#' variables of \code{torchrun} (\code{RANK}, \code{WORLD_SIZE},
#' \code{LOCAL_RANK}, \code{MASTER_ADDR}, \code{MASTER_PORT}) or SLURM's
#' (\code{SLURM_PROCID}, \code{SLURM_NTASKS}, \code{SLURM_LOCALID}; the
#' batch script sets \code{MASTER_ADDR} to its first node, see the
#' "Distributed training" vignette). Arguments given override the environment.
#'
#' @param rank this process's rank (0 to \code{worldSize - 1}).
#' @param worldSize number of ranks.
#' @param masterAddr host of rank 0 (default \code{MASTER_ADDR}, else
#'   \code{"127.0.0.1"}: every rank on this machine).
#' @param masterPort port of rank 0's rendezvous store (default
#'   \code{MASTER_PORT}, else 29500).
#' @param timeout seconds that the rendezvous and each collective wait for the
#'   other ranks: a rank that died or never started makes every rank stop with
#'   an error after at most this long (a rank whose peer's connection closed
#'   stops at once).
#' @param backend \code{"auto"} (NCCL for CUDA devices when LibTorch has it,
#'   Gloo otherwise), \code{"gloo"} or \code{"nccl"}.
#' @param localRank rank among this machine's ranks (default
#'   \code{LOCAL_RANK} or \code{SLURM_LOCALID}, else \code{rank}): a rank
#'   training on CUDA takes the GPU \code{cuda:localRank}.
#' @return A \code{DistributedConfig}.
#' @seealso \code{\link{fit}} (\code{distributed}), \code{\link{fitDistributed}}.
#' @examples
#' distributedConfig(rank = 0, worldSize = 2, masterPort = 29511)
#' @export
distributedConfig <- function(rank = NULL, worldSize = NULL, masterAddr = NULL, masterPort = NULL,
                              timeout = 60, backend = c("auto", "gloo", "nccl"),
                              localRank = NULL) {
    if (is.null(rank)) rank <- .envFirst(c("RANK", "SLURM_PROCID"))
    if (is.null(worldSize)) worldSize <- .envFirst(c("WORLD_SIZE", "SLURM_NTASKS"))
    if (is.null(rank) || is.null(worldSize))
        .gdlStop("rank and worldSize are missing: give them, or run under a launcher that sets ",
                 "RANK and WORLD_SIZE (torchrun) or SLURM_PROCID and SLURM_NTASKS (srun)")
    worldSize <- .wholeIn(worldSize, "worldSize", 1)
    rank <- .wholeIn(rank, "rank", 0, worldSize - 1)
    if (is.null(masterAddr)) masterAddr <- .envFirst("MASTER_ADDR")
    if (is.null(masterAddr)) {
        nodes <- .envFirst("SLURM_NNODES")
        if (!is.null(nodes) && nodes != "1")
            .gdlStop("MASTER_ADDR is not set: on ", nodes, " nodes every rank must know rank 0's ",
                     "host; in the batch script: export MASTER_ADDR=$(scontrol show hostnames ",
                     "\"$SLURM_JOB_NODELIST\" | head -n 1)")
        masterAddr <- "127.0.0.1"
    }
    if (!is.character(masterAddr) || length(masterAddr) != 1L || is.na(masterAddr) || !nzchar(masterAddr))
        .gdlStop("masterAddr must name the host of rank 0, not ", .shown(masterAddr))
    if (is.null(masterPort)) masterPort <- .envFirst("MASTER_PORT")
    if (is.null(masterPort)) masterPort <- 29500L
    if (is.null(localRank)) localRank <- .envFirst(c("LOCAL_RANK", "SLURM_LOCALID"))
    if (is.null(localRank)) localRank <- rank
    new("DistributedConfig", rank = rank, worldSize = worldSize,
        localRank = .wholeIn(localRank, "localRank", 0), masterAddr = masterAddr,
        masterPort = .wholeIn(masterPort, "masterPort", 1, 65535),
        timeout = .checkNumber(timeout, "timeout", 0, minOpen = TRUE), backend = .matchArg(backend))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Display
###

#' @rdname DistributedConfig-class
#' @param object a \code{DistributedConfig}.
#' @export
setMethod("show", "DistributedConfig", function(object) {
    cat("DistributedConfig: rank ", object@rank, " of ", object@worldSize, " (local rank ",
        object@localRank, ")\n", sep = "")
    cat("  rendezvous: ", object@masterAddr, ":", object@masterPort, ", timeout ", object@timeout,
        " s\n", sep = "")
    cat("  backend:", object@backend, "\n")
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### fit(distributed = ): what one rank does
###

## The distributed part of fit()'s options for the core, this rank's device (a rank trains on
## cuda:localRank when CUDA is asked for: one GPU per rank) and whether it is rank 0 (the one
## that prints, writes checkpoints and keeps the history that launchers return).
.rankSetup <- function(distributed, device) {
    if (!is(distributed, "DistributedConfig"))
        .gdlStop("distributed must be a distributedConfig(), not ", class(distributed)[1L])
    if (identical(device, "cuda")) device <- paste0("cuda:", distributed@localRank)
    list(opt = list(rank = distributed@rank, worldSize = distributed@worldSize,
                    masterAddr = distributed@masterAddr, masterPort = distributed@masterPort,
                    timeout = distributed@timeout, backend = distributed@backend),
         device = device, root = distributed@rank == 0L)
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### fitDistributed(): N ranks on this machine
###

#' Train on several processes of this machine (data parallel)
#'
#' Starts \code{ranks} R processes (fresh \code{Rscript}s, not forks: LibTorch
#' is not relied on across \code{fork}), each training a replica of
#' \code{model} with \code{fit(distributed = )} on its shard of
#' \code{generator}, the gradients averaged over the ranks after every
#' backward pass through LibTorch's c10d (Gloo over loopback on the CPU; NCCL
#' with \code{device = "cuda"}, one GPU per rank). The model travels as its
#' \code{\link{saveModel}} archive and the generator as its specification
#' (rebuilt in each rank); rank 0 prints the progress (shown here), writes the
#' checkpoints of \code{\link{modelCheckpoint}} callbacks and the trained
#' archive, which is loaded back into \code{model}.
#'
#' Each rank reads batches of the generator's \code{batchSize}: a global step
#' holds \code{ranks x batchSize} samples, and rank \code{r} takes the
#' generator's batches \code{g * ranks + r}. The samples of global step
#' \code{g} are those of batch \code{g} of one process reading batches of
#' \code{ranks x batchSize}, so training on 2 ranks of \code{batchSize = 32}
#' equals training one process with \code{batchSize = 64} up to the order of
#' float additions (no sample twice in an epoch; an epoch has
#' \code{floor(batches / ranks)} steps). The epoch's loss and metrics in the
#' history are over all ranks' samples (metrics: the mean of the ranks'
#' values, exact for accuracy, mae and mse); validation runs in every rank on
#' all the validation data. Dropout draws the same masks in every rank (one
#' seed), and BatchNorm normalises over each rank's batch (its running
#' statistics are averaged over the ranks after each epoch), as PyTorch's
#' DistributedDataParallel without SyncBatchNorm: with these layers the
#' results differ from one process.
#'
#' Faults: a rank that dies makes the others stop at their next collective
#' (at once when its connections close, else after \code{timeout} seconds);
#' ranks still running \code{timeout + 10} seconds after a failure are ended.
#' The call then fails with a \code{GenomicDL_error} naming each rank's
#' fate; the checkpoints rank 0 wrote (atomically) stay loadable.
#'
#' On a cluster, run one R per task with \code{fit(distributed =
#' distributedConfig())} instead (see the "Distributed training" vignette
#' for a SLURM example).
#'
#' @param model a \code{SequenceModel}, trained in place.
#' @param x training data as for \code{\link{fit}}: a generator, or
#'   arrays (\code{list(x, y)}; an epoch's last partial batch is dropped).
#' @param ... further arguments of \code{\link{fit}} (\code{validation},
#'   \code{epochs}, \code{loss}, \code{callbacks}, \code{device}, ...).
#' @param ranks number of processes.
#' @param threads LibTorch and loader threads per rank (default: the
#'   session's threads divided among the ranks, at least 1).
#' @param timeout seconds for the rendezvous and each collective
#'   (\code{\link{distributedConfig}}).
#' @param backend \code{"auto"}, \code{"gloo"} or \code{"nccl"}.
#' @param port rank 0's port on 127.0.0.1 (default: a free one).
#' @param verbose show rank 0's progress.
#' @param logDir folder for the ranks' logs and files (default: a new
#'   temporary folder); kept after a failure, whose error names it.
#' @return \code{model}, trained (invisibly); its \code{\link{trainingHistory}}
#'   is rank 0's.
#' @examples
#' \donttest{
#' x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
#' m <- sequentialModel(c(10, 4), list(layerConv1d(4, 3, activation = "relu"),
#'     layerGlobalMaxPool1d(), layerDense(1, activation = "sigmoid")))
#' fitDistributed(m, list(x = x, y = c(1, 0, 1, 0)), ranks = 2, batchSize = 2,
#'                epochs = 2, verbose = FALSE)
#' trainingHistory(m)
#' }
#' @export
fitDistributed <- function(model, x, ..., ranks = 2, threads = NULL, timeout = 60,
                           backend = c("auto", "gloo", "nccl"), port = NULL, verbose = TRUE,
                           logDir = NULL) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    args <- list(...)
    taken <- intersect(names(args), c("distributed", "verbose"))
    if (length(taken))
        .gdlStop("fitDistributed sets ", paste(taken, collapse = " and "), " itself; use its own ",
                 "arguments (ranks, timeout, backend, port, verbose)")
    ranks <- .wholeIn(ranks, "ranks", 1)
    if (is.null(threads)) threads <- max(1L, .threads() %/% ranks)
    threads <- .wholeIn(threads, "threads", 1)
    timeout <- .checkNumber(timeout, "timeout", 0, minOpen = TRUE)
    backend <- .matchArg(backend)
    verbose <- .checkFlag(verbose, "verbose")
    port <- if (is.null(port)) .freePort() else .wholeIn(port, "port", 1, 65535)
    dir <- if (is.null(logDir)) tempfile("gdl-ranks-") else logDir
    if (!dir.exists(dir) && !dir.create(dir, recursive = TRUE))
        .gdlStop("could not create logDir '", dir, "'")
    dir <- normalizePath(dir)
    job <- list(model = file.path(dir, "model.gdlm"), out = file.path(dir, "trained.gdlm"),
                x = x, args = args, ranks = ranks, port = port, timeout = timeout,
                backend = backend, threads = threads, verbose = verbose)
    saveModel(model, job$model)
    jobFile <- file.path(dir, "job.rds")
    saveRDS(job, jobFile)
    files <- .rankFiles(dir, ranks)
    unlink(c(files$exit, files$pid, files$result, job$out))
    on.exit(.endRanks(files), add = TRUE)  # an error or an interrupt here ends the ranks too
    for (r in seq_len(ranks) - 1L) .startRank(jobFile, r, threads, files$log[r + 1L], files$exit[r + 1L])
    status <- .waitRanks(files, timeout, verbose)
    results <- lapply(files$result, function(f) if (file.exists(f)) readRDS(f) else NULL)
    ok <- vapply(results, function(x) isTRUE(x$ok), NA)
    if (!all(ok) || !file.exists(job$out))
        .gdlStop("distributed training failed on ", sum(!ok), " of ", ranks, " ranks: ",
                 paste(.rankFates(results, status, files$log), collapse = "; "),
                 ". Logs: ", dir)
    .adoptTrained(model, loadModel(job$out))
    if (is.null(logDir)) unlink(dir, recursive = TRUE)
    invisible(model)
}

## A port free on this machine now: bound and released (R's serverSocket), tried from a start
## that does not touch the session's random numbers.
.freePort <- function() {
    start <- (Sys.getpid() * 7919 + floor(as.numeric(Sys.time()) * 1000)) %% 30000
    for (k in 0:199) {
        p <- as.integer(20000 + (start + k * 131) %% 30000)
        s <- tryCatch(serverSocket(p), error = function(e) NULL, warning = function(w) NULL)
        if (!is.null(s)) {
            close(s)
            return(p)
        }
    }
    .gdlStop("found no free port on this machine (20000 to 49999); give port =")
}

.rankFiles <- function(dir, ranks) {
    r <- seq_len(ranks) - 1L
    list(log = file.path(dir, sprintf("rank%d.log", r)), exit = file.path(dir, sprintf("rank%d.exit", r)),
         pid = file.path(dir, sprintf("rank%d.pid", r)), result = file.path(dir, sprintf("rank%d.rds", r)))
}

## Starts rank r as `Rscript -e` under sh, which records its exit status (also when the rank is
## killed by a signal: 128 + the signal) once it ends. This session's libraries travel in R_LIBS.
.startRank <- function(jobFile, rank, threads, log, exit) {
    code <- sprintf(paste0("ok <- GenomicDL:::.distributedWorker('%s', %dL); ",
                           "quit(save = 'no', status = if (ok) 0L else 1L)"),
                    jobFile, rank)
    cmd <- paste0("R_LIBS=", shQuote(paste(.libPaths(), collapse = ":")),
                  " OMP_NUM_THREADS=", threads, " OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} ",
                  shQuote(file.path(R.home("bin"), "Rscript")), " --no-save --no-restore -e ",
                  shQuote(code), " > ", shQuote(log), " 2>&1; echo $? > ", shQuote(exit))
    system2("sh", c("-c", shQuote(cmd)), wait = FALSE)
}

## Exit statuses of the ranks (NA: still running).
.rankStatus <- function(files) {
    vapply(files$exit, function(f) {
        if (!file.exists(f)) return(NA_integer_)
        s <- suppressWarnings(as.integer(readLines(f, warn = FALSE)))
        if (length(s) == 1L) s else NA_integer_  # being written
    }, NA_integer_, USE.NAMES = FALSE)
}

## Waits for every rank to end, streaming rank 0's log when verbose. After the first rank fails,
## the others get timeout + 10 s (their collectives time out after `timeout`) and are then ended.
.waitRanks <- function(files, timeout, verbose) {
    shown <- 0
    failedAt <- NULL
    repeat {
        status <- .rankStatus(files)
        if (verbose) shown <- .streamLog(files$log[1L], shown)
        if (!anyNA(status)) return(status)
        if (is.null(failedAt) && any(status != 0L, na.rm = TRUE)) failedAt <- Sys.time()
        if (!is.null(failedAt) &&
            as.numeric(difftime(Sys.time(), failedAt, units = "secs")) > timeout + 10) {
            .endRanks(files)
            Sys.sleep(0.5)
            return(.rankStatus(files))
        }
        Sys.sleep(0.1)
    }
}

## Prints what `log` gained since byte `from`; returns the new offset.
.streamLog <- function(log, from) {
    size <- file.size(log)
    if (is.na(size) || size <= from) return(from)
    con <- file(log, "rb")
    on.exit(close(con))
    seek(con, from)
    cat(rawToChar(readBin(con, "raw", size - from)))
    utils::flush.console()
    size
}

## Ends the ranks still running (their pid files), TERM then KILL.
.endRanks <- function(files) {
    running <- is.na(.rankStatus(files)) & file.exists(files$pid)
    pids <- unlist(lapply(files$pid[running], function(f) suppressWarnings(as.integer(readLines(f, warn = FALSE)))))
    pids <- pids[!is.na(pids)]
    if (!length(pids)) return(invisible())
    tools::pskill(pids, tools::SIGTERM)
    Sys.sleep(0.5)
    tools::pskill(pids, tools::SIGKILL)
    invisible()
}

## One phrase per failed rank: its error, or how it ended without one (and its log's last line).
.rankFates <- function(results, status, logs) {
    out <- character()
    for (i in seq_along(results)) {
        r <- i - 1L
        res <- results[[i]]
        if (isTRUE(res$ok)) next
        if (!is.null(res)) {
            out <- c(out, paste0("rank ", r, ": ", res$message))
            next
        }
        s <- status[i]
        how <- if (is.na(s)) "did not end" else if (s > 128L) paste0("was killed (signal ", s - 128L, ")")
               else paste0("exited with status ", s)
        last <- if (file.exists(logs[i])) utils::tail(readLines(logs[i], warn = FALSE), 1L) else character()
        out <- c(out, paste0("rank ", r, " ", how, " without a result",
                             if (length(last) && nzchar(last)) paste0(" (last output: ", trimws(last), ")")))
    }
    out
}

## The trained archive's weights, history, losses and data configuration, into `model`.
.adoptTrained <- function(model, trained) {
    env <- model@handle
    src <- trained@handle
    .native(cpp_model_load_state(.modelPtr(model), src$weights))
    env$weights <- src$weights
    env$history <- src$history
    env$losses <- src$losses
    env$dataConfig <- src$dataConfig
    invisible(model)
}

## What each rank launched by fitDistributed() runs (in a fresh R): the job's model and data,
## fit(distributed = ) as rank `rank`, rank 0 saving the trained model; the outcome (TRUE, or the
## error's message) is saved for the launcher. Returns TRUE on success.
.distributedWorker <- function(jobFile, rank) {
    job <- readRDS(jobFile)
    dir <- dirname(jobFile)
    writeLines(as.character(Sys.getpid()), file.path(dir, sprintf("rank%d.pid", rank)))
    options(GenomicDL.threads = job$threads)
    res <- tryCatch({
        model <- loadModel(job$model)
        cfg <- distributedConfig(rank = rank, worldSize = job$ranks, masterAddr = "127.0.0.1",
                                 masterPort = job$port, timeout = job$timeout,
                                 backend = job$backend, localRank = rank)
        do.call(fit, c(list(model, job$x), job$args,
                       list(distributed = cfg, verbose = job$verbose && rank == 0L)))
        if (rank == 0L) saveModel(model, job$out)
        list(ok = TRUE)
    }, error = function(e) list(ok = FALSE, message = conditionMessage(e), class = class(e)))
    if (!res$ok) message("rank ", rank, ": ", res$message)
    saveRDS(res, file.path(dir, sprintf("rank%d.rds", rank)))
    res$ok
}
