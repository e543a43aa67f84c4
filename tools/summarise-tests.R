## Prints the one summary line of `make test`: "N passed, N failed" over Catch2 assertions and
## testthat expectations, and exits non-zero on any failure or on a suite that did not run.
args <- commandArgs(trailingOnly = TRUE)
catchLog <- args[1L]
ttCounts <- args[2L]
passed <- 0
failed <- 0
if (file.exists(catchLog)) {
    log <- readLines(catchLog, warn = FALSE)
    ok <- grep("^All tests passed \\(([0-9]+) assertion", log, value = TRUE)
    summ <- grep("^assertions:", log, value = TRUE)
    if (length(ok)) {
        passed <- passed + as.numeric(sub("^All tests passed \\(([0-9]+) assertion.*", "\\1", ok[1L]))
    } else if (length(summ)) {
        num <- function(pat) {
            m <- regmatches(summ[1L], regexpr(paste0("[0-9]+ ", pat), summ[1L]))
            if (length(m)) as.numeric(sub(" .*", "", m)) else 0
        }
        passed <- passed + num("passed")
        failed <- failed + max(num("failed"), 1)
    } else {
        cat("Catch2 tests did not run to the end (see", catchLog, ")\n")
        failed <- failed + 1
    }
} else {
    cat("Catch2 tests did not run\n")
    failed <- failed + 1
}
if (file.exists(ttCounts)) {
    v <- scan(ttCounts, quiet = TRUE)
    passed <- passed + v[1L]
    failed <- failed + v[2L]
} else {
    cat("testthat tests did not run\n")
    failed <- failed + 1
}
cat(sprintf("%d passed, %d failed\n", as.integer(passed), as.integer(failed)))
quit(status = if (failed > 0) 1L else 0L)
