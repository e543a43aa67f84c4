jaspar <- function() sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")

## An independent R computation of Tomtom's p-value for one-column motifs:
## one alignment, two strands -> p = 1 - (1 - S)^2 with S the fraction of target
## columns (both strands) whose scaled, median-shifted score is >= the observed one.
tomtomOneColumn <- function(q, targets, nsites = 20) {
    pc <- function(p) (p * nsites + 0.1 * 0.25) / (nsites + 0.1)
    q <- pc(q)
    cols <- do.call(rbind, lapply(targets, function(t) rbind(pc(t), rev(pc(t)))))
    u <- q - 0.25
    v <- sweep(cols, 2, 0.25)
    s <- as.vector(v %*% u) / sqrt(sum(u^2) * rowSums(v^2))
    med <- sort(s)[floor(length(s) / 2)]
    s <- s - med
    off <- floor(min(s))
    sc <- floor(100 / (max(s) - off))
    b <- floor((s - off) * sc + 0.5)
    fwd <- b[seq(1, length(b), 2)]
    rc <- b[seq(2, length(b), 2)]
    best <- pmax(fwd, rc)
    S <- vapply(best, function(k) mean(b >= k), numeric(1))
    list(p = 1 - (1 - S)^2, strand = ifelse(fwd >= rc, "+", "-"))
}

test_that("one-column comparisons give the hand-computed Tomtom p-values", {
    set.seed(7)
    targets <- lapply(1:60, function(i) { x <- rgamma(4, 0.5); x / sum(x) })
    pfm <- function(p, id) {
        m <- matrix(round(p * 20), 4, dimnames = list(c("A", "C", "G", "T"), NULL))
        TFBSTools::PFMatrix(ID = id, name = id, profileMatrix = m)
    }
    ## probabilities that are exact multiples of 1/20
    targets <- lapply(targets, function(p) { m <- round(p * 20); m[which.max(m)] <- m[which.max(m)] + 20 - sum(m); m / 20 })
    tl <- do.call(TFBSTools::PFMatrixList, c(Map(pfm, targets, sprintf("T%02d", 1:60)), list(use.names = TRUE)))
    q <- c(0.7, 0.1, 0.15, 0.05)
    res <- compareMotifs(pfm(q, "Q"), tl, dist = "pearson", threshold = 1)
    ref <- tomtomOneColumn(q, targets)
    i <- match(res$Target_ID, sprintf("T%02d", 1:60))
    expect_equal(res$`p-value`, ref$p[i], tolerance = 1e-6)
    expect_equal(res$`E-value`, ref$p[i] * 60, tolerance = 1e-6)
    expect_equal(res$Orientation, ref$strand[i])
    expect_true(all(res$Overlap == 1L) && all(res$Optimal_offset == 0L))
})

test_that("each JASPAR motif is its own best hit; reverse complements match on '-'", {
    skip_if_no_shared("motifs")
    all <- readMEME(jaspar())
    targets <- all[1:80]
    queries <- all[c(1, 7, 23, 50)]
    for (d in c("pearson", "ed", "sandelin", "kullback")) {
        r <- compareMotifs(queries, targets, dist = d, threshold = 1)
        first <- r[!duplicated(r$Query_ID), ]
        expect_equal(first$Target_ID, first$Query_ID, info = d)
        expect_equal(first$Optimal_offset, rep(0L, 4), info = d)
        expect_equal(first$Orientation, rep("+", 4), info = d)
        w <- vapply(queries, function(m) ncol(TFBSTools::Matrix(m)), integer(1))
        expect_equal(first$Overlap, unname(w), info = d)
        ## p, E and q never decrease within a query; E = p x targets
        for (qid in unique(r$Query_ID)) {
            s <- r[r$Query_ID == qid, ]
            expect_false(is.unsorted(s$`p-value`), info = d)
            expect_false(is.unsorted(s$`q-value`), info = d)
            expect_equal(s$`E-value`, s$`p-value` * 80, tolerance = 1e-6, info = d)
            expect_false(anyDuplicated(s$Target_ID) > 0)
        }
    }
    ## reverse-complemented queries: same p-value, orientation "-"
    rcm <- lapply(queries, function(m) {
        x <- TFBSTools::Matrix(m)[4:1, ncol(TFBSTools::Matrix(m)):1]
        rownames(x) <- c("A", "C", "G", "T")
        TFBSTools::PFMatrix(ID = paste0(TFBSTools::ID(m), "_rc"), profileMatrix = x,
                            tags = list(nsites = TFBSTools::tags(m)$nsites))
    })
    rcl <- do.call(TFBSTools::PFMatrixList, c(rcm, list(use.names = FALSE)))
    fw <- compareMotifs(queries, targets, dist = "pearson", threshold = 1)
    rv <- compareMotifs(rcl, targets, dist = "pearson", threshold = 1)
    for (i in seq_along(queries)) {
        id <- TFBSTools::ID(queries[[i]])
        a <- fw[fw$Query_ID == id & fw$Target_ID == id, ]
        b <- rv[rv$Query_ID == paste0(id, "_rc") & rv$Target_ID == id, ]
        expect_equal(b$Orientation, "-")
        expect_equal(b$`p-value`, a$`p-value`, tolerance = 1e-5)
    }
})

test_that("the fast path equals the straightforward reference path", {
    skip_if_no_shared("motifs")
    q <- GenomicDL:::.motifsToCore(jaspar())
    sub <- lapply(q[c("id", "name", "url", "nsites", "prob")], `[`, 1:6)
    sub$background <- q$background
    for (d in c("pearson", "ed")) {
        fast <- GenomicDL:::.tomtom(sub, q, d, 5L, 10, TRUE, TRUE, threads = 2)
        ref <- GenomicDL:::.tomtom(sub, q, d, 5L, 10, TRUE, TRUE, threads = 2, reference = TRUE)
        expect_identical(as.data.frame(fast), as.data.frame(ref))
    }
    # Tomtom's -incomplete-scores statistics (ed: no rounding of Pearson sums in play)
    fast <- GenomicDL:::.tomtom(sub, q, "ed", 5L, 10, TRUE, FALSE, threads = 2)
    ref <- GenomicDL:::.tomtom(sub, q, "ed", 5L, 10, TRUE, FALSE, threads = 2, reference = TRUE)
    expect_identical(as.data.frame(fast), as.data.frame(ref))
    expect_gt(nrow(fast), 0L)
})

test_that("thresholds and minOverlap behave", {
    skip_if_no_shared("motifs")
    all <- readMEME(jaspar())[1:120]
    q <- all[1:3]
    loose <- compareMotifs(q, all, dist = "ed", threshold = 1)
    strict <- compareMotifs(q, all, dist = "ed", threshold = 0.05)
    expect_true(nrow(strict) < nrow(loose))
    expect_true(all(strict$`q-value` <= 0.05))
    ev <- compareMotifs(q, all, dist = "ed", evalue = TRUE, threshold = 2)
    expect_true(all(ev$`E-value` <= 2))
    mo <- compareMotifs(q, all, dist = "pearson", minOverlap = 5, threshold = 1)
    w <- vapply(all, function(m) ncol(TFBSTools::Matrix(m)), integer(1))
    expect_true(all(mo$Overlap >= pmin(5L, w[mo$Target_ID], 6L)))
    expect_gdl_error(compareMotifs(q, all, threshold = 2), "at most 1")
    expect_gdl_error(compareMotifs(q, 42), "target must be")
    expect_gdl_error(compareMotifs(q, all, minOverlap = -1), "minOverlap")
})

test_that("nNearest keeps the first k rows per query of the full comparison", {
    skip_if_no_shared("motifs")
    all <- readMEME(jaspar())
    q <- all[c(1, 50, 300, 700)]
    for (d in c("pearson", "ed")) {
        full <- as.data.frame(compareMotifs(q, all, dist = d, threshold = 1))
        topk <- do.call(rbind, lapply(split(full, factor(full$Query_ID, unique(full$Query_ID))), head, 7))
        near <- as.data.frame(compareMotifs(q, all, dist = d, threshold = 1, nNearest = 7))
        rownames(topk) <- rownames(near) <- NULL
        expect_identical(near, topk)
        expect_equal(as.vector(table(near$Query_ID)), rep(7L, 4))
    }
    # the threshold still applies (fewer than k rows where fewer pass), as do E-values
    strict <- as.data.frame(compareMotifs(q, all, threshold = 1e-3, nNearest = 50))
    fullStrict <- as.data.frame(compareMotifs(q, all, threshold = 1e-3))
    expect_identical(strict, fullStrict)
    ev <- compareMotifs(q, all, evalue = TRUE, threshold = 10, nNearest = 1)
    expect_identical(ev$Query_ID, vapply(q, TFBSTools::ID, character(1), USE.NAMES = FALSE))
    expect_gdl_error(compareMotifs(q, all, nNearest = 0), "nNearest must be a whole number")
    expect_gdl_error(compareMotifs(q, all, nNearest = 2.5), "nNearest")
})

test_that("queries as an N x width x 4 array equal the same motifs as matrices", {
    skip_if_no_shared("motifs")
    all <- readMEME(jaspar())
    set.seed(3)
    idx <- sample(length(all), 5)
    w <- 8L
    counts <- lapply(idx, function(i) round(TFBSTools::Matrix(all[[i]])[, 1:w]))
    arr <- array(0, c(5, w, 4), dimnames = list(paste0("s", 1:5), NULL, c("A", "C", "G", "T")))
    for (i in 1:5) arr[i, , ] <- t(counts[[i]])
    pfl <- do.call(TFBSTools::PFMatrixList,
                   lapply(1:5, function(i) TFBSTools::PFMatrix(ID = paste0("s", i), name = "",
                                                               profileMatrix = counts[[i]],
                                                               tags = list(nsites = 20))))
    a <- compareMotifs(arr, all, dist = "pearson", threshold = 1, nNearest = 3)
    b <- compareMotifs(pfl, all, dist = "pearson", threshold = 1, nNearest = 3)
    expect_identical(as.data.frame(a), as.data.frame(b))  # positions scaled to sum 1, 20 sites
    expect_identical(unique(a$Query_ID), paste0("s", 1:5))
    expect_identical(as.data.frame(compareMotifs(arr * 4, all, threshold = 1, nNearest = 3)),
                     as.data.frame(compareMotifs(arr, all, threshold = 1, nNearest = 3)))
    # one-hot seqlets (oneHot()'s layout) without row names
    oh <- oneHot(Biostrings::DNAStringSet(c("TTATCTGA", "CACGTGAC", "GGGGCGGG")))
    hits <- compareMotifs(unname(oh), all, dist = "pearson", threshold = 1, nNearest = 2)
    expect_identical(hits$Query_ID, rep(c("query1", "query2", "query3"), each = 2))
    expect_gdl_error(compareMotifs(-arr, all), "negative")
    expect_gdl_error(compareMotifs(arr[, , 1:3], all), "N x width x 4")
    arr[2, 3, ] <- 0
    expect_gdl_error(compareMotifs(arr, all), "motif 2 has no weight at position 3")
})
