## Remakes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/<target>/) from
## inst/extdata: small, valid files (a few kB each) plus a few near-misses, so that the fuzzer
## starts from every layout the parsers accept. Deterministic. Run from the repository root:
##   Rscript tests/fuzz/make-corpus.R
suppressPackageStartupMessages({
    library(rtracklayer)
    library(GenomicRanges)
    library(Rsamtools)
})
## (the bigWig seeds need a C compiler and libBigWig's header: tools/install-deps.sh)
ext <- "inst/extdata"
out <- "tests/fuzz/corpus"
put <- function(target, name, text) {
    d <- file.path(out, target)
    dir.create(d, recursive = TRUE, showWarnings = FALSE)
    f <- file.path(d, name)
    if (is.raw(text)) writeBin(text, f) else writeLines(text, f, sep = "")
    invisible(f)
}

## ---- FASTA: pieces of the example genome, plain, CRLF, bgzip, with a given .fai -----------
fa <- readLines(file.path(ext, "example_genome.fa"), n = 40)
chr1 <- fa[2:9]                                   # 8 lines of 60 bases
rec <- function(name, lines) paste0(">", name, "\n", paste(lines, collapse = "\n"), "\n")
small <- paste0(rec("chr1 first bases", chr1), rec("chr2", c(tolower(fa[10:12]), "NNNNACGT")))
put("fuzz_fasta", "small.fa", small)
put("fuzz_fasta", "crlf.fa", gsub("\n", "\r\n", small, fixed = TRUE))
put("fuzz_fasta", "short-lines.fa", rec("s", c("ACGT", "AC")))
put("fuzz_fasta", "uneven.fa", rec("u", c("ACGTACGT", "ACG", "ACGTACGT")))
put("fuzz_fasta", "empty-record.fa", paste0(">e\n", rec("f", "ACGU")))
## The target writes what follows "\n#FAI\n" as the .fai: one that agrees, one from the
## package's example genome (another genome: lengths and offsets that do not fit).
fai <- function(name, len, off, lb) sprintf("%s\t%d\t%d\t%d\t%d\n", name, len, off, lb, lb + 1L)
put("fuzz_fasta", "with-fai.fa",
    paste0(rec("c", c("ACGTACGTAC", "GTAC")), "\n#FAI\n", fai("c", 14L, 3L, 10L)))
put("fuzz_fasta", "stale-fai.fa",
    paste0(small, "\n#FAI\n", paste(readLines(file.path(ext, "example_genome.fa.fai")),
                                     collapse = "\n"), "\n"))
tmp <- tempfile(fileext = ".fa")
writeLines(small, tmp, sep = "")
gz <- bgzip(tmp, paste0(tmp, ".gz"))
put("fuzz_fasta", "small.fa.gz", readBin(gz, "raw", file.size(gz)))

## ---- bigWig: written with libBigWig by make-bigwig-seeds.c (rtracklayer's files are ~20 kB) --
exe <- tempfile()
stopifnot(system2("cc", c("-O1", "-o", exe, "tests/fuzz/make-bigwig-seeds.c", "-lBigWig", "-lm")) == 0)
dir.create(file.path(out, "fuzz_bigwig"), showWarnings = FALSE)
stopifnot(system2(exe, c(file.path(ext, "example_coverage_cell1.bw"), file.path(out, "fuzz_bigwig"))) == 0)
## ... and one written through rtracklayer's own writer, cut to its first 4 kB (a truncated file).
f <- tempfile(fileext = ".bw")
gr <- GRanges("chr1", IRanges(c(1, 11), c(10, 20)), score = c(1, 2))
seqlengths(gr) <- c(chr1 = 100L)
export.bw(gr, f)
put("fuzz_bigwig", "rtracklayer-truncated.bw", readBin(f, "raw", 4096L))

## ---- DeepBind params: a released model cut down to a few detectors, with and without the ----
## hidden layer and average pooling (the released files are 20-35 kB).
db <- readLines(file.path(ext, "deepbind", "params", "D00210.001.txt"))
field <- function(key) {
    v <- sub("^[^=]*= ?", "", db[startsWith(db, paste(key, "="))])
    if (nzchar(v)) as.numeric(strsplit(v, ",")[[1]]) else numeric()
}
d0 <- field("num_detectors"); m0 <- field("detector_len")
det <- array(field("detectors"), c(d0, 4, m0))     # index k + d*(base + 4*pos)
dbModel <- function(d, m, avg, h, rc = 0) {
    fmt <- function(x) paste(sprintf("%.6g", x), collapse = ",")
    h1 <- if (avg) 2 * d else d
    h2 <- if (h > 0) h else 1
    w1 <- matrix(field("weights1"), ncol = 32, byrow = TRUE)[seq_len(h1), seq_len(h2)]
    paste0("# deepbind 0.1\n",
           "reverse_complement = ", rc, "\nnum_detectors = ", d, "\ndetector_len = ", m,
           "\nhas_avg_pooling = ", as.integer(avg), "\nnum_hidden = ", h,
           "\ndetectors = ", fmt(det[seq_len(d), , seq_len(m)]),
           "\nthresholds = ", fmt(field("thresholds")[seq_len(d)]),
           "\nweights1 = ", fmt(t(w1)),
           "\nbiases1 = ", fmt(field("biases1")[seq_len(h2)]),
           "\nweights2 = ", if (h > 0) fmt(field("weights2")[seq_len(h)]) else "",
           "\nbiases2 = ", if (h > 0) fmt(field("biases2")) else "", "\n")
}
put("fuzz_deepbind", "hidden-avg.txt", dbModel(3, 6, TRUE, 4))
put("fuzz_deepbind", "nohidden.txt", dbModel(2, 5, FALSE, 0, rc = 1))
put("fuzz_deepbind", "crlf.txt", gsub("\n", "\r\n", dbModel(1, 4, TRUE, 0), fixed = TRUE))

## ---- MEME and JASPAR -----------------------------------------------------------------------
meme <- readLines(file.path(ext, "example_motifs.meme"))
put("fuzz_meme", "example.meme", paste0(paste(meme, collapse = "\n"), "\n"))
put("fuzz_meme", "full-output.meme", paste0(
    "MEME version 5.5.0\n\nALPHABET= ACGT\n\nstrands: + -\n\n",
    "Background letter frequencies (from dataset):\nA 0.303 C 0.197 G 0.197 T 0.303\n\n",
    "MOTIF m1 ACGT\nURL http://example.org/m1\n",
    "letter-probability matrix: alength= 4 w= 3 nsites= 20 E = 1.2e-05\n",
    " 0.1 0.2 0.3 0.4\n 0.25 0.25 0.25 0.25\n 1 0 0 0\n\n",
    "MOTIF m2\nletter-probability matrix: alength= 4 nsites= 7 P= 0.5\n",
    "0.5 0.5 0 0\n0 0 0.5 0.5\n"))
## JASPAR counts from the first two MEME motifs (probabilities x nsites).
starts <- grep("^MOTIF", meme)
jaspar <- character()
for (s in starts[seq_len(min(2, length(starts)))]) {
    hdr <- strsplit(meme[s], " +")[[1]]
    w <- as.integer(sub(".*w= *([0-9]+).*", "\\1", meme[s + 1]))
    n <- as.numeric(sub(".*nsites= *([0-9.]+).*", "\\1", meme[s + 1]))
    p <- do.call(rbind, lapply(strsplit(trimws(meme[s + 1 + seq_len(w)]), " +"), as.numeric))
    counts <- round(p * n)
    jaspar <- c(jaspar, paste0(">", hdr[2], " ", hdr[3]),
                sprintf("%s  [%s ]", c("A", "C", "G", "T"),
                        apply(counts, 2, function(x) paste(sprintf("%5d", as.integer(x)), collapse = " "))))
}
put("fuzz_jaspar", "example.jaspar", paste0(paste(jaspar, collapse = "\n"), "\n"))
put("fuzz_jaspar", "bare.pfm", paste0(paste(sub("^[ACGT] +\\[(.*)\\]$", "\\1", jaspar[2:5]),
                                            collapse = "\n"), "\n"))
put("fuzz_jaspar", "lowercase-nobrackets.jaspar", ">MA0001.1 x\na 1 2 0\nc 0 1 3\ng 2 0 0\nt 0 0 1\n")
