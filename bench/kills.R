## Kills during writes: an Rscript child writes a model archive (saveModel) and a bigWig
## (exportTrack) to the same two paths over and over; it is killed with SIGKILL at a random
## moment, `kills` times. After each kill the targets must be absent or intact (the archive
## loads with its checksum, the bigWig reads back its values), and the next write removes the
## dead writer's temporary files. Prints the counts (baseline: what a plain writeBin/saveRDS
## onto the target would leave -- a truncated file -- is what the atomic writers avoid).
## Run: R_LIBS=build/Rlib Rscript bench/kills.R [kills]
suppressPackageStartupMessages({ library(GenomicDL); library(GenomicRanges) })
kills <- as.integer(commandArgs(TRUE)[1L]); if (is.na(kills)) kills <- 40L
dir <- tempfile("kills"); dir.create(dir)
model <- file.path(dir, "m.gdlm"); track <- file.path(dir, "t.bw")
m <- deepseaModel(1000, outputs = 6)
saveModel(m, model)
gr <- GRanges("chr1", IRanges(seq(1, 2e6, by = 50), width = 50), score = runif(40000))
seqlengths(gr) <- c(chr1 = 2e6)
exportTrack(gr, track)
ref <- trackValues(track, GRanges("chr1:1-100"))
child <- file.path(dir, "child.R")
writeLines(c("suppressPackageStartupMessages({ library(GenomicDL); library(GenomicRanges) })",
             sprintf("m <- loadModel('%s'); gr <- readRDS('%s')", model, file.path(dir, "gr.rds")),
             sprintf("writeLines('ready', '%s')", file.path(dir, "ready")),
             sprintf("repeat { saveModel(m, '%s'); exportTrack(gr, '%s') }", model, track)), child)
saveRDS(gr, file.path(dir, "gr.rds"))
intact <- damaged <- midWrite <- 0L
for (k in seq_len(kills)) {
    unlink(file.path(dir, "ready"))
    p <- parallel::mcparallel(system2(file.path(R.home("bin"), "Rscript"), child,
                                      env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))))
    while (!file.exists(file.path(dir, "ready"))) Sys.sleep(0.05)
    Sys.sleep(runif(1, 0.05, 6))
    system(sprintf("pkill -9 -f '%s'", child))
    parallel::mccollect(p, wait = TRUE)
    ## a kill during a write leaves its temporary file (removed by the next write to the path)
    if (length(list.files(dir, pattern = "\\.tmp"))) midWrite <- midWrite + 1L
    ok <- tryCatch({ loadModel(model); TRUE }, error = function(e) FALSE) &&
          tryCatch(identical(trackValues(track, GRanges("chr1:1-100")), ref), error = function(e) FALSE)
    if (ok) intact <- intact + 1L else damaged <- damaged + 1L
}
left <- length(list.files(dir, pattern = "\\.tmp"))
saveModel(m, model); exportTrack(gr, track)
after <- length(list.files(dir, pattern = "\\.tmp"))
cat(sprintf("%d kills during saveModel()/exportTrack(): %d left both targets intact, %d damaged one\n",
            kills, intact, damaged))
cat(sprintf("%d kills landed during a write (a temporary file left beside the target)\n", midWrite))
cat(sprintf("temporary files of killed writers after the last kill: %d, after the next write: %d\n",
            left, after))
