## Data-parallel training on LibTorch's c10d (Gloo over 127.0.0.1, this CPU-only machine):
## 2 ranks of batch B against one process of batch 2 B, the shards of an epoch, configuration
## from a scheduler's environment, and faults (a rendezvous that times out, a rank killed during
## training), each bounded in time: the launches run under `timeout` in a fresh R.

haveGloo <- function() "gloo" %in% GenomicDL:::cpp_distributed_backends("cpu")$available

## The value printed on the line "<key> <value>" of a script's output.
valueOf <- function(out, key) {
    line <- grep(paste0("^", key, " "), out, value = TRUE)
    if (!length(line)) return(NA)
    sub(paste0("^", key, " "), "", line[length(line)])
}

## The script lines defining the data and model both sides of a comparison use.
setupLines <- function() c(
    "suppressMessages(library(GenomicDL))",
    "options(GenomicDL.threads = 1)",
    sprintf("fa <- '%s'; bed <- '%s'", fa, bed1),
    "gen <- function(b) sequenceGenerator(fa, bed, annotationTypes = 'CTCF', inputLength = 101,",
    "                                     negativeRatio = 1, batchSize = b, seed = 5)",
    "mk <- function() sequentialModel(c(101, 4), list(layerConv1d(8, 9, activation = 'relu'),",
    "    layerGlobalMaxPool1d(), layerDense(1, activation = 'sigmoid')))",
    "values <- function(m) GenomicDL:::cpp_model_values(GenomicDL:::.modelPtr(m))")

test_that("shards: disjoint, covering the epoch, the samples of one process of batch 2 B", {
    g8 <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 101, negativeRatio = 1,
                            batchSize = 8, seed = 5)
    g16 <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 101, negativeRatio = 1,
                             batchSize = 16, seed = 5)
    p8 <- GenomicDL:::.generatorPtr(g8)
    shards <- lapply(0:1, function(r) GenomicDL:::cpp_shard_source(p8, r, 2L))
    steps <- GenomicDL:::cpp_source_info(shards[[1]])$batches
    expect_equal(steps, length(g8) %/% 2)
    expect_equal(GenomicDL:::cpp_source_info(shards[[2]])$batches, steps)
    expect_gt(steps, 2)
    for (epoch in 0:1) {
        seen <- integer()
        for (g in seq_len(steps) - 1) {
            x <- lapply(shards, function(s) GenomicDL:::cpp_generator_batch(s, epoch, g, TRUE)$x)
            y <- lapply(shards, function(s) GenomicDL:::cpp_generator_batch(s, epoch, g, TRUE)$y[[1]])
            expect_equal(dim(x[[1]]), c(8L, 101L, 4L))
            whole <- batch(g16, g + 1, epoch = epoch + 1)
            ## rank 0 takes the first 8 samples of global step g, rank 1 the next 8
            expect_identical(whole$x[1:8, , ], x[[1]])
            expect_identical(whole$x[9:16, , ], x[[2]])
            expect_identical(as.vector(whole$y), c(as.vector(y[[1]]), as.vector(y[[2]])))
            seen <- c(seen, GenomicDL:::.batchWindows(g16, g + 1, epoch = epoch + 1)$sample)
        }
        expect_false(anyDuplicated(seen) > 0)          # no sample twice in an epoch
        expect_length(seen, steps * 16)                  # every full global batch
    }
    expect_gdl_error(GenomicDL:::.native(GenomicDL:::cpp_shard_source(p8, 2L, 2L)), "rank must be")
})

test_that("distributedConfig: arguments, SLURM / torchrun environment, bad values", {
    cfg <- distributedConfig(rank = 1, worldSize = 4, masterPort = 29511, timeout = 5)
    expect_s4_class(cfg, "DistributedConfig")
    expect_identical(c(cfg@rank, cfg@worldSize, cfg@localRank, cfg@masterPort), c(1L, 4L, 1L, 29511L))
    expect_identical(cfg@masterAddr, "127.0.0.1")
    expect_output(show(cfg), "rank 1 of 4")
    vars <- c("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_PROCID",
              "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NNODES")
    old <- Sys.getenv(vars, unset = NA)
    on.exit({
        for (v in vars) if (is.na(old[[v]])) Sys.unsetenv(v) else do.call(Sys.setenv, as.list(old[v]))
    })
    Sys.unsetenv(vars)
    expect_gdl_error(distributedConfig(), "rank and worldSize are missing")
    Sys.setenv(SLURM_PROCID = "5", SLURM_NTASKS = "8", SLURM_LOCALID = "1", SLURM_NNODES = "2")
    expect_gdl_error(distributedConfig(), "MASTER_ADDR is not set")
    Sys.setenv(MASTER_ADDR = "node01", MASTER_PORT = "12345")
    s <- distributedConfig()
    expect_identical(list(s@rank, s@worldSize, s@localRank, s@masterAddr, s@masterPort),
                     list(5L, 8L, 1L, "node01", 12345L))
    Sys.setenv(RANK = "2", WORLD_SIZE = "3")  # torchrun's names first
    expect_identical(distributedConfig()@rank, 2L)
    Sys.unsetenv(vars)
    expect_gdl_error(distributedConfig(rank = 2, worldSize = 2), "rank must be a whole number in \\[0, 1\\], not 2")
    expect_gdl_error(distributedConfig(rank = 0, worldSize = 2, masterPort = 70000), "masterPort")
    expect_gdl_error(distributedConfig(rank = 0, worldSize = 2, timeout = 0), "timeout")
    expect_gdl_error(distributedConfig(rank = 0, worldSize = 2, backend = "mpi"), "backend must be one of")
    m <- sequentialModel(c(10, 4), list(layerFlatten(), layerDense(1, activation = "sigmoid")))
    x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT"))
    expect_gdl_error(fit(m, x, y = c(1, 0, 1, 0), distributed = "rank 0", verbose = FALSE),
                     "distributedConfig")
    expect_gdl_error(fitDistributed(m, list(x = x, y = c(1, 0, 1, 0)), distributed = cfg),
                     "sets distributed itself")
    expect_gdl_error(fitDistributed(m, list(x = x, y = c(1, 0, 1, 0)), ranks = 0), "ranks")
})

test_that("a rank alone: one rank is plain training; a rendezvous that times out is an error", {
    skip_if_not(haveGloo(), "built without c10d's Gloo (libgloo-dev)")
    x <- oneHot(c("ACGTACGTAC", "TTTTACGTTT", "GGGGCCCCAA", "ACGTTTTTTT", "ACGTACGGGG", "CCCCACGTTT"))
    y <- c(1, 0, 1, 0, 1, 0)
    mk <- function() sequentialModel(c(10, 4), list(layerConv1d(4, 3, activation = "relu"),
                                                    layerGlobalMaxPool1d(), layerDense(1, activation = "sigmoid")))
    a <- mk()
    b <- mk()
    ha <- fit(a, x, y = y, epochs = 2, batchSize = 3, verbose = FALSE)
    one <- distributedConfig(rank = 0, worldSize = 1, masterPort = GenomicDL:::.freePort())
    hb <- fit(b, x, y = y, epochs = 2, batchSize = 3, verbose = FALSE, distributed = one)
    expect_equal(hb$loss, ha$loss, tolerance = 1e-6)
    expect_true(all(hb$allreduce_seconds >= 0))
    va <- GenomicDL:::cpp_model_values(GenomicDL:::.modelPtr(a))
    vb <- GenomicDL:::cpp_model_values(GenomicDL:::.modelPtr(b))
    expect_equal(vb, va, tolerance = 1e-6)
    ## a group of 2 where the other rank never comes: an error within the timeout, either side
    for (r in 0:1) {
        cfg <- distributedConfig(rank = r, worldSize = 2, masterPort = GenomicDL:::.freePort(), timeout = 2)
        t0 <- Sys.time()
        expect_gdl_error(fit(mk(), x, y = y, batchSize = 3, verbose = FALSE, distributed = cfg),
                         paste0("rank ", r, " of 2.*rendezvous"))
        expect_lt(as.numeric(difftime(Sys.time(), t0, units = "secs")), 6)
    }
    expect_gdl_error(fit(mk(), x, y = y, batchSize = 3, verbose = FALSE,
                         distributed = distributedConfig(0, 1, masterPort = GenomicDL:::.freePort(),
                                                         backend = "nccl")),
                     "nccl")
    expect_output(s <- gdlSitrep(), "distributed: gloo")
    expect_identical(s$distributed, "gloo")
})

test_that("2 ranks of batch B end with the weights of one process of batch 2 B (1e-5)", {
    skip_if_not(haveGloo(), "built without c10d's Gloo (libgloo-dev)")
    skip_if(Sys.which("timeout") == "", "no timeout command")
    res <- runScript(c(setupLines(),
        "m1 <- mk(); m2 <- mk(); v0 <- values(mk())",
        "stopifnot(identical(values(m1), values(m2)))",
        "args <- list(epochs = 2, stepsPerEpoch = 3, learningRate = 0.01, metrics = 'mse', seed = 3)",
        "h1 <- do.call(fit, c(list(m1, gen(16), verbose = FALSE), args))",
        "do.call(fitDistributed, c(list(m2, gen(8), ranks = 2, timeout = 60, verbose = FALSE), args))",
        "h2 <- trainingHistory(m2)",
        "v1 <- values(m1); v2 <- values(m2)",
        "rel <- max(mapply(function(a, b) max(abs(a - b)) / max(abs(a)), v1, v2))",
        "cat('rel', rel, '\\n')",
        "cat('moved', max(mapply(function(a, b) max(abs(a - b)), v1, v0)), '\\n')",
        "cat('loss', max(abs(h1$loss - h2$loss) / h1$loss), '\\n')",
        "cat('mse', max(abs(h1$mse - h2$mse) / h1$mse), '\\n')",
        "cat('samples', h1$samples, h2$samples, '\\n')",
        "cat('allreduce', all(h2$allreduce_seconds > 0), '\\n')",
        "cat('done\\n')"), seconds = 300)
    info <- paste(res$out, collapse = "\n")
    expect_equal(res$status, 0L, info = info)
    expect_lt(as.numeric(valueOf(res$out, "rel")), 1e-5)
    expect_gt(as.numeric(valueOf(res$out, "moved")), 1e-3)   # training moved the weights
    expect_lt(as.numeric(valueOf(res$out, "loss")), 1e-5)    # the history is over both ranks
    expect_lt(as.numeric(valueOf(res$out, "mse")), 1e-5)
    expect_identical(valueOf(res$out, "samples"), "48 48 48 48 ")  # 3 steps x 16, per epoch
    expect_identical(valueOf(res$out, "allreduce"), "TRUE ")
})

test_that("a rank killed during training: GenomicDL_error naming it, within the timeout; the checkpoint loads", {
    skip_if_not(haveGloo(), "built without c10d's Gloo (libgloo-dev)")
    skip_if(Sys.which("timeout") == "", "no timeout command")
    res <- runScript(c(setupLines(),
        "dir <- tempfile('ranks'); ck <- tempfile(fileext = '.gdlm')",
        "## once rank 0 has written its first checkpoint, rank 1 is killed (SIGKILL)",
        "killer <- sprintf(paste0(\"t0 <- Sys.time(); while (!file.exists('%s') && Sys.time() - t0 < 120) \",",
        "                         \"Sys.sleep(0.05); Sys.sleep(0.5); \",",
        "                         \"tools::pskill(as.integer(readLines('%s')), tools::SIGKILL)\"),",
        "                  ck, file.path(dir, 'rank1.pid'))",
        "system2(file.path(R.home('bin'), 'Rscript'), c('-e', shQuote(killer)), wait = FALSE)",
        "m <- mk()",
        "r <- tryCatch(fitDistributed(m, gen(8), ranks = 2, epochs = 500, timeout = 20, logDir = dir,",
        "                             callbacks = list(modelCheckpoint(ck, saveBestOnly = FALSE)),",
        "                             verbose = FALSE), error = function(e) e)",
        "killedAt <- file.mtime(ck)",
        "cat('class', class(r), '\\n')",
        "cat('message', gsub('\\n', ' ', conditionMessage(r)), '\\n')",
        "cat('after', as.numeric(difftime(Sys.time(), killedAt, units = 'secs')), '\\n')",
        "c1 <- loadModel(ck)",
        "cat('epochs', nrow(trainingHistory(c1)), '\\n')",
        "p <- predict(c1, batch(gen(8), 1)$x)",
        "cat('finite', all(is.finite(p)), '\\n')",
        "cat('done\\n')"), seconds = 300)
    info <- paste(res$out, collapse = "\n")
    expect_equal(res$status, 0L, info = info)
    expect_match(valueOf(res$out, "class"), "GenomicDL_error", info = info)
    msg <- valueOf(res$out, "message")
    expect_match(msg, "rank 1 was killed (signal 9)", fixed = TRUE, info = info)
    expect_match(msg, "rank 0: .*rank 0 of 2", info = info)
    ## the failure is reported well within the collective timeout (20 s) plus the launcher's
    ## grace: Gloo sees the closed connection at rank 0's next all-reduce
    expect_lt(as.numeric(valueOf(res$out, "after")), 20)
    expect_gte(as.integer(valueOf(res$out, "epochs")), 1L)
    expect_identical(valueOf(res$out, "finite"), "TRUE ")
})
