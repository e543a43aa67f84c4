## A first layer whose filters are known motifs: filter 1 = GATA, filter 2 = CACGTG.
knownLayer <- function() {
    w <- array(0, c(2, 4, 6))
    onehotCols <- function(s) sapply(strsplit(s, "")[[1]], function(b) as.numeric(c("A", "C", "G", "T") == b))
    w[1, , 1:4] <- onehotCols("GATA")
    w[2, , ] <- onehotCols("CACGTG")
    list(weight = w, bias = c(-3.5, -5.5), dilation = 1L)
}

test_that("filterMotifs recovers the planted motifs of known filters with exact counts", {
    seqs <- c("TTGATATTTTTT",   # GATA forward at 3
              "TTTTTTTATCTT",   # TATC = GATA on the reverse strand
              "CCCACGTGCCCC",   # CACGTG (its own reverse complement)
              "GGGGGGGGGGGG")   # nothing
    conv <- knownLayer()
    fwd <- filterMotifs(conv, seqs, strands = "forward")
    expect_equal(names(fwd), c("filter1", "filter2"))
    g <- TFBSTools::Matrix(fwd[["filter1"]])
    ## one site (sequence 1): G A T A T T
    expect_equal(unname(g), unname(sapply(strsplit("GATATT", "")[[1]],
                                          function(b) as.integer(c("A", "C", "G", "T") == b))))
    expect_equal(TFBSTools::tags(fwd[["filter1"]])$nsites, 1)
    both <- filterMotifs(conv, seqs, strands = "both")
    g2 <- TFBSTools::Matrix(both[["filter1"]])
    expect_equal(TFBSTools::tags(both[["filter1"]])$nsites, 2)
    ## sites GATATT (seq 1 +) and GATAAA (seq 2 -: reverse complement TTTATC -> ...GATAAA)
    expect_equal(unname(g2[, 1:4]), 2L * unname(sapply(strsplit("GATA", "")[[1]],
                                                       function(b) as.integer(c("A", "C", "G", "T") == b))))
    c2 <- TFBSTools::Matrix(both[["filter2"]])
    expect_equal(TFBSTools::tags(both[["filter2"]])$nsites, 2)  # both strands of the palindrome
    expect_equal(unname(c2[, 1]), c(0L, 2L, 0L, 0L))
    expect_equal(unname(colSums(c2)), rep(2L, 6))
    ## threshold method: every position above half-way between mean and max
    th <- filterMotifs(conv, seqs, method = "threshold", strands = "forward")
    expect_equal(TFBSTools::tags(th[["filter1"]])$nsites, 1)
})

test_that("filters without a site are left out with a message", {
    conv <- knownLayer()
    conv$bias <- c(-3.5, -100)
    expect_message(m <- filterMotifs(conv, c("TTGATATTTTTT", "CCCCCCCCCCCC")), "no site")
    expect_equal(names(m), "filter1")
    expect_gdl_error(filterMotifs(list(weight = array(0, c(2, 3, 4))), "ACGTACGT"), "filters x 4 x width")
    expect_gdl_error(filterMotifs(conv, "ACG"), "shorter than the filter span")
})

test_that("filters set to the planted PWMs find the example sites, and Tomtom names them", {
    skip_if_no_shared("motifs")
    motifs <- readMEME(extdata("example_motifs.meme"))
    bed <- utils::read.table(extdata("example_sites.bed"), sep = "\t")
    sites <- GenomicRanges::GRanges(bed$V1, IRanges::IRanges(bed$V2 + 1L, bed$V3))
    ## log-odds filters of the three planted motifs, padded to width 19
    w <- array(0, c(3, 4, 19))
    for (i in 1:3) {
        p <- TFBSTools::Matrix(motifs[[i]]) + 0.5
        p <- sweep(p, 2, colSums(p), "/")
        w[i, , seq_len(ncol(p))] <- log2(p / 0.25)
    }
    win <- GenomicRanges::resize(sites, 60, fix = "center")
    win <- win[GenomicRanges::start(win) > 0]
    x <- oneHot(win, genome = extdata("example_genome.fa"), layout = "NCL")
    pfms <- filterMotifs(list(weight = w, bias = rep(0, 3)), x, minActivation = 5, layout = "NCL")
    hits <- compareMotifs(pfms, sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"),
                          dist = "pearson")
    for (i in 1:3) {
        h <- hits[hits$Query_ID == paste0("filter", i), ]
        expect_true(names(motifs)[i] %in% h$Target_ID[h$`q-value` < 0.05], info = names(motifs)[i])
    }
})

test_that("plotMotifs draws logos", {
    skip_if_not_installed("ggseqlogo")
    p <- suppressWarnings(plotMotifs(readMEME(extdata("example_motifs.meme"))))  # ggseqlogo uses a deprecated ggplot2 argument
    expect_s3_class(p, "ggplot")
    expect_gdl_error(plotMotifs(readMEME(extdata("example_motifs.meme")), page = 3), "empty")
})

test_that("filterImportance measures the prediction change of each knockout", {
    conv <- knownLayer()
    ## a two-task model: task 1 = max activation of filter 1, task 2 = of filter 2
    convOut <- function(x, f) {
        k <- dim(conv$weight)[3]
        P <- dim(x)[3] - k + 1
        sapply(seq_len(P), function(p)
            apply(x[, , p:(p + k - 1), drop = FALSE], 1, function(s) sum(s * conv$weight[f, , ])) + conv$bias[f])
    }
    ## knockouts replace a channel after the first layer's activation (ReLU)
    conv$activation <- "relu"
    conv$forward <- function(x, knockout = NULL) {
        out <- sapply(1:2, function(f) {
            a <- pmax(convOut(x, f), 0)
            if (!is.null(knockout) && knockout$filter == f) a[] <- knockout$value
            apply(a, 1, max)
        })
        matrix(out, ncol = 2, dimnames = list(NULL, c("gata", "ebox")))
    }
    seqs <- c("TTGATATTTTTT", "CCCACGTGCCCC", "GGGGGGGGGGGG")
    se <- filterImportance(conv, seqs, method = "zero")
    expect_s4_class(se, "SummarizedExperiment")
    a <- SummarizedExperiment::assay(se, "meanAbsDelta")
    expect_equal(dim(a), c(2L, 2L))
    ## filter 1 reaches 0.5 on sequence 1 only; it only affects task 1
    expect_equal(a[1, "gata"], 0.5 / 3)
    expect_equal(a[1, "ebox"], 0)
    expect_equal(a[2, "ebox"], 0.5 / 3)
    expect_equal(SummarizedExperiment::assay(se, "meanSqDelta")[1, "gata"], 0.25 / 3)
    ## "mean" knockout: the mean activation (after the ReLU) over sequences and positions
    x <- oneHot(seqs, layout = "NCL")
    m <- mean(pmax(convOut(x, 1), 0))
    expect_equal(m, 0.5 / 21)  # one position of 21 (3 sequences x 7) is active
    se2 <- filterImportance(conv, seqs, method = "mean")
    expect_equal(SummarizedExperiment::rowData(se2)$value[1], m)
    full <- conv$forward(x)
    ko <- conv$forward(x, list(filter = 1, value = m))
    expect_equal(SummarizedExperiment::assay(se2, "meanAbsDelta")[1, ], colMeans(abs(ko - full)))
    ## a linear first layer: the mean convolution output, bias included
    conv$activation <- NULL
    se3 <- filterImportance(conv, seqs, method = "mean")
    expect_equal(SummarizedExperiment::rowData(se3)$value, c(mean(convOut(x, 1)), mean(convOut(x, 2))))
    conv$activation <- function(a) pmax(a, 0)
    expect_equal(SummarizedExperiment::rowData(filterImportance(conv, seqs))$value[1], m)
    conv$activation <- "tanh"
    expect_gdl_error(filterImportance(conv, seqs), "activation")
})
