## Runs the testthat tests against the installed GenomicDL and writes "passed failed" counts
## (expectations) to the file given as the first argument. Exits non-zero on any failure.
##
## Two things make a failed run readable from the last lines of its log alone (CI keeps only the
## tail): the failures and errors are listed again at the very end, each with its file, test and
## the first lines of its message; and an error raised after the last test (a teardown, say) is
## reported and counted as a failure instead of losing the results gathered so far.
args <- commandArgs(trailingOnly = TRUE)
countsFile <- if (length(args)) args[1L] else "build/testthat.counts"
dir.create(dirname(countsFile), showWarnings = FALSE, recursive = TRUE)
writeLines("0 1", countsFile)  # a crash before the end counts as a failure
suppressPackageStartupMessages(library(testthat))
collected <- testthat::ListReporter$new()
reporter <- testthat::MultiReporter$new(list(
    testthat::ProgressReporter$new(show_praise = FALSE), collected))
late <- tryCatch({
    testthat::test_dir("tests/testthat", package = "GenomicDL", load_package = "installed",
                       reporter = reporter, stop_on_failure = FALSE)
    NULL
}, error = function(e) conditionMessage(e))
res <- collected$get_results()
df <- as.data.frame(res)
failed <- sum(df$failed) + sum(df$error) + !is.null(late)
passed <- sum(df$nb) - sum(df$failed) - sum(df$skipped) - sum(df$warning)
passed <- max(passed, 0L)

firstLines <- function(x, n = 6L) {
    l <- strsplit(x, "\n", fixed = TRUE)[[1L]]
    paste(utils::head(l, n), collapse = "\n    ")
}
problems <- character()
for (t in res) for (e in t$results) {
    if (inherits(e, c("expectation_failure", "expectation_error")))
        problems <- c(problems, sprintf("[%s] %s > %s\n    %s",
                                        if (inherits(e, "expectation_error")) "ERROR" else "FAIL",
                                        t$file, t$test, firstLines(conditionMessage(e))))
}
if (!is.null(late))
    problems <- c(problems, sprintf("[ERROR] after the last test (teardown)\n    %s",
                                    firstLines(late)))
if (length(problems)) {
    cat("\n== What failed (", length(problems), ") ==\n", sep = "")
    cat(problems, sep = "\n")
}
writeLines(paste(passed, failed), countsFile)
quit(status = if (failed > 0) 1L else 0L)
