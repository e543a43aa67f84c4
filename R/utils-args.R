### =========================================================================
### Argument checks shared by every exported function
### -------------------------------------------------------------------------
### One helper per kind of value (choices are .matchArg(), R/conditions.R). Each signals a
### GenomicDL_error that names the argument and shows the value given, from the call of the
### function that checks it, and returns the value to pass on: whole numbers as doubles, so that
### seeds past .Machine$integer.max survive.

## The range part of a message: " >= 1", " > 0", " in [0, 1]", " in (0, 1]" or "".
.rangeText <- function(min, max, minOpen = FALSE) {
    lo <- if (minOpen) "(" else "["
    if (is.finite(min) && is.finite(max)) return(paste0(" in ", lo, min, ", ", max, "]"))
    if (is.finite(min)) return(paste0(if (minOpen) " > " else " >= ", min))
    if (is.finite(max)) return(paste0(" <= ", max))
    ""
}

## A whole number in [min, max]; `note` is added to the message (e.g. what NULL means).
.checkCount <- function(x, name, min = 1, max = Inf, note = NULL) {
    if (!isSingleNumber(x) || !is.finite(x) || x < min || x > max || x != round(x))
        .gdlStop(name, " must be a whole number", .rangeText(min, max), note, ", not ", .shown(x),
                 call = sys.call(-1L))
    as.numeric(x)
}

## One number in [min, max] (above min with minOpen); infinite values only with finite = FALSE.
.checkNumber <- function(x, name, min = -Inf, max = Inf, minOpen = FALSE, finite = TRUE) {
    if (!isSingleNumber(x) || (finite && !is.finite(x)) || x < min || x > max ||
        (minOpen && x == min))
        .gdlStop(name, " must be a ", if (finite) "finite ", "number", .rangeText(min, max, minOpen),
                 ", not ", .shown(x), call = sys.call(-1L))
    as.numeric(x)
}

## TRUE or FALSE (not NA, not a string).
.checkFlag <- function(x, name) {
    if (!isTRUEorFALSE(x))
        .gdlStop(name, " must be TRUE or FALSE, not ", .shown(x), call = sys.call(-1L))
    x
}
