## scanMotifs() against an independent, slow R implementation of FIMO 5.5's
## algorithm (MEME suite fimo.c / pssm.c, written out here from its
## description): pseudocount, log-odds * 1.44269504, integer scaling with
## offset = floor(min) and scale = floor(1000 / (max - offset)), the exact
## score distribution by convolution, p = P(S >= s), scores and p-values
## rounded to 10 significant digits, reverse strand by the reverse complement
## motif. No FIMO 5.5.8 output is stored in shared/data, so this reference is
## the conformance test.

exampleMotifs <- function() system.file("extdata", "example_motifs.meme", package = "GenomicDL")
exampleFasta <- function() system.file("extdata", "example_genome.fa", package = "GenomicDL")

## --- the R reference ------------------------------------------------------
refNint <- function(x) sign(x) * floor(abs(x) + 0.5)

refPssm <- function(prob, nsites, bg, pseudo) {
    n <- if (nsites > 0) as.integer(nsites) else 20L
    p <- if (pseudo > 0) (prob * n + pseudo * matrix(bg, nrow(prob), 4, byrow = TRUE)) / (n + pseudo)
         else prob
    lo <- log(p / matrix(bg, nrow(p), 4, byrow = TRUE)) * 1.44269504
    offset <- floor(min(lo))
    scale <- floor(1000 / (max(lo) - offset))
    s <- refNint((lo - offset) * scale)
    w <- nrow(s)
    pdf <- 1
    for (i in seq_len(w)) {
        new <- numeric(length(pdf) + 1000)
        for (j in 1:4) {
            idx <- seq_along(pdf) + s[i, j]
            new[idx] <- new[idx] + pdf * bg[j]
        }
        pdf <- new
    }
    pv <- pmin(1, rev(cumsum(rev(pdf))))
    list(s = s, p = p, scale = scale, offset = offset, pv = pv, w = w)
}

refRevcomp <- function(p) p[rev(seq_len(nrow(p))), 4:1, drop = FALSE]

refScan <- function(seqs, motifs, bg, pseudo = 0.1, thresh = 1e-4, both = TRUE) {
    if (both) bg <- c((bg[1] + bg[4]) / 2, (bg[2] + bg[3]) / 2, (bg[2] + bg[3]) / 2, (bg[1] + bg[4]) / 2)
    bg <- bg / sum(bg)
    out <- list()
    allp <- list()
    for (k in seq_along(motifs$prob)) {
        fwd <- refPssm(motifs$prob[[k]], motifs$nsites[k], bg, pseudo)
        strands <- list(`+` = fwd)
        if (both) {
            rc <- refPssm(refRevcomp(fwd$p), 0, bg, 0)  # already has the pseudocount
            strands$`-` <- rc
        }
        pk <- numeric(0)
        for (sq in seq_along(seqs)) {
            x <- strsplit(toupper(as.character(seqs[[sq]])), "")[[1]]
            code <- match(x, c("A", "C", "G", "T"))
            w <- fwd$w
            if (length(code) < w) next
            for (st in names(strands)) {
                ps <- strands[[st]]
                for (i in seq_len(length(code) - w + 1L)) {
                    cc <- code[i:(i + w - 1L)]
                    if (anyNA(cc)) next
                    sc <- sum(ps$s[cbind(seq_len(w), cc)])
                    pv <- signif(ps$pv[sc + 1], 10)
                    pk <- c(pk, pv)
                    if (pv <= thresh)
                        out[[length(out) + 1L]] <- data.frame(
                            seq = names(seqs)[sq], start = i, strand = st, motif = motifs$id[k],
                            score = signif(sc / ps$scale + w * ps$offset, 10), p = pv,
                            site = paste(if (st == "+") toupper(x[i:(i + w - 1L)])
                                         else c(A = "T", C = "G", G = "C", T = "A")[rev(toupper(x[i:(i + w - 1L)]))],
                                         collapse = ""),
                            stringsAsFactors = FALSE)
                }
            }
        }
        allp[[motifs$id[k]]] <- pk
    }
    list(hits = do.call(rbind, out), allp = allp)
}

randomSeqs <- function(n, len, seed) {
    set.seed(seed)
    s <- vapply(seq_len(n), function(i) {
        x <- sample(c("A", "C", "G", "T", "a", "c", "g", "t"), len, replace = TRUE,
                    prob = c(0.3, 0.2, 0.2, 0.2, 0.03, 0.03, 0.02, 0.02))
        x[sample(len, 3)] <- "N"
        paste(x, collapse = "")
    }, character(1))
    Biostrings::DNAStringSet(stats::setNames(s, paste0("s", seq_len(n))))
}

## Plants a consensus so that each motif has hits.
plant <- function(seqs, motifs) {
    x <- as.character(seqs)
    for (k in seq_along(motifs$prob)) {
        cons <- paste(c("A", "C", "G", "T")[apply(motifs$prob[[k]], 1, which.max)], collapse = "")
        substr(x[k %% length(x) + 1L], 20 * k, 20 * k + nchar(cons) - 1L) <- cons
    }
    Biostrings::DNAStringSet(x)
}

compareToRef <- function(gr, ref) {
    ours <- data.frame(seq = as.character(GenomicRanges::seqnames(gr)), start = BiocGenerics::start(gr),
                       strand = as.character(BiocGenerics::strand(gr)), motif = gr$motifId,
                       stringsAsFactors = FALSE)
    key <- function(d) paste(d$seq, d$start, d$strand, d$motif)
    expect_setequal(key(ours), key(ref))
    i <- match(key(ours), key(ref))
    expect_equal(gr$score, ref$score[i], tolerance = 1e-12)
    expect_equal(gr$pValue, ref$p[i], tolerance = 1e-10)
    expect_identical(gr$matchedSequence, ref$site[i])
}

test_that("scanMotifs equals the R reference of FIMO (uniform background, both strands)", {
    m <- GenomicDL:::.readMotifFile(exampleMotifs())
    seqs <- plant(randomSeqs(4, 300, 1), m)
    gr <- scanMotifs(exampleMotifs(), seqs, threshold = 1e-3)
    ref <- refScan(seqs, m, c(0.25, 0.25, 0.25, 0.25), thresh = 1e-3)$hits
    expect_gt(nrow(ref), 5)
    compareToRef(gr, ref)
    expect_s4_class(gr, "GRanges")
    expect_identical(BiocGenerics::width(gr), vapply(m$prob, nrow, integer(1))[match(gr$motifId, m$id)])
})

test_that("background and pseudocount variants match the reference", {
    m <- GenomicDL:::.readMotifFile(exampleMotifs())
    seqs <- plant(randomSeqs(3, 250, 2), m)
    bg <- c(A = 0.3, C = 0.2, G = 0.2, T = 0.3)
    gr <- scanMotifs(exampleMotifs(), seqs, threshold = 1e-3, background = bg, pseudocount = 1)
    compareToRef(gr, refScan(seqs, m, bg, pseudo = 1, thresh = 1e-3)$hits)
    ## one strand with a skewed background: no symmetrisation
    bg2 <- c(A = 0.4, C = 0.1, G = 0.2, T = 0.3)
    gr <- scanMotifs(exampleMotifs(), seqs, threshold = 1e-2, background = bg2, strands = "forward")
    expect_true(all(BiocGenerics::strand(gr) == "+"))
    compareToRef(gr, refScan(seqs, m, bg2, thresh = 1e-2, both = FALSE)$hits)
    ## the subject's letter frequencies, both strands
    x <- toupper(paste(as.character(seqs), collapse = ""))
    cnt <- vapply(c("A", "C", "G", "T"), function(b) lengths(regmatches(x, gregexpr(b, x))), numeric(1))
    gr <- scanMotifs(exampleMotifs(), seqs, threshold = 1e-3, background = "subject")
    used <- S4Vectors::metadata(gr)$background
    f <- cnt / sum(cnt)
    expect_equal(unname(used), unname(c((f[1] + f[4]) / 2, (f[2] + f[3]) / 2, (f[2] + f[3]) / 2, (f[1] + f[4]) / 2)))
    compareToRef(gr, refScan(seqs, m, f, thresh = 1e-3)$hits)
})

test_that("JASPAR 2020 motifs match the reference", {
    skip_if_no_shared("motifs")
    jaspar <- sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt")
    m <- GenomicDL:::.readMotifFile(jaspar)
    pick <- c(1, 100, 250, 500, 746)
    sub <- list(id = m$id[pick], name = m$name[pick], url = m$url[pick], nsites = m$nsites[pick],
                prob = m$prob[pick], background = m$background)
    seqs <- plant(randomSeqs(2, 400, 3), sub)
    pf <- readMEME(jaspar)[pick]
    gr <- scanMotifs(pf, seqs, threshold = 1e-3)
    compareToRef(gr, refScan(seqs, sub, rep(0.25, 4), thresh = 1e-3)$hits)
    expect_identical(unique(gr$motifName), unique(sub$name[match(gr$motifId, sub$id)]))
})

## MEME FIMO 5.5.9's own output, as printed by a public analysis script: `fimo --oc . --verbosity 1
## --bgfile --nrdb-- --thresh 1.0E-4 MA0069.1.meme NOTCH1_100kb.fa` (and MA0718.1) on hg38 chr9
## around NOTCH1, JASPAR's MEME files of those matrices, FIMO's defaults otherwise (pseudocount
## 0.1, both strands). Columns: FIMO's matched sequence (on the hit's strand), strand, score and
## p-value as FIMO prints them (6 and 3 significant digits). FIMO makes the NRDB background
## strand-symmetric when it scans both strands; so does scanMotifs.
fimo559 <- list(
    MA0069.1 = data.frame(
        seq = c("TTCACACTTGAATT", "TTCACGCTTAAGCG", "TTTCTGCATGAGTG", "CTCACGGATGAGCG",
                "CTCACGCATGGTGT", "GTCCCGCTTGGGTT", "TCCACGCCTGGGTG", "TTCATGCAACATTT",
                "TTCCTGCTTGGCTG", "TTCACTCATCATCG", "CACACGCATCAGCT", "TTCAAGGATGAGGG",
                "CTCAAGCCTCACTT"),
        strand = c("+", "+", "-", "-", "+", "+", "-", "+", "+", "+", "-", "-", "-"),
        score = c(14.3, 13.7667, 11.9444, 11.9333, 11.4, 11.3778, 10.9889, 10.6222, 10.5778,
                  10.4889, 10.3111, 10.1778, 9.93333),
        p = c(6.22e-06, 9.13e-06, 3.03e-05, 3.04e-05, 4.22e-05, 4.28e-05, 5.42e-05, 6.75e-05,
              6.91e-05, 7.26e-05, 8.02e-05, 8.66e-05, 9.9e-05)),
    MA0718.1 = data.frame(
        seq = c("ACCAATTAGC", "GCCAATTAAG", "GCCAATTAAG", "GCCAATTAGA", "GCTAATTAAA",
                "GTCAATTAAA", "GTCAATTAAG", "GCCAATTATT", "GGCAATTAGT", "GTTAATTAAA"),
        strand = c("+", "-", "-", "+", "-", "+", "+", "+", "-", "+"),
        score = c(12.1186, 11.8136, 11.8136, 11.7288, 11.5593, 11.2712, 11.0678, 10.8305,
                  10.8305, 10.8136),
        p = c(9.62e-06, 1.76e-05, 1.76e-05, 2.31e-05, 3.18e-05, 5.26e-05, 6.71e-05, 9.27e-05,
              9.27e-05, 9.91e-05)))

test_that("hits, scores and p-values equal MEME FIMO 5.5.9's printed output (NRDB background)", {
    skip_if_no_shared("motifs")
    db <- readMEME(sharedData("motifs", "JASPAR2020_CORE_vertebrates_non-redundant_pfms_meme.txt"))
    ids <- vapply(as.list(db), TFBSTools::ID, "")
    for (id in names(fimo559)) {
        f <- fimo559[[id]]
        ## each site in a sequence of its own, on the genome's strand (FIMO prints the minus
        ## strand's sites reverse-complemented), flanked by Ns that are never scored
        site <- Biostrings::DNAStringSet(f$seq)
        minus <- f$strand == "-"
        site[minus] <- Biostrings::reverseComplement(site[minus])
        x <- Biostrings::xscat("NNNN", site, "NNNN")
        names(x) <- paste0("site", seq_along(x))
        h <- scanMotifs(db[[which(ids == id)]], x, background = "nrdb")  # threshold 1e-4
        w <- nchar(f$seq[1])
        expect_identical(as.character(seqnames(h)), names(x), label = id)  # one hit each
        expect_identical(start(h), rep(5L, length(x)))
        expect_identical(width(h), rep(w, length(x)))
        expect_identical(as.character(strand(h)), f$strand, label = id)
        expect_identical(h$matchedSequence, f$seq, label = id)
        expect_identical(signif(h$score, 6), f$score, label = id)
        expect_identical(signif(h$pValue, 3), f$p, label = id)
    }
})

test_that("q-values are Storey's over all windows of a motif", {
    m <- GenomicDL:::.readMotifFile(exampleMotifs())
    seqs <- plant(randomSeqs(3, 300, 4), m)
    gr <- scanMotifs(exampleMotifs(), seqs, threshold = 0.01, qvalues = TRUE)
    ref <- refScan(seqs, m, rep(0.25, 4), thresh = 0.01)
    for (id in unique(gr$motifId)) {
        p <- ref$allp[[id]]
        mm <- length(p)
        expect_equal(unname(S4Vectors::metadata(gr)$windows[id]), mm)
        pi0 <- min(1, sum(p > 0.5) / (mm / 2))
        g <- gr[gr$motifId == id]
        o <- order(g$pValue)
        ps <- g$pValue[o]
        rank <- vapply(ps, function(x) sum(p <= x), numeric(1))
        q <- pmin(1, pi0 * mm * ps / rank)
        q <- rev(cummin(rev(q)))
        expect_equal(g$qValue[o], q, tolerance = 1e-12)
    }
    expect_true(all(is.na(scanMotifs(exampleMotifs(), seqs, threshold = 0.01)$qValue)))
})

test_that("GRanges + genome, whole genomes and files give the same sites", {
    fa <- exampleFasta()
    g <- genomeSource(fa)
    whole <- scanMotifs(exampleMotifs(), fa, threshold = 1e-5)
    expect_gt(length(whole), 100)
    expect_identical(GenomeInfoDb::seqnames(seqinfo(whole)), GenomeInfoDb::seqnames(seqinfo(g)))
    ## regions: the sites inside them, same numbers
    reg <- GenomicRanges::GRanges(c("chr1", "chr2"), IRanges::IRanges(c(5001, 20001), c(60000, 90000)))
    part <- scanMotifs(exampleMotifs(), reg, genome = fa, threshold = 1e-5)
    inside <- whole[IRanges::overlapsAny(whole, reg, type = "within")]
    expect_identical(paste(part), paste(inside))
    expect_identical(part$pValue, inside$pValue)
    ## the same regions as a DNAStringSet: coordinates relative to each sequence
    seqs <- Biostrings::getSeq(Rsamtools::FaFile(fa), reg)
    names(seqs) <- c("r1", "r2")
    rel <- scanMotifs(exampleMotifs(), seqs, threshold = 1e-5)
    expect_identical(BiocGenerics::start(rel),
                     BiocGenerics::start(part) - BiocGenerics::start(reg)[match(as.character(GenomicRanges::seqnames(part)), c("chr1", "chr2"))] + 1L)
    ## streaming to a file (BED-like, 0-based starts), atomically
    out <- tempfile(fileext = ".tsv")
    res <- scanMotifs(exampleMotifs(), fa, threshold = 1e-5, file = out, threads = 2)
    expect_identical(as.character(res), out)
    expect_identical(attr(res, "hits"), as.numeric(length(whole)))
    tab <- utils::read.delim(out, comment.char = "", check.names = FALSE)
    expect_identical(nrow(tab), length(whole))
    expect_identical(tab$start + 1L, BiocGenerics::start(whole))
    expect_identical(tab$end, BiocGenerics::end(whole))
    expect_identical(tab$motif_id, whole$motifId)
    expect_equal(tab[["p-value"]], signif(whole$pValue, 3))
    expect_length(list.files(dirname(out), pattern = paste0(basename(out), ".tmp")), 0L)
    ## threads do not change the sites
    one <- scanMotifs(exampleMotifs(), fa, threshold = 1e-5, threads = 1)
    expect_identical(paste(one), paste(whole))
})

test_that("bad inputs are GenomicDL errors", {
    seqs <- randomSeqs(1, 100, 5)
    mf <- exampleMotifs()
    expect_error(scanMotifs(mf, seqs, threshold = 0), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, threshold = 2), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, pseudocount = -1), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, background = "nrbd"), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, background = c(1, 2, 3)), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, background = c(0.5, 0.5, 0, 0)), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, strands = NA), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, file = tempfile(), qvalues = TRUE), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, GenomicRanges::GRanges("chr1:1-100")), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, GenomicRanges::GRanges("chrX:1-100"), genome = exampleFasta()),
                 class = "GenomicDL_error")
    expect_error(scanMotifs(mf, GenomicRanges::GRanges("chr1:1-1e9"), genome = exampleFasta()),
                 class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, genome = exampleFasta()), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, 42), class = "GenomicDL_error")
    expect_error(scanMotifs("/no/such/file.meme", seqs), class = "GenomicDL_error")
    expect_error(scanMotifs(mf, seqs, pseudocount = 0), class = "GenomicDL_error")  # zero probabilities
})
