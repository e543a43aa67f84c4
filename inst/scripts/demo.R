## GenomicDL demo: runs the report inst/scripts/demo.Rmd on the bundled example data and writes
## it (HTML with its plots) to the folder given as first argument (default demo-report/).
##   make demo
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1L] else "demo-report"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
out <- normalizePath(out)
rmd <- system.file("scripts", "demo.Rmd", package = "GenomicDL")
if (rmd == "") rmd <- file.path("inst", "scripts", "demo.Rmd")
work <- file.path(out, "work")
dir.create(work, showWarnings = FALSE)
invisible(file.copy(rmd, file.path(work, "demo.Rmd"), overwrite = TRUE))
html <- rmarkdown::render(file.path(work, "demo.Rmd"), output_dir = out,
                          output_file = "GenomicDL-demo.html", intermediates_dir = work,
                          knit_root_dir = out, quiet = TRUE,
                          output_options = list(self_contained = TRUE))
cat("GenomicDL demo report:", html, "\n")
