## Errors of the package: every user-facing error has class "GenomicDL_error".

## Signals an error of class GenomicDL_error with the given message.
.gdlStop <- function(..., call = sys.call(-1L)) {
    msg <- paste0(...)
    cond <- structure(class = c("GenomicDL_error", "error", "condition"),
                      list(message = msg, call = call))
    stop(cond)
}

## Evaluates a call into the C++ core and turns its errors (gdl::Error, Rcpp
## errors) into GenomicDL_error conditions with the same message.
.native <- function(expr) {
    call <- sys.call(-1L)
    tryCatch(expr, error = function(e) {
        if (inherits(e, "GenomicDL_error")) stop(e)
        .gdlStop(conditionMessage(e), call = call)
    })
}

## Number of threads for the core: option GenomicDL.threads, default 2 (or
## fewer cores).
.threads <- function(threads = NULL) {
    if (is.null(threads))
        threads <- getOption("GenomicDL.threads",
                             min(2L, parallel::detectCores(), na.rm = TRUE))
    threads <- as.integer(threads)
    if (length(threads) != 1L || is.na(threads) || threads < 1L)
        .gdlStop("threads must be a positive integer")
    threads
}
