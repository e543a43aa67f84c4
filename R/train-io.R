### =========================================================================
### Saved models: one archive (an RDS file written atomically) holding the
### weights (LibTorch serialisation), the spec, the data configuration and the
### history.
### -------------------------------------------------------------------------

.archiveFormat <- "GenomicDL model archive"

#' Save and load models
#'
#' \code{saveModel} writes one file holding the architecture, the weights, the
#' training history and the data configuration, atomically (a temporary file
#' renamed over the target). \code{loadModel} reads it back; a file that is not
#' a model is an error. \code{generatorConfig} returns the data configuration
#' of the model's training: for a model trained on a \code{SequenceGenerator},
#' its arguments (\code{\link{generatorArgs}}), so that
#' \code{do.call(sequenceGenerator, modifyList(generatorConfig(m),
#' list(annotations = newFiles, genome = newGenome)))} rebuilds it on new
#' files.
#'
#' @param model a \code{SequenceModel}.
#' @param file path of the archive.
#' @return \code{saveModel}: the path, invisibly. \code{loadModel}: a
#'   \code{SequenceModel}. \code{generatorConfig}: the arguments of
#'   \code{\link{sequenceGenerator}} (a list; the validation chromosomes split
#'   off by \code{fit(validation = )} are in its attribute
#'   \code{"validation"}), the \code{generatorArgs} list of a
#'   \code{MultiGenerator} (\code{type = "multi"}), a description of array
#'   data (\code{type = "arrays"}, \code{inputShape}, \code{batchSize}), or
#'   \code{NULL} before training.
#' @examples
#' m <- cnnModel(201)
#' f <- tempfile(fileext = ".gdlm")
#' saveModel(m, f)
#' m2 <- loadModel(f)
#' @export
saveModel <- function(model, file) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    if (!is.character(file) || length(file) != 1L) .gdlStop("file must be a path")
    env <- model@handle
    weights <- .native(cpp_model_state(.modelPtr(model)))
    archive <- list(format = .archiveFormat, version = 2L, spec = model@spec, info = model@info,
                    weights = weights, weightsSha256 = .weightsChecksum(weights),
                    history = if (is.null(env$history)) NULL else as.data.frame(env$history),
                    losses = env$losses, dataConfig = env$dataConfig,
                    packageVersion = as.character(utils::packageVersion("GenomicDL")))
    dir <- dirname(normalizePath(file, mustWork = FALSE))
    if (!dir.exists(dir)) .gdlStop("the directory of '", file, "' does not exist")
    tmp <- .atomicTempPath(file)
    ok <- FALSE
    on.exit(if (!ok) unlink(tmp))
    saveRDS(archive, tmp)
    if (!file.rename(tmp, file)) .gdlStop("could not write '", file, "'")
    ok <- TRUE
    invisible(file)
}

## SHA-256 of the serialised weights (a raw vector), stored in the archive by saveModel().
.weightsChecksum <- function(weights) digest::digest(weights, algo = "sha256", serialize = FALSE)

## A temporary path beside `file` for an atomic write: "<file>.tmp<pid>.<random>", the names
## the core's AtomicFile uses. Temporary files of `file` left by writers that were killed (their
## pid is gone) are removed first; those of live processes are kept.
.atomicTempPath <- function(file) {
    .native(cpp_remove_stale_temps(path.expand(file)))
    ## tempfile()'s random part does not touch the user's random number stream
    paste0(file, ".tmp", Sys.getpid(), ".", basename(tempfile("")))
}

#' @rdname saveModel
#' @export
loadModel <- function(file) {
    if (!is.character(file) || length(file) != 1L || !file.exists(file))
        .gdlStop("model file '", file, "' does not exist")
    a <- tryCatch(readRDS(file), error = function(e) NULL, warning = function(w) NULL)
    if (!is.list(a) || !identical(a$format, .archiveFormat))
        .gdlStop("'", file, "' is not a GenomicDL model archive (corrupt or another kind of file)")
    for (part in c("spec", "info"))
        if (!length(a[[part]]))
            .gdlStop("model archive '", file, "' has no ", part, " (incomplete or damaged archive)")
    if (!is.raw(a$weights) || !length(a$weights))
        .gdlStop("model archive '", file, "' has no weights (a damaged GenomicDL model archive)")
    ## archives of version 2 on carry a SHA-256 of the weights: a damaged file (a disk
    ## error, bytes overwritten) must not load and predict wrong numbers silently
    if (!is.null(a$version) && a$version >= 2L &&
        !identical(a$weightsSha256, .weightsChecksum(a$weights)))
        .gdlStop("'", file, "' is a damaged GenomicDL model archive: the checksum of its ",
                 "weights does not match (the file was modified or corrupted after saveModel())")
    env <- new.env(parent = emptyenv())
    env$ptr <- .native(cpp_model_build(a$spec, a$info$seed))
    .native(cpp_model_load_state(env$ptr, a$weights))
    env$weights <- .native(cpp_model_weights_view(env$ptr))
    env$history <- if (is.null(a$history)) NULL
                   else new("TrainingHistory", S4Vectors::DataFrame(a$history, check.names = FALSE))
    env$losses <- a$losses
    env$dataConfig <- a$dataConfig
    new("SequenceModel", spec = a$spec, info = a$info, handle = env)
}

#' @rdname saveModel
#' @export
generatorConfig <- function(model) {
    if (!is(model, "SequenceModel")) .gdlStop("model must be a SequenceModel")
    cfg <- model@handle$dataConfig
    if (is.null(cfg) || !identical(cfg[["type"]], "generator")) return(cfg)
    args <- if (!is.null(cfg$args)) cfg$args else .generatorArgs(cfg$generator)
    ## archives written by earlier versions hold the generators' old argument names
    if (identical(args[["type"]], "multi")) args$generators <- lapply(args$generators, .upgradeGeneratorArgs)
    else args <- .upgradeGeneratorArgs(args)
    if (!is.null(cfg$validation)) attr(args, "validation") <- cfg$validation
    args
}
