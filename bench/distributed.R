## Benchmark: data-parallel training (fitDistributed(), c10d Gloo over 127.0.0.1) against one
## process, in the same script, on the same global batch (so the same samples per step):
##   baseline   1 rank,  batch 2 B, 2 threads (LibTorch and loader)
##   data par.  2 ranks, batch B each, 1 thread per rank
## so both use the machine's 2 cores. Figures: training samples/s of the last epoch (the
## core's epoch time: R start-up and the rendezvous are not counted), the ratio, and the
## gradient all-reduce time per step (rank 0, waits for the slower rank included), for
## cnnModel and deepseaModel (parameter counts printed).
## Run: R_LIBS=build/Rlib OMP_WAIT_POLICY=PASSIVE Rscript bench/distributed.R [steps] [cnn|deepsea]
suppressPackageStartupMessages(library(GenomicDL))
steps <- as.integer(commandArgs(TRUE)[1L])
if (is.na(steps)) steps <- 30L
fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
bed <- system.file("extdata", "example_peaks_cell1.bed", package = "GenomicDL")
B <- 32L

gen <- function(batch, seqLen)
    sequenceGenerator(fa, bed, annotationTypes = "CTCF", inputLength = seqLen, negativeRatio = 1,
                      augmentation = TRUE, batchSize = batch, seed = 1)

## Samples/s of the last of 2 epochs and the all-reduce seconds per step.
lastEpoch <- function(m, s) {
    h <- as.data.frame(trainingHistory(m))
    e <- h[nrow(h), ]
    c(rate = e$samples / e$seconds,
      allreduce = if (is.null(e$allreduce_seconds)) NA else e$allreduce_seconds / s)
}

run <- function(name, model, seqLen, steps) {
    g1 <- gen(2L * B, seqLen)
    g2 <- gen(B, seqLen)
    s <- steps  # past an epoch's batches the loader goes on into the next epoch's
    m1 <- model()
    options(GenomicDL.threads = 2L)
    fit(m1, g1, epochs = 2, stepsPerEpoch = s, verbose = FALSE)
    one <- lastEpoch(m1, s)
    m2 <- model()
    fitDistributed(m2, g2, ranks = 2, threads = 1, epochs = 2, stepsPerEpoch = s, verbose = FALSE)
    two <- lastEpoch(m2, s)
    cat(sprintf("%-8s %3d steps of %d: 1 rank x 2 threads %7.0f samples/s | 2 ranks x 1 thread %7.0f samples/s | ratio %.2f | all-reduce %.2f ms/step (%.0f%% of a step)\n",
                name, s, 2L * B, one[["rate"]], two[["rate"]], two[["rate"]] / one[["rate"]],
                1000 * two[["allreduce"]], 100 * two[["allreduce"]] * two[["rate"]] / (2 * B)))
}

cat("parameters: cnnModel(201)", countParams(cnnModel(201)), "; deepseaModel(1000)",
    countParams(deepseaModel(1000, outputs = 1)), "\n")
which <- commandArgs(TRUE)[2L]
if (is.na(which) || which == "cnn")
    run("cnn", function() cnnModel(201, activation = "sigmoid"), 201, steps)
if (is.na(which) || which == "deepsea")
    run("deepsea", function() deepseaModel(1000, outputs = 1), 1000, max(4L, steps %/% 5L))
