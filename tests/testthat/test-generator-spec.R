## Options of sequenceGenerator validated (issue 11's "accepted and ignored" catalogue) and the
## typed boundary between R and the core's plan: one expectation per case.

spec <- function(...) {  # the spec R sends the core for a generator built from these arguments
    gen <- sequenceGenerator(...)
    p <- GenomicDL:::.generatorPlan(gen@args)
    list(genome = GenomicDL:::.genomePtr(p$genome), spec = p$spec)
}
newFromSpec <- function(s) GenomicDL:::.native(GenomicDL:::cpp_generator_new(s$genome, s$spec))
cont <- spec(fa, bw1, inputLength = 101, chromosomes = "chr3", batchSize = 8)
sparse <- spec(fa, bed1, annotationTypes = "CTCF", inputLength = 201, batchSize = 8)

test_that("reverseComplement = \"TRUE\" is an error, not FALSE", {
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, reverseComplement = "TRUE"),
                     "reverseComplement must be TRUE or FALSE, not \"TRUE\"")
})

test_that("augmentation = \"yes\" is an error", {
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201,
                                       augmentation = "yes"),
                     "augmentation must be TRUE or FALSE, not \"yes\"")
})

test_that("rcAugment = NA is an error", {
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, rcAugment = NA),
                     "rcAugment must be TRUE or FALSE")
})

test_that("seq2seq = 1 is an error", {
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201, seq2seq = 1),
                     "seq2seq must be TRUE or FALSE")
})

test_that("useStrand = c(TRUE, FALSE) is an error", {
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 201,
                                       useStrand = c(TRUE, FALSE)),
                     "useStrand must be TRUE or FALSE")
})

test_that("strict = \"no\" is an error", {
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, strict = "no"),
                     "strict must be TRUE or FALSE")
})

test_that("jitter = 1e9 is an error naming the window", {
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, jitter = 1e9),
                     "jitter \\(1000000000\\) must be smaller than the window \\(101\\)")
})

test_that("jitter just below the window keeps every window on its chromosome", {
    g <- sequenceGenerator(fa, bw1, inputLength = 101, chromosomes = "chr3", jitter = 100, batchSize = 64,
                           seed = 4)
    w <- do.call(c, lapply(1:20, function(i) GenomicDL:::.batchWindows(g, i)))
    expect_true(all(start(w) >= 1 & end(w) <= 300000))
})

test_that("a 10-bp bigWig for a 300-kb chromosome is an error naming the file and chromosome", {
    f <- tempfile("short_track", fileext = ".bw")
    exportTrack(IRanges::RleList(chr3 = S4Vectors::Rle(2, 10)), f)
    expect_gdl_error(sequenceGenerator(fa, f, inputLength = 5, chromosomes = "chr3"),
                     paste0("bigWig '", basename(f), "' gives chromosome chr3 a length of 10 but ",
                            "the genome's chr3 has 300000 bases"))
})

test_that("annotation types absent from every file are an error naming the types found", {
    expect_gdl_error(sequenceGenerator(fa, bed1, annotationTypes = "CTFC", inputLength = 201),
                     "'CTFC' not in any annotation file; the files have: CTCF, GATA1")
})

test_that("regions = \"chr1\" is an error, not an S4 dispatch failure", {
    expect_gdl_error(sequenceGenerator(fa, bw1, inputLength = 101, regions = "chr1"),
                     "regions must be a GRanges, not character")
})

test_that("the bridge builds the spec R sends", {
    expect_equal(GenomicDL:::.native(GenomicDL:::cpp_generator_info(newFromSpec(cont)))$samples,
                 300000 - 100)
})

test_that("the bridge rejects an unknown option key, naming it and the allowed keys", {
    s <- cont
    s$spec$bogus_key <- 1
    expect_gdl_error(newFromSpec(s), "unknown option 'bogus_key'; the options are: kind, window, ")
})

test_that("the bridge rejects a key of the other kind of targets", {
    s <- cont
    s$spec$negative <- "real"
    expect_gdl_error(newFromSpec(s), "\\(continuous targets\\): unknown option 'negative'")
})

test_that("the bridge rejects an unknown kind", {
    s <- cont
    s$spec$kind <- "regression"
    expect_gdl_error(newFromSpec(s), "'kind' is 'regression': it must be one of 'continuous', 'sparse'")
})

test_that("the bridge rejects an unknown downsampling", {
    s <- cont
    s$spec$downsampling <- "avg"
    expect_gdl_error(newFromSpec(s), "'downsampling' is 'avg': it must be one of 'none', 'mean', 'first'")
})

test_that("the bridge rejects an unknown weighting", {
    s <- cont
    s$spec$weighting <- "balance"
    expect_gdl_error(newFromSpec(s), "'weighting' is 'balance': it must be one of 'none', 'balanced', 'manual'")
})

test_that("the bridge rejects an unknown normalization", {
    s <- cont
    s$spec$normalization <- "maxi"
    expect_gdl_error(newFromSpec(s), "normalization must be among 'max', 'perctrim', 'zscore', 'minmax', 'log'")
})

test_that("the bridge rejects an unknown chr_prefix", {
    s <- cont
    s$spec$chr_prefix <- "num"
    expect_gdl_error(newFromSpec(s), "chrPrefix must be one of 'auto', 'add', 'strip', 'asis', not 'num'")
})

test_that("the bridge rejects an unknown ambiguous value", {
    s <- cont
    s$spec$ambiguous <- "half"
    expect_gdl_error(newFromSpec(s), "'ambiguous' is 'half': it must be one of 'quarter', 'zero'")
})

test_that("the bridge rejects an unknown positive mode", {
    s <- sparse
    s$spec$positive <- "match_some"
    expect_gdl_error(newFromSpec(s), "'positive' is 'match_some': it must be one of 'match_all', 'match_any'")
})

test_that("the bridge rejects an unknown negative mode", {
    s <- sparse
    s$spec$negative <- "reel"
    expect_gdl_error(newFromSpec(s), "'negative' is 'reel': it must be one of 'none', 'real', 'random', 'shuffled'")
})

test_that("the bridge rejects a flag given as a string", {
    s <- sparse
    s$spec$augmentation <- "TRUE"
    expect_gdl_error(newFromSpec(s), "option 'augmentation' must be TRUE or FALSE")
})

test_that("the bridge rejects a missing option", {
    s <- cont
    s$spec$stride <- NULL
    expect_gdl_error(newFromSpec(s), "the spec lacks option 'stride'")
})

test_that("the R spec check rejects an unknown key too", {
    expect_gdl_error(GenomicDL:::.checkSpec(list(kind = "sparse", windw = 10)),
                     "unknown generator spec key\\(s\\): windw")
})

test_that("shapes come from the core without building a generator", {
    expect_equal(predictLabelShape(genome = fa, annotations = rep(bw1, 4), inputLength = 2001,
                                   targetWindow = 10, nAnnotationTypes = 2, outputShape = c(64, 40)),
                 40L)
})
