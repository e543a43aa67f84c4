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
    archive <- list(format = .archiveFormat, version = 1L, spec = model@spec, info = model@info,
                    weights = .native(cpp_model_state(.modelPtr(model))),
                    history = if (is.null(env$history)) NULL else as.data.frame(env$history),
                    losses = env$losses, dataConfig = env$dataConfig,
                    packageVersion = as.character(utils::packageVersion("GenomicDL")))
    dir <- dirname(normalizePath(file, mustWork = FALSE))
    if (!dir.exists(dir)) .gdlStop("the directory of '", file, "' does not exist")
    tmp <- tempfile(pattern = paste0(".", basename(file), ".tmp"), tmpdir = dir)
    ok <- FALSE
    on.exit(if (!ok) unlink(tmp))
    saveRDS(archive, tmp)
    if (!file.rename(tmp, file)) .gdlStop("could not write '", file, "'")
    ok <- TRUE
    invisible(file)
}

#' @rdname saveModel
#' @export
loadModel <- function(file) {
    if (!is.character(file) || length(file) != 1L || !file.exists(file))
        .gdlStop("model file '", file, "' does not exist")
    a <- tryCatch(readRDS(file), error = function(e) NULL, warning = function(w) NULL)
    if (!is.list(a) || !identical(a$format, .archiveFormat))
        .gdlStop("'", file, "' is not a GenomicDL model archive (corrupt or another kind of file)")
    for (part in c("spec", "info", "weights"))
        if (!length(a[[part]]))
            .gdlStop("model archive '", file, "' has no ", part, " (incomplete or damaged archive)")
    env <- new.env(parent = emptyenv())
    env$ptr <- .native(cpp_model_build(a$spec, a$info$seed))
    .native(cpp_model_load_state(env$ptr, a$weights))
    env$weights <- a$weights
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
    if (!is.null(cfg$validation)) attr(args, "validation") <- cfg$validation
    args
}
