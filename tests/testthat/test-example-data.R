test_that("the example data regenerate identically from inst/scripts", {
    script <- system.file("scripts", "make-example-data.R", package = "GenomicDL")
    skip_if(script == "", "script not installed")
    out <- tempfile("extdata")
    res <- system2(file.path(R.home("bin"), "Rscript"), c(shQuote(script), shQuote(out)),
                   stdout = TRUE, stderr = TRUE)
    files <- c("example_genome.fa", "example_sites.bed", "example_peaks_cell1.bed",
               "example_peaks_cell2.bed", "example_genes.gff3", "example_motifs.meme",
               "example_coverage_cell1.bw", "example_coverage_cell2.bw")
    for (f in files)
        expect_equal(unname(tools::md5sum(file.path(out, f))), unname(tools::md5sum(extdata(f))),
                     label = f)
    unlink(out, recursive = TRUE)
})

test_that("the example genome holds the planted motifs on the recorded strands", {
    sites <- read.table(extdata("example_sites.bed"), sep = "\t")
    expect_equal(nrow(sites), 600L)
    expect_equal(as.vector(table(sites$V4)[c("CTCF", "GATA1", "MAX")]), c(200L, 200L, 200L))
    gr <- GRanges(sites$V1, IRanges(sites$V2 + 1L, sites$V3), strand = sites$V6)
    s <- as.character(getSequence(extdata("example_genome.fa"), gr[sites$V4 == "CTCF"]))
    lines <- readLines(extdata("example_motifs.meme"))
    at <- grep("^MOTIF MA0139.1", lines) + 2L
    pfm <- do.call(rbind, lapply(strsplit(trimws(lines[at:(at + 18L)]), " +"), as.numeric))
    logOdds <- function(x) {
        idx <- match(strsplit(x, "")[[1]], c("A", "C", "G", "T"))
        sum(log2((pfm[cbind(seq_along(idx), idx)] + 0.01) / 0.25))
    }
    # instances sampled from the matrix score far above random sequence (mean ~ -20 bits)
    expect_gt(mean(vapply(s, logOdds, 0) > 5), 0.95)
    expect_lt(sum(file.size(list.files(dirname(extdata("example_genome.fa")), full.names = TRUE))),
              5e6)
})
