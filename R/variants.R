### =========================================================================
### Variant effects: scoreVariants() builds the REF and ALT windows of each
### variant in the core (data/variants.cpp), runs them through the model in
### batches with the reverse-complement pass (train/variants.cpp) and returns
### per-task scores as a SummarizedExperiment, or streams them to a TSV file.
### -------------------------------------------------------------------------

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Variants as a table (chrom, pos, REF, ALT, id, record), one row per ALT
###

.variantTable <- function(chrom, pos, ref, alt, id, record) {
    ref <- toupper(as.character(ref))
    alt <- toupper(as.character(alt))
    bad <- which(is.na(ref) | !grepl("^[ACGTN]+$", ref))
    if (length(bad))
        .gdlStop("variants: REF of record ", record[bad[1L]], " ('", ref[bad[1L]], "') is not a ",
                 "sequence of A, C, G, T, N")
    alt[is.na(alt)] <- "."
    data.frame(chrom = as.character(chrom), pos = as.numeric(pos), ref = ref, alt = alt,
               id = as.character(id), record = as.integer(record), stringsAsFactors = FALSE)
}

## ALT alleles (character, a CharacterList or a DNAStringSetList) -> one element per ALT.
.expandAlt <- function(alt, n) {
    if (is.character(alt) && length(alt) == n) return(list(values = alt, each = rep(1L, n)))
    if (is(alt, "List") || is.list(alt)) {
        vals <- if (is(alt, "DNAStringSetList")) as.character(unlist(alt, use.names = FALSE))
                else as.character(unlist(alt, use.names = FALSE))
        each <- lengths(alt)
        if (any(each == 0L)) {  # no ALT: one unscorable row
            al <- as.list(as(alt, "CharacterList"))
            al[each == 0L] <- "."
            return(list(values = unlist(al, use.names = FALSE), each = pmax(each, 1L)))
        }
        return(list(values = vals, each = each))
    }
    .gdlStop("variants: ALT must be a character vector, a CharacterList or a DNAStringSetList, not ",
             class(alt)[1L])
}

.variantIds <- function(gr, ids = names(gr)) {
    def <- paste0(as.character(seqnames(gr)), ":", start(gr))
    if (is.null(ids)) return(def)
    ids[is.na(ids) | ids == "."] <- def[is.na(ids) | ids == "."]
    ids
}

## GRanges with REF / ALT columns, VRanges, or a VCF -> variant table (rows numbered from `first`).
.asVariantTable <- function(x, first = 1L) {
    if (is(x, "VCF")) {
        rr <- SummarizedExperiment::rowRanges(x)
        return(.grangesVariants(rr, rr$REF, rr$ALT, first))
    }
    if (is(x, "VRanges")) {
        gr <- GRanges(seqnames(x), IRanges::ranges(x))
        return(.grangesVariants(gr, VariantAnnotation::ref(x), VariantAnnotation::alt(x), first,
                                ids = names(x)))
    }
    if (is(x, "GRanges")) {
        mc <- mcols(x)
        if (!all(c("REF", "ALT") %in% names(mc)))
            .gdlStop("variants: a GRanges needs REF and ALT columns (it has: ",
                     paste(names(mc), collapse = ", "), ")")
        return(.grangesVariants(x, mc$REF, mc$ALT, first))
    }
    .gdlStop("variants must be a VCF file path, a VCF, a VRanges or a GRanges with REF and ALT ",
             "columns, not ", class(x)[1L])
}

.grangesVariants <- function(gr, ref, alt, first, ids = names(gr)) {
    n <- length(gr)
    ref <- as.character(ref)
    if (length(ref) != n) .gdlStop("variants: REF must have one value per variant")
    w <- which(!is.na(ref) & nchar(ref) != width(gr))
    if (length(w))
        .gdlStop("variants: record ", first - 1L + w[1L], " spans ", width(gr)[w[1L]],
                 " bases but its REF '", ref[w[1L]], "' has ", nchar(ref[w[1L]]))
    a <- .expandAlt(alt, n)
    i <- rep(seq_len(n), a$each)
    .variantTable(seqnames(gr)[i], start(gr)[i], ref[i], a$values, .variantIds(gr, ids)[i],
                  first - 1L + i)
}

## A VCF path as an open VcfFile read in chunks of yieldSize records: a bgzipped file with its
## tabix index as it is; a plain (or unindexed) one bgzipped and indexed in tempdir() first.
## NULL when that fails (an unsorted file): the caller then reads the whole file. The copy is
## removed when the caller's frame `cleanup` exits.
.openVcf <- function(path, yieldSize, cleanup = parent.frame()) {
    if (!requireNamespace("VariantAnnotation", quietly = TRUE))
        .gdlStop("reading a VCF file needs the VariantAnnotation package (Debian: r-bioc-variantannotation)")
    if (!file.exists(path)) .gdlStop("variants: no VCF file '", path, "'")
    tbi <- paste0(path, ".tbi")
    if (!file.exists(tbi)) {
        gz <- tempfile(fileext = ".vcf.gz")
        do.call(on.exit, list(substitute(unlink(c(f, paste0(f, ".tbi"))), list(f = gz)), add = TRUE),
                envir = cleanup)
        ok <- tryCatch({
            magic <- readBin(path, "raw", 2L)
            if (identical(magic, as.raw(c(0x1f, 0x8b)))) {
                con <- gzfile(path, "r")
                tmp <- tempfile(fileext = ".vcf")
                out <- file(tmp, "w")
                while (length(l <- readLines(con, n = 100000L))) writeLines(l, out)
                close(con)
                close(out)
                Rsamtools::bgzip(tmp, gz)
                unlink(tmp)
            } else {
                Rsamtools::bgzip(path, gz)
            }
            Rsamtools::indexTabix(gz, format = "vcf")
            TRUE
        }, error = function(e) FALSE)
        if (!ok) return(NULL)
        path <- gz
        tbi <- paste0(gz, ".tbi")
    }
    vf <- VariantAnnotation::VcfFile(path, index = tbi, yieldSize = yieldSize)
    open(vf)
    vf
}

.readVcfChunk <- function(vf) {
    param <- VariantAnnotation::ScanVcfParam(fixed = "ALT", info = NA, geno = NA)
    v <- tryCatch(suppressWarnings(VariantAnnotation::readVcf(vf, genome = "genome", param = param)),
                  error = function(e) .gdlStop("variants: cannot read the VCF (", conditionMessage(e), ")"))
    if (nrow(v) == 0L) NULL else v
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### What each output is and which scores it gets
###

## The activation ending output k (R/train-fit.R's .outputActivation walks back through
## shape-only layers); "linear" when it cannot be told.
.variantActivation <- function(model, k) {
    a <- .outputActivation(model, model@spec$outputs[[k]])
    if (is.na(a)) "linear" else a
}

## Per output: kind ("window" / "profile"), positions, channels, names, whether values are
## non-negative (logFC), sigmoid (logit difference), log counts, profile logits.
.variantOutputs <- function(model) {
    sem <- .outputSemantics(model)
    lay <- .outputLayouts(model, sem)
    losses <- model@info$losses
    nm <- .uniqueTrackNames(sem)
    lapply(seq_along(sem), function(k) {
        act <- .variantActivation(model, k)
        loss <- if (length(losses) >= k) losses[[k]] else ""
        profile <- lay[[k]][1L] > 0
        list(name = names(sem)[k], kind = if (profile) "profile" else "window",
             positions = if (profile) lay[[k]][1L] else 0, channels = sem[[k]]$channels,
             tracks = nm[[k]], activation = act,
             nonNegative = act %in% .activationNames(nonNegative = TRUE),
             sigmoid = act == "sigmoid", logCounts = identical(loss, "counts"),
             logits = profile && identical(loss, "mnll"))
    })
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Scoring one chunk
###

## Raw REF / ALT values (and JSD) per output for the scored rows of a chunk.
.scoreChunkModel <- function(model, g, tab, outs, rc, batchSize, dev, threads, ambiguous) {
    desc <- lapply(outs, function(o) c(o$positions, o$channels, as.numeric(o$logits)))
    .native(cpp_variant_score(.modelPtr(model), .genomePtr(g), tab$chrom, tab$pos, tab$ref,
                              tab$alt, desc, rc, batchSize, dev, threads, ambiguous == "zero",
                              .sequenceEncoding()))
}

.scoreChunkDeepBind <- function(models, g, tab, L, rc, threads) {
    s <- .native(cpp_variant_sequences(.genomePtr(g), tab$chrom, tab$pos, tab$ref, tab$alt, L))
    score <- function(x, strands) .native(cpp_deepbind_score(.deepbindParams(models), x,
                                                              character(), 0L, FALSE, "N", strands,
                                                              "fast", TRUE, threads))
    one <- function(x) {
        if (rc == "none") return(score(x, "forward"))
        if (rc == "max") return(score(x, "both"))
        rcx <- as.character(Biostrings::reverseComplement(Biostrings::DNAStringSet(x)))
        (score(x, "forward") + score(rcx, "forward")) / 2
    }
    list(ref = list(one(s$ref)), alt = list(one(s$alt)), jsd = list(NULL))
}

## Score matrices of a chunk (rows = table rows; NA for rows not scored): ref, alt, diff, logFC,
## logitDiff, jsd -- the last three only when some output has them.
.chunkAssays <- function(raw, outs, n, rows, pseudocount) {
    na <- function(nTracks) matrix(NA_real_, n, nTracks)
    per <- lapply(seq_along(outs), function(k) {
        o <- outs[[k]]
        nTracks <- length(o$tracks)
        ref <- alt <- jsd <- lfc <- ld <- na(nTracks)
        if (length(rows)) {
            r <- raw$ref[[k]]
            a <- raw$alt[[k]]
            if (o$kind == "profile") {
                jsd[rows, ] <- raw$jsd[[k]]
                if (o$logits) r[] <- a[] <- NA_real_
            }
            ref[rows, ] <- r
            alt[rows, ] <- a
            if (o$logCounts) lfc[rows, ] <- (a - r) / log(2)
            else if (o$nonNegative) lfc[rows, ] <- log2((pmax(a, 0) + pseudocount) /
                                                        (pmax(r, 0) + pseudocount))
            if (o$sigmoid) {
                eps <- 1e-7
                lg <- function(p) stats::qlogis(pmin(pmax(p, eps), 1 - eps))
                ld[rows, ] <- lg(a) - lg(r)
            }
        }
        list(ref = ref, alt = alt, diff = alt - ref, logFC = lfc, logitDiff = ld, jsd = jsd)
    })
    nms <- c("ref", "alt", "diff", "logFC", "logitDiff", "jsd")
    keep <- c(TRUE, TRUE, TRUE, any(vapply(outs, function(o) o$logCounts || o$nonNegative, TRUE)),
              any(vapply(outs, `[[`, TRUE, "sigmoid")),
              any(vapply(outs, function(o) o$kind == "profile", TRUE)))
    out <- lapply(nms[keep], function(a) {
        m <- do.call(cbind, lapply(per, `[[`, a))
        colnames(m) <- unlist(lapply(outs, `[[`, "tracks"))
        m
    })
    names(out) <- nms[keep]
    out
}

## One chunk of the table: windows, REF check, scores. Returns list(rows, assays, mismatches).
.scoreChunk <- function(x, g, tab, L, outs, opt) {
    w <- .native(cpp_variant_windows(.genomePtr(g), tab$chrom, tab$pos, tab$ref, tab$alt, L))
    symbolic <- !grepl("^[ACGTN]*$", tab$alt)
    mism <- !w$refMatch
    if (any(mism) && opt$refCheck == "error") {
        i <- which(mism)[1L]
        .gdlStop(sum(mism), " variant(s) have a REF that does not match the genome, e.g. record ",
                 tab$record[i], " (", tab$chrom[i], ":", tab$pos[i], " REF ", tab$ref[i], "); ",
                 "use refCheck = \"warn\", \"drop\" or \"ignore\"")
    }
    keep <- if (opt$refCheck == "drop") !mism else rep(TRUE, nrow(tab))
    tab <- tab[keep, , drop = FALSE]
    w <- lapply(w, `[`, keep)
    symbolic <- symbolic[keep]
    scored <- !symbolic & !(w$outside & opt$chromosomeEnds == "skip")
    alt <- tab$alt
    alt[alt == "-"] <- ""
    tab$alt <- alt
    rows <- which(scored)
    st <- tab[rows, , drop = FALSE]
    raw <- if (!length(rows)) NULL
           else if (is(x, "DeepBindModelList")) .scoreChunkDeepBind(x, g, st, L, opt$rc, opt$threads)
           else .scoreChunkModel(x, g, st, outs, opt$rc, opt$batchSize, opt$device, opt$threads,
                                 opt$ambiguous)
    lens <- .lengthsOf(g)
    ranges <- GRanges(tab$chrom, IRanges(tab$pos, width = nchar(tab$ref)),
                      seqinfo = seqinfo(g))
    names(ranges) <- tab$id
    ws <- pmax(w$start, 1)
    we <- pmin(w$start + L - 1, lens[tab$chrom])
    mcols(ranges) <- S4Vectors::DataFrame(
        REF = tab$ref, ALT = tab$alt, refMatch = w$refMatch, scored = scored,
        window = GRanges(tab$chrom, IRanges(ws, we), seqinfo = seqinfo(g)),
        windowStart = w$start, record = tab$record)
    list(rowRanges = ranges, assays = .chunkAssays(raw, outs, nrow(tab), rows, opt$pseudocount),
         mismatches = sum(mism), dropped = sum(!keep), notScored = sum(!scored))
}

## Chunks spread over BPPARAM (split in order, combined in order: the same result as serial).
.scoreTable <- function(x, g, tab, L, outs, opt) {
    if (is.null(opt$BPPARAM) || nrow(tab) < 2L) return(.scoreChunk(x, g, tab, L, outs, opt))
    n <- min(nrow(tab), BiocParallel::bpnworkers(opt$BPPARAM))
    idx <- split(seq_len(nrow(tab)), ceiling(seq_len(nrow(tab)) * n / nrow(tab)))
    bp <- opt$BPPARAM
    opt$BPPARAM <- NULL
    parts <- BiocParallel::bplapply(unname(idx), function(i, x, g, tab, L, outs, opt)
        .scoreChunk(x, g, tab[i, , drop = FALSE], L, outs, opt),
        x = x, g = g, tab = tab, L = L, outs = outs, opt = opt, BPPARAM = bp)
    .combineVariantChunks(parts)
}

.combineVariantChunks <- function(parts) {
    if (length(parts) == 1L) return(parts[[1L]])
    list(rowRanges = do.call(c, lapply(parts, `[[`, "rowRanges")),
         assays = lapply(stats::setNames(nm = names(parts[[1L]]$assays)), function(a)
             do.call(rbind, lapply(parts, function(p) p$assays[[a]]))),
         mismatches = sum(vapply(parts, `[[`, 0, "mismatches")),
         dropped = sum(vapply(parts, `[[`, 0, "dropped")),
         notScored = sum(vapply(parts, `[[`, 0, "notScored")))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Where the scores go: in memory, or streamed chunk by chunk to an HDF5,
### VCF or TSV file (a temporary file beside the target, renamed at the end)
###

## The kind of `output`: "memory", "h5", "vcf" or "tsv".
.variantOutputKind <- function(output) {
    if (is.null(output)) return("memory")
    if (!is.character(output) || length(output) != 1L || is.na(output))
        .gdlStop("output must be NULL or one file path, not ", .shown(output))
    kind <- if (grepl("\\.h5$", output, ignore.case = TRUE)) "h5"
            else if (grepl("\\.vcf(\\.gz)?$", output, ignore.case = TRUE)) "vcf"
            else if (grepl("\\.tsv(\\.gz)?$", output, ignore.case = TRUE)) "tsv"
            else .gdlStop("output must be NULL or a file path ending in .h5, .vcf, .vcf.gz, .tsv ",
                          "or .tsv.gz, not '", output, "'")
    if (!dir.exists(dirname(output)))
        .gdlStop("output: no folder '", dirname(output), "' to write '", basename(output), "' in")
    if (kind == "vcf" && !requireNamespace("VariantAnnotation", quietly = TRUE))
        .gdlStop("writing a VCF needs the VariantAnnotation package (Debian: r-bioc-variantannotation)")
    if (kind == "h5") .needHdf5("variant scores", "write a .tsv.gz or .vcf.gz file")
    kind
}

## colData of the result: the output, kind and activation of each task.
.variantColData <- function(outs) {
    nt <- lengths(lapply(outs, `[[`, "tracks"))
    per <- function(f) rep(vapply(outs, `[[`, "", f), nt)
    S4Vectors::DataFrame(output = per("name"), kind = per("kind"), activation = per("activation"),
                         row.names = unlist(lapply(outs, `[[`, "tracks")))
}

.tsvChunk <- function(part) {
    rr <- part$rowRanges
    win <- rr$window
    df <- data.frame(id = names(rr), chrom = as.character(seqnames(rr)), pos = start(rr),
                     REF = rr$REF, ALT = rr$ALT, refMatch = rr$refMatch, scored = rr$scored,
                     window.start = start(win), window.end = end(win),
                     windowStart = rr$windowStart, record = rr$record,
                     check.names = FALSE, stringsAsFactors = FALSE)
    for (a in names(part$assays)) {
        m <- part$assays[[a]]
        colnames(m) <- paste0(a, ".", colnames(m))
        df <- cbind(df, as.data.frame(m, check.names = FALSE))
    }
    df
}

## INFO keys of the scores: assay_task with letters, digits, _ and . only, made unique.
.vcfScoreKeys <- function(assays) {
    keys <- unlist(lapply(names(assays), function(a) paste0(a, "_", colnames(assays[[a]]))))
    keys <- gsub("[^0-9A-Za-z_.]", "_", keys)
    make.unique(keys, sep = "_")
}

.vcfAssayText <- c(ref = "REF prediction", alt = "ALT prediction", diff = "ALT - REF",
                   logFC = "log2 fold change ALT / REF", logitDiff = "logit(ALT) - logit(REF)",
                   jsd = "Jensen-Shannon distance of the REF and ALT profiles")

## The VCF header: INFO lines for the row fields and for each score x task, contigs.
.vcfHeader <- function(template, seqinfo) {
    a <- template$assays
    tasks <- unlist(lapply(a, colnames))
    what <- rep(.vcfAssayText[names(a)], vapply(a, ncol, 1L))
    info <- S4Vectors::DataFrame(
        Number = c("0", "0", "1", "1", rep("1", length(tasks))),
        Type = c("Flag", "Flag", "Integer", "Integer", rep("Float", length(tasks))),
        Description = c("REF matches the genome", "the variant was scored",
                        "first genome base of the REF and ALT windows (1-based; < 1 near a chromosome start)",
                        "record of the input the row comes from",
                        paste0(what, " (GenomicDL::scoreVariants), task ", tasks)),
        row.names = c("REFMATCH", "SCORED", "WINSTART", "RECORD", .vcfScoreKeys(a)))
    lens <- GenomeInfoDb::seqlengths(seqinfo)
    contig <- S4Vectors::DataFrame(length = as.integer(lens), row.names = names(lens))
    VariantAnnotation::VCFHeader(samples = character(), header = IRanges::DataFrameList(
        fileformat = S4Vectors::DataFrame(Value = "VCFv4.2", row.names = "fileformat"),
        source = S4Vectors::DataFrame(Value = "GenomicDL::scoreVariants", row.names = "source"),
        INFO = info, contig = contig))
}

## One chunk as a VCF object: one record per result row (multi-allelic records split).
.vcfChunk <- function(part, header) {
    rr <- part$rowRanges
    alt <- rr$ALT
    alt[!nzchar(alt)] <- "-"
    fixed <- S4Vectors::DataFrame(REF = Biostrings::DNAStringSet(rr$REF),
                                  ALT = IRanges::CharacterList(as.list(alt)),
                                  QUAL = rep(NA_real_, length(rr)), FILTER = rep(".", length(rr)))
    scores <- do.call(cbind, unname(part$assays))
    info <- S4Vectors::DataFrame(REFMATCH = rr$refMatch, SCORED = rr$scored,
                                 WINSTART = as.integer(rr$windowStart),
                                 RECORD = as.integer(rr$record),
                                 S4Vectors::DataFrame(scores, check.names = FALSE), check.names = FALSE)
    names(info) <- rownames(VariantAnnotation::info(header))
    gr <- GRanges(seqnames(rr), IRanges::ranges(rr), seqinfo = seqinfo(rr))
    VariantAnnotation::VCF(rowRanges = gr, fixed = fixed, info = info,
                           exptData = list(header = header), collapsed = TRUE)
}

## A sink takes each scored chunk (write) and makes the result (finish); abort() removes what a
## file sink left when the call fails or is interrupted (a no-op after finish()).
## `template` is the scored empty chunk: it gives the assays and their columns.
.variantSink <- function(kind, output, template, outs) {
    done <- FALSE
    se <- function(assays, rowRanges, meta)
        SummarizedExperiment::SummarizedExperiment(assays = assays, rowRanges = rowRanges,
                                                   colData = .variantColData(outs), metadata = meta)
    if (kind == "memory") {
        parts <- list()
        return(list(write = function(part) parts[[length(parts) + 1L]] <<- part,
                    finish = function(meta) {
                        res <- .combineVariantChunks(if (length(parts)) parts else list(template))
                        se(res$assays, res$rowRanges, meta)
                    }, abort = function() NULL))
    }
    if (kind == "h5") {
        w <- .hdf5Writer(output, vapply(template$assays, ncol, 1))
        rows <- list()
        n <- 0
        return(list(write = function(part) {
            for (a in names(part$assays)) w$write(n + 1, part$assays[[a]], a)
            n <<- n + length(part$rowRanges)
            rows[[length(rows) + 1L]] <<- part$rowRanges
        }, finish = function(meta) {
            assays <- w$commit()
            done <<- TRUE
            if (n == 0) assays <- template$assays  # no variants: the empty matrices
            rr <- if (length(rows)) do.call(c, rows) else template$rowRanges
            se(assays, rr, c(meta, list(path = output)))
        }, abort = function() if (!done) w$abort()))
    }
    tmp <- tempfile(pattern = paste0(".", basename(output), "."), tmpdir = dirname(output))
    gz <- grepl("\\.gz$", output, ignore.case = TRUE)
    cleanup <- function() unlink(c(tmp, paste0(tmp, c(".bgz", ".bgz.tbi"))))
    if (kind == "tsv") {
        con <- if (gz) gzfile(tmp, "w") else file(tmp, "w")
        header <- TRUE
        put <- function(part) {
            utils::write.table(.tsvChunk(part), con, sep = "\t", quote = FALSE, row.names = FALSE,
                               col.names = header, na = "NA")
            header <<- FALSE
        }
    } else {
        con <- file(tmp, "w")
        vh <- .vcfHeader(template, seqinfo(template$rowRanges))
        ## writeVcf() writes the header when the file is still empty, then the records
        put <- function(part)
            suppressWarnings(VariantAnnotation::writeVcf(.vcfChunk(part, vh), con))
    }
    open <- TRUE
    closeCon <- function() if (open) {
        close(con)
        open <<- FALSE
    }
    list(write = put, finish = function(meta) {
        put(template)  # the header alone when there were no variants; no rows otherwise
        closeCon()
        final <- tmp
        if (kind == "vcf" && gz) {
            ## bgzip (not gzip), so that readVcf() and tabix read it; indexed when sorted
            final <- Rsamtools::bgzip(tmp, paste0(tmp, ".bgz"))
            ok <- tryCatch({
                Rsamtools::indexTabix(final, format = "vcf")
                TRUE
            }, error = function(e) FALSE)
            if (ok && !file.rename(paste0(final, ".tbi"), paste0(output, ".tbi")))
                .gdlStop("cannot write '", output, ".tbi'")
            if (!ok) unlink(paste0(output, ".tbi"))  # a stale index would not match the file
        }
        if (!file.rename(final, output)) .gdlStop("cannot write '", output, "'")
        cleanup()
        done <<- TRUE
        invisible(output)
    }, abort = function() if (!done) {
        closeCon()
        cleanup()
    })
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### scoreVariants
###

#' Score the effects of sequence variants
#'
#' Predicts each variant's REF and ALT windows with a model and reports, per
#' task, the REF and ALT predictions and their differences. Windows are built
#' and encoded in the C++ core and run in batches (with their reverse
#' complements); VCF files are read in chunks of \code{yieldSize} records, so
#' memory is bounded by the chunk.
#'
#' @param model a \code{SequenceModel} (any kind: window classifiers and
#'   regressors, multi-task and label-shaped heads, per-base profile models,
#'   BPNet models with profile and counts heads) or a
#'   \code{DeepBindModelList} (or \code{DeepBindModel}).
#' @param variants a VCF file path (bgzipped with a tabix index beside it;
#'   any other VCF is first bgzipped and indexed in \code{tempdir()}, or read
#'   whole when it cannot be indexed, e.g. unsorted), a \code{VCF} or \code{VRanges} object, or a \code{GRanges}
#'   with \code{REF} and \code{ALT} columns (ALT a character vector, a
#'   \code{CharacterList} or a \code{DNAStringSetList}). Each range starts at
#'   the variant's first REF base (the VCF \code{POS}) and spans its REF.
#'   Multi-allelic records give one row per ALT.
#' @param genome anything \code{\link{genomeSource}} accepts; chromosome names
#'   must match the variants'.
#' @param rc \code{"average"} (default, as ChromBPNet's variant scorer): each
#'   window is also scored reverse-complemented and the two predictions are
#'   averaged; \code{"max"}: the larger; \code{"none"}: forward only. Profile
#'   outputs are combined position by position, the reverse pass reversed.
#'   For DeepBind models, \code{"max"} is DeepBind's own rule.
#' @param refCheck what to do with a variant whose REF differs from the
#'   genome: \code{"error"} (default), \code{"warn"} (scored and flagged),
#'   \code{"drop"} (removed from the result) or \code{"ignore"} (scored,
#'   flagged in \code{refMatch}, no warning). The REF window always holds the
#'   genome's bases.
#' @param chromosomeEnds for variants whose windows reach past a chromosome
#'   end: \code{"pad"} (default; those bases read N) or \code{"skip"}
#'   (reported with \code{scored = FALSE} and \code{NA} scores).
#' @param pseudocount added to non-negative outputs before the log ratio.
#' @param inputLength window length for DeepBind models (default 101); a
#'   \code{SequenceModel} uses its input length.
#' @param yieldSize records read per chunk of a VCF file (and variants per
#'   chunk of an object).
#' @param output \code{NULL} (default: the result in memory) or a file path;
#'   its ending picks the format, written chunk by chunk (memory bounded by
#'   the chunk) to a temporary file beside it and renamed to \code{output}
#'   when done (nothing is left on an error or an interrupt):
#'   \code{.h5}: the assays as HDF5 datasets (one per assay, variants x
#'   tasks, doubles), the result an HDF5-backed \code{SummarizedExperiment}
#'   (its row ranges are held in memory);
#'   \code{.vcf} or \code{.vcf.gz} (bgzipped, with a tabix index when the
#'   variants are sorted): one record per variant x ALT with INFO fields
#'   \code{REFMATCH}, \code{SCORED}, \code{WINSTART}, \code{RECORD} and one
#'   per assay and task (\code{<assay>_<task>}, e.g. \code{diff_task1}; other
#'   characters than letters, digits, \code{_} and \code{.} become \code{_});
#'   \code{.tsv} or \code{.tsv.gz}: a table.
#' @param BPPARAM \code{NULL} or a \code{BiocParallelParam}: each chunk is
#'   split over its workers (results identical to serial).
#' @param batchSize variants per forward pass (each gives 2 windows, 4 with
#'   \code{rc}).
#' @param device \code{"auto"}, \code{"cpu"} or \code{"cuda"}.
#' @param threads threads of the core (encoding, LibTorch, DeepBind).
#' @param ambiguous value of N in the one-hot encoding (\code{"quarter"} or
#'   \code{"zero"}).
#' @param contributions \code{NULL} or \code{FALSE} (default: none),
#'   \code{TRUE} (DeepSHAP, \code{"deepliftshap"}) or an
#'   \code{\link{attributeBases}} method (\code{"deepliftshap"},
#'   \code{"ism"}, \code{"saliency"}): the
#'   attributions of the first output's first task over the REF and ALT
#'   windows, in \code{metadata(result)$contributions} (\code{ref} and
#'   \code{alt}, arrays variants x window x 4; \code{NA} for variants not
#'   scored). In memory only.
#' @param verbose report the counts of REF mismatches and unscored variants.
#' @return Without \code{output}, a \code{SummarizedExperiment}: one row per
#'   variant (x ALT), \code{rowRanges} the variants (named by ID, else
#'   \code{chrom:pos}) with columns \code{REF}, \code{ALT}, \code{refMatch},
#'   \code{scored}, \code{window} (the window, trimmed to the chromosome),
#'   \code{windowStart} (its untrimmed first base) and \code{record} (the row
#'   of the input); one column per task, named as \code{predictRegions()} and
#'   \code{auc()} name them (output name first for several outputs), with
#'   \code{colData} giving the output, its kind and activation; assays
#'   \code{ref}, \code{alt}, \code{diff} (alt - ref), \code{logFC},
#'   \code{logitDiff} and \code{jsd} (the last three when an output has
#'   them); \code{metadata} holds the counts of REF mismatches, dropped and
#'   unscored variants and the settings. With an \code{.h5} \code{output},
#'   the same \code{SummarizedExperiment} with \code{HDF5Array} assays read
#'   from the file (\code{metadata(result)$path}); with a VCF or TSV
#'   \code{output}, its path (invisibly). The TSV has the row columns, then
#'   one column per assay and task (\code{assay.task}).
#' @details \strong{Windows.} For a model input of length \eqn{L}, the window
#'   starts \eqn{\lfloor L/2 \rfloor} bases before the first REF base, which
#'   is therefore at position \eqn{\lfloor L/2 \rfloor + 1} of the window (the
#'   centre for odd \eqn{L}, the right of the two central bases for even
#'   \eqn{L}). The REF window is the genome's sequence there. The ALT window
#'   starts at the same genome position: the same left flank, then ALT, then
#'   the genome after REF, up to \eqn{L} bases. A deletion thus pulls in extra
#'   right flank; an insertion pushes the right end out (an ALT longer than
#'   \eqn{L - \lfloor L/2 \rfloor} is cut). ALT \code{"-"} or \code{""} is a
#'   deletion of all of REF. Symbolic ALTs (\code{<DEL>}, \code{*},
#'   \code{.}, breakends) are reported with \code{scored = FALSE}.
#'
#'   \strong{Scores.} Per-window outputs: \code{ref} and \code{alt} are the
#'   (strand-combined) predictions, \code{diff = alt - ref}; \code{logFC =
#'   log2((alt + pseudocount) / (ref + pseudocount))} for non-negative
#'   outputs (sigmoid, softmax, relu, softplus, exp activations), and
#'   \code{(alt - ref) / log(2)} for BPNet counts heads, which predict log
#'   counts; \code{logitDiff = logit(alt) - logit(ref)} for sigmoid outputs
#'   (probabilities clamped to \eqn{[10^{-7}, 1 - 10^{-7}]}). Profile outputs
#'   (per task): \code{ref} and \code{alt} are the sums of the profile over
#'   positions (\code{NA} for BPNet's profile logits), and \code{jsd} the
#'   Jensen-Shannon distance (square root of the divergence, log base 2,
#'   between 0 and 1, as ChromBPNet's scorer) between the REF and ALT
#'   profiles taken as distributions over positions: the softmax of BPNet's
#'   logits, else the values clamped at 0 and divided by their sum. Scores not
#'   defined for an output are \code{NA}.
#'
#'   DeepBind models score windows of \code{inputLength} bases as
#'   \code{\link{deepbindScore}} does (N padding, each model's window).
#' @seealso \code{\link{predictRegions}}, \code{\link{deepbindScore}}
#' @examples
#' fa <- system.file("extdata", "example_genome.fa", package = "GenomicDL")
#' vars <- GRanges(c("chr1:1000", "chr1:2000-2001", "chr2:500"),
#'                 REF = c("A", "AC", "G"), ALT = c("T", "A", "GTT"))
#' ## REF of the example variants taken from the genome
#' vars$REF <- as.character(getSequence(fa, vars))
#' vars$ALT <- c("T", substr(vars$REF[2], 1, 1), paste0(vars$REF[3], "TT"))
#' m <- cnnModel(201, outputs = 2, activation = "sigmoid")
#' s <- scoreVariants(m, vars, fa)
#' s
#' SummarizedExperiment::assay(s, "logitDiff")
#' SummarizedExperiment::rowRanges(s)$window
#' @export
scoreVariants <- function(model, variants, genome, rc = c("average", "none", "max"),
                          refCheck = c("error", "warn", "drop", "ignore"),
                          chromosomeEnds = c("pad", "skip"), pseudocount = 1e-3,
                          inputLength = NULL, yieldSize = 100000, output = NULL, BPPARAM = NULL,
                          batchSize = 128, device = "auto", threads = NULL,
                          ambiguous = c("quarter", "zero"), contributions = FALSE,
                          verbose = TRUE) {
    rc <- .matchArg(rc)
    refCheck <- .matchArg(refCheck)
    chromosomeEnds <- .matchArg(chromosomeEnds)
    ambiguous <- .matchArg(ambiguous)
    if (is(model, "DeepBindModel")) model <- .asDeepBindList(model)
    if (!is(model, "SequenceModel") && !is(model, "DeepBindModelList"))
        .gdlStop("model must be a SequenceModel or a DeepBindModelList, not ", class(model)[1L])
    pseudocount <- .checkNumber(pseudocount, "pseudocount", min = 0)
    yieldSize <- .checkCount(yieldSize, "yieldSize")
    batchSize <- .checkCount(batchSize, "batchSize")
    threads <- .threads(threads)
    if (!is.null(BPPARAM) && !is(BPPARAM, "BiocParallelParam"))
        .gdlStop("BPPARAM must be NULL or a BiocParallelParam")
    kind <- .variantOutputKind(output)
    if (isFALSE(contributions)) contributions <- NULL
    if (isTRUE(contributions)) contributions <- "deepliftshap"
    if (!is.null(contributions)) {
        contributions <- .matchArg(contributions, c("deepliftshap", "ism", "saliency"), "contributions")
        if (!is(model, "SequenceModel")) .gdlStop("contributions need a SequenceModel")
        if (kind != "memory") .gdlStop("contributions are returned in memory: give output = NULL")
    }
    g <- genomeSource(genome)
    if (is(model, "SequenceModel")) {
        if (length(model@spec$inputs) != 1L)
            .gdlStop("the model takes ", length(model@spec$inputs), " inputs; scoreVariants() reads DNA only")
        L <- model@spec$inputs[[1L]][2L]
        if (!is.null(inputLength) && .checkCount(inputLength, "inputLength") != L)
            .gdlStop("inputLength (", inputLength, ") differs from the model's input length (", L, ")")
        outs <- .variantOutputs(model)
        dev <- .resolveDevice(device)
        if (!is.null(BPPARAM)) .syncWeights(model)
    } else {
        if (!length(model)) .gdlStop("model is an empty DeepBindModelList")
        L <- if (is.null(inputLength)) 101L else .checkCount(inputLength, "inputLength")
        outs <- list(list(name = "deepbind", kind = "window", positions = 0, channels = length(model),
                          tracks = names(model), activation = "linear", nonNegative = FALSE,
                          sigmoid = FALSE, logCounts = FALSE, logits = FALSE))
        dev <- "cpu"
    }
    opt <- list(rc = rc, refCheck = refCheck, chromosomeEnds = chromosomeEnds,
                pseudocount = pseudocount, batchSize = batchSize, device = dev, threads = threads,
                ambiguous = ambiguous, BPPARAM = BPPARAM)

    ## chunks: a VCF file read yieldSize records at a time, or an object cut into yieldSize rows
    vf <- NULL
    if (is.character(variants)) {
        if (length(variants) != 1L || is.na(variants))
            .gdlStop("variants: give one VCF file path")
        vf <- .openVcf(variants, yieldSize)
    }
    if (!is.null(vf)) {
        on.exit(close(vf), add = TRUE)
        first <- 1L
        nextTable <- function() {
            v <- .readVcfChunk(vf)
            if (is.null(v)) return(NULL)
            tab <- .asVariantTable(v, first)
            first <<- first + nrow(v)
            tab
        }
    } else {
        if (is.character(variants)) {  # a VCF that cannot be indexed (unsorted): read whole
            param <- VariantAnnotation::ScanVcfParam(fixed = "ALT", info = NA, geno = NA)
            variants <- tryCatch(suppressWarnings(VariantAnnotation::readVcf(variants, genome = "genome",
                                                                             param = param)),
                                 error = function(e) .gdlStop("variants: cannot read the VCF (",
                                                              conditionMessage(e), ")"))
        }
        all <- .asVariantTable(variants)
        starts <- seq(1L, max(nrow(all), 1L), by = yieldSize)
        ci <- 0L
        nextTable <- function() {
            ci <<- ci + 1L
            if (ci > length(starts) || nrow(all) == 0L) return(NULL)
            all[starts[ci]:min(nrow(all), starts[ci] + yieldSize - 1L), , drop = FALSE]
        }
    }
    lens <- .lengthsOf(g)
    empty <- .variantTable(character(), numeric(), character(), character(), character(), integer())
    sink <- .variantSink(kind, output, .scoreChunk(model, g, empty, L, outs, opt), outs)
    on.exit(sink$abort(), add = TRUE)
    counts <- c(mismatches = 0, dropped = 0, notScored = 0, variants = 0)
    repeat {
        tab <- nextTable()
        if (is.null(tab)) break
        miss <- setdiff(unique(tab$chrom), names(lens))
        if (length(miss))
            .gdlStop("variants on chromosome(s) not in the genome: ", paste(miss, collapse = ", "),
                     " (it has: ", paste(utils::head(names(lens), 5L), collapse = ", "),
                     if (length(lens) > 5L) ", ..." else "", ")")
        part <- .scoreTable(model, g, tab, L, outs, opt)
        counts <- counts + c(part$mismatches, part$dropped, part$notScored, length(part$rowRanges))
        sink$write(part)
    }
    if (counts[["mismatches"]] > 0 && refCheck == "warn")
        warning(counts[["mismatches"]], " variant(s) have a REF that does not match the genome ",
                "(scored, refMatch = FALSE)", call. = FALSE)
    if (isTRUE(verbose) && (counts[["mismatches"]] > 0 || counts[["notScored"]] > 0)) {
        dropped <- if (counts[["dropped"]] > 0) sprintf(" (%d dropped)", as.integer(counts[["dropped"]])) else ""
        message("scoreVariants: ", counts[["variants"]], " variants, ", counts[["mismatches"]],
                " REF mismatch(es)", dropped, ", ", counts[["notScored"]], " not scored")
    }
    meta <- list(refMismatches = counts[["mismatches"]], dropped = counts[["dropped"]],
                 notScored = counts[["notScored"]], inputLength = L, rc = rc,
                 pseudocount = pseudocount, refCheck = refCheck, chromosomeEnds = chromosomeEnds,
                 device = dev)
    res <- sink$finish(meta)
    if (kind %in% c("vcf", "tsv")) return(invisible(res))
    if (!is.null(contributions))
        S4Vectors::metadata(res)$contributions <-
            .variantContributions(model, g, SummarizedExperiment::rowRanges(res), L, contributions,
                                  threads)
    res
}

## Attributions (attributeBases(), output 1, task 1) of the REF and ALT windows of the scored
## variants: list(ref, alt) of arrays variants x L x 4, NA rows for variants not scored.
.variantContributions <- function(model, g, rr, L, method, threads) {
    rows <- which(rr$scored)
    out <- lapply(c(ref = "ref", alt = "alt"), function(a)
        array(NA_real_, c(length(rr), L, 4L), list(names(rr), NULL, c("A", "C", "G", "T"))))
    if (!length(rows)) return(out)
    alt <- rr$ALT[rows]
    alt[alt == "-"] <- ""
    s <- .native(cpp_variant_sequences(.genomePtr(g), as.character(seqnames(rr))[rows],
                                       start(rr)[rows], rr$REF[rows], alt, L))
    for (a in c("ref", "alt")) {
        x <- attributeBases(model, s[[a]], method = method, threads = threads)
        out[[a]][rows, , ] <- x
    }
    out
}
