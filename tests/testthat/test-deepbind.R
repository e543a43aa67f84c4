## DeepBind: reading models, scoring as the original v0.11 program, scanning genomes.

dbDir <- function() extdata("deepbind")
exampleModels <- function()
    readDeepBind(c("D00210.001", "D00120.001", "D00410.003", "D00328.003"), db = dbDir())

readTable <- function(path) {
    x <- as.matrix(utils::read.delim(path, check.names = FALSE, colClasses = "numeric"))
    dimnames(x) <- list(NULL, colnames(x))
    x
}

test_that("readDeepBind reads files and IDs, with the db.tsv description", {
    m <- readDeepBind(file.path(dbDir(), "params", "D00328.003.txt"))
    expect_s4_class(m, "DeepBindModel")
    expect_equal(m@id, "D00328.003")
    expect_equal(m@params$detector_len, 20L)
    expect_true(m@params$reverse_complement)
    expect_length(m@params$detectors, 16 * 20 * 4)
    out <- capture.output(show(m))
    expect_true(any(grepl("protein: CTCF", out)))
    expect_true(any(grepl("experiment: SELEX", out)))
    expect_true(any(grepl("type: TF", out)))
    ml <- exampleModels()
    expect_s4_class(ml, "DeepBindModelList")
    expect_equal(names(ml), c("D00210.001", "D00120.001", "D00410.003", "D00328.003"))
    out <- capture.output(show(ml))
    expect_true(any(grepl("RBFOX1 +RBP +RNAcompete", out)))
    expect_true(any(grepl("max\\+avg pooling, 32 hidden units", out)))
    expect_gdl_error(readDeepBind("D00328.003"), "needs db")
    expect_gdl_error(readDeepBind("D99999.001", db = dbDir()), "no params file")
    expect_gdl_error(readDeepBind("nonsense"), "neither a DeepBind params file nor a model ID")
})

test_that("malformed params files give errors naming the file and the field", {
    f <- tempfile(fileext = ".txt")
    txt <- readLines(file.path(dbDir(), "params", "D00410.003.txt"))
    writeLines(sub("^thresholds = [^,]*,", "thresholds = ", txt), f)
    expect_gdl_error(readDeepBind(f), paste0(basename(f), ".*'thresholds' has 15 values, expected 16"))
    writeLines(sub("^num_hidden = 0", "num_hidden = x", txt), f)
    expect_gdl_error(readDeepBind(f), "'num_hidden' should be an integer")
})

test_that("the published v0.11 example table is reproduced", {
    ## upstream README v0.11: deepbind example.ids < example.seq
    published <- rbind(c(7.451420, -0.166146, -0.408751, -0.026180),
                       c(-0.155398, 4.113817, 0.516956, -0.248167),
                       c(-0.140683, 0.181295, 5.885349, -0.026180),
                       c(-0.174985, -0.152521, -0.379695, 17.682623))
    seqs <- readLines(file.path(dbDir(), "example.seq"))
    for (method in c("fast", "reference")) {
        s <- deepbindScore(exampleModels(), seqs, method = method)
        expect_equal(colnames(s), c("D00210.001", "D00120.001", "D00410.003", "D00328.003"))
        expect_lte(max(abs(unname(s) - published)), 2e-6)
    }
    skip_if_no_shared("deepbind", "expected", "example_v011.tsv")
    expect_lte(max(abs(readTable(sharedData("deepbind", "expected", "example_v011.tsv")) -
                       deepbindScore(exampleModels(), seqs))), 2e-6)
})

test_that("the original's outputs for 34 test sequences x 16 models are reproduced", {
    skip_if_no_shared("deepbind", "expected", "testseqs_default.tsv")
    want <- readTable(sharedData("deepbind", "expected", "testseqs_default.tsv"))
    seqs <- readLines(sharedData("deepbind", "inputs", "test_seqs.seq"))
    models <- readDeepBind(colnames(want), db = sharedData("deepbind"))
    fast <- deepbindScore(models, seqs)
    expect_equal(dim(fast), c(34L, 16L))
    expect_lte(max(abs(fast - want)), 2e-6)
    ref <- deepbindScore(models, seqs[nchar(seqs) <= 200], method = "reference")
    expect_identical(ref, fast[nchar(seqs) <= 200, ])
    ## the same sequences read from FASTA (U, N, lower case: a BStringSet; no 999-base one)
    fa <- Biostrings::readBStringSet(sharedData("deepbind", "inputs", "test_seqs.fa"))
    fromFasta <- deepbindScore(models, fa)
    expect_equal(rownames(fromFasta), names(fa))
    expect_identical(unname(fromFasta), unname(fast[match(as.character(fa), seqs), ]))
})

test_that("DeepBindToKeras' flank-padded outputs are reproduced with padding = 'flank'", {
    keras <- rbind(c(7.059108, -0.187212, -0.649447, -0.026180),
                   c(-0.172609, 4.295672, 0.666795, -0.910773),
                   c(-0.140683, 0.181295, 5.885349, -0.026180),
                   c(-0.174985, -0.152521, -0.379695, 17.682623))
    s <- deepbindScore(exampleModels(), readLines(file.path(dbDir(), "example.seq")), padding = "flank")
    expect_lte(max(abs(unname(s) - keras)), 1e-5)
})

test_that("fast and reference paths agree exactly under every option", {
    set.seed(3)
    rand <- function(n, pN = 0) {
        b <- sample(c("A", "C", "G", "T"), n, TRUE)
        b[runif(n) < pN] <- "N"
        paste(b, collapse = "")
    }
    seqs <- c(vapply(c(5, 20, 31, 45, 101, 160), rand, ""), rand(90, 0.2),
              strrep("GATA", 30), "TACCACTAGGGGGCGCCACCTACCACTAGGGGGCGCCACC")
    models <- exampleModels()
    opts <- list(list(), list(average = TRUE), list(deepbindWindow = 10), list(deepbindWindow = 60),
                 list(padding = "flank"), list(strands = "both"), list(strands = "forward", average = TRUE))
    for (o in opts) {
        fast <- do.call(deepbindScore, c(list(models, seqs), o))
        ref <- do.call(deepbindScore, c(list(models, seqs, method = "reference"), o))
        expect_identical(fast, ref)
    }
})

test_that("sequence classes, case, U and strands", {
    models <- exampleModels()
    s <- c(a = "GAGGTTACGCGGCAAGATAAGATAAGGCGTT", b = "AGACAGAGCUUCCAUCAGCGCUAGCAGCAGAGACCAUU")
    ref <- deepbindScore(models, s)
    expect_equal(rownames(ref), c("a", "b"))
    expect_identical(deepbindScore(models, tolower(s)), ref)
    dna <- Biostrings::DNAStringSet(chartr("U", "T", s))
    expect_identical(unname(deepbindScore(models, dna)), unname(ref))
    rna <- Biostrings::RNAStringSet(chartr("T", "U", s))
    expect_identical(unname(deepbindScore(models, rna)), unname(ref))
    ## strands: "both" is the larger of the forward scores of the sequence and its reverse complement
    rc <- as.character(Biostrings::reverseComplement(dna))
    fwd <- deepbindScore(models, c(as.character(dna), rc), strands = "forward")
    both <- deepbindScore(models, as.character(dna), strands = "both")
    expect_identical(unname(both), unname(pmax(fwd[1:2, ], fwd[3:4, ])))
    ## "model": DNA models (rc = 1) score both strands, RNA models the forward strand
    model <- deepbindScore(models, as.character(dna))
    expect_identical(model[, 3:4], both[, 3:4])
    expect_identical(unname(model[, 1:2]), unname(fwd[1:2, 1:2]))
})

test_that("average divides the sum of window scores by the sequence length", {
    models <- readDeepBind("D00410.003", db = dbDir())
    set.seed(5)
    s <- paste(sample(c("A", "C", "G", "T"), 80, TRUE), collapse = "")
    W <- 30  # int(1.5 x 20)
    windows <- substring(s, 1:(80 - W + 1), W:80)
    each <- deepbindScore(models, windows, strands = "forward")[, 1]
    expect_equal(unname(deepbindScore(models, s, average = TRUE, strands = "forward")[1, 1]),
                 sum(each) / 80, tolerance = 1e-6)
    expect_equal(unname(deepbindScore(models, s, strands = "forward")[1, 1]), max(each))
    ## both strands: the larger of the two strands' averages
    rc <- as.character(Biostrings::reverseComplement(Biostrings::DNAString(s)))
    rcEach <- deepbindScore(models, substring(rc, 1:(80 - W + 1), W:80), strands = "forward")[, 1]
    expect_equal(unname(deepbindScore(models, s, average = TRUE)[1, 1]),
                 max(sum(each), sum(rcEach)) / 80, tolerance = 1e-6)
    ## a sequence no longer than the window is scored once, undivided
    expect_identical(deepbindScore(models, windows[1], average = TRUE), deepbindScore(models, windows[1]))
})

test_that("no length limit; invalid characters are errors naming sequence and position", {
    models <- exampleModels()
    set.seed(9)
    long <- paste(sample(c("A", "C", "G", "T"), 2500, TRUE), collapse = "")
    expect_true(all(is.finite(deepbindScore(models, long))))
    expect_gdl_error(deepbindScore(models, c(ok = "ACGT", bad = "ACGXT")),
                     "sequence 2 \\('bad'\\) has an invalid character 'X' at position 4")
    expect_gdl_error(deepbindScore(models, c("ACGT", "")), "sequence 2 is empty")
    expect_gdl_error(deepbindScore(models, "ACGT", deepbindWindow = 0), "deepbindWindow must be a whole number >= 1")
    expect_gdl_error(deepbindScore(models, 1:3), "x must be")
})

test_that("GRanges with a genome give a SummarizedExperiment", {
    fa <- extdata("example_genome.fa")
    gr <- GRanges(c("chr1:1001-1101", "chr2:501-601:-"))
    se <- deepbindScore(exampleModels(), gr, genome = fa)
    expect_s4_class(se, "RangedSummarizedExperiment")
    expect_equal(dim(se), c(2L, 4L))
    expect_identical(SummarizedExperiment::rowRanges(se), gr)
    expect_equal(SummarizedExperiment::colData(se)$protein, c("RBFOX1", "MBNL1", "GATA3", "CTCF"))
    direct <- deepbindScore(exampleModels(), as.character(getSequence(fa, gr)))
    expect_identical(unname(SummarizedExperiment::assay(se, "score")), unname(direct))
})

test_that("scanDeepBind scores sliding windows and exports bigWig", {
    fa <- extdata("example_genome.fa")
    models <- exampleModels()[3:4]
    regions <- GRanges(c("chr1:101-600", "chr2:1-250"))
    out <- file.path(tempdir(), "scan-%s.bw")
    hits <- scanDeepBind(models, fa, regions, inputLength = 101, step = 20,
                         BPPARAM = BiocParallel::SerialParam(), export = out,
                         returnValues = TRUE)
    nw <- (c(500, 250) - 101) %/% 20 + 1
    expect_length(hits, sum(nw))
    expect_equal(names(mcols(hits)), c("region", "D00410.003", "D00328.003"))
    expect_equal(start(hits)[1:3], c(101, 121, 141))
    expect_true(all(width(hits) == 101))
    direct <- deepbindScore(models, as.character(getSequence(fa, hits)))
    expect_identical(unname(as.matrix(mcols(hits)[, 2:3])), unname(direct))
    ## the track holds each window's score on its central 20 bases
    bw <- sprintf(out, "D00328.003")
    expect_true(file.exists(bw))
    v <- trackValues(bw, GRanges("chr1:141-220"))
    expect_equal(as.numeric(v[1, 1]), hits$D00328.003[1], tolerance = 1e-6)   # window 101-201: 141-160
    expect_equal(as.numeric(v[1, 21]), hits$D00328.003[2], tolerance = 1e-6)  # window 121-221: 161-180
    ## the same with two workers
    par <- scanDeepBind(models, fa, regions, inputLength = 101, step = 20,
                        BPPARAM = BiocParallel::MulticoreParam(2))
    expect_identical(par, hits)
    expect_gdl_error(scanDeepBind(models, fa, regions, step = 0), "step must be a whole number >= 1")
})

test_that("asTorchModel gives the same scores on sequences no longer than the window", {
    set.seed(11)
    for (m in as.list(exampleModels())) {
        W <- as.integer(m@params$detector_len * 1.5)
        for (L in c(W, 13L)) {
            s <- vapply(1:8, function(i) paste(sample(c("A", "C", "G", "T", "N"), L, TRUE,
                                                      prob = c(.24, .24, .24, .24, .04)), collapse = ""), "")
            net <- asTorchModel(m, L)
            expect_s4_class(net, "SequenceModel")
            f <- predict(net, s)
            r <- predict(net, as.character(Biostrings::reverseComplement(Biostrings::DNAStringSet(s))))
            torch <- if (m@params$reverse_complement) pmax(f, r) else f
            expect_lte(max(abs(torch - deepbindScore(m, s))), 1e-5)
        }
    }
    expect_equal(outputShapes(asTorchModel(exampleModels()[[4]]))[[1L]], 1L)
    expect_gdl_error(asTorchModel("D00328.003"), "must be a DeepBindModel")
})
