## keras_dna options beyond the core generator: output_shape (outputShape), seq_len = 'real',
## num_chr (chrPrefix), strict chromosome checks; and the memory a generator holds.


test_that("outputShape reshapes the labels (row-major, as keras_dna), checked at construction", {
    args <- list(genome = fa, annotations = c(bw1, bw2), inputLength = 501, targetWindow = 10,
                 chromosomes = "chr3", batchSize = 8)
    plain <- do.call(sequenceGenerator, args)
    flat <- do.call(sequenceGenerator, c(args, list(outputShape = 20)))
    expect_equal(labelShape(plain), c(10L, 2L))
    expect_equal(labelShape(flat), 20L)
    expect_equal(do.call(predictLabelShape, c(args, list(outputShape = c(5, 4)))), c(5L, 4L))
    y <- batch(plain, 2)$y
    yf <- batch(flat, 2)$y
    expect_equal(dim(yf), c(8L, 20L))
    # numpy reshape: flat index (p - 1) * 2 + f holds position p of file f
    for (p in c(1, 4, 10)) for (f in 1:2) expect_equal(yf[, (p - 1) * 2 + f], y[, p, f])
    # keras_dna's output_shape with the batch size first: the tutorial's (64, 1) for a classifier
    cls <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 551, batchSize = 64,
                             outputShape = c(64, 1))
    expect_equal(labelShape(cls), 1L)
    expect_equal(dim(batch(cls, 1)$y), c(64L, 1L))
    # the tutorial's seq2seq (64, 416, 1): labels (416, 1, 1) become (416, 1)
    s2s <- sequenceGenerator(fa, c(bed1), annotationTypes = "CTCF", inputLength = 416, seq2seq = TRUE,
                             negativeType = NULL, batchSize = 16, outputShape = c(16, 416, 1))
    expect_equal(labelShape(s2s), c(416L, 1L))
    expect_equal(dim(batch(s2s, 1)$y), c(16L, 416L, 1L))
    expect_gdl_error(do.call(sequenceGenerator, c(args, list(outputShape = c(3, 7)))), "outputShape")
    expect_gdl_error(do.call(predictLabelShape, c(args, list(outputShape = c(0, 20)))), "outputShape")
    # generators reshaped alike mix; a reshaped one and a plain one do not
    expect_s4_class(multiGenerator(list(flat, flat)), "MultiGenerator")
    expect_gdl_error(multiGenerator(list(plain, flat)), "shapes")
})

test_that("inputLength = 'real': each positive is its feature only, N-padded and centred", {
    feats <- GRanges(c("chr1", "chr1", "chr2"), IRanges(c(10001, 50001, 20001), width = c(120, 200, 81)))
    feats$name <- "site"
    gen <- sequenceGenerator(fa, feats, inputLength = "real", negativeRatio = 1, batchSize = 6, seed = 3)
    expect_equal(inputShape(gen), c(200L, 4L))
    expect_equal(predictInputShape(genome = fa, annotations = feats, inputLength = "real"), c(200L, 4L))
    b <- batch(gen, 1)
    w <- GenomicDL:::.batchWindows(gen, 1)
    seqs <- as.character(getSequence(fa, w))
    for (k in seq_along(w)) {
        isN <- b$x[k, , 1] == 0.25 & b$x[k, , 2] == 0.25
        kept <- which(!isN)
        expect_equal(kept, seq(min(kept), max(kept)))          # one block
        len <- length(kept)
        expect_true(len %in% width(feats))                      # a feature's length
        expect_equal(min(kept), (200 - len) %/% 2 + (200 - len) %% 2 + 1)  # centred
        bases <- strsplit(seqs[k], "")[[1]][kept]
        oh <- b$x[k, kept, , drop = FALSE][1, , ]
        expect_equal(c("A", "C", "G", "T")[max.col(oh)], bases)
        if (b$y[k, 1, 1] == 1) {                                # a positive: its own feature
            f <- feats[overlapsAny(feats, w[k], type = "within")]
            expect_length(f, 1L)
            expect_equal(len, width(f))
        }
    }
    expect_gdl_error(sequenceGenerator(fa, feats, inputLength = "real", augmentation = TRUE), "augmentation")
    expect_gdl_error(sequenceGenerator(fa, feats, inputLength = "longest"), "inputLength")
})

test_that("chrPrefix matches annotations named with or without 'chr' (keras_dna's num_chr)", {
    p <- rtracklayer::import(bed1, format = "BED")
    bare <- GRanges(sub("^chr", "", as.character(seqnames(p))), ranges(p), strand = strand(p))
    bare$name <- p$name
    args <- list(genome = fa, annotationTypes = "CTCF", inputLength = 301, batchSize = 16, seed = 2)
    ref <- do.call(sequenceGenerator, c(args, list(annotations = p)))
    for (mode in c("auto", "add")) {
        g <- do.call(sequenceGenerator, c(args, list(annotations = bare, chrPrefix = mode)))
        expect_equal(g@info$samples, ref@info$samples)
        expect_equal(batch(g, 2), batch(ref, 2))
    }
    # as is, nothing matches: an error naming the chromosomes with strict, else all dropped
    expect_gdl_error(do.call(sequenceGenerator, c(args, list(annotations = bare, chrPrefix = "asis",
                                                             strict = TRUE))), "lacks: 1, 2, 3")
    expect_gdl_error(suppressWarnings(do.call(sequenceGenerator,
                                              c(args, list(annotations = bare, chrPrefix = "asis")))),
                     "empty annotations")
    expect_gdl_error(expect_warning(do.call(sequenceGenerator,
                                            c(args, list(annotations = p, chrPrefix = "strip"))),
                                    "genome lacks: chr1"), "empty annotations")
    expect_gdl_error(do.call(sequenceGenerator, c(args, list(annotations = p, chrPrefix = "num"))),
                     "chrPrefix")
    # bigWig tracks named 1, 2, 3 on a genome named chr1, chr2, chr3
    v <- trackValues(bw1, GRanges("chr3:1-300000"))[1, ]
    cov <- IRanges::RleList(`3` = S4Vectors::Rle(v))   # chr3 of bw1, named "3"
    g <- sequenceGenerator(fa, cov, inputLength = 301, targetWindow = 50, chromosomes = "chr3", batchSize = 8)
    r <- sequenceGenerator(fa, bw1, inputLength = 301, targetWindow = 50, chromosomes = "chr3", batchSize = 8)
    expect_equal(batch(g, 3)$y, batch(r, 3)$y)
    expect_gt(sum(batch(r, 3)$y), 0)
    expect_gdl_error(suppressWarnings(sequenceGenerator(fa, cov, inputLength = 301, chromosomes = "chr3",
                                                        chrPrefix = "asis", strict = TRUE)),
                     "has data on chromosome\\(s\\) the genome lacks")
    expect_warning(expect_warning(sequenceGenerator(fa, cov, inputLength = 301, chromosomes = "chr3",
                                                    chrPrefix = "asis"), "genome lacks"),
                   "no chromosome chr3")
    # regions and blacklist are matched too
    gr <- sequenceGenerator(fa, bw1, inputLength = 301, regions = GRanges("3:1-10000"), batchSize = 8)
    expect_equal(gr@info$samples, 10000 - 300)
})

test_that("a generator over the example genome holds at most twice the genome and its tracks", {
    genomeBytes <- sum(c(chr1 = 700000, chr2 = 500000, chr3 = 300000))
    trackBytes <- sum(file.size(c(bw1, bw2)))
    # continuous: two bigWigs, every chunk of both read (stride: an epoch crosses the genome)
    gen <- sequenceGenerator(fa, c(bw1, bw2), inputLength = 2001, targetWindow = 100, stride = 1000,
                             normalization = c("max", "perctrim"), weighting = "balanced", batchSize = 16)
    for (i in seq_len(length(gen))) batch(gen, i)
    m <- GenomicDL:::.generatorMemory(gen, threads = 2)
    expect_lte(m[["total"]], 2 * (genomeBytes + trackBytes))
    # the cached tracks are runs of equal values: less than the decoded floats
    expect_gt(m[["tracks"]], 0)
    expect_lt(m[["tracks"]], 2 * 4 * genomeBytes)
    expect_equal(m[["readers"]], 2)
    # sparse: real negatives and augmentation (about 55,000 samples)
    sp <- sequenceGenerator(fa, c(bed1, bed2), annotationTypes = "CTCF", inputLength = 551,
                            negativeRatio = 1, augmentation = TRUE, batchSize = 64)
    expect_gt(sp@info$samples, 50000)
    ms <- GenomicDL:::.generatorMemory(sp, threads = 2)
    expect_lte(ms[["total"]], 2 * genomeBytes)
    expect_lt(ms[["samples"]], 16 * sp@info$samples)   # a few bytes per sample
    # negativeRatio = "all": every negative window, none stored
    all <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", inputLength = 551, negativeRatio = "all",
                             batchSize = 64)
    expect_gt(all@info$negatives, 1e6)
    expect_lte(GenomicDL:::.generatorMemory(all)[["total"]], 2 * genomeBytes)
    # the ring (2 x threads batches) belongs to the training loop: batch bytes x depth
    expect_equal(m[["ring"]], 4 * 16 * (4 * 2001 + 100 * 2 + 100) * 4)
})
