
test_that("genomeSource opens FASTA, FaFile and DNAStringSet with the same seqinfo", {
    g <- genomeSource(fa)
    expect_s4_class(g, "GenomeSource")
    expect_equal(as.character(seqnames(seqinfo(g))), c("chr1", "chr2", "chr3"))
    expect_equal(unname(seqlengths(seqinfo(g))), c(700000L, 500000L, 300000L))
    g2 <- genomeSource(Rsamtools::FaFile(fa))
    expect_equal(seqinfo(g2), seqinfo(g))
    dss <- Biostrings::readDNAStringSet(fa)
    g3 <- genomeSource(dss)
    expect_equal(seqlengths(seqinfo(g3)), seqlengths(seqinfo(g)))
    expect_output(show(g), "GenomeSource \\(fasta\\) with 3 sequences")
})

test_that("a BSgenome gives the same genome as its FASTA (seqinfo, sequences, one-hot)", {
    skip_if_not_installed("BSgenome")
    ## a BSgenome over the example genome, its sequences in a 2bit file (BSgenome's own
    ## single_sequences.2bit layout), as BSgenome data packages ship them
    dss <- Biostrings::readDNAStringSet(fa)
    d <- tempfile()
    dir.create(d)
    on.exit(unlink(d, recursive = TRUE))
    rtracklayer::export(dss, file.path(d, "single_sequences.2bit"))
    bs <- BSgenome::BSgenome(organism = "Example", common_name = "example",
                             provider = "GenomicDL", provider_version = "1",
                             release_date = "2024", release_name = "example", source_url = "none",
                             seqnames = names(dss), circ_seqs = character(0), mseqnames = NULL,
                             seqs_pkgname = "GenomicDL", seqs_dirpath = d)
    g <- genomeSource(bs)
    expect_equal(seqlengths(seqinfo(g)), seqlengths(seqinfo(genomeSource(fa))))
    gr <- GRanges(c("chr1:100-160:-", "chr2:104990-105020:+", "chr3:2000-2050:+"))
    expect_identical(unname(as.character(getSequence(g, gr))),
                     as.character(Biostrings::getSeq(bs, gr)))
    w <- resize(gr, 40)
    expect_identical(oneHot(w, g), oneHot(w, fa))
    expect_equal(seqlengths(seqinfo(genomeSource(bs, chromosomes = "chr2"))), c(chr2 = 500000L))
    expect_gdl_error(genomeSource(bs, chromosomes = "chrX"), "chrX")
})

test_that("a missing .fai is built; bgzip and gzip FASTA work", {
    d <- tempfile()
    dir.create(d)
    f <- file.path(d, "g.fa")
    file.copy(fa, f)
    g <- genomeSource(f)
    expect_true(file.exists(paste0(f, ".fai")))
    gz <- Rsamtools::bgzip(f, file.path(d, "g.fa.bgz"))
    gb <- genomeSource(gz)
    r <- GRanges(c("chr1:1000-1100", "chr3:299900-300000:-"))
    expect_equal(as.character(getSequence(gb, r)), as.character(getSequence(g, r)))
    con <- gzfile(file.path(d, "plain.fa.gz"), "w")
    writeLines(readLines(f, n = 100), con)
    close(con)
    expect_message(gz2 <- genomeSource(file.path(d, "plain.fa.gz")), "gzip")
    expect_equal(as.character(seqnames(seqinfo(gz2))), "chr1")
    ## no index and not allowed to build one, or a folder that cannot take it: clear errors
    f2 <- file.path(d, "noindex.fa")
    file.copy(fa, f2)
    expect_gdl_error(genomeSource(f2, buildIndex = FALSE), "has no index")
    expect_false(file.exists(paste0(f2, ".fai")))
    ro <- file.path(d, "readonly")
    dir.create(ro)
    file.copy(fa, file.path(ro, "g.fa"))
    Sys.chmod(ro, "0555")
    if (file.access(ro, 2L) != 0L)  # root writes anywhere: this part runs for other users
        expect_gdl_error(genomeSource(file.path(ro, "g.fa")), "not writable")
    Sys.chmod(ro, "0755")
    unlink(d, recursive = TRUE)
})

test_that("getSequence equals Biostrings::getSeq, strand-aware", {
    set.seed(1)
    st <- sample(1:299000, 50)
    r <- GRanges(sample(c("chr1", "chr2", "chr3"), 50, TRUE), IRanges(st, width = sample(1:500, 50, TRUE)),
                 strand = sample(c("+", "-", "*"), 50, TRUE))
    ours <- getSequence(fa, r)
    ref <- Biostrings::getSeq(Rsamtools::FaFile(fa), r)
    expect_equal(as.character(ours), as.character(ref))
    expect_equal(unname(as.character(getSequence(fa, GRanges("chr3:995-1002")))), "NNNNNNTT")
})

test_that("oneHot encodes A, C, G, T channels; N and IUPAC; U and lower case", {
    x <- oneHot(c("ACGTN", "acguR"))
    expect_equal(dim(x), c(2L, 5L, 4L))
    expect_equal(dimnames(x)[[3]], c("A", "C", "G", "T"))
    expect_equal(unname(x[1, 1:4, ]), diag(4))
    expect_equal(unname(x[2, 1:4, ]), diag(4))
    expect_equal(unname(x[1, 5, ]), rep(0.25, 4))
    expect_equal(unname(x[2, 5, ]), rep(0.25, 4))
    z <- oneHot("ANR", ambiguous = "zero")
    expect_equal(unname(z[1, 2:3, ]), matrix(0, 2, 4))
    y <- oneHot(c("ACGTN", "acguR"), layout = "NCL")
    expect_equal(dim(y), c(2L, 4L, 5L))
    expect_equal(aperm(y, c(1, 3, 2)), x, ignore_attr = TRUE)
    expect_equal(oneHot(Biostrings::DNAStringSet(c("AC", "GT"))), oneHot(c("AC", "GT")))
    expect_equal(oneHot(Biostrings::RNAStringSet("ACGU")), oneHot("ACGT"))
})

test_that("oneHot of GRanges reverse-complements the minus strand and matches the sequence", {
    r <- GRanges(c("chr1:5001-5100:+", "chr2:9001-9100:-", "chr3:901-1000"))
    x <- oneHot(r, fa)
    s <- as.character(getSequence(fa, r))
    expect_equal(x, oneHot(s))
    # one-hot of the reverse complement is the channel- and position-reversed array
    rc <- oneHot(as.character(Biostrings::reverseComplement(getSequence(fa, r[1]))))
    xm <- oneHot(GenomicRanges::invertStrand(r[1]), fa)
    expect_equal(xm, rc)
    expect_equal(unname(xm[1, 100:1, 4:1]), unname(x[1, , ]))
})

test_that("bad input gives GenomicDL_error naming the problem", {
    expect_gdl_error(genomeSource(tempfile(fileext = ".fa")), "does not exist")
    bad <- tempfile(fileext = ".fa")
    writeLines(c("ACGT", "ACGT"), bad)
    expect_gdl_error(genomeSource(bad), "malformed")
    bad2 <- tempfile(fileext = ".fa")
    writeLines(c(">a", "ACGT", "AC", "ACGT"), bad2)
    expect_gdl_error(genomeSource(bad2), "malformed")
    empty <- tempfile(fileext = ".fa")
    file.create(empty)
    expect_gdl_error(genomeSource(empty), "empty")
    expect_gdl_error(getSequence(fa, GRanges("chrZ:1-10")), "chromosome 'chrZ' is not in")
    expect_gdl_error(getSequence(fa, GRanges("chr3:299990-300010")), "past the end of chromosome chr3")
    expect_gdl_error(oneHot(c("ACG", "ACGT")), "equal widths")
    expect_gdl_error(oneHot(GRanges(c("chr1:1-10", "chr1:1-11")), fa), "equal widths")
    expect_gdl_error(oneHot(character(0)), "empty")
    expect_gdl_error(oneHot("AC-T"), "not a nucleotide")
    expect_gdl_error(oneHot(GRanges("chr1:1-10")), "needs a genome")
    expect_gdl_error(genomeSource(Biostrings::DNAStringSet("ACGT")), "needs a name")
    expect_gdl_error(genomeSource(42), "must be a FASTA path")
})

test_that("a GenomeSource survives saveRDS / readRDS", {
    g <- genomeSource(fa)
    f <- tempfile(fileext = ".rds")
    saveRDS(g, f)
    g2 <- readRDS(f)
    expect_equal(unname(as.character(getSequence(g2, GRanges("chr1:1-10")))), "TCAATCATAT")
})
