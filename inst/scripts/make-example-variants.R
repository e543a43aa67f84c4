## Makes inst/extdata/example_variants.vcf.gz (bgzipped, + .tbi), the small VCF of the
## "Scoring variants" vignette and of the scoreVariants() tests, from the example genome and
## its planted sites (make-example-data.R), deterministically (fixed seed).
##   Rscript inst/scripts/make-example-variants.R [outdir]
## Records, in genome order, REF always from the genome:
##   every base of 4 bound CTCF sites, one multi-allelic record per base (the 3 other bases);
##   a 4-bp deletion over the start of each of those sites and a 3-bp insertion in its middle;
##   40 SNVs at random positions, 5 of them within 50 bp of a chromosome start or end;
##   a symbolic ALT (<DEL>), which scoreVariants() reports as not scored.
## Uses only the genome (plain base R reading of the FASTA) and Rsamtools for bgzip / tabix.

args <- commandArgs(trailingOnly = TRUE)
here <- normalizePath(file.path(dirname(sub("^--file=", "",
    grep("^--file=", commandArgs(FALSE), value = TRUE)[1L])), ".."))
ext <- file.path(here, "extdata")
if (!file.exists(file.path(ext, "example_genome.fa")))  # installed package: inst/ is the root
    ext <- file.path(dirname(here), "extdata")
out <- if (length(args)) args[1L] else ext
dir.create(out, showWarnings = FALSE, recursive = TRUE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261203)

fa <- readLines(file.path(ext, "example_genome.fa"))
head <- grep("^>", fa)
chroms <- sub("^>(\\S+).*", "\\1", fa[head])
seqs <- vapply(seq_along(head), function(i) {
    last <- if (i < length(head)) head[i + 1L] - 1L else length(fa)
    toupper(paste(fa[(head[i] + 1L):last], collapse = ""))
}, "")
names(seqs) <- chroms
base <- function(chr, pos, n = 1L) substr(seqs[[chr]], pos, pos + n - 1L)

sites <- utils::read.delim(file.path(ext, "example_sites.bed"), header = FALSE)
ctcf <- sites[sites$V4 == "CTCF" & sites$V7 == 1, ][1:4, ]

rec <- list()
add <- function(chr, pos, ref, alt) rec[[length(rec) + 1L]] <<- data.frame(chr = chr, pos = pos,
    ref = ref, alt = alt, stringsAsFactors = FALSE)
for (i in seq_len(nrow(ctcf))) {
    chr <- ctcf$V1[i]
    from <- ctcf$V2[i] + 1L
    to <- ctcf$V3[i]
    for (p in from:to) {
        r <- base(chr, p)
        add(chr, p, r, paste(setdiff(c("A", "C", "G", "T"), r), collapse = ","))
    }
    add(chr, from - 1L, base(chr, from - 1L, 5L), base(chr, from - 1L))        # deletion of 4
    mid <- (from + to) %/% 2L
    add(chr, mid, base(chr, mid), paste0(base(chr, mid), "GGC"))               # insertion of 3
}
acgt <- function(r) setdiff(c("A", "C", "G", "T"), r)
for (k in seq_len(40L)) {
    chr <- sample(chroms, 1L)
    len <- nchar(seqs[[chr]])
    p <- if (k <= 5L) c(sample(1:50, 1L), len - sample(0:49, 1L))[1L + k %% 2L]
         else sample(1000:(len - 1000), 1L)
    r <- base(chr, p)
    if (!r %in% c("A", "C", "G", "T")) next  # an N of the genome: no SNV there
    add(chr, p, r, sample(acgt(r), 1L))
}
p <- 250000L
add("chr2", p, base("chr2", p), "<DEL>")

v <- do.call(rbind, rec)
v <- v[order(match(v$chr, chroms), v$pos), ]
v <- v[!duplicated(v), ]
lens <- nchar(seqs)
lines <- c("##fileformat=VCFv4.2",
           "##source=GenomicDL inst/scripts/make-example-variants.R",
           sprintf("##contig=<ID=%s,length=%d>", chroms, lens),
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
           paste(v$chr, v$pos, sprintf("var%03d", seq_len(nrow(v))), v$ref, v$alt, ".", "PASS", ".",
                 sep = "\t"))
plain <- tempfile(fileext = ".vcf")
writeLines(lines, plain)
dest <- file.path(out, "example_variants.vcf.gz")
gz <- Rsamtools::bgzip(plain, dest, overwrite = TRUE)
invisible(Rsamtools::indexTabix(gz, format = "vcf"))
unlink(plain)
cat("wrote", gz, "with", nrow(v), "records\n")
