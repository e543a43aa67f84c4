## Paths of the example data and of ../shared (conformance data; tests skip without it).
extdata <- function(f) system.file("extdata", f, package = "GenomicDL", mustWork = TRUE)

sharedData <- function(...) {
    roots <- c(Sys.getenv("GENOMICDL_SHARED"), file.path(getwd(), "../../../shared"),
               file.path(getwd(), "../../shared"), "../shared")
    for (r in roots[nzchar(roots)]) {
        p <- file.path(r, "data", ...)
        if (file.exists(p)) return(normalizePath(p))
    }
    NULL
}

skip_if_no_shared <- function(...) {
    if (is.null(sharedData(...))) skip("../shared data not available")
}

expect_gdl_error <- function(expr, pattern) {
    expect_error(expr, pattern, class = "GenomicDL_error")
}
