test_that("readMEME reads the example motifs as counts scaled by nsites", {
    m <- readMEME(extdata("example_motifs.meme"))
    expect_s4_class(m, "PFMatrixList")
    expect_equal(names(m), c("MA0139.1", "MA0035.4", "MA0058.3"))
    ctcf <- m[["MA0139.1"]]
    expect_equal(TFBSTools::name(ctcf), "CTCF")
    x <- TFBSTools::Matrix(ctcf)
    expect_equal(dim(x), c(4L, 19L))
    expect_equal(rownames(x), c("A", "C", "G", "T"))
    ## first row of the file: 0.095290 0.318729 0.083242 0.502738, nsites = 913
    expect_equal(unname(x[, 1]), round(c(0.095290, 0.318729, 0.083242, 0.502738) * 913))
    expect_equal(TFBSTools::tags(ctcf)$nsites, 913)
})

test_that("writeMEME writes DanQ's format and write -> read is exact", {
    set.seed(1)
    pfms <- lapply(1:3, function(i) {
        w <- 5 + i
        n <- 40L
        counts <- sapply(seq_len(w), function(j) tabulate(sample(1:4, n, TRUE), 4))
        dimnames(counts) <- list(c("A", "C", "G", "T"), NULL)
        TFBSTools::PFMatrix(ID = paste0("filter", i), name = paste0("filter", i),
                            profileMatrix = counts)
    })
    pl <- do.call(TFBSTools::PFMatrixList, c(pfms, list(use.names = FALSE)))
    f <- tempfile(fileext = ".meme")
    writeMEME(pl, f)
    txt <- readLines(f)
    expect_equal(txt[1:9], c("MEME version 4.9.0", "", "ALPHABET= ACGT", "", "strands: + -", "",
                             "Background letter frequencies (from uniform background):",
                             "A 0.25000 C 0.25000 G 0.25000 T 0.25000", ""))
    expect_equal(txt[10], "MOTIF filter1")
    expect_equal(txt[11], "letter-probability matrix: alength= 4 w= 6 nsites= 40 E= 1337.0e-6")
    p1 <- TFBSTools::Matrix(pl[[1]])[, 1] / 40
    expect_equal(txt[12], do.call(sprintf, c(list("%f %f %f %f"), as.list(p1))))
    back <- readMEME(f)
    for (i in 1:3)
        expect_identical(unname(TFBSTools::Matrix(back[[i]])), unname(TFBSTools::Matrix(pl[[i]])))
    ## the example file survives read -> write -> read
    m <- readMEME(extdata("example_motifs.meme"))
    f2 <- tempfile(fileext = ".meme")
    writeMEME(m, f2)
    m2 <- readMEME(f2)
    for (i in seq_along(m))
        expect_identical(TFBSTools::Matrix(m2[[i]]), TFBSTools::Matrix(m[[i]]))
})

test_that("readJASPAR reads .jaspar count files and MEME files", {
    f <- tempfile(fileext = ".jaspar")
    writeLines(c(">MA0035.4\tGATA1",
                 "A  [ 1 0 10 ]", "C  [ 2 10 0 ]", "G  [ 3 0 0 ]", "T  [ 4 0 0 ]"), f)
    j <- readJASPAR(f)
    expect_equal(names(j), "MA0035.4")
    expect_equal(TFBSTools::name(j[[1]]), "GATA1")
    expect_equal(unname(TFBSTools::Matrix(j[[1]])), matrix(c(1, 2, 3, 4, 0, 10, 0, 0, 10, 0, 0, 0), 4))
    expect_equal(length(readJASPAR(extdata("example_motifs.meme"))), 3L)
})

test_that("motif readers and writers reject bad input", {
    expect_gdl_error(readMEME(tempfile()), "existing MEME file")
    bad <- tempfile()
    writeLines(c("MEME version 4", "", "MOTIF x", "letter-probability matrix: alength= 4 w= 2",
                 "0.5 0.5 0 0"), bad)
    expect_gdl_error(readMEME(bad), "matrix rows but w= 2")
    writeLines(c("MEME version 4", "", "MOTIF x", "letter-probability matrix: alength= 4 w= 1",
                 "0.5 0.5 0"), bad)
    expect_gdl_error(readMEME(bad), "expected 4 probabilities")
    writeLines(c("no motifs here"), bad)
    expect_gdl_error(readMEME(bad), "not a MEME motif file")
    expect_gdl_error(writeMEME(list(1), tempfile()), "PFMatrix")
})
