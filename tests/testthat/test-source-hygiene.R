## With several developers adding R files, two internal helpers with one name silently replace
## each other (the later file wins). Checked on the source tree when it is at hand.
test_that("no function is defined twice at the top level of R/", {
    rdir <- file.path("..", "..", "R")
    skip_if_not(dir.exists(rdir), "package sources not available")
    defs <- unlist(lapply(list.files(rdir, pattern = "\\.R$", full.names = TRUE), function(f) {
        m <- regmatches(readLines(f, warn = FALSE),
                        regexpr("^[.A-Za-z][.A-Za-z0-9_]* <- function", readLines(f, warn = FALSE)))
        sub(" <- function$", "", m)
    }))
    expect_gt(length(defs), 50L)
    expect_equal(defs[duplicated(defs)], character(0))
})
