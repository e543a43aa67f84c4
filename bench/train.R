## Training throughput (samples/s) of keras_dna's CNN (2001 bp, batch 64) on the CPU, with the
## batch loader's prefetch threads on versus batches filled synchronously on the training
## thread, in the same script. Data: shuffled in-memory one-hot arrays (ArraySource).
## Prints both figures and the ratio prefetch / synchronous.
suppressMessages(library(GenomicDL))
set.seed(1)
n <- as.integer(Sys.getenv("GDL_BENCH_N", "1024"))
len <- 2001
s <- vapply(seq_len(n), function(i) paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = ""), "")
x <- oneHot(s)
y <- rnorm(n)
run <- function(workers) {
    m <- cnnModel(len)
    fit(m, x, y, epochs = 1, batchSize = 64, verbose = FALSE, workers = 0, stepsPerEpoch = 2)  # warm-up
    t <- system.time(h <- fit(m, x, y, epochs = 2, batchSize = 64, verbose = FALSE,
                              workers = workers))[["elapsed"]]
    sum(h$samples[-1]) / sum(h$seconds[-1])
}
sync <- run(0L)
pre <- run(2L)
cat(sprintf("cnnModel (2001 bp, batch 64), CPU, %d threads: synchronous %.0f samples/s, prefetch %.0f samples/s\n",
            GenomicDL:::.threads(), sync, pre))
cat(sprintf("ratio prefetch / synchronous: %.2f\n", pre / sync))
