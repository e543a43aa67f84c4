## filterMotifs() and DeepBind models: the detectors read straight from the params file give
## the same motifs as the same model turned into a LibTorch network (asTorchModel), whose weights
## take another route (reordered into LibTorch's layout and read back from the network).
test_that("filterMotifs on a DeepBind model equals filterMotifs on asTorchModel of it", {
    db <- system.file("extdata", "deepbind", package = "GenomicDL")
    gata3 <- readDeepBind(file.path(db, "params", "D00410.003.txt"))
    set.seed(7)
    seqs <- vapply(1:200, function(i) paste(sample(c("A", "C", "G", "T"), 60, TRUE), collapse = ""), "")
    # plant GATA sites so the detectors have something to find
    substr(seqs[1:100], 20, 25) <- "AGATAA"
    direct <- suppressMessages(filterMotifs(gata3, seqs))
    viaTorch <- suppressMessages(filterMotifs(asTorchModel(gata3, inputLength = 60), seqs))
    expect_gt(length(direct), 0L)
    expect_equal(names(direct), names(viaTorch))
    for (i in seq_along(direct))
        expect_equal(TFBSTools::Matrix(direct[[i]]), TFBSTools::Matrix(viaTorch[[i]]))
    expect_gdl_error(filterMotifs("not a model", seqs), "DeepBindModel")
})
