## Reliability of native I/O: handles under parallel use (forked and fresh workers), verified
## inputs (.fai, duplicate names, corrupt bigWig, damaged model archives) and no temporary
## files left behind by killed writers.

library(BiocParallel)

test_that("forked and batchtools workers after a multi-threaded LibTorch pass: no deadlock, results equal serial", {
    skip_if(Sys.which("timeout") == "", "no timeout command")
    skip_if_not_installed("batchtools")
    res <- runScript(c(
        "suppressMessages({library(GenomicDL); library(BiocParallel)})",
        sprintf("fa <- '%s'", fa),
        sprintf("bw <- c('%s', '%s')", bw1, bw2),
        sprintf("db <- '%s'", extdata("deepbind")),
        "m <- cnnModel(201)",
        "reg <- GRanges(c('chr1:1-20000', 'chr2:5001-25000', 'chr3:1-20000', 'chr1:40001-60000'))",
        "## a multi-threaded LibTorch pass in the parent (OpenMP pool started)",
        "ref <- predictRegions(m, fa, reg, step = 50, threads = 2, verbose = FALSE)$score",
        "cat('windows', length(ref), '\\n')",
        "for (k in 1:3) {",
        "  for (th in c(1, 2)) {",
        "    p <- predictRegions(m, fa, reg, step = 50, threads = th, verbose = FALSE,",
        "                        BPPARAM = MulticoreParam(2))$score",
        "    s <- predictRegions(m, fa, reg, step = 50, threads = 2, verbose = FALSE)$score",
        "    cat('multicore', k, th, identical(p, ref), identical(s, ref), '\\n')",
        "  }",
        "}",
        "## batchtools' multicore cluster functions fork too, and its workers rebuild the model",
        "## from the serialised object (a LibTorch pass before any GenomicDL call sets threads)",
        "## its registry in the session's temporary folder (the default is the working directory)",
        "bt <- BatchtoolsParam(workers = 2, cluster = 'multicore', progressbar = FALSE,",
        "                      registryargs = batchtoolsRegistryargs(file.dir = tempfile()))",
        "p <- suppressMessages(predictRegions(m, fa, reg, step = 50, threads = 2,",
        "                                     verbose = FALSE, BPPARAM = bt))$score",
        "cat('batchtools predictRegions', identical(p, ref), '\\n')",
        "## the other workloads, each job against the serial result",
        "g <- genomeSource(fa)",
        "set.seed(5)",
        "x <- GRanges(sample(c('chr1', 'chr2', 'chr3'), 500, TRUE), IRanges(sample(1:290000, 500), width = 201))",
        "gen <- sequenceGenerator(fa, bw, inputLength = 201, targetWindow = 10, batchSize = 16, seed = 3, threads = 1)",
        "models <- readDeepBind(c('D00410.003', 'D00328.003'), db = db)",
        "sreg <- GRanges(c('chr1:101-3000', 'chr2:1-2500'))",
        "work <- function(i) list(",
        "  onehot = oneHot(x, g, threads = 2),",
        "  attr = attributeBases(m, x[1:6], genome = g, method = 'deepliftshap', nReferences = 4, threads = 2),",
        "  ism = attributeBases(m, x[7:8], genome = g, method = 'ism', threads = 2),",
        "  batch = batch(gen, i),",
        "  deepbind = scanDeepBind(models, g, sreg, inputLength = 101, step = 20, BPPARAM = SerialParam()))",
        "w0 <- lapply(1:2, work)",
        "wm <- bplapply(1:2, work, BPPARAM = MulticoreParam(2))",
        "wb <- suppressMessages(bplapply(1:2, work, BPPARAM = bt))",
        "for (nm in names(w0[[1]])) {",
        "  cat('multicore', nm, identical(lapply(wm, `[[`, nm), lapply(w0, `[[`, nm)), '\\n')",
        "  cat('batchtools', nm, identical(lapply(wb, `[[`, nm), lapply(w0, `[[`, nm)), '\\n')",
        "}",
        "cat('done\\n')"), seconds = 600)
    expect_equal(res$status, 0L, info = paste(res$out, collapse = "\n"))
    expect_true("done" %in% trimws(res$out))
    mc <- grep("^multicore [0-9]", res$out, value = TRUE)
    expect_length(mc, 6L)
    expect_true(all(grepl("TRUE TRUE\\s*$", mc)), info = paste(mc, collapse = "\n"))
    n <- as.integer(sub("windows ", "", grep("^windows", res$out, value = TRUE)))
    expect_gt(n, 1000L)
    expect_true(any(grepl("^batchtools predictRegions TRUE", res$out)), info = paste(res$out, collapse = "\n"))
    for (nm in c("onehot", "attr", "ism", "batch", "deepbind"))
        for (be in c("multicore", "batchtools"))
            expect_true(any(grepl(paste0("^", be, " ", nm, " TRUE"), res$out)),
                        info = paste(c(be, nm, res$out), collapse = "\n"))
})

test_that("oneHot, generator batches and scanDeepBind in forked and socket workers equal serial", {
    g <- genomeSource(fa)
    set.seed(11)
    x <- GRanges(sample(c("chr1", "chr2", "chr3"), 3000, TRUE),
                 IRanges(sample(1:290000, 3000), width = 200))
    ref <- oneHot(x, g, threads = 1)
    ## the workers share the parent's open GenomeSource (and its faidx handles)
    par <- bplapply(1:10, function(i, x, g) oneHot(x, g, threads = 1), x = x, g = g,
                    BPPARAM = MulticoreParam(2))
    expect_equal(sum(vapply(par, identical, NA, ref)), 10L)
    expect_identical(oneHot(x, g, threads = 1), ref)   # and the parent still reads right

    ## a generator opened (FASTA pool, bigWig reader pool) in the parent
    gen <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 201, targetWindow = 10, batchSize = 32,
                             seed = 3, threads = 1)
    b0 <- lapply(1:8, function(i) batch(gen, i))
    for (trial in 1:3) {
        bm <- bplapply(1:8, function(i, gen) batch(gen, i), gen = gen, BPPARAM = MulticoreParam(2))
        expect_identical(bm, b0)
    }
    expect_identical(lapply(1:8, function(i) batch(gen, i)), b0)

    models <- readDeepBind(c("D00410.003", "D00328.003"), db = extdata("deepbind"))
    regions <- GRanges(c("chr1:101-3000", "chr2:1-2500", "chr3:501-4000"))
    s0 <- scanDeepBind(models, g, regions, inputLength = 101, step = 20, BPPARAM = SerialParam())
    for (trial in 1:3)
        expect_identical(scanDeepBind(models, g, regions, inputLength = 101, step = 20,
                                      BPPARAM = MulticoreParam(2)), s0)

    ## fresh (socket) workers: the same objects reach them serialised
    snow <- startTurn(SnowParam(2))  # after the forked runs (helper-data.R)
    sn <- bplapply(1:4, function(i, x, g) GenomicDL::oneHot(x, g, threads = 1), x = x, g = g,
                   BPPARAM = snow)
    expect_equal(sum(vapply(sn, identical, NA, ref)), 4L)
    bs <- bplapply(1:8, function(i, gen) GenomicDL::batch(gen, i), gen = gen, BPPARAM = snow)
    expect_identical(bs, b0)
    expect_identical(scanDeepBind(models, g, regions, inputLength = 101, step = 20, BPPARAM = snow), s0)
})

test_that("predictRegions in socket workers equals serial", {
    m <- cnnModel(201)
    reg <- GRanges(c("chr1:1-20000", "chr2:5001-25000", "chr3:1-20000"))
    ref <- predictRegions(m, fa, reg, step = 50, threads = 1, verbose = FALSE)
    g <- genomeSource(fa)
    x <- GRanges(c("chr1:1001-1201", "chr2:3001-3201", "chr3:501-701"))
    a0 <- attributeBases(m, x, genome = g, method = "deepliftshap", nReferences = 4, threads = 1)
    i0 <- attributeBases(m, x[1], genome = g, method = "ism", threads = 1)
    snow <- startTurn(SnowParam(2))
    for (trial in 1:2) {
        p <- predictRegions(m, fa, reg, step = 50, threads = 1, verbose = FALSE, BPPARAM = snow)
        expect_identical(p$score, ref$score)
        expect_identical(granges(p), granges(ref))
    }
    ## attributions: the model crosses to the fresh workers as its serialised copy
    sa <- bplapply(1:2, function(i, m, x, g) list(
        GenomicDL::attributeBases(m, x, genome = g, method = "deepliftshap", nReferences = 4,
                                  threads = 1),
        GenomicDL::attributeBases(m, x[1], genome = g, method = "ism", threads = 1)),
        m = m, x = x, g = g, BPPARAM = snow)
    for (r in sa) {
        expect_identical(r[[1L]], a0)
        expect_identical(r[[2L]], i0)
    }
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Verified inputs
###

writeFasta <- function(path, lines) writeLines(lines, path)
touchOlder <- function(path, secs = 60) Sys.setFileTime(path, Sys.time() - secs)

test_that("a .fai older than its FASTA, or disagreeing with it, is rebuilt or an error", {
    d <- tempfile(); dir.create(d)
    f <- file.path(d, "g.fa")
    writeFasta(f, c(">chr1 first", "ACGTACGTAC", "GTAC", ">chr2", "GGGGCCCC"))
    g <- genomeSource(f)
    expect_equal(as.numeric(seqlengths(g)), c(14, 8))
    ## the FASTA is replaced by another genome; the old index stays (older than the FASTA)
    fai <- paste0(f, ".fai")
    touchOlder(fai)
    writeFasta(f, c(">chr1", "TACGTACGTACGTAC", ">chr2", "CCCCGGGGAA"))
    expect_gdl_error(genomeSource(f, buildIndex = FALSE), "older than the FASTA")
    g <- genomeSource(f)
    expect_equal(as.numeric(seqlengths(g)), c(15, 10))
    expect_equal(unname(as.character(getSequence(g, GRanges("chr2:1-10")))), "CCCCGGGGAA")
    expect_equal(readLines(fai), c("chr1\t15\t6\t15\t16", "chr2\t10\t28\t10\t11"))
    ## an index newer than the FASTA but with wrong lengths (one base short, one long)
    for (bad in list(c("chr1\t14\t6\t15\t16", "chr2\t10\t28\t10\t11"),
                     c("chr1\t15\t6\t15\t16", "chr2\t11\t28\t10\t11"),
                     c("chr2\t15\t6\t15\t16", "chr1\t10\t28\t10\t11"))) {
        writeLines(bad, fai)
        expect_gdl_error(genomeSource(f, buildIndex = FALSE), "disagrees with it")
        g <- genomeSource(f)
        expect_equal(as.numeric(seqlengths(g)), c(15, 10))
        expect_equal(seqnames(seqinfo(g)), c("chr1", "chr2"))
        expect_equal(readLines(fai), c("chr1\t15\t6\t15\t16", "chr2\t10\t28\t10\t11"))
    }
    ## bgzip FASTA: a .gzi/.fai left from before is rebuilt as well
    z <- file.path(d, "big.fa")
    file.copy(fa, z)
    zz <- Rsamtools::bgzip(z, paste0(z, ".gz"))
    gz <- genomeSource(zz)
    expect_equal(seqlengths(gz), seqlengths(genomeSource(fa)))
    touchOlder(paste0(zz, ".fai"))
    touchOlder(paste0(zz, ".gzi"))
    expect_gdl_error(genomeSource(zz, buildIndex = FALSE), "older than the FASTA")
    gz <- genomeSource(zz)
    expect_identical(getSequence(gz, GRanges("chr3:299001-299100")),
                     getSequence(fa, GRanges("chr3:299001-299100")))
})

test_that("duplicate sequence names in a FASTA are an error naming the name", {
    d <- tempfile(); dir.create(d)
    f <- file.path(d, "dup.fa")
    writeFasta(f, c(">chr1", "ACGT", ">chr2", "GG", ">chr1 again", "TTTT"))
    expect_gdl_error(suppressWarnings(genomeSource(f)), "two sequences named 'chr1'")
    writeFasta(f, c(">chrA", "ACGT", ">chrB", "GG", ">chrB", "TTTT", ">chrC", "AA"))
    unlink(paste0(f, ".fai"))
    expect_gdl_error(suppressWarnings(genomeSource(f)), "two sequences named 'chrB'")
})

corruptCopy <- function(path, at = 0.5, bytes = 2048L) {
    f <- tempfile(fileext = paste0(".", tools::file_ext(path)))
    file.copy(path, f)
    con <- file(f, "r+b")
    seek(con, floor(file.size(f) * at), rw = "write")
    writeBin(raw(bytes), con)
    close(con)
    f
}

test_that("bigWig read errors are GenomicDL errors naming the file and region, never NaN", {
    bad <- corruptCopy(bw1)   # 2 kB overwritten in the middle: a data block of chr2
    ok <- trackValues(bw1, GRanges("chr1:1-700000"))
    expect_identical(trackValues(bad, GRanges("chr1:1-700000")), ok)   # chr1's blocks intact
    err <- tryCatch(trackValues(bad, GRanges("chr2:1-500000")), error = identity)
    expect_s3_class(err, "GenomicDL_error")
    expect_match(conditionMessage(err), basename(bad), fixed = TRUE)
    expect_match(conditionMessage(err), "chr2:1-500000", fixed = TRUE)
    expect_gdl_error(trackValues(bad, GRanges("chr2:1-500000"), bins = 10), "read error")
    ## as generator annotations: the error comes when the file is read, never wrong labels
    expect_gdl_error({
        gen <- sequenceGenerator(fa, bad, inputLength = 201, targetWindow = 10, batchSize = 64,
                                 chromosomes = "chr2", seed = 1, threads = 1)
        for (i in seq_len(length(gen))) batch(gen, i)
    }, "bigWig")
})

test_that("a damaged model archive is a GenomicDL error; an intact one loads the same weights", {
    m <- cnnModel(201)
    f <- tempfile(fileext = ".gdlm")
    saveModel(m, f)
    m2 <- loadModel(f)
    x <- oneHot(getSequence(fa, GRanges(c("chr1:1001-1201", "chr2:501-701"))))
    expect_identical(predict(m2, x), predict(m, x))
    a <- readRDS(f)
    expect_identical(a$weightsSha256, digest::digest(a$weights, algo = "sha256", serialize = FALSE))
    ## 200 zeroed bytes in the weights, archive otherwise well-formed
    mid <- length(a$weights) %/% 2L
    a$weights[mid + 0:199] <- as.raw(0L)
    g <- tempfile(fileext = ".gdlm")
    saveRDS(a, g)
    expect_gdl_error(loadModel(g), "checksum of its weights does not match")
    ## 200 zeroed bytes in the middle of the file
    h <- corruptCopy(f, at = 0.5, bytes = 200L)
    expect_error(loadModel(h), class = "GenomicDL_error")
    saveRDS(local({a <- readRDS(f); a$weights <- NULL; a}), g)
    expect_gdl_error(loadModel(g), "has no weights")
})

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Nothing left behind
###

## pid of a process that has exited, and of one that is alive (a sleeping child).
deadPid <- function() as.integer(system("sh -c 'echo $$'", intern = TRUE))

test_that("stale temporary files of dead writers are removed on the next write; live ones kept", {
    d <- tempfile(); dir.create(d)
    live <- as.integer(system("sleep 60 > /dev/null 2>&1 & echo $!", intern = TRUE))
    on.exit(tools::pskill(live), add = TRUE)
    dead <- deadPid()
    expect_false(dead == live)
    writers <- list(
        gdlm = function(p) saveModel(cnnModel(201), p),
        bw = function(p) exportTrack(GRanges("chr1:1-100", score = 1,
                                             seqinfo = Seqinfo("chr1", 1000)), p),
        meme = function(p) writeMEME(readMEME(extdata("example_motifs.meme")), p))
    for (ext in names(writers)) {
        target <- file.path(d, paste0("out.", ext))
        stale <- paste0(target, ".tmp", dead, ".Ab12Cd")
        kept <- paste0(target, ".tmp", live, ".Xy34Zw")
        other <- file.path(d, paste0("other.", ext, ".tmp", dead, ".Qr56St"))
        file.create(c(stale, kept, other))
        writers[[ext]](target)
        expect_true(file.exists(target))
        expect_false(file.exists(stale), info = ext)
        expect_true(file.exists(kept), info = ext)
        expect_true(file.exists(other), info = ext)   # another target's files are not touched
        ## and a write leaves no temporary file of its own
        expect_identical(sort(list.files(d, pattern = paste0("^out\\.", ext))),
                         sort(c(basename(target), basename(kept))))
    }
})
