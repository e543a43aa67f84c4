## Every input / label shape printed in the keras_dna tutorial (seed 004), with the same
## arguments translated to GenomicDL on the example data (sacCer3 / hg38 -> example genome,
## scerevisiae*.bw -> example_coverage_cell*.bw, taf15.bed -> example_peaks_cell*.bed with
## annotationTypes "CTCF", hg38_gene.gff -> example_genes.gff3).


test_that("tutorial: predict_input_shape(window=2001, dummy_axis=1, alphabet_axis=2) is (2001, 1, 4)", {
    expect_equal(predictInputShape(genome = fa, annotations = bw1, inputLength = 2001, dummyAxis = 2,
                                   chromosomes = c("chr1", "chr2")),
                 c(2001L, 1L, 4L))
    gen <- sequenceGenerator(fa, bw1, inputLength = 2001, dummyAxis = 2, chromosomes = "chr3",
                             batchSize = 4)
    expect_equal(inputShape(gen), c(2001L, 1L, 4L))
    expect_equal(dim(batch(gen, 1)$x), c(4L, 2001L, 1L, 4L))
    # without the dummy axis: keras_dna's (2001, 4); NCL gives (4, 2001)
    expect_equal(predictInputShape(genome = fa, annotations = bw1, inputLength = 2001), c(2001L, 4L))
    expect_equal(predictInputShape(genome = fa, annotations = bw1, inputLength = 2001, layout = "NCL"),
                 c(4L, 2001L))
})

test_that("tutorial: 4 bigWigs, tg_window=10, nb_annotation_type=2 give (10, 2, 2)", {
    expect_equal(predictLabelShape(genome = fa, annotations = c(bw1, bw2, bw1, bw2), inputLength = 2001,
                                   targetWindow = 10, nAnnotationTypes = 2,
                                   chromosomes = c("chr1", "chr2")),
                 c(10L, 2L, 2L))
})

test_that("tutorial: 4 bigWigs, tg_window=1, nb_annotation_type=2 give (1, 2, 2), and label_shape too", {
    args <- list(genome = fa, annotations = c(bw1, bw2, bw1, bw2), nAnnotationTypes = 2,
                 inputLength = 2001, targetWindow = 1, normalization = c("max", "perctrim"),
                 chromosomes = c("chr1", "chr2"))
    expect_equal(do.call(predictLabelShape, args), c(1L, 2L, 2L))
    gen <- do.call(sequenceGenerator, c(args, batchSize = 8))
    expect_equal(labelShape(gen), c(1L, 2L, 2L))
    b <- batch(gen, 1)
    expect_equal(dim(b$y), c(8L, 1L, 2L, 2L))
    # label order cell1-ann1, cell1-ann2, cell2-ann1, ...: files 1 and 3 are the same track
    expect_equal(b$y[, 1, 1, 1], b$y[, 1, 2, 1])
    expect_equal(b$y[, 1, 1, 2], b$y[, 1, 2, 2])
})

test_that("tutorial: predict_sec_input_shape with 2 secondary files of length 100 gives (100, 2, 1)", {
    args <- list(genome = fa, annotations = bw1, inputLength = 2001, targetWindow = 100,
                 normalization = c("max", "perctrim"), chromosomes = c("chr1", "chr2"),
                 secondary = c(bw2, bw2), secondaryLength = 100, secondaryNAnnotationTypes = 1,
                 secondaryNormalization = c("max", "perctrim"), useSecondaryAs = "inputs")
    expect_equal(do.call(predictSecondaryShape, args), c(100L, 2L, 1L))
    gen <- do.call(sequenceGenerator, c(args, batchSize = 4))
    expect_equal(secondaryShape(gen), c(100L, 2L, 1L))
    expect_equal(dim(batch(gen, 1)$secondary), c(4L, 100L, 2L, 1L))
})

test_that("tutorial: SeqIntervalDl.predict_label_shape(window=2001, tg_window=100) is (100, 1)", {
    expect_equal(predictLabelShape(genome = fa, annotations = bw1, inputLength = 2001, targetWindow = 100,
                                   normalization = c("max", "perctrim"), chromosomes = "chr3"),
                 c(100L, 1L))
})

test_that("tutorial: two BED files, one annotation, seq_len=404 give (2, 1)", {
    args <- list(genome = fa, annotations = c(bed1, bed2), annotationTypes = "CTCF",
                 chromosomes = c("chr1", "chr2"), seq2seq = FALSE, augmentation = FALSE,
                 positiveMode = "match_any", inputLength = 404, negativeType = NULL)
    expect_equal(do.call(predictLabelShape, args), c(2L, 1L))
    gen <- do.call(sequenceGenerator, c(args, batchSize = 16))
    expect_equal(labelShape(gen), c(2L, 1L))
    expect_equal(dim(batch(gen, 1)$y), c(16L, 2L, 1L))
})

test_that("tutorial: seq2seq with seq_len=420 gives (420, 2, 1)", {
    args <- list(genome = fa, annotations = c(bed1, bed2), annotationTypes = "CTCF",
                 chromosomes = c("chr1", "chr2"), seq2seq = TRUE, augmentation = FALSE,
                 positiveMode = "match_any", inputLength = 420, negativeType = NULL)
    expect_equal(do.call(predictLabelShape, args), c(420L, 2L, 1L))
    gen <- do.call(sequenceGenerator, c(args, batchSize = 16))
    expect_equal(dim(batch(gen, 1)$y), c(16L, 420L, 2L, 1L))
})

test_that("tutorial: GFF gene / pseudogene with predict='start', seq_len=299 gives (1, 2)", {
    args <- list(genome = fa, annotations = gff, annotationTypes = c("gene", "pseudogene"),
                 chromosomes = "chr1", seq2seq = FALSE, augmentation = FALSE, inputLength = 299,
                 predict = "start")
    expect_equal(do.call(predictLabelShape, args), c(1L, 2L))
    gen <- do.call(sequenceGenerator, c(args, batchSize = 8))
    expect_equal(labelShape(gen), c(1L, 2L))
    expect_equal(inputShape(gen), c(299L, 4L))
})

test_that("tutorial models: (2001, 4) -> 1 value, BED classifier (551, 4) -> (1, 1)", {
    gen <- sequenceGenerator(fa, bw1, inputLength = 2001, chromosomes = c("chr1", "chr2"), batchSize = 64)
    expect_equal(inputShape(gen), c(2001L, 4L))
    expect_equal(labelShape(gen), c(1L, 1L))
    cls <- sequenceGenerator(fa, bed1, annotationTypes = "CTCF", chromosomes = c("chr1", "chr2"),
                             inputLength = 551, negativeRatio = 1, batchSize = 64)
    expect_equal(inputShape(cls), c(551L, 4L))
    expect_equal(labelShape(cls), c(1L, 1L))
    b <- batch(cls, 1)
    expect_equal(dim(b$x), c(64L, 551L, 4L))
})
