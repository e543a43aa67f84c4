### =========================================================================
### Renamed arguments: the old names keep working for one release (0.99.x)
### -------------------------------------------------------------------------
###
### One helper for every exported function whose arguments were renamed to the package's
### conventions (see ?GenomicDL, "Argument names"). The function takes `...`; a call naming an
### old argument gets its value under the new name, with one warning of class
### "GenomicDL_deprecated" per old name. Remove an entry (and the `...` when it was there only
### for this) one release after the rename.

## A warning of class GenomicDL_deprecated (also "deprecatedWarning", as .Deprecated()'s).
.warnDeprecated <- function(msg, call = sys.call(-1L)) {
    cond <- structure(class = c("GenomicDL_deprecated", "deprecatedWarning", "warning", "condition"),
                      list(message = msg, call = call))
    warning(cond)
}

## Renames the deprecated entries of an argument list `args` (old name = value) to their new
## names, warning once per old name. `renames` is a named list: old name = new name, or old
## name = list(new name, function converting the old value to the new one). An entry given
## under both names is an error. `fun` is the function named in the messages.
.renameArgList <- function(args, renames, fun, call = sys.call(sys.parent())) {
    for (old in intersect(names(renames), names(args))) {
        to <- renames[[old]]
        new <- if (is.list(to)) to[[1L]] else to
        if (new %in% names(args))
            .gdlStop(fun, "(): give ", new, " only (", old, " is its deprecated name)", call = call)
        value <- args[[old]]
        if (is.list(to)) value <- to[[2L]](value)
        args[old] <- NULL
        args[new] <- list(value)
        .warnDeprecated(paste0("'", old, "' is deprecated in ", fun, "(); use '", new,
                               "' instead (see help(\"GenomicDL\"), \"Argument names\")"),
                        call = call)
    }
    args
}

## The name of the function called by `call` (do.call() puts the function itself in the call).
.calledName <- function(call, f) {
    fn <- call[[1L]]
    if (is.name(fn)) return(as.character(fn))
    if (is.call(fn)) return(as.character(fn[[length(fn)]]))
    ns <- asNamespace("GenomicDL")
    for (n in ls(ns)) if (identical(get(n, envir = ns), f)) return(n)
    "the function"
}

## Moves renamed arguments of the calling function (which takes `...`) to their new names:
## the old value is taken from the caller's `...` and assigned to the new formal in the
## caller's frame (the new formal must then be missing). When R matched a typed old name
## partially to the new formal (`thresh` to `threshold`), the value is already in place and
## only the warning is given. Anything else left in `...` is an error unless `dots = TRUE`
## (the function uses `...` itself); the other `...` arguments are returned as a list.
.renamedArgs <- function(renames, dots = FALSE, env = parent.frame()) {
    call <- sys.call(sys.parent())
    fun <- .calledName(call, sys.function(sys.parent()))
    args <- if (exists("...", envir = env, inherits = FALSE)) eval(quote(list(...)), env) else list()
    old <- intersect(names(renames), names(args))
    for (o in old) {
        new <- if (is.list(renames[[o]])) renames[[o]][[1L]] else renames[[o]]
        if (!eval(call("missing", as.name(new)), env))
            .gdlStop(fun, "(): give ", new, " only (", o, " is its deprecated name)", call = call)
    }
    moved <- .renameArgList(args[old], renames, fun, call)
    for (n in names(moved)) assign(n, moved[[n]], envir = env)
    partial <- setdiff(intersect(names(renames), names(as.list(call))), old)
    if (length(partial))  # warnings only: the values are in place
        .renameArgList(stats::setNames(vector("list", length(partial)), partial),
                       lapply(renames[partial], function(to) if (is.list(to)) to[[1L]] else to),
                       fun, call)
    args <- args[setdiff(seq_along(args), match(old, names(args)))]
    if (!dots && length(args)) {
        nm <- names(args)
        if (is.null(nm)) nm <- rep("", length(args))
        nm[nm == ""] <- "<unnamed>"
        .gdlStop("unused argument(s) of ", fun, "(): ", paste(nm, collapse = ", "), call = call)
    }
    invisible(args)
}

## TRUE / FALSE of the old logical strand arguments (bothStrands) as a `strands` choice.
.strandsFromFlag <- function(both) {
    if (!is.logical(both) || length(both) != 1L || is.na(both))
        .gdlStop("bothStrands must be TRUE or FALSE (use strands = \"both\" or \"forward\")")
    if (both) "both" else "forward"
}
