## Makes GenomicDL's example data in inst/extdata, deterministically (fixed seed).
##
##   Rscript inst/scripts/make-example-data.R [outdir]
##
## A 1.5 Mb genome of 3 chromosomes (i.i.d. background, 41% GC, an N run, a
## leading N block, soft-masked lower-case stretches) with planted instances of
## three JASPAR 2020 motifs (CTCF MA0139.1, GATA1 MA0035.4, MAX MA0058.3, a
## bHLH factor), sampled base by base from their frequency matrices on a random
## strand. Two "cell types" bind different subsets:
##   cell1: CTCF and GATA1 sites; cell2: CTCF and MAX sites (80% of planted
##   sites are bound; the rest are decoys a model must learn to ignore only
##   through context, as in real data: a bound site is a homotypic cluster of
##   five instances of its motif within ~130 bp, a decoy a single instance).
## Files:
##   example_genome.fa (+ .fai)          the genome
##   example_motifs.meme                 the 3 JASPAR motifs (MEME format, CC BY 4.0)
##   example_sites.bed                   every planted site: name = motif, score = 1000
##                                       if bound in a cell; columns 7-8 bound in cell1/2
##   example_peaks_cell1.bed / _cell2    200 bp "peaks" around bound sites (BED6)
##   example_coverage_cell1.bw / _cell2  coverage in 10 bp steps rising around bound
##                                       sites, with Poisson noise
##   example_genes.gff3                  stranded gene / pseudogene features with exons
## The motifs are read from example_motifs.meme; when ../shared/data/motifs is
## present the file is first refreshed from JASPAR 2020 there.

suppressPackageStartupMessages({
    library(GenomicRanges)
    library(rtracklayer)
})

args <- commandArgs(trailingOnly = TRUE)
here <- normalizePath(file.path(dirname(sub("^--file=", "",
    grep("^--file=", commandArgs(FALSE), value = TRUE)[1L])), ".."))
out <- if (length(args)) args[1L] else file.path(here, "extdata")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20201122)

## ---- motifs -------------------------------------------------------------------
motifIds <- c("MA0139.1", "MA0035.4", "MA0058.3")
memeOwn <- file.path(here, "extdata", "example_motifs.meme")
jaspar <- file.path(here, "..", "..", "shared", "data", "motifs",
                    "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
readMemeBlocks <- function(file) {
    lines <- readLines(file)
    starts <- grep("^MOTIF", lines)
    ends <- c(starts[-1L] - 1L, length(lines))
    blocks <- Map(function(s, e) lines[s:e], starts, ends)
    names(blocks) <- vapply(strsplit(lines[starts], " +"), `[`, "", 2L)
    list(header = lines[seq_len(starts[1L] - 1L)], blocks = blocks)
}
src <- if (file.exists(jaspar)) jaspar else memeOwn
meme <- readMemeBlocks(src)
memeLines <- c(meme$header, unlist(lapply(meme$blocks[motifIds], function(b) {
    b <- b[nzchar(trimws(b))]
    c(b, "")
}), use.names = FALSE))
writeLines(memeLines, file.path(out, "example_motifs.meme"))
pfm <- lapply(meme$blocks[motifIds], function(b) {
    rows <- grep("^[[:space:]]*[0-9.]+[[:space:]]+[0-9.]+[[:space:]]+[0-9.]+[[:space:]]+[0-9.]+[[:space:]]*$", b,
                 value = TRUE)
    m <- do.call(rbind, lapply(strsplit(trimws(rows), "[[:space:]]+"), as.numeric))
    m / rowSums(m)
})
motifNames <- c("CTCF", "GATA1", "MAX")
names(pfm) <- motifNames

## ---- genome -------------------------------------------------------------------
chromLen <- c(chr1 = 700000L, chr2 = 500000L, chr3 = 300000L)
bases <- c("A", "C", "G", "T")
gc <- 0.41
genome <- lapply(chromLen, function(n)
    sample(bases, n, replace = TRUE, prob = c(1 - gc, gc, gc, 1 - gc) / 2))
genome$chr2[100001:105000] <- "N"   # an assembly gap
genome$chr3[1:1000] <- "N"          # a leading gap

## Planted sites: 200 per motif, at least 1.2 kb apart, away from gaps and ends.
sitesPer <- 200L
nSites <- sitesPer * length(motifNames)
total <- sum(chromLen)
offsets <- cumsum(c(0, chromLen))
pick <- integer(0)
while (length(pick) < nSites) {
    cand <- sample.int(total, 1L)
    chr <- findInterval(cand - 1, offsets)
    pos <- cand - offsets[chr]
    if (pos < 2000L || pos > chromLen[chr] - 2000L) next
    if (chr == 2L && pos > 99000L && pos < 106000L) next
    if (length(pick) && min(abs(pick - cand)) < 1200L) next
    pick <- c(pick, cand)
}
sites <- data.frame(chrom = names(chromLen)[findInterval(pick - 1, offsets)],
                    pos = pick - offsets[findInterval(pick - 1, offsets)],
                    motif = rep(motifNames, each = sitesPer),
                    strand = sample(c("+", "-"), nSites, replace = TRUE),
                    stringsAsFactors = FALSE)
sites$width <- vapply(pfm[sites$motif], nrow, 1L)
comp <- c(A = "T", C = "G", G = "C", T = "A")
for (i in seq_len(nSites)) {
    m <- pfm[[sites$motif[i]]]
    inst <- apply(m, 1L, function(p) sample(bases, 1L, prob = p))
    if (sites$strand[i] == "-") inst <- rev(comp[inst])
    idx <- sites$pos[i] + seq_along(inst) - 1L
    genome[[sites$chrom[i]]][idx] <- inst
}
sites <- sites[order(match(sites$chrom, names(chromLen)), sites$pos), ]
bound <- runif(nSites) < 0.8
sites$cell1 <- bound & sites$motif %in% c("CTCF", "GATA1")
sites$cell2 <- bound & sites$motif %in% c("CTCF", "MAX")

## Bound sites are homotypic clusters, as bound regions often are: `clusterExtra` more
## instances of the site's motif, alternately left and right of it (3-10 bp apart), inside
## the peak. The unbound (decoy) sites keep one instance. Drawn from their own random
## stream, so that every other random choice below (peaks, coverage, genes) is unchanged.
clusterExtra <- 4L
mainStream <- .Random.seed
set.seed(20240611)
for (i in which(bound)) {
    m <- pfm[[sites$motif[i]]]
    w <- nrow(m)
    left <- sites$pos[i]
    right <- sites$pos[i] + w
    for (k in seq_len(clusterExtra)) {
        gap <- sample(3:10, 1L)
        if (k %% 2L == 1L) {
            left <- left - gap - w
            p <- left
        } else {
            p <- right + gap
            right <- p + w
        }
        inst <- apply(m, 1L, function(q) sample(bases, 1L, prob = q))
        if (runif(1L) < 0.5) inst <- rev(comp[inst])
        genome[[sites$chrom[i]]][p + seq_along(inst) - 1L] <- inst
    }
}
assign(".Random.seed", mainStream, envir = globalenv())

## Soft-masked stretches (lower case), as in real assemblies.
for (chr in names(chromLen)) {
    for (s in sample(seq(5000L, chromLen[[chr]] - 5000L, by = 1000L), 5L)) {
        idx <- s:(s + 1999L)
        genome[[chr]][idx] <- tolower(genome[[chr]][idx])
    }
}

fa <- file.path(out, "example_genome.fa")
con <- file(fa, "w")
for (chr in names(chromLen)) {
    s <- paste(genome[[chr]], collapse = "")
    writeLines(paste0(">", chr), con)
    writeLines(substring(s, seq(1L, nchar(s), 60L), pmin(seq(60L, nchar(s) + 59L, 60L), nchar(s))), con)
}
close(con)
invisible(Rsamtools::indexFa(fa))

## ---- sites and peaks ------------------------------------------------------------
siteEnd <- sites$pos + sites$width - 1L
writeBed <- function(df, file) {
    utils::write.table(df, file, sep = "\t", quote = FALSE, row.names = FALSE, col.names = FALSE)
}
writeBed(data.frame(sites$chrom, sites$pos - 1L, siteEnd, sites$motif,
                    ifelse(sites$cell1 | sites$cell2, 1000L, 0L), sites$strand,
                    as.integer(sites$cell1), as.integer(sites$cell2)),
         file.path(out, "example_sites.bed"))
centre <- (sites$pos + siteEnd) %/% 2L
peaksFor <- function(cell) {
    b <- sites[[cell]]
    jit <- sample(-40:40, sum(b), replace = TRUE)
    st <- centre[b] - 100L + jit
    data.frame(sites$chrom[b], st - 1L, st + 199L, sites$motif[b],
               sample(300:1000, sum(b), replace = TRUE), sites$strand[b])
}
writeBed(peaksFor("cell1"), file.path(out, "example_peaks_cell1.bed"))
writeBed(peaksFor("cell2"), file.path(out, "example_peaks_cell2.bed"))

## ---- coverage tracks ------------------------------------------------------------
step <- 10L
coverage <- function(cell) {
    gr <- lapply(names(chromLen), function(chr) {
        nb <- chromLen[[chr]] %/% step
        mid <- (seq_len(nb) - 1L) * step + step / 2
        lambda <- rep(1.5, nb)
        sel <- sites$chrom == chr & sites[[cell]]
        for (c0 in centre[sel]) {
            near <- abs(mid - c0) < 600
            lambda[near] <- lambda[near] + 40 * exp(-0.5 * ((mid[near] - c0) / 120)^2)
        }
        val <- stats::rpois(nb, lambda)
        if (chr == "chr2") val[10001:10500] <- NA   # no data over the assembly gap
        keep <- !is.na(val)
        GRanges(chr, IRanges((seq_len(nb)[keep] - 1L) * step + 1L, width = step),
                score = as.numeric(val[keep]))
    })
    gr <- suppressWarnings(do.call(c, gr))
    seqlengths(gr) <- chromLen[seqlevels(gr)]
    gr
}
rtracklayer::export.bw(coverage("cell1"), file.path(out, "example_coverage_cell1.bw"))
rtracklayer::export.bw(coverage("cell2"), file.path(out, "example_coverage_cell2.bw"))

## ---- genes (GFF3) ---------------------------------------------------------------
gffLines <- "##gff-version 3"
gid <- 0L
for (chr in names(chromLen)) {
    pos <- 3000L
    while (TRUE) {
        pos <- pos + sample(5000:20000, 1L)
        len <- sample(2000:9000, 1L)
        if (pos + len > chromLen[[chr]] - 3000L) break
        gid <- gid + 1L
        type <- if (runif(1L) < 0.25) "pseudogene" else "gene"
        strand <- sample(c("+", "-"), 1L)
        id <- sprintf("g%03d", gid)
        gffLines <- c(gffLines, paste(chr, "GenomicDL", type, pos, pos + len - 1L, ".", strand, ".",
                                      paste0("ID=", id, ";Name=", toupper(id)), sep = "\t"))
        nex <- sample(2:4, 1L)
        cuts <- sort(sample(seq(200L, len - 200L, by = 10L), 2L * nex - 2L))
        exS <- c(pos, pos + cuts[c(FALSE, TRUE)])
        exE <- c(pos + cuts[c(TRUE, FALSE)] - 1L, pos + len - 1L)
        for (k in seq_len(nex))
            gffLines <- c(gffLines, paste(chr, "GenomicDL", "exon", exS[k], exE[k], ".", strand, ".",
                                          paste0("ID=", id, ".e", k, ";Parent=", id), sep = "\t"))
        pos <- pos + len
    }
}
writeLines(gffLines, file.path(out, "example_genes.gff3"))
invisible(TRUE)
