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

## match.arg() with a GenomicDL_error: `arg` is one of `choices` (exactly; no partial matching,
## so that a misspelt option is an error, never a guess), or NULL / the default vector itself
## (the first choice). `name` is the argument named in the message.
.matchArg <- function(arg, choices, name = deparse(substitute(arg))) {
    if (missing(choices)) {  # the caller's default, as match.arg()
        caller <- sys.parent()
        choices <- eval(formals(sys.function(caller))[[name]], envir = sys.frame(caller))
    }
    if (is.null(arg) || identical(arg, choices)) return(choices[1L])
    if (!is.character(arg) || length(arg) != 1L || is.na(arg) || !arg %in% choices)
        .gdlStop(name, " must be one of ", paste0("\"", choices, "\"", collapse = ", "),
                 ", not ", .shown(arg), call = sys.call(-1L))
    arg
}

## A short printed form of a bad value for error messages.
.shown <- function(x) {
    if (is.null(x)) return("NULL")
    if (!is.atomic(x)) return(paste0("a ", class(x)[1L]))
    s <- if (is.character(x)) paste0("\"", x, "\"") else as.character(x)
    if (length(s) > 3L) s <- c(s[seq_len(3L)], "...")
    paste(s, collapse = ", ")
}

## Checks a one-hot array (N x L x C for layout "NLC", N x C x L for "NCL") before it reaches the
## core: NaN / NA / Inf would give NaN predictions, attributions and weights, and values outside
## [0, 1] or positions summing to more than 1 (an array of 7s) are not one-hot DNA. N positions
## (0.25 each) and all-zero padding pass. Only 4-channel inputs are checked for one-hotness
## (other channel counts are not DNA).
.checkOneHot <- function(x, layout = "NLC", what = "x") {
    if (!is.numeric(x) && !is.logical(x))
        .gdlStop(what, " must be a numeric one-hot array, not ", class(x)[1L])
    if (!is.double(x)) storage.mode(x) <- "double"  # NA_integer_ / NA become NA_real_
    d <- dim(x)
    channels <- if (layout == "NLC") d[3L] else d[2L]
    # One interruptible pass in C++ (src/core/data/input_array.*): R's anyNA / is.infinite /
    # range / rowSums took ~0.5 s on 80 M values without seeing Ctrl-C.
    p <- .native(cpp_check_onehot(x, layout == "NLC", length(d) == 3L && isTRUE(channels == 4L)))
    switch(p$kind,
        nonfinite = .gdlStop(what, " holds NA, NaN or infinite values (", p$nonFinite, " of ",
                             length(x), "); one-hot DNA is 0 / 1 (0.25 for N)"),
        range = .gdlStop(what, " is not one-hot: its values range from ", signif(p$min, 4), " to ",
                         signif(p$max, 4), "; one-hot DNA is 0 / 1 per channel (0.25 for N)"),
        sum = .gdlStop(what, " is not one-hot: the channels of sequence ", p$sample, " at position ",
                       p$position, " sum to ", signif(p$sum, 4), " (at most 1 per position)"))
    invisible(x)
}
