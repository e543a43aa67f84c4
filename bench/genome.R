## Benchmark: genome-scale predictRegions() streamed to bigWig, memory independent of genome length,
## against PyTorch inference of the same architectures.
## A synthetic genome (random bases, deterministic seed, indexed FASTA; chromosomes of at most 50 Mb)
## of 20 Mb and of 200 Mb is made by this script. Two models, 1,000-bp input:
##   per-base:   conv 8 x 21 relu, 1 x 1 conv, crop to 250 (a profile track, as in issue 13)
##   per-window: conv 16 x 21 relu, max pool 4, conv 16 x 11 relu, global average pool, dense 1
## predict every base of the genome with export = to bigWig (step = the output span: 250 bases,
## or 1,000 for the per-window model). Each case runs in a child Rscript that reads its own peak
## resident memory (VmHWM, /proc/self/status) after library(GenomicDL), the model and a 10-kb
## warm-up prediction, and again after the run: the growth is what the run itself takes.
## Windows/s at 1 and 2 threads are measured on the smaller genome (the rate does not depend on
## its length); the growth on both sizes, at 2 threads. PyTorch (Debian's python3-torch; skipped
## with a message when absent: tools/install-deps.sh --bench) runs the same architectures on
## random one-hot tensors (batches of 256, inference mode): its forward passes alone, no FASTA,
## no encoding, no bigWig. The ratio is GenomicDL's whole call over PyTorch's forward passes.
##   Rscript bench/genome.R            sizes 20 and 200 Mb
##   Rscript bench/genome.R 20 60      other sizes (Mb)
## GDL_PYTHON names the python3 with torch (default /usr/bin/python3, Debian's).
## Targets (issue 13): peak RSS grows by < 1 GB, and equally for both sizes; ratio >= 1.0.
## The in-memory path (no export) runs on the smaller genome as the reference the issue measured
## (~95 bytes/base); GDL_BENCH_MEMORY=0 skips it.
args <- commandArgs(trailingOnly = TRUE)
sizes <- if (length(args)) as.numeric(args) else c(20, 200)
dir <- file.path(tempdir(), "gdl-genome-bench")
dir.create(dir, showWarnings = FALSE)
batch <- 256L

makeGenome <- function(mb) {
    fa <- file.path(dir, sprintf("synthetic_%gMb.fa", mb))
    if (file.exists(paste0(fa, ".fai"))) return(fa)
    set.seed(2026)
    nchrom <- max(1L, as.integer(ceiling(mb / 50)))
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
fa <- args[1]; out <- args[2]; mode <- args[3]; threads <- as.integer(args[4]); kind <- args[5]
batch <- as.integer(args[6])
hwm <- function() {
    x <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
    as.numeric(gsub("[^0-9]", "", x)) / 1024
}
suppressPackageStartupMessages(library(GenomicDL))
m <- if (kind == "base") {
    sequentialModel(c(1000, 4), list(layerConv1d(8, 21, activation = "relu"),
                                     layerConv1d(1, 1), layerCrop(250)))
} else {
    sequentialModel(c(1000, 4), list(layerConv1d(16, 21, activation = "relu"), layerMaxPool1d(4),
                                     layerConv1d(16, 11, activation = "relu"),
                                     layerGlobalAvgPool1d(), layerDense(1)))
}
step <- if (kind == "base") 250 else 1000
invisible(predictRegions(m, fa, GRanges("chr1:1-10000"), step = step, verbose = FALSE,
                         threads = threads, export = file.path(dirname(out), "warmup.bw")))
before <- hwm()
lens <- GenomeInfoDb::seqlengths(Rsamtools::FaFile(fa))
t <- system.time(r <- predictRegions(m, fa, step = step, verbose = FALSE, threads = threads,
                                     batchSize = batch,
                                     export = if (mode == "stream") out else NULL))[["elapsed"]]
after <- hwm()
span <- if (kind == "base") 250 else 1000
windows <- sum(ceiling((lens - span) / step) + 1)
cat(sprintf("%.0f %.1f %.1f %.2f %d %s\n", sum(lens), before, after, t, windows, class(r)[1]))
'
script <- file.path(dir, "child.R")
writeLines(child, script)
runCase <- function(fa, mode, kind, threads) {
    out <- file.path(dir, "pred.bw")
    unlink(out)
    res <- system2(file.path(R.home("bin"), "Rscript"), c(script, fa, out, mode, threads, kind, batch),
                   stdout = TRUE)
    v <- strsplit(tail(res, 1L), " ")[[1]]
    size <- if (file.exists(out)) file.size(out) / 1e6 else NA
    unlink(out)
    list(bases = as.numeric(v[1]), before = as.numeric(v[2]), after = as.numeric(v[3]),
         secs = as.numeric(v[4]), windows = as.numeric(v[5]), class = v[6], file = size)
}

## PyTorch: the same two architectures, forward passes on random one-hot batches
pyScript <- file.path(dir, "torch_genome.py")
writeLines('
import sys, time, torch
threads, kind, batch = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)
class Base(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(4, 8, 21); self.c2 = torch.nn.Conv1d(8, 1, 1)
    def forward(self, x):
        y = self.c2(torch.relu(self.c1(x)))
        o = (y.shape[2] - 250) // 2
        return y[:, :, o:o + 250]
class Window(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(4, 16, 21); self.c2 = torch.nn.Conv1d(16, 16, 11)
        self.d = torch.nn.Linear(16, 1)
    def forward(self, x):
        y = torch.max_pool1d(torch.relu(self.c1(x)), 4)
        return self.d(torch.relu(self.c2(y)).mean(2))
m = (Base() if kind == "base" else Window()).eval()
x = torch.nn.functional.one_hot(torch.randint(0, 4, (batch, 1000)), 4).permute(0, 2, 1).float().contiguous()
with torch.inference_mode():
    for _ in range(3): m(x)
    n, t0 = 0, time.time()
    while time.time() - t0 < 5:
        m(x); n += batch
print(n / (time.time() - t0))
', pyScript)
## Debian's python3-torch is for Debian's python3 (not a pyenv or conda one earlier on PATH)
python <- Sys.getenv("GDL_PYTHON", if (file.exists("/usr/bin/python3")) "/usr/bin/python3" else "python3")
torchRate <- function(threads, kind) {
    ok <- system2(python, c("-c", shQuote("import torch")), stdout = FALSE, stderr = FALSE) == 0
    if (!ok) return(NA)
    as.numeric(tail(system2(python, c(pyScript, threads, kind, batch), stdout = TRUE), 1L))
}

cat(sprintf("predictRegions() over whole genomes, export = bigWig, 1,000-bp input, batchSize %d\n", batch))
cat(sprintf("%-8s %-10s %-7s %7s %10s %11s %11s %11s %10s %9s %s\n", "genome", "model", "mode",
            "threads", "windows", "windows/s", "RSS base MB", "RSS peak MB", "growth MB",
            "bigWig MB", "result"))
rows <- list()
show <- function(mb, kind, mode, th, r)
    cat(sprintf("%-8s %-10s %-7s %7d %10.0f %11.0f %11.0f %11.0f %10.0f %9.1f %s\n", paste0(mb, " Mb"),
                kind, mode, th, r$windows, r$windows / r$secs, r$before, r$after, r$after - r$before,
                r$file, r$class))
for (mb in sizes) {
    fa <- makeGenome(mb)
    for (kind in c("base", "window")) {
        ths <- if (mb == min(sizes)) c(1L, 2L) else 2L
        for (th in ths) {
            r <- runCase(fa, "stream", kind, th)
            rows[[paste(mb, kind, th)]] <- r
            show(mb, kind, "stream", th, r)
        }
    }
    if (mb == min(sizes) && Sys.getenv("GDL_BENCH_MEMORY", "1") != "0") {
        r <- runCase(fa, "memory", "base", 2L)
        rows[[paste(mb, "memory")]] <- r
        show(mb, "base", "memory", 2L, r)
    }
}
for (kind in c("base", "window")) {
    g <- vapply(sizes, function(mb) { r <- rows[[paste(mb, kind, 2L)]]; r$after - r$before }, 0)
    cat(sprintf("%s model, streamed peak RSS growth: %s MB for %s Mb (max / min = %.2f); target < 1024 MB: %s\n",
                kind, paste(round(g), collapse = " / "), paste(sizes, collapse = " / "),
                max(g) / max(min(g), 1), if (all(g < 1024)) "met" else "NOT met"))
}
mem <- rows[[paste(min(sizes), "memory")]]
if (!is.null(mem))
    cat(sprintf("in-memory run (no export) on %g Mb: %.0f MB growth, %.0f bytes/base\n", min(sizes),
                mem$after - mem$before, (mem$after - mem$before) * 2^20 / mem$bases))
if (is.na(torchRate(1L, "base"))) {
    cat("PyTorch baseline skipped: python3 cannot import torch (tools/install-deps.sh --bench)\n")
} else {
    cat("PyTorch forward passes on random one-hot batches against the whole streamed call:\n")
    for (kind in c("base", "window")) for (th in 1:2) {
        r <- rows[[paste(min(sizes), kind, th)]]
        pt <- torchRate(th, kind)
        ours <- r$windows / r$secs
        cat(sprintf("  %-6s model, %d thread(s): GenomicDL %8.0f windows/s, PyTorch %8.0f windows/s, ratio %.2f (target >= 1.0: %s)\n",
                    kind, th, ours, pt, ours / pt, if (ours / pt >= 1) "met" else "NOT met"))
    }
}
