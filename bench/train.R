## Training throughput (samples/s) on the CPU, GenomicDL against PyTorch, in one script.
##
##  (1) keras_dna's CNN, cnnModel() (2001 bp, batch 64), fed by a sequenceGenerator over
##      inst/extdata: bigWig regression (window 2001, the coverage at the centre base), MSE;
##  (2) DeepSEA, deepseaModel() (1000 bp, batch 16), fed by a sequenceGenerator over the two
##      example peak BED files: classification of CTCF / GATA1 / MAX in two cell types, a
##      multi-task head of 2 x 3 = 6 sigmoid outputs (the example data has no 919 tasks), BCE.
##  The same architectures in PyTorch (bench/train_pytorch.py: same layers, initialisation,
##  losses, Adam at 1e-3) train on synthetic tensors already in memory (no loading at all).
##  Both use the same number of intra-op threads (GDL_BENCH_THREADS, default 2); GenomicDL's
##  loader runs beside them in its own prefetch threads (fit's default workers). Runs alternate
##  between the two frameworks (GDL_BENCH_ROUNDS rounds, default 5) and the best of each is
##  kept, so that load from other processes on a shared machine hits both alike.
##  Prints samples/s for both and the ratio GenomicDL / PyTorch (target >= 1), the same
##  GenomicDL training with mixedPrecision = TRUE (bfloat16 autocast) against float32, the loader's own
##  rate against what training consumes (target >= 2x), and the earlier figure: prefetch threads
##  against batches filled synchronously on the training thread (cnnModel).
##
## Needs Debian's PyTorch for the baseline:  apt-get install -y python3-torch
## (without it, the PyTorch part is skipped with a message). Python: GDL_PYTHON, else
## /usr/bin/python3 (Debian's, which sees python3-torch), else python3 on the PATH.
## Run: R_LIBS=build/Rlib Rscript bench/train.R
suppressMessages(library(GenomicDL))
env <- function(name, default) as.integer(Sys.getenv(name, default))
threads <- env("GDL_BENCH_THREADS", "2")
rounds <- env("GDL_BENCH_ROUNDS", "5")
stepsCnn <- env("GDL_BENCH_STEPS_CNN", "20")
stepsDeepsea <- env("GDL_BENCH_STEPS_DEEPSEA", "8")
options(GenomicDL.threads = threads)

fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
bw <- system.file("extdata", "example_coverage_cell1.bw", package = "GenomicDL")
beds <- system.file("extdata", c("example_peaks_cell1.bed", "example_peaks_cell2.bed"),
                    package = "GenomicDL")
genCnn <- sequenceGenerator(fa, bw, inputLength = 2001, targetWindow = 1, batchSize = 64, seed = 1)
genDeepsea <- sequenceGenerator(fa, beds, annotationTypes = c("CTCF", "GATA1", "MAX"),
                                inputLength = 1000, negativeRatio = 1, batchSize = 16, seed = 1)
tasks <- prod(labelShape(genDeepsea))

## ---- PyTorch --------------------------------------------------------------------------------
script <- file.path(if (file.exists("bench/train_pytorch.py")) "bench" else
                        dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                    "train_pytorch.py")
python <- Sys.getenv("GDL_PYTHON", "")
if (!nzchar(python)) python <- if (file.exists("/usr/bin/python3")) "/usr/bin/python3" else Sys.which("python3")
hasTorch <- nzchar(python) && file.exists(script) &&
    identical(suppressWarnings(system2(python, c("-c", shQuote("import torch")),
                                       stdout = FALSE, stderr = FALSE)), 0L)
if (!hasTorch)
    message("PyTorch not found (", if (nzchar(python)) python else "no python3",
            "): the PyTorch baseline is skipped. Install Debian's: apt-get install -y python3-torch")
## c(wall = samples/s, cpu = samples per CPU-second of the process, all threads)
pytorchRate <- function(model, batch, steps, outputs) {
    out <- system2(python, c(script, model, batch, steps, threads, outputs), stdout = TRUE)
    get <- function(key) as.numeric(sub(paste0(key, " "), "", grep(paste0("^", key, " "), out, value = TRUE)))
    c(wall = get("samples_per_s"), cpu = get("samples_per_cpu_s"))
}

## ---- GenomicDL --------------------------------------------------------------------------------
## wall: samples/s of the training loop on the epoch's own clock (loading, forward, backward,
## Adam); cpu: samples per CPU-second of the whole fit() call (loader threads and R included)
gdlRate <- function(model, gen, steps, workers = NULL, mixed = FALSE) {
    t <- proc.time()
    h <- fit(model, gen, epochs = 1, stepsPerEpoch = steps, verbose = FALSE, prefetchThreads = workers,
             mixedPrecision = mixed)
    t <- proc.time() - t
    n <- h$samples[nrow(h)]
    c(wall = n / h$seconds[nrow(h)], cpu = n / (t[["user.self"]] + t[["sys.self"]]))
}
mCnn <- cnnModel(2001)
mDeepsea <- deepseaModel(1000, outputs = tasks)
invisible(gdlRate(mCnn, genCnn, 2))  # warm-up
invisible(gdlRate(mDeepsea, genDeepsea, 2))

best <- function(a, b) if (is.null(a)) b else pmax(a, b)
rates <- list(cnn = list(), deepsea = list())
for (r in seq_len(rounds)) {
    rates$cnn$gdl <- best(rates$cnn$gdl, gdlRate(mCnn, genCnn, stepsCnn))
    if (hasTorch) rates$cnn$torch <- best(rates$cnn$torch, pytorchRate("cnn", 64, stepsCnn, 1))
    rates$deepsea$gdl <- best(rates$deepsea$gdl, gdlRate(mDeepsea, genDeepsea, stepsDeepsea))
    rates$cnn$mixed <- best(rates$cnn$mixed, gdlRate(mCnn, genCnn, stepsCnn, mixed = TRUE))
    rates$deepsea$mixed <- best(rates$deepsea$mixed,
                                gdlRate(mDeepsea, genDeepsea, stepsDeepsea, mixed = TRUE))
    if (hasTorch) rates$deepsea$torch <- best(rates$deepsea$torch,
                                              pytorchRate("deepsea", 16, stepsDeepsea, tasks))
}

## ---- loader alone -------------------------------------------------------------------------------
loaderRate <- function(gen, batches) {
    src <- GenomicDL:::.batchSource(gen)
    GenomicDL:::cpp_generator_time(src, 5, threads, 9)  # warm the caches
    t <- min(vapply(1:3, function(i) GenomicDL:::cpp_generator_time(src, batches, threads, i), 0))
    batches * GenomicDL:::cpp_source_info(src)$batchSize / t
}
loader <- c(cnn = loaderRate(genCnn, 100), deepsea = loaderRate(genDeepsea, 79))

## ---- prefetch threads against synchronous loading (cnnModel) ------------------------------------
sync <- gdlRate(mCnn, genCnn, stepsCnn, workers = 0L)
pre <- gdlRate(mCnn, genCnn, stepsCnn, workers = threads)

invisible(capture.output(suppressMessages(sit <- gdlSitrep())))
torchVersion <- sit$torch
cat(sprintf("CPU, %d intra-op threads (LibTorch %s), best of %d rounds\n", threads,
            torchVersion, rounds))
for (m in names(rates)) {
    label <- if (m == "cnn") sprintf("cnnModel (2001 bp, batch 64, %d steps)", stepsCnn) else
        sprintf("deepseaModel (1000 bp -> %d tasks, batch 16, %d steps)", tasks, stepsDeepsea)
    g <- rates[[m]]$gdl
    t <- rates[[m]]$torch
    cat(label, ":\n", sep = "")
    cat(sprintf("  GenomicDL + sequenceGenerator %.1f samples/s, PyTorch (synthetic tensors) %s samples/s, ratio %s\n",
                g[["wall"]], if (is.null(t)) "skipped" else sprintf("%.1f", t[["wall"]]),
                if (is.null(t)) "n/a" else sprintf("%.2f", g[["wall"]] / t[["wall"]])))
    cat(sprintf("  per CPU-second: GenomicDL %.1f samples, PyTorch %s samples, ratio %s\n",
                g[["cpu"]], if (is.null(t)) "skipped" else sprintf("%.1f", t[["cpu"]]),
                if (is.null(t)) "n/a" else sprintf("%.2f", g[["cpu"]] / t[["cpu"]])))
    mx <- rates[[m]]$mixed
    cat(sprintf("  mixedPrecision = TRUE (bfloat16 autocast) %.1f samples/s, ratio to float32 %.2f\n",
                mx[["wall"]], mx[["wall"]] / g[["wall"]]))
    cat(sprintf("  loader alone %.0f samples/s = %.0fx what training consumes\n",
                loader[[m]], loader[[m]] / g[["wall"]]))
}
cat(sprintf("cnnModel: synchronous loading %.1f samples/s, prefetch %.1f samples/s, ratio prefetch / synchronous %.2f\n",
            sync[["wall"]], pre[["wall"]], pre[["wall"]] / sync[["wall"]]))
