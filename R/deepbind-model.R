### =========================================================================
### DeepBind models: DeepBindModel, DeepBindModelList, readDeepBind()
### -------------------------------------------------------------------------
###
### A released DeepBind model (Alipanahi et al. 2015, "# deepbind 0.1" params
### files) and its description from the DeepBind database (db.tsv).

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Classes
###

#' DeepBind models
#'
#' A \code{DeepBindModel} holds the parameters of one released DeepBind model
#' and, when known, its description from the DeepBind database
#' (\code{db.tsv}): protein, type, species, experiment. A
#' \code{DeepBindModelList} is a list of them, named by model ID. Read them
#' with \code{\link{readDeepBind}}; score sequences with
#' \code{\link{deepbindScore}} and \code{\link{scanDeepBind}}.
#'
#' @slot id the model ID, e.g. \code{"D00210.001"}.
#' @slot info a named list of the model's \code{db.tsv} fields (empty when
#'   unknown).
#' @slot params the parameters: \code{reverse_complement},
#'   \code{num_detectors}, \code{detector_len}, \code{has_avg_pooling},
#'   \code{num_hidden}, and the numeric vectors \code{detectors} (in the file's
#'   order, index \code{k + d*(base + 4*pos)}), \code{thresholds},
#'   \code{weights1}, \code{biases1}, \code{weights2}, \code{biases2}.
#' @slot path the params file.
#' @seealso \code{\link{readDeepBind}}
#' @examples
#' m <- readDeepBind(system.file("extdata", "deepbind", "params",
#'                               "D00328.003.txt", package = "GenomicDL"))
#' m
#' @return A class definition; the objects are made by
#'   \code{\link{readDeepBind}}.
#' @name DeepBindModel-class
#' @aliases DeepBindModel-class DeepBindModelList-class
#' @exportClass DeepBindModel DeepBindModelList
setClass("DeepBindModel",
    representation(id = "character", info = "list", params = "list", path = "character"))

setClass("DeepBindModelList", contains = "SimpleList",
    prototype = prototype(elementType = "DeepBindModel"))

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### db.tsv
###

## The rows of a DeepBind db.tsv (comment lines start with '#'), as a
## data.frame of character columns keyed by ID.
.readDeepBindDb <- function(path) {
    lines <- readLines(path, warn = FALSE)
    lines <- sub("\r$", "", lines[!startsWith(lines, "#") & nzchar(lines)])
    if (!length(lines) || !startsWith(lines[1L], "ID\t"))
        .gdlStop("'", path, "' is not a DeepBind db.tsv (no header line starting with 'ID')")
    fields <- strsplit(lines, "\t", fixed = TRUE)
    header <- fields[[1L]]
    rows <- lapply(fields[-1L], function(f) {
        length(f) <- length(header)
        f[is.na(f)] <- ""
        f
    })
    db <- as.data.frame(do.call(rbind, rows), stringsAsFactors = FALSE)
    names(db) <- header
    db
}

.dbInfo <- function(db, id) {
    if (is.null(db)) return(list())
    row <- db[db$ID == id, , drop = FALSE]
    if (!nrow(row)) return(list())
    info <- as.list(row[1L, setdiff(names(row), "ID"), drop = FALSE])
    info[nzchar(unlist(info))]
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### readDeepBind
###

#' Read released DeepBind models
#'
#' @param x paths of DeepBind params files (\code{"# deepbind 0.1"}, e.g.
#'   \code{db/params/D00328.003.txt}), or model IDs (e.g.
#'   \code{"D00328.003"}) with \code{db}.
#' @param db a DeepBind database folder holding \code{db.tsv} and
#'   \code{params/} (the layout of the DeepBind distribution). Optional for
#'   files: when \code{NULL}, a \code{db.tsv} one folder above a file's folder
#'   is used for its description.
#' @return A \code{\link[=DeepBindModel-class]{DeepBindModel}} for one model,
#'   a \code{DeepBindModelList} (named by ID) for several.
#' @details Values are read as 32-bit floats, as the original program reads
#'   them, so scores match it bit for bit. A malformed file gives an error
#'   naming the file and the field.
#' @references Alipanahi B, Delong A, Weirauch MT, Frey BJ (2015). Predicting
#'   the sequence specificities of DNA- and RNA-binding proteins by deep
#'   learning. Nature Biotechnology 33, 831-838.
#' @seealso \code{\link{deepbindScore}}, \code{\link{scanDeepBind}}
#' @examples
#' db <- system.file("extdata", "deepbind", package = "GenomicDL")
#' models <- readDeepBind(c("D00210.001", "D00328.003"), db = db)
#' models
#' models[["D00328.003"]]
#' @export
readDeepBind <- function(x, db = NULL) {
    if (is(x, "DeepBindModel") || is(x, "DeepBindModelList")) return(x)
    if (!is.character(x) || !length(x) || anyNA(x))
        .gdlStop("x must be paths of DeepBind params files or model IDs")
    dbTable <- NULL
    if (!is.null(db)) {
        if (!is.character(db) || length(db) != 1L || !dir.exists(db))
            .gdlStop("db must be a DeepBind database folder (with db.tsv and params/)")
        tsv <- file.path(db, "db.tsv")
        if (file.exists(tsv)) dbTable <- .readDeepBindDb(tsv)
    }
    paths <- vapply(x, function(p) {
        if (file.exists(p) && !dir.exists(p)) return(normalizePath(p))
        if (!grepl("^D[0-9]{5}\\.[0-9]{3}$", p))
            .gdlStop("'", p, "' is neither a DeepBind params file nor a model ID (D#####.###)")
        if (is.null(db))
            .gdlStop("model ID '", p, "' needs db = the folder holding db.tsv and params/")
        f <- file.path(db, "params", paste0(p, ".txt"))
        if (!file.exists(f)) .gdlStop("model '", p, "' has no params file in ", file.path(db, "params"))
        normalizePath(f)
    }, character(1L), USE.NAMES = FALSE)
    tables <- list()
    models <- lapply(paths, function(p) {
        params <- .native(cpp_deepbind_read(p))
        id <- params$id
        tab <- dbTable
        if (is.null(tab)) {
            tsv <- file.path(dirname(dirname(p)), "db.tsv")
            if (file.exists(tsv)) {
                if (is.null(tables[[tsv]])) tables[[tsv]] <<- .readDeepBindDb(tsv)
                tab <- tables[[tsv]]
            }
        }
        new("DeepBindModel", id = id, info = .dbInfo(tab, id), params = params, path = p)
    })
    if (length(models) == 1L) return(models[[1L]])
    ids <- vapply(models, function(m) m@id, character(1L))
    new("DeepBindModelList", listData = stats::setNames(models, ids))
}

## A DeepBindModelList from anything deepbindScore() accepts as models.
.asDeepBindList <- function(models) {
    if (is(models, "DeepBindModel"))
        return(new("DeepBindModelList", listData = stats::setNames(list(models), models@id)))
    if (is.list(models) && all(vapply(models, is, logical(1L), "DeepBindModel")))
        return(new("DeepBindModelList",
                   listData = stats::setNames(models, vapply(models, function(m) m@id, ""))))
    if (is(models, "DeepBindModelList")) return(models)
    if (is.character(models)) return(.asDeepBindList(readDeepBind(models)))
    .gdlStop("models must be a DeepBindModel, a DeepBindModelList or params files, not ",
             class(models)[1L])
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Display
###

.deepbindArchitecture <- function(p) {
    paste0(p$num_detectors, " detectors x ", p$detector_len, ", ",
           if (p$has_avg_pooling) "max+avg" else "max", " pooling, ",
           if (p$num_hidden > 0) paste0(p$num_hidden, " hidden units") else "no hidden layer",
           ", ", if (p$reverse_complement) "both strands" else "forward strand")
}

.infoField <- function(m, f) {
    v <- m@info[[f]]
    if (is.null(v) || !nzchar(v)) NA_character_ else v
}

#' @rdname DeepBindModel-class
#' @param object a \code{DeepBindModel} or \code{DeepBindModelList}.
#' @export
setMethod("show", "DeepBindModel", function(object) {
    cat("DeepBindModel", object@id, "\n")
    f <- c(protein = "Protein", type = "Type", species = "Species",
           experiment = "Experiment", family = "Family")
    for (k in names(f)) {
        v <- .infoField(object, f[[k]])
        if (!is.na(v)) cat("  ", k, ": ", v, "\n", sep = "")
    }
    if (!length(object@info)) cat("  (no db.tsv description)\n")
    cat("  architecture:", .deepbindArchitecture(object@params), "\n")
    cat("  window: ", as.integer(object@params$detector_len * 1.5), " bases\n", sep = "")
})

#' @rdname DeepBindModel-class
#' @export
setMethod("show", "DeepBindModelList", function(object) {
    cat("DeepBindModelList of", length(object), "models\n")
    if (!length(object)) return(invisible())
    df <- data.frame(
        ID = names(object),
        protein = vapply(as.list(object), .infoField, "", "Protein"),
        type = vapply(as.list(object), .infoField, "", "Type"),
        experiment = vapply(as.list(object), .infoField, "", "Experiment"),
        architecture = vapply(as.list(object), function(m) .deepbindArchitecture(m@params), ""),
        check.names = FALSE)
    n <- min(nrow(df), 10L)
    print(df[seq_len(n), , drop = FALSE], row.names = FALSE)
    if (nrow(df) > n) cat("...", nrow(df) - n, "more\n")
})
