### =========================================================================
### The names the C++ core accepts -- activations (src/core/nn/activations.hpp),
### losses and epoch metrics (src/core/train) -- read from the core once, at
### first use (not when the package loads), so that R and C++ cannot drift.
### The R API validates and documents its arguments from these lists.
### -------------------------------------------------------------------------

.coreNamesCache <- new.env(parent = emptyenv())

## list(activations = data.frame(name, elementwise, nonNegative),
##      activationAliases = c(alias = "name it stands for"), losses, metrics)
.coreNames <- function() {
    if (is.null(.coreNamesCache$names)) .coreNamesCache$names <- .native(cpp_core_names())
    .coreNamesCache$names
}

## Activation names (as a layer spec stores them); nonNegative = TRUE: only those whose
## values are never below 0.
.activationNames <- function(nonNegative = FALSE) {
    a <- .coreNames()$activations
    if (nonNegative) a$name[a$nonNegative] else a$name
}

## The activation argument of a layer builder, as the spec stores it: NULL is "linear" and an
## alias ("exponential", "none") becomes the name it stands for.
.activation <- function(activation) {
    if (is.null(activation)) return("linear")
    ok <- .activationNames()
    aliases <- .coreNames()$activationAliases
    if (!is.character(activation) || length(activation) != 1L ||
        !activation %in% c(ok, names(aliases)))
        .gdlStop("activation must be one of ", paste(ok, collapse = ", "), " (or ",
                 paste0(names(aliases), " for ", aliases, collapse = ", "), "), not ",
                 deparse(activation)[1L])
    if (activation %in% names(aliases)) unname(aliases[activation]) else activation
}

## The roxygen @param line of `activation` for the layer builders (@eval): the names in the
## core's table, read when the documentation is generated.
.rdActivationParam <- function() {
    q <- function(x) paste0("\\code{\"", x, "\"}")
    aliases <- .coreNames()$activationAliases
    paste0("@param activation one of ", paste(q(.activationNames()), collapse = ", "),
           " (\\code{\"threshold\"} is DeepSEA's \\code{Threshold(0, 1e-6)}); ",
           paste0(q(names(aliases)), " stands for ", q(aliases), collapse = " and "), ".")
}
