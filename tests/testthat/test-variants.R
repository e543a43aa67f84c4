## scoreVariants(): every score recomputed from windows built here with Biostrings and predict().

chroms <- Biostrings::readDNAStringSet(fa)
names(chroms) <- sub(" .*", "", names(chroms))

## Genome bases [s, e] of chromosome `chr`, N outside the chromosome.
bases <- function(chr, s, e) {
    if (e < s) return("")
    len <- length(chroms[[chr]])
    left <- max(0, min(e, 0) - s + 1)
    right <- max(0, e - max(s, len + 1) + 1)
    a <- max(s, 1)
    b <- min(e, len)
    mid <- if (b >= a) as.character(Biostrings::subseq(chroms[[chr]], a, b)) else ""
    paste0(strrep("N", left), mid, strrep("N", right))
}

## The documented windows: start = pos - floor(L / 2); ALT = left flank + ALT + flank after REF.
handWindows <- function(chr, pos, ref, alt, L) {
    s <- pos - L %/% 2
    refW <- bases(chr, s, s + L - 1)
    left <- bases(chr, s, pos - 1)
    need <- L - nchar(left) - nchar(alt)
    altW <- paste0(left, alt, if (need > 0) bases(chr, pos + nchar(ref), pos + nchar(ref) + need - 1) else "")
    c(ref = refW, alt = substr(altW, 1, L))
}

refAt <- function(chr, pos, n = 1) bases(chr, pos, pos + n - 1)

## predictions of sequences, forward and reverse-complement combined as scoreVariants() does
handPredict <- function(m, seqs, rc = "average") {
    f <- predict(m, Biostrings::DNAStringSet(seqs))
    if (rc == "none") return(f)
    r <- predict(m, Biostrings::reverseComplement(Biostrings::DNAStringSet(seqs)))
    if (rc == "max") pmax(f, r) else (f + r) / 2
}

testVariants <- function() {
    pos <- c(1000, 2000, 3000, 500, 4000)
    chr <- c("chr1", "chr1", "chr2", "chr2", "chr3")
    ref <- c(refAt("chr1", 1000), refAt("chr1", 2000, 3), refAt("chr2", 3000), refAt("chr2", 500, 2),
             refAt("chr3", 4000))
    alt <- c(if (ref[1] == "A") "C" else "A",         # SNV
             substr(ref[2], 1, 1),                    # deletion of 2 bases
             paste0(ref[3], "GATTACA"),               # insertion of 7
             substr(ref[4], 1, 1),                    # deletion of 1
             "G")
    alt[5] <- if (ref[5] == "G") "T" else "G"
    GRanges(chr, IRanges::IRanges(pos, width = nchar(ref)), REF = ref, ALT = alt)
}

test_that("window models: windows as documented, scores recomputed by hand (SNV, insertion, deletion)", {
    m <- cnnModel(201, outputs = 2, activation = "sigmoid", seed = 3)
    v <- testVariants()
    for (rc in c("average", "none", "max")) {
        s <- scoreVariants(m, v, fa, rc = rc)
        expect_s4_class(s, "RangedSummarizedExperiment")
        expect_equal(dim(s), c(5L, 2L))
        expect_equal(colnames(s), c("task1", "task2"))
        rr <- SummarizedExperiment::rowRanges(s)
        expect_equal(rr$windowStart, start(v) - 100)
        expect_equal(start(rr$window), start(v) - 100)
        expect_equal(width(rr$window), rep(201L, 5))
        expect_true(all(rr$refMatch & rr$scored))
        w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 201)
        expect_equal(nchar(w), matrix(201L, 2, 5), ignore_attr = TRUE)
        ## the REF window is the genome over the returned window
        expect_equal(unname(w["ref", ]), as.character(getSequence(fa, rr$window)), ignore_attr = TRUE)
        pr <- handPredict(m, w["ref", ], rc)
        pa <- handPredict(m, w["alt", ], rc)
        a <- function(x) unname(SummarizedExperiment::assay(s, x))
        expect_equal(a("ref"), unname(pr), tolerance = 1e-5)
        expect_equal(a("alt"), unname(pa), tolerance = 1e-5)
        expect_lt(max(abs(a("diff") - unname(pa - pr))), 1e-6)  # float32 differences
        expect_equal(a("logFC"), unname(log2((pa + 1e-3) / (pr + 1e-3))), tolerance = 1e-4)
        expect_equal(a("logitDiff"), unname(qlogis(pa) - qlogis(pr)), tolerance = 1e-4)
    }
})

test_that("even input lengths, label-shaped heads and linear outputs", {
    m <- cnnModel(200, outputs = c(2, 3), seed = 2)
    v <- testVariants()[c(1, 3)]
    s <- scoreVariants(m, v, fa, rc = "none")
    expect_equal(colnames(s), .outputSemantics(m)[[1]]$names)
    expect_equal(ncol(s), 6L)
    ## first REF base at window position 101 = floor(200 / 2) + 1
    rr <- SummarizedExperiment::rowRanges(s)
    expect_equal(start(v) - rr$windowStart + 1, c(101, 101))
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 200)
    pr <- predict(m, Biostrings::DNAStringSet(w["ref", ]))
    pa <- predict(m, Biostrings::DNAStringSet(w["alt", ]))
    expect_equal(unname(SummarizedExperiment::assay(s, "diff")),
                 unname(.trackMatrix(pa, 0, 6) - .trackMatrix(pr, 0, 6)), tolerance = 1e-5)
    ## linear outputs: no logFC, no logit difference
    expect_equal(SummarizedExperiment::assayNames(s), c("ref", "alt", "diff"))
})

test_that("multi-allelic records give one row per ALT", {
    m <- cnnModel(201, outputs = 1, activation = "sigmoid", seed = 1)
    r <- refAt("chr1", 5000)
    alts <- setdiff(c("A", "C", "G", "T"), r)
    v <- GRanges("chr1:5000", REF = r)
    v$ALT <- IRanges::CharacterList(alts)
    s <- scoreVariants(m, v, fa, rc = "none")
    expect_equal(nrow(s), 3L)
    rr <- SummarizedExperiment::rowRanges(s)
    expect_equal(rr$ALT, alts)
    expect_equal(rr$record, c(1L, 1L, 1L))
    pa <- predict(m, Biostrings::DNAStringSet(vapply(alts, function(a)
        handWindows("chr1", 5000, r, a, 201)[["alt"]], "")))
    expect_equal(unname(SummarizedExperiment::assay(s, "alt")[, 1]), unname(pa[, 1]), tolerance = 1e-5)
})

test_that("REF mismatches: error, warn, drop, ignore, with refMatch and the count", {
    m <- cnnModel(201, seed = 1)
    v <- testVariants()
    wrong <- setdiff(c("A", "C", "G", "T"), v$REF[1])[1]
    v$REF[1] <- wrong
    v$ALT[1] <- setdiff(c("A", "C", "G", "T"), wrong)[1]
    expect_gdl_error(scoreVariants(m, v, fa), "does not match the genome")
    expect_warning(s <- scoreVariants(m, v, fa, refCheck = "warn", verbose = FALSE), "1 variant")
    expect_equal(SummarizedExperiment::rowRanges(s)$refMatch, c(FALSE, TRUE, TRUE, TRUE, TRUE))
    expect_equal(S4Vectors::metadata(s)$refMismatches, 1)
    ## the REF window is the genome's; the ALT window puts ALT in place of the given REF
    w <- handWindows("chr1", 1000, wrong, v$ALT[1], 201)
    expect_equal(SummarizedExperiment::assay(s, "alt")[1, 1],
                 predict(m, Biostrings::DNAStringSet(w[["alt"]]))[1, 1] / 2 +
                 predict(m, Biostrings::reverseComplement(Biostrings::DNAStringSet(w[["alt"]])))[1, 1] / 2,
                 tolerance = 1e-5)
    d <- scoreVariants(m, v, fa, refCheck = "drop", verbose = FALSE)
    expect_equal(nrow(d), 4L)
    expect_equal(S4Vectors::metadata(d)$dropped, 1)
    expect_equal(SummarizedExperiment::rowRanges(d)$record, 2:5)
    i <- scoreVariants(m, v, fa, refCheck = "ignore", verbose = FALSE)
    expect_equal(SummarizedExperiment::assay(i, "ref"), SummarizedExperiment::assay(s, "ref"))
})

test_that("near chromosome ends: N padding or not scored", {
    m <- cnnModel(201, seed = 1)
    v <- GRanges(c("chr1", "chr3", "chr2"), IRanges::IRanges(c(10, 299990, 1000), width = 1))
    v$REF <- c(refAt("chr1", 10), refAt("chr3", 299990), refAt("chr2", 1000))
    v$ALT <- ifelse(v$REF == "A", "C", "A")
    p <- scoreVariants(m, v, fa, rc = "none")
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 201)
    expect_equal(substr(w["ref", 1], 1, 91), strrep("N", 91))
    expect_equal(unname(SummarizedExperiment::assay(p, "ref")[, 1]),
                 unname(predict(m, Biostrings::DNAStringSet(w["ref", ]))[, 1]), tolerance = 1e-5)
    rr <- SummarizedExperiment::rowRanges(p)
    expect_equal(start(rr$window), c(1, 299890, 900))  # trimmed to the chromosome
    expect_equal(rr$windowStart, c(-90, 299890, 900))
    s <- scoreVariants(m, v, fa, chromosomeEnds = "skip", verbose = FALSE)
    expect_equal(SummarizedExperiment::rowRanges(s)$scored, c(FALSE, FALSE, TRUE))
    expect_true(all(is.na(SummarizedExperiment::assay(s, "ref")[1:2, ])))
    expect_equal(S4Vectors::metadata(s)$notScored, 2)
    ## a deletion whose pulled-in flank passes the end is outside too
    d <- GRanges("chr3", IRanges::IRanges(299895, width = 10), REF = refAt("chr3", 299895, 10))
    d$ALT <- substr(d$REF, 1, 1)
    expect_false(SummarizedExperiment::rowRanges(scoreVariants(m, d, fa, chromosomeEnds = "skip",
                                                               verbose = FALSE))$scored)
})

test_that("DeepBind models: scores equal deepbindScore() of the REF and ALT windows", {
    db <- extdata("deepbind")
    models <- readDeepBind(c("D00210.001", "D00328.003"), db = db)
    v <- testVariants()
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 61)
    for (rc in c("max", "none", "average")) {
        s <- scoreVariants(models, v, fa, inputLength = 61, rc = rc)
        expect_equal(colnames(s), names(models))
        one <- function(x) {
            if (rc == "max") return(deepbindScore(models, x, strands = "both"))
            f <- deepbindScore(models, x, strands = "forward")
            if (rc == "none") return(f)
            (f + deepbindScore(models, as.character(Biostrings::reverseComplement(
                Biostrings::DNAStringSet(x))), strands = "forward")) / 2
        }
        expect_equal(unname(SummarizedExperiment::assay(s, "ref")), unname(one(w["ref", ])), tolerance = 1e-6)
        expect_equal(unname(SummarizedExperiment::assay(s, "diff")),
                     unname(one(w["alt", ]) - one(w["ref", ])), tolerance = 1e-6)
    }
})

test_that("BPNet: counts logFC and the JSD of the profiles against an R computation", {
    bp <- bpnetModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
                     outputFilterWidth = 11, heads = 1, seed = 4)
    v <- testVariants()
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 120)
    jsd <- function(p, q) {
        m <- (p + q) / 2
        kl <- function(a, b) sum(ifelse(a > 0, a * log2(a / b), 0))
        sqrt((kl(p, m) + kl(q, m)) / 2)
    }
    softmax <- function(x) exp(x - max(x)) / sum(exp(x - max(x)))
    for (rc in c("none", "average")) {
        s <- scoreVariants(bp, v, fa, rc = rc)
        expect_equal(colnames(s), c("profile_head1.score", "counts_head1.score"))
        pr <- predict(bp, Biostrings::DNAStringSet(w["ref", ]))
        pa <- predict(bp, Biostrings::DNAStringSet(w["alt", ]))
        if (rc == "average") {
            rr <- predict(bp, Biostrings::reverseComplement(Biostrings::DNAStringSet(w["ref", ])))
            ra <- predict(bp, Biostrings::reverseComplement(Biostrings::DNAStringSet(w["alt", ])))
            for (k in 1:2) {
                flip <- function(x) if (k == 1) x[, rev(seq_len(dim(x)[2])), , drop = FALSE] else x
                pr[[k]] <- (pr[[k]] + flip(rr[[k]])) / 2
                pa[[k]] <- (pa[[k]] + flip(ra[[k]])) / 2
            }
        }
        expected <- vapply(1:5, function(i) jsd(softmax(pr[[1]][i, , 1]), softmax(pa[[1]][i, , 1])), 0)
        expect_equal(unname(SummarizedExperiment::assay(s, "jsd")[, 1]), expected, tolerance = 1e-5)
        expect_true(all(is.na(SummarizedExperiment::assay(s, "jsd")[, 2])))
        expect_equal(unname(SummarizedExperiment::assay(s, "logFC")[, 2]),
                     unname((pa[[2]][, 1] - pr[[2]][, 1]) / log(2)), tolerance = 1e-5)
    }
})

test_that("BPNet with a bias model (combinedModel): profile JSD and counts logFC per head", {
    solo <- bpnetModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
                       outputFilterWidth = 11, heads = 1, seed = 5)
    cm <- combinedModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
                        outputFilterWidth = 11, bias = solo, seed = 6)$combined
    v <- testVariants()[1:3]
    s <- scoreVariants(cm, v, fa, rc = "none")
    sem <- .outputSemantics(cm)
    expect_equal(colnames(s), unlist(.uniqueTrackNames(sem), use.names = FALSE))
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 120)
    pr <- predict(cm, Biostrings::DNAStringSet(w["ref", ]))
    pa <- predict(cm, Biostrings::DNAStringSet(w["alt", ]))
    softmax <- function(x) exp(x - max(x)) / sum(exp(x - max(x)))
    js <- vapply(1:3, function(i) {
        p <- softmax(pr[[1]][i, , 1]); q <- softmax(pa[[1]][i, , 1]); m <- (p + q) / 2
        sqrt((sum(p * log2(p / m)) + sum(q * log2(q / m))) / 2)
    }, 0)
    expect_equal(unname(SummarizedExperiment::assay(s, "jsd")[, 1]), js, tolerance = 1e-5)
    expect_equal(unname(SummarizedExperiment::assay(s, "logFC")[, 2]),
                 unname((pa[[2]][, 1] - pr[[2]][, 1]) / log(2)), tolerance = 1e-5)
})

test_that("a profile model with non-negative outputs: totals, logFC and JSD of normalised profiles", {
    m <- sequentialModel(c(61, 4), list(layerConv1d(2, 5, activation = "relu"), layerCrop(41)),
                         seed = 2)
    v <- testVariants()[1:3]
    s <- scoreVariants(m, v, fa, rc = "none")
    expect_equal(colnames(s), c("task1", "task2"))
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 61)
    pr <- predict(m, Biostrings::DNAStringSet(w["ref", ]))
    pa <- predict(m, Biostrings::DNAStringSet(w["alt", ]))
    expect_equal(unname(SummarizedExperiment::assay(s, "ref")), apply(pr, c(1, 3), sum), tolerance = 1e-4)
    norm <- function(x) if (sum(x) > 0) x / sum(x) else rep(1 / length(x), length(x))
    j <- vapply(1:3, function(i) {
        p <- norm(pr[i, , 2]); q <- norm(pa[i, , 2]); mm <- (p + q) / 2
        kl <- function(a, b) sum(ifelse(a > 0, a * log2(a / b), 0))
        sqrt((kl(p, mm) + kl(q, mm)) / 2)
    }, 0)
    expect_equal(unname(SummarizedExperiment::assay(s, "jsd")[, 2]), j, tolerance = 1e-5)
})

test_that("VCF files (plain and bgzipped + tabix), VCF and VRanges objects give the same scores", {
    skip_if_not_installed("VariantAnnotation")
    m <- cnnModel(201, outputs = 2, activation = "sigmoid", seed = 1)
    v <- testVariants()[c(1, 2, 4, 3, 5)]  # in genome order, so that tabix can index the file
    r6 <- refAt("chr3", 6000)
    alts <- setdiff(c("A", "C", "G", "T"), r6)[1:2]
    lines <- c("##fileformat=VCFv4.2", "##contig=<ID=chr1,length=700000>",
               "##contig=<ID=chr2,length=500000>", "##contig=<ID=chr3,length=300000>",
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
               paste(as.character(seqnames(v)), start(v), paste0("rs", 1:5), v$REF, v$ALT, ".", "PASS", ".",
                     sep = "\t"),
               paste("chr3", 6000, "rs6", r6, paste(alts, collapse = ","), ".", "PASS", ".", sep = "\t"),
               paste("chr3", 7000, "rs7", refAt("chr3", 7000), "<DEL>", ".", "PASS", ".", sep = "\t"))
    f <- file.path(tempdir(), "variants-test.vcf")
    writeLines(lines, f)
    plain <- scoreVariants(m, f, fa, yieldSize = 3, verbose = FALSE)
    expect_equal(nrow(plain), 8L)
    rr <- SummarizedExperiment::rowRanges(plain)
    expect_equal(names(rr), c(paste0("rs", 1:6), "rs6", "rs7"))
    expect_equal(rr$record, c(1:6, 6L, 7L))
    expect_equal(rr$ALT[6:7], alts)
    expect_equal(rr$scored, c(rep(TRUE, 7), FALSE))  # the symbolic <DEL> is reported, not scored
    one <- scoreVariants(m, v, fa)
    expect_equal(SummarizedExperiment::assay(plain, "logitDiff")[1:5, ],
                 SummarizedExperiment::assay(one, "logitDiff"), ignore_attr = TRUE)
    gz <- Rsamtools::bgzip(f, tempfile(fileext = ".vcf.gz"))
    Rsamtools::indexTabix(gz, format = "vcf")
    expect_true(file.exists(paste0(gz, ".tbi")))
    z <- scoreVariants(m, gz, fa, yieldSize = 2, verbose = FALSE)
    expect_equal(SummarizedExperiment::assays(z), SummarizedExperiment::assays(plain))
    unsorted <- file.path(tempdir(), "variants-unsorted.vcf")
    writeLines(c(lines[1:5], rev(lines[-(1:5)])), unsorted)  # cannot be indexed: read whole
    u <- scoreVariants(m, unsorted, fa, yieldSize = 3, verbose = FALSE)
    expect_equal(SummarizedExperiment::assay(u, "alt")[8:4, ],
                 SummarizedExperiment::assay(plain, "alt")[1:5, ], ignore_attr = TRUE)
    vcf <- VariantAnnotation::readVcf(f, genome = "example")
    o <- scoreVariants(m, vcf, fa, verbose = FALSE)
    expect_equal(SummarizedExperiment::assay(o, "alt"), SummarizedExperiment::assay(plain, "alt"))
    vr <- VariantAnnotation::VRanges(seqnames(v), IRanges::ranges(v), ref = v$REF, alt = v$ALT)
    expect_equal(unname(SummarizedExperiment::assay(scoreVariants(m, vr, fa), "alt")),
                 unname(SummarizedExperiment::assay(one, "alt")))
})

test_that("streamed TSV output and SerialParam / MulticoreParam chunks equal the in-memory serial result", {
    m <- cnnModel(201, outputs = 2, seed = 1)
    v <- testVariants()
    one <- scoreVariants(m, v, fa)
    out <- file.path(tempdir(), "variant-scores.tsv.gz")
    expect_equal(scoreVariants(m, v, fa, yieldSize = 2, output = out), out)
    t <- utils::read.delim(out, check.names = FALSE)
    expect_equal(nrow(t), 5L)
    expect_equal(t$windowStart, start(v) - 100)
    expect_equal(as.matrix(t[, c("diff.task1", "diff.task2")]),
                 SummarizedExperiment::assay(one, "diff"), tolerance = 1e-6, ignore_attr = TRUE)
    expect_equal(list.files(tempdir(), pattern = "^\\.variant-scores"), character())
    for (bp in list(BiocParallel::SerialParam(), BiocParallel::MulticoreParam(2))) {
        par <- scoreVariants(m, v, fa, yieldSize = 3, BPPARAM = bp)
        expect_identical(SummarizedExperiment::assays(par), SummarizedExperiment::assays(one))
        expect_identical(SummarizedExperiment::rowRanges(par), SummarizedExperiment::rowRanges(one))
    }
})

test_that("SnowParam and BatchtoolsParam chunks give results identical to serial (GENOMICDL_TEST_SLOW)", {
    ## socket workers each load the package and LibTorch: minutes on a shared machine
    skip_if_not(nzchar(Sys.getenv("GENOMICDL_TEST_SLOW")), "set GENOMICDL_TEST_SLOW=1")
    skip_if_not_installed("batchtools")
    skip_if(Sys.which("timeout") == "", "no timeout command")
    res <- runScript(c(
        "suppressMessages({library(GenomicDL); library(BiocParallel)})",
        sprintf("fa <- '%s'", fa),
        sprintf("vcf <- '%s'", extdata("example_variants.vcf.gz")),
        sprintf("db <- '%s'", extdata("deepbind")),
        "m <- cnnModel(201, outputs = 2, activation = 'sigmoid', seed = 1)",
        "models <- readDeepBind(c('D00210.001', 'D00328.003'), db = db)",
        "run <- function(bp) list(",
        "  cnn = scoreVariants(m, vcf, fa, yieldSize = 60, threads = 2, BPPARAM = bp, verbose = FALSE),",
        "  deepbind = scoreVariants(models, vcf, fa, inputLength = 61, yieldSize = 60, BPPARAM = bp,",
        "                           verbose = FALSE))",
        "same <- function(a, b) identical(SummarizedExperiment::assays(a), SummarizedExperiment::assays(b)) &&",
        "  identical(SummarizedExperiment::rowRanges(a), SummarizedExperiment::rowRanges(b))",
        "s0 <- run(NULL)",
        "bt <- BatchtoolsParam(workers = 2, cluster = 'multicore', progressbar = FALSE,",
        "                      registryargs = batchtoolsRegistryargs(file.dir = tempfile()))",
        "for (nm in c('snow', 'batchtools')) {",
        "  r <- suppressMessages(run(if (nm == 'snow') SnowParam(2) else bt))",
        "  cat(nm, same(r$cnn, s0$cnn), same(r$deepbind, s0$deepbind), '\\n')",
        "}"), seconds = 600)
    expect_equal(res$status, 0L, info = paste(res$out, collapse = "\n"))
    expect_true("snow TRUE TRUE" %in% trimws(res$out), info = paste(res$out, collapse = "\n"))
    expect_true("batchtools TRUE TRUE" %in% trimws(res$out), info = paste(res$out, collapse = "\n"))
})

test_that("output = .h5: an HDF5-backed SummarizedExperiment with the in-memory values", {
    skip_if_not_installed("HDF5Array")
    bp <- bpnetModel(120, 88, filters = 4, layers = 2, inputFilterWidth = 11,
                     outputFilterWidth = 11, heads = 1, seed = 4)
    vcf <- extdata("example_variants.vcf.gz")
    mem <- scoreVariants(bp, vcf, fa, yieldSize = 40, verbose = FALSE)
    h5 <- file.path(tempdir(), "variant-scores.h5")
    se <- scoreVariants(bp, vcf, fa, yieldSize = 40, output = h5, verbose = FALSE)
    expect_true(file.exists(h5))
    expect_equal(S4Vectors::metadata(se)$path, h5)
    expect_equal(SummarizedExperiment::assayNames(se), SummarizedExperiment::assayNames(mem))
    for (a in SummarizedExperiment::assayNames(mem)) {
        x <- SummarizedExperiment::assay(se, a, withDimnames = FALSE)
        expect_s4_class(x, "HDF5Array")
        expect_identical(as.matrix(SummarizedExperiment::assay(se, a)), SummarizedExperiment::assay(mem, a))
        ## the file alone holds the values: one dataset per assay, variants x tasks
        expect_identical(rhdf5::h5read(h5, a), unname(SummarizedExperiment::assay(mem, a)))
    }
    expect_identical(SummarizedExperiment::rowRanges(se), SummarizedExperiment::rowRanges(mem))
    expect_equal(nrow(se), 276L)  # 124 records, 76 of them with 3 ALTs
    expect_equal(list.files(tempdir(), pattern = "^\\.gdl-.*h5$"), character())
})

test_that("output = .vcf / .vcf.gz: records per ALT with INFO fields per score and task, readable by readVcf", {
    skip_if_not_installed("VariantAnnotation")
    m <- cnnModel(201, outputs = 2, activation = "sigmoid", seed = 1)
    vcf <- extdata("example_variants.vcf.gz")
    mem <- scoreVariants(m, vcf, fa, yieldSize = 50, verbose = FALSE)
    for (f in c("variant-scores.vcf", "variant-scores.vcf.gz")) {
        out <- file.path(tempdir(), f)
        expect_equal(scoreVariants(m, vcf, fa, yieldSize = 50, output = out, verbose = FALSE), out)
        expect_equal(file.exists(paste0(out, ".tbi")), grepl("gz$", f))
        back <- VariantAnnotation::readVcf(out)
        expect_equal(nrow(back), nrow(mem))
        rr <- SummarizedExperiment::rowRanges(mem)
        expect_equal(names(SummarizedExperiment::rowRanges(back)), names(rr))
        expect_equal(start(back), start(rr))
        expect_equal(as.character(VariantAnnotation::ref(back)), rr$REF)
        expect_equal(as.character(unlist(VariantAnnotation::alt(back))), rr$ALT)
        info <- VariantAnnotation::info(back)
        expect_equal(info$REFMATCH, rr$refMatch)
        expect_equal(info$SCORED, rr$scored)
        expect_equal(info$WINSTART, as.integer(rr$windowStart))
        expect_equal(info$RECORD, rr$record)
        for (a in SummarizedExperiment::assayNames(mem))
            for (t in colnames(mem))
                expect_equal(info[[paste0(a, "_", t)]], unname(SummarizedExperiment::assay(mem, a)[, t]),
                             tolerance = 1e-12, label = paste(f, a, t))
        expect_equal(sum(is.na(info$diff_task1)), 1L)  # the symbolic ALT, not scored
    }
    ## a region query through the tabix index
    gz <- file.path(tempdir(), "variant-scores.vcf.gz")
    hit <- VariantAnnotation::readVcf(gz, param = GRanges("chr1:7170-7200"))
    expect_equal(nrow(hit), sum(as.character(seqnames(mem)) == "chr1" & start(mem) >= 7170 &
                                    start(mem) <= 7200))
    expect_equal(list.files(tempdir(), pattern = "^\\.variant-scores"), character())
})

test_that("file outputs are atomic: nothing is left, and an older file is kept, when a call fails", {
    m <- cnnModel(201, seed = 1)
    v <- testVariants()
    v$REF[3] <- if (v$REF[3] == "A") "C" else "A"  # a REF mismatch in the second chunk: an error
    for (f in c("atomic.h5", "atomic.vcf.gz", "atomic.tsv")) {
        out <- file.path(tempdir(), f)
        writeLines("old", out)
        expect_gdl_error(scoreVariants(m, v, fa, yieldSize = 2, output = out), "does not match")
        expect_equal(readLines(out), "old")
        left <- setdiff(list.files(tempdir(), all.files = TRUE, pattern = "atomic|^\\.gdl-"), f)
        expect_equal(left, character(), label = f)
        unlink(out)
    }
})

test_that("the example VCF regenerates identically from inst/scripts", {
    script <- system.file("scripts", "make-example-variants.R", package = "GenomicDL")
    skip_if(script == "", "script not installed")
    out <- tempfile("extdata")
    res <- system2(rscript(), c(shQuote(script), shQuote(out)), stdout = TRUE, stderr = TRUE)
    new <- file.path(out, "example_variants.vcf.gz")
    expect_true(file.exists(new), info = paste(res, collapse = "\n"))
    expect_identical(readLines(new), readLines(extdata("example_variants.vcf.gz")))
    unlink(out, recursive = TRUE)
})

test_that("contributions: attributeBases() of the REF and ALT windows", {
    m <- cnnModel(201, outputs = 1, seed = 7)
    v <- testVariants()[1:2]
    s <- scoreVariants(m, v, fa, contributions = "ism")
    ct <- S4Vectors::metadata(s)$contributions
    expect_equal(dim(ct$alt), c(2L, 201L, 4L))
    w <- mapply(handWindows, as.character(seqnames(v)), start(v), v$REF, v$ALT, 201)
    expect_equal(unname(ct$alt), unname(attributeBases(m, unname(w["alt", ]), method = "ism")),
                 ignore_attr = TRUE, tolerance = 1e-6)
    expect_equal(unname(ct$ref), unname(attributeBases(m, unname(w["ref", ]), method = "ism")),
                 ignore_attr = TRUE, tolerance = 1e-6)
    expect_gdl_error(scoreVariants(m, v, fa, contributions = "shap"), "contributions must be one of")
    ## TRUE: DeepSHAP
    d <- scoreVariants(m, v, fa, contributions = TRUE)
    expect_equal(unname(S4Vectors::metadata(d)$contributions$ref),
                 unname(attributeBases(m, unname(w["ref", ]), method = "deepliftshap")),
                 ignore_attr = TRUE, tolerance = 1e-6)
    expect_null(S4Vectors::metadata(scoreVariants(m, v, fa, contributions = FALSE))$contributions)
    expect_gdl_error(scoreVariants(m, v, fa, contributions = "ism",
                                   output = file.path(tempdir(), "c.tsv")), "in memory")
})

test_that("bad input is a GenomicDL_error naming the argument", {
    m <- cnnModel(201, seed = 1)
    v <- testVariants()
    expect_gdl_error(scoreVariants(m, v, fa, rc = "both"), "rc must be one of")
    expect_gdl_error(scoreVariants(m, v, fa, refCheck = "warning"), "refCheck must be one of")
    expect_gdl_error(scoreVariants("model", v, fa), "SequenceModel")
    expect_gdl_error(scoreVariants(m, GRanges("chr1:5"), fa), "REF and ALT")
    bad <- v
    bad$REF[2] <- "AXC"
    expect_gdl_error(scoreVariants(m, bad, fa), "REF of record 2")
    chrX <- GRanges("chrX:5", REF = "A", ALT = "C")
    expect_gdl_error(scoreVariants(m, chrX, fa), "not in the genome")
    expect_gdl_error(scoreVariants(m, v, fa, output = "scores.csv"), ".h5, .vcf, .vcf.gz, .tsv")
    expect_gdl_error(scoreVariants(m, v, fa, output = c("a.tsv", "b.tsv")), "one file path")
    expect_gdl_error(scoreVariants(m, v, fa, output = file.path(tempdir(), "no-dir", "s.h5")),
                     "no folder")
    expect_gdl_error(scoreVariants(m, v, fa, yieldSize = 0), "yieldSize")
    expect_gdl_error(scoreVariants(m, v, fa, pseudocount = -1), "pseudocount")
    expect_gdl_error(scoreVariants(m, v, fa, inputLength = 50), "inputLength")
    expect_gdl_error(scoreVariants(m, file.path(tempdir(), "none.vcf"), fa), "no VCF file")
    expect_gdl_error(scoreVariants(m, GRanges("chr1:5-6", REF = "A", ALT = "C"), fa), "spans 2 bases")
})
