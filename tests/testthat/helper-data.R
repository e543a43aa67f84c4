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

## The example files most tests use.
fa <- extdata("example_genome.fa")
bw1 <- extdata("example_coverage_cell1.bw")
bw2 <- extdata("example_coverage_cell2.bw")
bed1 <- extdata("example_peaks_cell1.bed")
bed2 <- extdata("example_peaks_cell2.bed")
gff <- extdata("example_genes.gff3")

## Rscript of this R, and a script run in a fresh process under `timeout` with this session's
## libraries: its exit status and output lines (a hang or deadlock shows as status 124).
rscript <- function() file.path(R.home("bin"), "Rscript")

runScript <- function(code, seconds = 240) {
    f <- tempfile(fileext = ".R")
    writeLines(code, f)
    env <- paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))
    out <- suppressWarnings(system2("timeout", c(seconds, rscript(), f), stdout = TRUE,
                                    stderr = TRUE, env = env))
    list(status = if (is.null(attr(out, "status"))) 0L else attr(out, "status"), out = out)
}
