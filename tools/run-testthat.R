## Runs the testthat tests against the installed GenomicDL and writes "passed failed" counts
## (expectations) to the file given as the first argument. Exits non-zero on any failure.
args <- commandArgs(trailingOnly = TRUE)
countsFile <- if (length(args)) args[1L] else "build/testthat.counts"
dir.create(dirname(countsFile), showWarnings = FALSE, recursive = TRUE)
writeLines("0 1", countsFile)  # a crash before the end counts as a failure
suppressPackageStartupMessages(library(testthat))
res <- testthat::test_dir("tests/testthat", package = "GenomicDL", load_package = "installed",
                          reporter = testthat::ProgressReporter$new(show_praise = FALSE),
                          stop_on_failure = FALSE)
df <- as.data.frame(res)
failed <- sum(df$failed) + sum(df$error)
passed <- sum(df$nb) - sum(df$failed) - sum(df$skipped) - sum(df$warning)
passed <- max(passed, 0L)
writeLines(paste(passed, failed), countsFile)
quit(status = if (failed > 0) 1L else 0L)
