### =========================================================================
### HDF5 sinks: numeric matrices (rows x columns) streamed to one HDF5 file
### block of rows by block of rows through rhdf5, read back as HDF5Array
### (DelayedArray) objects. Used by predictRegions() (per-window scores) and
### scoreVariants() (one dataset per score).
### -------------------------------------------------------------------------

## Stops unless the packages behind the HDF5 sinks are installed; `instead` says what to do
## without them.
.needHdf5 <- function(what, instead) {
    for (p in c("rhdf5", "HDF5Array", "DelayedArray"))
        if (!requireNamespace(p, quietly = TRUE))
            .gdlStop(what, " are streamed to HDF5 through the ", p, " package: install it ",
                     "(Debian: r-bioc-hdf5array) or ", instead)
}

## Double datasets `names(ncol)` (each rows x ncol[[name]]) in one HDF5 file, written to a
## temporary file beside `path` and renamed onto it by commit(). With nrow = NULL the number
## of rows is not known in advance: the datasets grow as blocks arrive (unlimited first
## dimension), so memory is bounded by a block, never by the file.
##   write(first, values, name): rows first .. first + nrow(values) - 1 of dataset `name`;
##   commit(): closes, renames, returns a named list of HDF5Array objects on `path`;
##   abort(): closes and removes the temporary file (callers arm it in on.exit()).
.hdf5Writer <- function(path, ncol, nrow = NULL, chunkRows = 4096L) {
    if (!length(ncol) || is.null(names(ncol)) || any(!nzchar(names(ncol))))
        .gdlStop("an HDF5 sink needs named datasets")
    tmp <- tempfile(".gdl-", tmpdir = dirname(path), fileext = ".h5")
    if (!rhdf5::h5createFile(tmp)) .gdlStop("cannot create an HDF5 file beside '", path, "'")
    fixed <- !is.null(nrow)
    size <- if (fixed) as.integer(nrow) else 0L
    for (nm in names(ncol)) {
        nc <- as.integer(ncol[[nm]])
        ## the first dimension is unlimited even for a known size: HDF5 refuses chunks larger
        ## than a fixed dimension, and a 0-row dataset must still have a chunk
        rhdf5::h5createDataset(tmp, nm, dims = c(size, nc), maxdims = c(rhdf5::H5Sunlimited(), nc),
                               storage.mode = "double",
                               chunk = c(max(1L, min(if (fixed) size else chunkRows, chunkRows)),
                                         max(1L, nc)))
    }
    fid <- rhdf5::H5Fopen(tmp)
    extent <- stats::setNames(rep(size, length(ncol)), names(ncol))
    open <- TRUE
    close <- function() if (open) {
        rhdf5::H5Fclose(fid)
        open <<- FALSE
    }
    list(write = function(first, values, name = names(ncol)[1L]) {
        values <- as.matrix(values)
        storage.mode(values) <- "double"
        last <- first + nrow(values) - 1L
        if (nrow(values) == 0L) return(invisible(NULL))
        if (last > extent[[name]]) {
            if (fixed) .gdlStop("rows ", first, "-", last, " past the ", extent[[name]],
                                " rows of HDF5 dataset '", name, "'")
            rhdf5::h5set_extent(fid, name, c(last, ncol[[name]]))
            extent[[name]] <<- last
        }
        rhdf5::h5writeDataset(values, fid, name, start = c(first, 1L), count = dim(values))
        invisible(NULL)
    }, commit = function() {
        close()
        if (file.exists(path)) unlink(path)
        if (!file.rename(tmp, path)) .gdlStop("cannot write '", path, "'")
        lapply(stats::setNames(nm = names(ncol)), function(nm) HDF5Array::HDF5Array(path, nm))
    }, abort = function() {
        close()
        unlink(tmp)
    })
}

## One dataset "score" of known size (predictRegions()'s per-window scores of one output):
## write(first, values), commit() returning the HDF5Array, abort().
.hdf5Sink <- function(path, nrow, ncol) {
    .needHdf5("per-window scores of many tasks", "use returnValues = TRUE")
    w <- .hdf5Writer(path, c(score = ncol), nrow = nrow)
    list(write = function(first, values) w$write(first, values, "score"),
         commit = function() w$commit()[["score"]], abort = w$abort)
}
