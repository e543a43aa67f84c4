## discoverMotifs(): TF-MoDISco-lite motif discovery from base attributions.

motifFile <- extdata("example_motifs.meme")

## n random sequences of length len; GATA1 sampled instances planted in the first half, CTCF in
## the second; attributions = one-hot x (1 over planted bases + N(0, sd) noise).
plantedData <- function(n = 300, len = 200, sd = 0.05, seed = 1) {
    motifs <- readMEME(motifFile)
    ppm <- list(GATA1 = TFBSTools::Matrix(motifs[["MA0035.4"]]),
                CTCF = TFBSTools::Matrix(motifs[["MA0139.1"]]))
    set.seed(seed)
    bases <- c("A", "C", "G", "T")
    s <- matrix(sample(bases, n * len, TRUE), len, n)
    bump <- matrix(0, n, len)
    sites <- data.frame(example = seq_len(n), motif = rep(c("GATA1", "CTCF"), length.out = n),
                        start = NA_integer_, end = NA_integer_)
    for (i in seq_len(n)) {
        p <- ppm[[sites$motif[i]]]
        w <- ncol(p)
        at <- sample(30:(len - 30 - w), 1)
        site <- apply(p, 2, function(q) sample(bases, 1, prob = q / sum(q)))
        if (runif(1) < 0.5) site <- rev(c(A = "T", C = "G", G = "C", T = "A")[site])
        s[at:(at + w - 1), i] <- site
        bump[i, at:(at + w - 1)] <- 1
        sites$start[i] <- at
        sites$end[i] <- at + w - 1
    }
    seqs <- apply(s, 2, paste, collapse = "")
    onehot <- oneHot(seqs)
    hyp <- array(rnorm(n * len * 4, sd = sd), c(n, len, 4)) + as.vector(bump)
    list(seqs = seqs, onehot = onehot, attr = onehot * hyp, hyp = hyp, sites = sites)
}

test_that("discoverMotifs finds planted GATA1 and CTCF and their positions", {
    skip_if_not_installed("igraph")
    d <- plantedData()
    set.seed(42)
    res <- discoverMotifs(d$attr, d$seqs)
    after <- runif(1)
    set.seed(42)
    expect_identical(after, runif(1))  # the user's random state is given back untouched
    expect_s4_class(res, "MotifDiscovery")
    expect_s4_class(res$patterns, "PFMatrixList")
    expect_length(res$patterns, 2L)
    expect_identical(names(res$cwm), names(res$patterns))
    expect_equal(rownames(res$cwm[[1]]), c("A", "C", "G", "T"))
    expect_equal(dim(res$cwm[[1]]), dim(TFBSTools::Matrix(res$patterns[[1]])))
    hits <- compareMotifs(res$patterns, motifFile, threshold = 1)
    best <- hits[!duplicated(hits$Query_ID), ]
    top2 <- best[best$Query_ID %in% names(res$patterns)[1:2], ]
    expect_setequal(top2$Target_ID, c("MA0035.4", "MA0139.1"))
    expect_true(all(top2[["q-value"]] < 0.05))
    ## seqlets of each pattern lie on the planted instances of its motif
    s <- res$seqlets
    expect_true(all(s$end - s$start + 1L == 41L))
    for (k in seq_len(nrow(top2))) {
        mine <- s[!is.na(s$pattern) & s$pattern == top2$Query_ID[k], ]
        motif <- if (top2$Target_ID[k] == "MA0035.4") "GATA1" else "CTCF"
        st <- d$sites[mine$example, ]
        hit <- st$motif == motif & mine$start <= st$end & mine$end >= st$start
        expect_gt(mean(hit), 0.8)
        expect_gte(nrow(mine), 20L)
        ## most planted instances of that motif are found
        expect_gt(sum(hit) / sum(d$sites$motif == motif), 0.8)
    }
    tg <- TFBSTools::tags(res$patterns[[1]])
    expect_equal(tg$sign, "+")
    expect_equal(tg$nSeqlets, sum(s$pattern == names(res$patterns)[1], na.rm = TRUE))
    expect_output(show(res), "MotifDiscovery")
    skip_if_not_installed("ggseqlogo")
    expect_s3_class(suppressWarnings(plotMotifs(res$patterns)), "ggplot")  # ggseqlogo uses a deprecated ggplot2 argument
})

test_that("discovered patterns match JASPAR's GATA1 and CTCF", {
    skip_if_not_installed("igraph")
    skip_if_no_shared("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
    jaspar <- readMEME(sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"))
    d <- plantedData(n = 200, seed = 2)
    res <- discoverMotifs(d$attr, d$onehot, hypothetical = d$hyp, minSeqlets = 15)
    hits <- compareMotifs(res$patterns, jaspar, threshold = 0.05)
    expect_true(all(c("MA0035.4", "MA0139.1") %in% hits$Target_ID))
})

test_that("seqlets from hand-made tracks sit on the peaks with their signs", {
    skip_if_not_installed("igraph")
    n <- 40; len <- 100
    set.seed(3)
    onehot <- oneHot(replicate(n, paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = "")))
    track <- matrix(rnorm(n * len, sd = 0.01), n, len)
    track[1:20, 41:50] <- track[1:20, 41:50] + 1     # positive peaks
    track[21:40, 61:70] <- track[21:40, 61:70] - 1   # negative peaks
    attr <- onehot * as.vector(track)
    res <- suppressWarnings(discoverMotifs(attr, onehot, minSeqlets = 100))
    s <- res$seqlets
    expect_equal(nrow(s), 40L)
    expect_equal(s$example, 1:40)
    expect_equal(s$sign, rep(c(1L, -1L), each = 20))
    pk <- ifelse(s$sign > 0, 41L, 61L)
    ## the 21-bp core (start + 10 .. start + 30) holds the 10-bp peak
    expect_true(all(s$start + 10L <= pk & s$start + 30L >= pk + 9L))
    expect_length(res$patterns, 0L)
    expect_true(all(is.na(s$pattern)))
    ## the sign of the score is the seqlet's sign, and it is the window sum
    expect_equal(sign(s$score), s$sign)
    expect_equal(s$score[1], sum(track[1, (s$start[1] + 10):(s$start[1] + 30)]), tolerance = 1e-6)
})

test_that("discoverMotifs gives clear errors", {
    d <- plantedData(n = 10, len = 60)
    expect_gdl_error(discoverMotifs(d$attr), "x \\(the sequences")
    expect_gdl_error(discoverMotifs(d$attr[, , 1:3], d$seqs), "N x length x 4")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs[1:5]), "shape of the attributions")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, hypothetical = d$hyp[1:5, , ]),
                     "shape of the attributions")
    expect_gdl_error(discoverMotifs(d$attr * 0, d$seqs), "no seqlets found")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, seqletWindow = 41), "shorter than a seqlet")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, minSeqlets = 0), "minSeqlets")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, fdr = 2), "fdr")
    expect_warning(discoverMotifs(d$attr * 2, d$seqs, hypothetical = d$hyp, minSeqlets = 1),
                   "differ from x \\* hypothetical")
})

test_that("attributeBases on a hand-set GATA detector, then discoverMotifs, recovers GATA", {
    skip_if_not_installed("igraph")
    len <- 100L
    m <- sequentialModel(c(len, 4), list(layerConv1d(1, 5, activation = "relu"),
                                         layerGlobalAvgPool1d()))
    w <- array(0, c(1, 4, 5))
    for (j in 1:5) w[1, match(substr("GATAA", j, j), c("A", "C", "G", "T")), j] <- 1
    GenomicDL:::.modelSetFirstConv(m, w, bias = -4)
    set.seed(4)
    n <- 120L
    at <- sample(25:70, n, TRUE)
    seqs <- vapply(seq_len(n), function(i) {
        s <- paste(sample(c("A", "C", "G", "T"), len, TRUE), collapse = "")
        substr(s, at[i], at[i] + 4L) <- "GATAA"
        s
    }, "")
    a <- attributeBases(m, seqs, method = "deepliftshap", nReferences = 5)
    h <- attributeBases(m, seqs, method = "deepliftshap", nReferences = 5, hypothetical = TRUE)
    res <- discoverMotifs(a, seqs, hypothetical = h, minSeqlets = 20)
    expect_gte(length(res$patterns), 1L)
    p <- TFBSTools::Matrix(res$patterns[[1]])
    cons <- paste(c("A", "C", "G", "T")[apply(p, 2, which.max)], collapse = "")
    rc <- as.character(Biostrings::reverseComplement(Biostrings::DNAString(cons)))
    expect_true(grepl("GATAA", cons) || grepl("GATAA", rc))
    hits <- compareMotifs(res$patterns[1], motifFile, threshold = 1)
    expect_equal(hits$Target_ID[1], "MA0035.4")
    ## the seqlets of the pattern hold the planted GATAA
    s <- res$seqlets[!is.na(res$seqlets$pattern) & res$seqlets$pattern == "pattern_1", ]
    expect_gt(mean(s$start <= at[s$example] & s$end >= at[s$example] + 4L), 0.9)
})

test_that("clusters split by Leiden merge back into one pattern per planted motif, seqlets re-assigned", {
    skip_if_not_installed("igraph")
    d <- plantedData()
    best <- function(r) {
        h <- compareMotifs(r$patterns, motifFile, threshold = 1)
        h <- h[!duplicated(h$Query_ID), ]
        setNames(h$Target_ID, h$Query_ID)
    }
    # no merging (mergeThreshold above 1): each motif comes out in several patterns
    split <- discoverMotifs(d$attr, d$seqs, hypothetical = d$hyp, mergeThreshold = 1.1, seed = 1)
    bs <- best(split)
    expect_gte(sum(bs == "MA0035.4"), 2L)
    expect_gte(sum(bs == "MA0139.1"), 2L)
    # merging: one GATA1 pattern and one CTCF pattern
    merged <- discoverMotifs(d$attr, d$seqs, hypothetical = d$hyp, seed = 1)
    bm <- best(merged)
    expect_setequal(bm, c("MA0035.4", "MA0139.1"))
    expect_length(merged$patterns, 2L)
    # the seqlets of the split GATA1 patterns all belong to the merged GATA1 pattern
    key <- function(s) paste(s$example, s$start)
    ss <- split$seqlets
    gSplit <- key(ss[!is.na(ss$pattern) & ss$pattern %in% names(bs)[bs == "MA0035.4"], ])
    sm <- merged$seqlets
    gMerged <- key(sm[!is.na(sm$pattern) & sm$pattern == names(bm)[bm == "MA0035.4"], ])
    expect_true(all(gSplit %in% gMerged))
    expect_equal(TFBSTools::tags(merged$patterns[[names(bm)[bm == "MA0035.4"]]])$nSeqlets, length(gMerged))
    # and they are GATA1's sites (odd examples)
    gex <- sm$example[!is.na(sm$pattern) & sm$pattern == names(bm)[bm == "MA0035.4"]]
    expect_gt(mean(d$sites$motif[gex] == "GATA1"), 0.95)
    ## noisier attributions (sd 0.3 around the planted bump): still split without merging, and
    ## merged into one pattern per motif, GATA1 and CTCF kept apart (their seqlets fit each
    ## other's aggregate about 0.55 as well as their own, the split pieces 0.9)
    noisy <- plantedData(sd = 0.3)
    expect_gte(length(discoverMotifs(noisy$attr, noisy$seqs, hypothetical = noisy$hyp,
                                     mergeThreshold = 1.1, seed = 1)$patterns), 4L)
    nm <- best(discoverMotifs(noisy$attr, noisy$seqs, hypothetical = noisy$hyp, seed = 1))
    expect_length(nm, 2L)
    expect_setequal(nm, c("MA0035.4", "MA0139.1"))
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, mergeThreshold = 0), "mergeThreshold")
    expect_gdl_error(discoverMotifs(d$attr, d$seqs, mergeThreshold = "high"), "mergeThreshold")
})
