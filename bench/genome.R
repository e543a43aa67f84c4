## Benchmark: genome-scale predictRegions() streamed to bigWig, memory independent of genome length.
## A synthetic genome (random bases, deterministic seed, indexed FASTA) of 20 Mb and of a larger
## size is made by this script; a per-base profile model (conv 8 x 21, 1 x 1 conv, crop to 250;
## 1,000-bp input, as in issue 13) predicts every base with export = to bigWig. Each case runs in a
## child Rscript that reads its own peak resident memory (VmHWM, /proc/self/status) after
## library(GenomicDL), the model and a 10-kb warm-up prediction, and again after the run.
##   Rscript bench/genome.R            sizes 20 and 200 Mb
##   Rscript bench/genome.R 20 60      other sizes (Mb)
## Measured here (2 shared cores): 2 Mb 61 MB, 20 Mb 62 MB growth, ~3,000 windows/s; the 200 Mb
## case was not run (about 10 min on this machine).
## Target (issue 13): peak RSS grows by < 1 GB, and equally for both sizes. The in-memory path
## (no export) is run on the smallest genome as the reference the issue measured (~95 bytes/base).
args <- commandArgs(trailingOnly = TRUE)
sizes <- if (length(args)) as.numeric(args) else c(20, 200)
threads <- as.integer(Sys.getenv("GDL_BENCH_THREADS", "2"))
dir <- file.path(tempdir(), "gdl-genome-bench")
dir.create(dir, showWarnings = FALSE)

makeGenome <- function(mb) {
    fa <- file.path(dir, sprintf("synthetic_%gMb.fa", mb))
    if (file.exists(paste0(fa, ".fai"))) return(fa)
    set.seed(2026)
    nchrom <- max(1L, as.integer(ceiling(mb / 50)))   # chromosomes of at most 50 Mb
    len <- round(mb * 1e6 / nchrom)
    bases <- charToRaw("ACGT")
    unlink(fa)
    for (i in seq_len(nchrom)) {
        s <- Biostrings::DNAStringSet(rawToChar(bases[sample.int(4L, len, replace = TRUE)]))
        names(s) <- paste0("chr", i)
        Biostrings::writeXStringSet(s, fa, append = i > 1L, width = 80L)
    }
    Rsamtools::indexFa(fa)
    fa
}

child <- '
args <- commandArgs(trailingOnly = TRUE)
fa <- args[1]; out <- args[2]; mode <- args[3]; threads <- as.integer(args[4])
hwm <- function() {
    x <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
    as.numeric(gsub("[^0-9]", "", x)) / 1024
}
suppressPackageStartupMessages(library(GenomicDL))
m <- sequentialModel(c(1000, 4), list(layerConv1d(8, 21, activation = "relu"),
                                      layerConv1d(1, 1), layerCrop(250)))
invisible(predictRegions(m, fa, GRanges("chr1:1-10000"), verbose = FALSE, threads = threads,
                         export = file.path(dirname(out), "warmup.bw")))
before <- hwm()
lens <- GenomeInfoDb::seqlengths(Rsamtools::FaFile(fa))
t <- system.time(r <- predictRegions(m, fa, verbose = FALSE, threads = threads, batchSize = 256,
                                     export = if (mode == "stream") out else NULL))[["elapsed"]]
after <- hwm()
windows <- sum(ceiling((lens - 250) / 250) + 1)
cat(sprintf("%.0f %.1f %.1f %.2f %d %s\n", sum(lens), before, after, t, windows, class(r)[1]))
'
script <- file.path(dir, "child.R")
writeLines(child, script)
runCase <- function(fa, mode) {
    out <- file.path(dir, "pred.bw")
    unlink(out)
    res <- system2(file.path(R.home("bin"), "Rscript"), c(script, fa, out, mode, threads),
                   stdout = TRUE)
    v <- strsplit(tail(res, 1L), " ")[[1]]
    size <- if (file.exists(out)) file.size(out) / 1e6 else NA
    unlink(out)
    list(bases = as.numeric(v[1]), before = as.numeric(v[2]), after = as.numeric(v[3]),
         secs = as.numeric(v[4]), windows = as.numeric(v[5]), class = v[6], file = size)
}

cat(sprintf("predictRegions(), per-base model conv 8 x 21 + 1 x 1 conv + crop 250, 1,000-bp input, %d threads\n",
            threads))
cat(sprintf("%-8s %-10s %10s %12s %12s %12s %10s %9s %s\n", "genome", "mode", "windows",
            "windows/s", "RSS base MB", "RSS peak MB", "growth MB", "bigWig MB", "result"))
rows <- list()
for (mb in sizes) {
    fa <- makeGenome(mb)
    modes <- if (mb == min(sizes)) c("memory", "stream") else "stream"
    for (mode in modes) {
        r <- runCase(fa, mode)
        rows[[paste(mb, mode)]] <- r
        cat(sprintf("%-8s %-10s %10.0f %12.0f %12.0f %12.0f %10.0f %9.0f %s\n", paste0(mb, " Mb"),
                    mode, r$windows, r$windows / r$secs, r$before, r$after, r$after - r$before,
                    r$file, r$class))
    }
}
st <- Filter(function(r) TRUE, rows[grep("stream", names(rows))])
g <- vapply(st, function(r) r$after - r$before, 0)
cat(sprintf("streamed peak RSS growth: %s MB for %s Mb (max / min = %.2f); target < 1024 MB: %s\n",
            paste(round(g), collapse = " / "), paste(sizes, collapse = " / "),
            max(g) / max(min(g), 1), if (all(g < 1024)) "met" else "NOT met"))
mem <- rows[[paste(min(sizes), "memory")]]
if (!is.null(mem))
    cat(sprintf("in-memory run (no export) on %g Mb: %.0f MB growth, %.0f bytes/base; streamed: %.1f bytes/base\n",
                min(sizes), mem$after - mem$before, (mem$after - mem$before) * 2^20 / mem$bases,
                g[[1]] * 2^20 / st[[1]]$bases))
