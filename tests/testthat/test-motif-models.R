## Motifs through real SequenceModels: filters set by hand, knockouts computed by the network,
## and the end-to-end path trained model -> filterMotifs -> compareMotifs.

bases <- c("A", "C", "G", "T")
oneHotCols <- function(s) sapply(strsplit(s, "")[[1]], function(b) as.integer(bases == b))
revComp <- function(s) as.character(Biostrings::reverseComplement(Biostrings::DNAString(s)))

## Log-odds filters of the three planted motifs, left-aligned in width 19, with biases at 70% of
## each filter's best score: only near-consensus sites activate them.
plantedFilters <- function() {
    motifs <- readMEME(extdata("example_motifs.meme"))
    w <- array(0, c(3, 4, 19))
    cons <- character(3)
    for (i in 1:3) {
        p <- TFBSTools::Matrix(motifs[[i]]) + 0.5
        p <- sweep(p, 2, colSums(p), "/")
        w[i, , seq_len(ncol(p))] <- log2(p / 0.25)
        cons[i] <- paste(bases[apply(p, 2, which.max)], collapse = "")
    }
    best <- apply(w, 1, function(f) sum(apply(f, 2, max)))
    list(weight = w, bias = -0.7 * best, consensus = cons, ids = names(motifs))
}

## DanQ's extraction in plain R: per sequence and strand the first best position, counted when
## its activation exceeds 0.
danqCountsR <- function(w, b, seqs, both = TRUE) {
    k <- dim(w)[3]
    lapply(seq_len(dim(w)[1]), function(f) {
        counts <- matrix(0L, 4, k)
        n <- 0
        for (s in seqs) for (strand in if (both) 1:2 else 1) {
            s2 <- if (strand == 1) s else revComp(s)
            oh <- oneHotCols(s2)
            score <- sapply(seq_len(ncol(oh) - k + 1), function(p) sum(oh[, p:(p + k - 1)] * w[f, , ])) + b[f]
            p <- which.max(score)
            if (score[p] > 0) {
                counts <- counts + oh[, p:(p + k - 1)]
                n <- n + 1
            }
        }
        list(counts = counts, nsites = n)
    })
}

plantModel <- function(len) {
    sequentialModel(c(len, 4), list(layerConv1d(3, 19, activation = "relu"), layerMaxPool1d(4),
                                    layerFlatten(), layerDense(2, activation = "sigmoid")))
}

test_that("filterMotifs recovers known PWMs set as the filters of a SequenceModel", {
    pf <- plantedFilters()
    bg <- c("CGGTGCGCCTTGTTCGTGCTGTTCGGCTCGATGCCGCTCTGTTAGCTAGA",
            "GTTCAGCCGTAACGGACTTTCATTCGGTCATCCTGGGTTTCCGTAGCGTC",
            "TAGGACGTACGGCTGCCTTACTTAAGCTCCGGGTCCCTTGACTCGTATGG")
    ## motif i planted at 21 of background i (forward strand); one sequence with nothing
    seqs <- c(vapply(1:3, function(i) {
        s <- bg[i]
        substr(s, 21, 20 + nchar(pf$consensus[i])) <- pf$consensus[i]
        s
    }, ""), "ACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAAC")
    m <- plantModel(50)
    GenomicDL:::.modelSetFirstConv(m, pf$weight, pf$bias)
    fc <- GenomicDL:::.modelFirstConv(m)
    expect_equal(unname(fc$weight), pf$weight, tolerance = 1e-6)
    expect_equal(fc$bias, pf$bias, tolerance = 1e-6)

    fwd <- filterMotifs(m, seqs, strands = "forward")
    expect_equal(names(fwd), c("filter1", "filter2", "filter3"))
    for (i in 1:3) {
        ## exactly one site: the 19 bases from the planted motif on
        expect_equal(TFBSTools::tags(fwd[[i]])$nsites, 1)
        expect_equal(unname(TFBSTools::Matrix(fwd[[i]])), unname(oneHotCols(substr(seqs[i], 21, 39))))
        cons <- paste(bases[apply(TFBSTools::Matrix(fwd[[i]]), 2, which.max)], collapse = "")
        expect_equal(substr(cons, 1, nchar(pf$consensus[i])), pf$consensus[i])
    }

    ## both strands, motifs also planted reverse-complemented: the counts of an R computation
    rc <- vapply(1:3, function(i) {
        s <- bg[4 - i]
        substr(s, 30, 29 + nchar(pf$consensus[i])) <- revComp(pf$consensus[i])
        s
    }, "")
    all <- c(seqs, rc)
    both <- filterMotifs(m, all, strands = "both")
    ref <- danqCountsR(pf$weight, pf$bias, all)
    for (i in 1:3) {
        expect_equal(TFBSTools::tags(both[[i]])$nsites, ref[[i]]$nsites)
        expect_gte(ref[[i]]$nsites, 2)
        expect_equal(unname(TFBSTools::Matrix(both[[i]])), unname(ref[[i]]$counts))
    }
    ## the site reverse-complemented on the other strand gives the same 19 bases
    g <- TFBSTools::Matrix(both[["filter2"]])
    expect_equal(unname(g[, 1:11]), 2L * unname(oneHotCols(pf$consensus[2])))

    expect_gdl_error(GenomicDL:::.modelSetFirstConv(m, array(0, c(2, 4, 19))), "weights")
    expect_gdl_error(filterMotifs(sequentialModel(c(20, 4), list(layerDense(2))), "ACGT"),
                     "not a convolution")
})

## A model whose outputs are parameter-free functions of its first layer: the max and the mean
## of each filter's ReLU'd "same"-padded (with N) convolution.
poolModel <- function() {
    dna <- layerInput(c(12, 4))
    h <- connect(layerConv1d(2, 6, padding = "same", padValue = 0.25, activation = "relu"), dna)
    functionalModel(dna, list(max = connect(layerGlobalMaxPool1d(), h),
                              avg = connect(layerGlobalAvgPool1d(), h)))
}

## The same network in R: first-layer activations N x filters x positions.
poolActivations <- function(w, b, x) {
    xp <- array(0.25, dim(x) + c(0, 0, 5))  # "same" for width 6: 2 left, 3 right
    xp[, , 3:(dim(x)[3] + 2)] <- x
    a <- array(0, c(dim(x)[1], dim(w)[1], dim(x)[3]))
    for (f in seq_len(dim(w)[1])) for (p in seq_len(dim(x)[3]))
        a[, f, p] <- pmax(apply(xp[, , p:(p + 5), drop = FALSE], 1, function(s) sum(s * w[f, , ])) + b[f], 0)
    a
}
poolOutputs <- function(a) cbind(apply(a, c(1, 2), max), apply(a, c(1, 2), mean))

test_that("filterImportance on a SequenceModel matches an R computation of the knockouts", {
    set.seed(3)
    w <- array(round(rnorm(48), 2), c(2, 4, 6))
    b <- c(0.5, -0.25)
    m <- poolModel()
    GenomicDL:::.modelSetFirstConv(m, w, b)
    seqs <- c("TTGATATTTTTT", "CCCACGTGCCCC", "GGGGGGGGGGGG", "ACGTNACGTACG", "TATATAGCGCGC")
    x <- oneHot(seqs, layout = "NCL")
    a <- poolActivations(w, b, x)
    full <- poolOutputs(a)
    expect_equal(GenomicDL:::.modelForward(m, x), full, tolerance = 1e-5, ignore_attr = TRUE)

    ## mean activation over sequences and all positions, padded ones included
    means <- apply(a, 2, mean)
    expect_equal(GenomicDL:::.modelFirstActivationMeans(m, x), means, tolerance = 1e-6)
    expect_equal(GenomicDL:::.modelFirstActivationMeans(m, aperm(x, c(1, 3, 2)), layout = "NLC"),
                 means, tolerance = 1e-6)
    for (method in c("mean", "zero")) {
        se <- filterImportance(m, seqs, method = method)
        expect_equal(dim(se), c(2L, 4L))
        expect_equal(colnames(se), c("max_1", "max_2", "avg_1", "avg_2"))
        v <- if (method == "mean") means else c(0, 0)
        expect_equal(SummarizedExperiment::rowData(se)$value, v, tolerance = 1e-6)
        for (f in 1:2) {
            ko <- a
            ko[, f, ] <- v[f]
            d <- poolOutputs(ko) - full
            expect_equal(unname(SummarizedExperiment::assay(se, "meanAbsDelta")[f, ]),
                         colMeans(abs(d)), tolerance = 1e-5, info = paste(method, f))
            expect_equal(unname(SummarizedExperiment::assay(se, "meanSqDelta")[f, ]),
                         colMeans(d^2), tolerance = 1e-5, info = paste(method, f))
        }
    }
    expect_gdl_error(GenomicDL:::.modelFirstActivationMeans(m, oneHot("ACGTACGT", layout = "NCL")),
                     "input")
})

## JASPAR 2020 when ../shared has it; otherwise the planted motifs among 60 random decoys.
motifTargets <- function() {
    js <- sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
    if (!is.null(js)) return(js)
    set.seed(11)
    decoys <- lapply(seq_len(60), function(i) {
        w <- sample(8:16, 1)
        counts <- sapply(seq_len(w), function(j) {
            if (runif(1) < 0.5) as.integer(round(100 * (0.05 + 0.8 * (bases == sample(bases, 1)))))
            else as.integer(rmultinom(1, 100, rep(0.25, 4)))
        })
        dimnames(counts) <- list(bases, NULL)
        TFBSTools::PFMatrix(ID = sprintf("decoy%02d", i), name = "decoy", profileMatrix = counts)
    })
    c(as.list(readMEME(extdata("example_motifs.meme"))), decoys)
}

test_that("a model trained on the example genome learns the planted motifs (Tomtom q < 0.05)", {
    fa <- extdata("example_genome.fa")
    gen <- sequenceGenerator(fa, c(extdata("example_peaks_cell1.bed"), extdata("example_peaks_cell2.bed")),
                             inputLength = 100, negativeRatio = 1,
                             rcAugment = TRUE, batchSize = 32, seed = 1)
    m <- sequentialModel(c(100, 4), list(layerConv1d(32, 19, activation = "relu"),
                                         layerGlobalMaxPool1d(),
                                         layerDense(2, activation = "sigmoid")), seed = 1)
    h <- fit(m, gen, epochs = 20, learningRate = 0.01, verbose = FALSE, seed = 1)
    expect_lt(tail(h$loss, 1), h$loss[1])
    sites <- utils::read.table(extdata("example_sites.bed"), sep = "\t")
    win <- GenomicRanges::resize(GenomicRanges::GRanges(sites$V1, IRanges::IRanges(sites$V2 + 1L, sites$V3)),
                                 100, fix = "center")
    ## Basset's method (positions above half the filter's maximum) keeps the strong sites only:
    ## with DanQ's (the best position of every window) the GATA filters' PFMs also take the
    ## random best positions of windows without GATA, and GATA1 (about 10 bits) drowns.
    pfms <- suppressMessages(filterMotifs(m, win, genome = fa, method = "threshold"))
    expect_gt(length(pfms), 10)
    hits <- compareMotifs(pfms, motifTargets(), dist = "pearson")
    for (id in c("MA0139.1", "MA0035.4", "MA0058.3")) {
        q <- hits$`q-value`[hits$Target_ID == id]
        expect_true(length(q) > 0 && min(q) < 0.05, info = id)
    }
    ## knockouts: the GATA1 filters matter for cell 1 (task 1), the MAX filters for cell 2
    imp <- filterImportance(m, win[sites$V7 == 1 | sites$V8 == 1], genome = fa)
    a <- SummarizedExperiment::assay(imp, "meanAbsDelta")
    sig <- hits[hits$`q-value` < 0.05, ]
    gata <- unique(sig$Query_ID[sig$Target_ID == "MA0035.4"])
    max <- unique(sig$Query_ID[sig$Target_ID == "MA0058.3"])
    expect_gt(mean(a[gata, 1]), mean(a[gata, 2]))
    expect_gt(mean(a[max, 2]), mean(a[max, 1]))
})
