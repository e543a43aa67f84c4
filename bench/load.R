## Benchmark: time of library(GenomicDL) in a fresh R process, against the old load (the namespace
## imported TFBSTools, Rsamtools and BiocParallel; TFBSTools pulls in rtracklayer) measured the
## same way in the same script: a fresh Rscript that loads the package and then the packages the
## old NAMESPACE imported.
##   Rscript bench/load.R [runs]       (make bench runs every bench/*.R)
## Target (issue 12): library(GenomicDL) <= 5 s here (it was ~18 s).
runs <- if (length(commandArgs(TRUE))) as.integer(commandArgs(TRUE)[1L]) else 3L
rscript <- file.path(R.home("bin"), "Rscript")
env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))

## Seconds of `expr` (R code) in a fresh Rscript.
freshSeconds <- function(expr) {
    code <- sprintf("cat(system.time(suppressPackageStartupMessages({%s}))[['elapsed']])", expr)
    out <- system2(rscript, c("--vanilla", "-e", shQuote(code)), env = env, stdout = TRUE,
                   stderr = FALSE)
    as.numeric(utils::tail(out, 1L))
}

now <- "library(GenomicDL)"
old <- paste0(now, "; loadNamespace('TFBSTools'); loadNamespace('Rsamtools'); ",
             "loadNamespace('BiocParallel')")
invisible(freshSeconds(now))   # warm the file cache
tNow <- vapply(seq_len(runs), function(i) freshSeconds(now), 0)
tOld <- vapply(seq_len(runs), function(i) freshSeconds(old), 0)
cat(sprintf("library(GenomicDL), fresh Rscript, %d runs: median %.2f s (%s)\n", runs,
            stats::median(tNow), paste(sprintf("%.2f", tNow), collapse = ", ")))
cat(sprintf("old imports (+ TFBSTools, Rsamtools, BiocParallel): median %.2f s (%s)\n",
            stats::median(tOld), paste(sprintf("%.2f", tOld), collapse = ", ")))
cat(sprintf("ratio old / now: %.1f x; target <= 5 s: %s\n", stats::median(tOld) / stats::median(tNow),
            if (stats::median(tNow) <= 5) "met" else "NOT met"))
