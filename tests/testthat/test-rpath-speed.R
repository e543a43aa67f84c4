## The R-facing paths written by the core's tiled writers (oneHot, getSequence, batch): values
## against computations in R, on inputs larger than one tile (512 sequences) so that tiles,
## partial tiles and the threads' position ranges all meet, with N, IUPAC codes, lower case and
## U in the sequences.

## One-hot in R, as a user would write it: the letters as a matrix, four comparisons; anything
## else (N, IUPAC) gets `amb` in every channel. N x L x 4 (or N x 4 x L).
oneHotInR <- function(s, amb = 0.25, layout = "NLC") {
    m <- toupper(as.matrix(Biostrings::BStringSet(s)))
    m[m == "U"] <- "T"
    x <- array(0, c(nrow(m), ncol(m), 4L))
    for (k in 1:4) x[, , k] <- m == c("A", "C", "G", "T")[k]
    x[, , 1:4][!(m %in% c("A", "C", "G", "T"))] <- amb
    if (layout == "NCL") x <- aperm(x, c(1L, 3L, 2L))
    x
}

## A genome of random sequence with runs of N, IUPAC codes and lower case.
set.seed(13)
letters4 <- c("A", "C", "G", "T")
chrom <- function(n) {
    s <- sample(letters4, n, TRUE)
    s[sample.int(n, n %/% 50)] <- sample(c("N", "R", "Y", "k", "w", "n"), n %/% 50, TRUE)
    s[2000:2300] <- "N"
    low <- sample.int(n, n %/% 10)
    s[low] <- tolower(s[low])
    paste(s, collapse = "")
}
mem <- Biostrings::DNAStringSet(c(chrA = chrom(60000), chrB = chrom(40000)))
g <- genomeSource(mem)
n <- 1300L
w <- 151L
starts <- sample.int(40000L - w, n, TRUE)
gr <- GRanges(sample(c("chrA", "chrB"), n, TRUE), IRanges(starts, width = w),
              strand = sample(c("+", "-"), n, TRUE))
## the windows' sequences computed in R (Biostrings; reverse complement for minus strands)
seqsR <- as.character(Biostrings::DNAStringSet(
    Map(function(ch, s, e, minus) {
        x <- Biostrings::subseq(mem[[ch]], s, e)
        if (minus) Biostrings::reverseComplement(x) else x
    }, as.character(seqnames(gr)), start(gr), end(gr), as.character(strand(gr)) == "-")))

test_that("oneHot(GRanges) equals the one-hot computed in R, both layouts, 1 and 2 threads", {
    for (layout in c("NLC", "NCL")) for (threads in 1:2) {
        x <- oneHot(gr, g, layout = layout, threads = threads)
        expect_equal(dim(x), if (layout == "NLC") c(n, w, 4L) else c(n, 4L, w))
        expect_identical(unname(x), oneHotInR(seqsR, 0.25, layout))
        expect_identical(dimnames(x)[[if (layout == "NLC") 3L else 2L]], letters4)
        z <- oneHot(gr, g, layout = layout, ambiguous = "zero", threads = threads)
        expect_identical(unname(z), oneHotInR(seqsR, 0, layout))
    }
    # every window has four channels summing to 1 (ACGT) or 1 (4 x 0.25)
    expect_equal(range(apply(oneHot(gr, g, threads = 2), c(1, 2), sum)), c(1, 1))
})

test_that("oneHot of strings and of a DNAStringSet equals the one-hot computed in R", {
    s <- seqsR
    s[5] <- chartr("Tt", "Uu", s[5])     # U reads as T
    dna <- Biostrings::DNAStringSet(seqsR)
    for (layout in c("NLC", "NCL")) for (threads in 1:2) {
        expect_identical(unname(oneHot(s, layout = layout, threads = threads)),
                         oneHotInR(s, 0.25, layout))
        expect_identical(unname(oneHot(dna, layout = layout, ambiguous = "zero", threads = threads)),
                         oneHotInR(seqsR, 0, layout))
    }
    # a FASTA genome gives the same as the in-memory one
    fa <- tempfile(fileext = ".fa")
    Biostrings::writeXStringSet(mem, fa)
    expect_identical(oneHot(gr, fa, threads = 2), oneHot(gr, g, threads = 2))
})

test_that("a byte that is not a nucleotide is named by its first sequence, then position", {
    s <- seqsR
    substr(s[900], 3, 3) <- "-"          # later sequence, earlier position
    substr(s[700], 120, 120) <- "*"      # first sequence with a bad byte (second thread's range)
    substr(s[700], 140, 140) <- "!"
    for (threads in 1:2)
        expect_gdl_error(oneHot(s, threads = threads),
                         "sequence 700 has a character that is not a nucleotide \\('\\*'\\) at position 120")
})

test_that("model inputs from sequences keep their names as the first dimnames", {
    s <- stats::setNames(seqsR[1:3], c("a", "b", "c"))
    x <- GenomicDL:::.asOneHot(s, "NLC", "NCL", NULL, "x", 4L)
    expect_identical(dimnames(x), list(c("a", "b", "c"), letters4, NULL))
    expect_identical(unname(x), oneHotInR(seqsR[1:3], 0.25, "NCL"))
})

test_that("getSequence equals Biostrings on the same ranges and names a malformed byte", {
    s <- getSequence(g, gr)
    expect_s4_class(s, "DNAStringSet")
    expect_identical(as.character(s), toupper(seqsR))
    expect_identical(names(s), as.character(seqnames(gr)))
    # U is a nucleotide to the one-hot encoder but not a letter of a DNAStringSet
    bad <- tempfile(fileext = ".fa")
    writeLines(c(">a", "ACGTACGTAC", "GTUCACGTAC"), bad)
    expect_gdl_error(getSequence(bad, GRanges(c("a:1-5", "a:9-15"))),
                     "range 2 \\(a\\) holds 'U' at its position 5, not a DNA letter")
    expect_identical(oneHot(GRanges("a:9-15"), bad), oneHot("ACGTUCA"))
})

test_that("batch() gives the one-hot of its windows and the same batch in either layout", {
    bw <- extdata("example_coverage_cell1.bw")
    for (amb in c("quarter", "zero")) {
        nlc <- sequenceGenerator(fa, bw, inputLength = 1001, targetWindow = 10, batchSize = 600,
                                 reverseComplement = TRUE, ambiguous = amb, seed = 3)
        ncl <- sequenceGenerator(fa, bw, inputLength = 1001, targetWindow = 10, batchSize = 600,
                                 reverseComplement = TRUE, ambiguous = amb, seed = 3, layout = "NCL")
        for (i in 1:2) {
            b <- batch(nlc, i)
            wins <- GenomicDL:::.batchWindows(nlc, i)
            expect_equal(dim(b$x), c(600L, 1001L, 4L))
            expect_identical(unname(b$x),
                             oneHotInR(as.character(getSequence(fa, wins)),
                                       if (amb == "zero") 0 else 0.25))
            b2 <- batch(ncl, i)
            expect_identical(b2$x, aperm(b$x, c(1L, 3L, 2L)))
            expect_identical(b2$y, b$y)
            expect_equal(dim(b$y), c(600L, 10L, 1L))
        }
    }
})
