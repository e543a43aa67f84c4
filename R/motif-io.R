### =========================================================================
### Motif files: readMEME(), writeMEME(), readJASPAR()
### -------------------------------------------------------------------------
### Motifs are TFBSTools PFMatrixList objects of integer counts (rows A, C, G,
### T). Reading a file scales its probabilities by nsites; the exact
### probabilities are kept in the tags ("probabilities") so that comparing
### motifs read from a file gives Tomtom's results on that file.

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Internal conversions
###

## The one builder of the package's motifs: a PFMatrixList named by `ids` from base counts
## (`counts`: 4 x width matrices, rows A, C, G, T, rounded to integers) with per-motif `tags`.
.pfmList <- function(counts, ids, tags, names = ids) {
    pfms <- lapply(seq_along(counts), function(i) {
        m <- round(counts[[i]])
        storage.mode(m) <- "integer"
        dimnames(m) <- list(c("A", "C", "G", "T"), NULL)
        TFBSTools::PFMatrix(ID = ids[i], name = names[i], profileMatrix = m, tags = tags[[i]])
    })
    names(pfms) <- ids
    do.call(TFBSTools::PFMatrixList, c(pfms, list(use.names = TRUE)))
}

## Core motif list (id, name, url, nsites, prob = width x 4 matrices) -> PFMatrixList: the
## probabilities scaled by nsites (defaultSites when unknown), kept exactly in the tags.
.pfmListFromCore <- function(x, defaultSites = 1000) {
    i <- seq_along(x$prob)
    counts <- lapply(i, function(k) t(x$prob[[k]]) * (if (x$nsites[k] > 0) x$nsites[k] else defaultSites))
    tags <- lapply(i, function(k) c(list(nsites = x$nsites[k], probabilities = x$prob[[k]]),
                                    if (nzchar(x$url[k])) list(url = x$url[k])))
    .pfmList(counts, x$id, tags, names = ifelse(nzchar(x$name), x$name, x$id))
}

## Anything compareMotifs()/writeMEME() accept -> core motif list.
.motifsToCore <- function(x, what = "motifs") {
    if (is.character(x) && length(x) == 1L) {
        if (!file.exists(x)) .gdlStop(what, ": file '", x, "' does not exist")
        return(.readMotifFile(x))
    }
    if (is(x, "PFMatrix") || is(x, "PWMatrix")) x <- list(x)
    if (is(x, "XMatrixList")) x <- as.list(x)
    if (!is.list(x) || length(x) == 0L ||
        !all(vapply(x, function(m) is(m, "PFMatrix") || is(m, "PWMatrix"), logical(1))))
        .gdlStop(what, " must be a PFMatrix(List), a PWMatrixList or a MEME/JASPAR file path")
    ids <- vapply(x, TFBSTools::ID, character(1))
    nms <- vapply(x, TFBSTools::name, character(1))
    nsites <- numeric(length(x))
    prob <- vector("list", length(x))
    for (i in seq_along(x)) {
        m <- TFBSTools::Matrix(x[[i]])
        if (nrow(m) != 4L) .gdlStop(what, ": matrix ", ids[i], " does not have 4 rows (A, C, G, T)")
        if (!is.null(rownames(m))) m <- m[c("A", "C", "G", "T"), , drop = FALSE]
        tg <- TFBSTools::tags(x[[i]])
        if (anyNA(m) || any(is.infinite(m)))
            .gdlStop(what, ": matrix ", ids[i], " holds NA, NaN or infinite values")
        if (all(m == 0))
            .gdlStop(what, ": matrix ", ids[i], " is all zero; a motif needs counts, ",
                     "probabilities or log-odds that tell the bases apart")
        if (is(x[[i]], "PWMatrix")) {
            ## log2-odds (or probabilities) back to probabilities
            bg <- TFBSTools::bg(x[[i]])[c("A", "C", "G", "T")]
            p <- if (all(m >= 0) && all(abs(colSums(m) - 1) < 1e-3)) m else 2^m * bg
            p <- sweep(p, 2L, colSums(p), "/")
            nsites[i] <- if (is.numeric(tg$nsites)) tg$nsites else 0
        } else {
            cs <- colSums(m)
            if (any(cs <= 0)) .gdlStop(what, ": matrix ", ids[i], " has a column without counts")
            p <- sweep(m, 2L, cs, "/")
            nsites[i] <- if (is.numeric(tg$nsites) && length(tg$nsites) == 1L) tg$nsites else cs[1L]
            ex <- tg$probabilities
            ## exact file probabilities when the counts were not changed since reading
            if (is.matrix(ex) && identical(dim(ex), rev(dim(m))) && nsites[i] > 0 &&
                all(round(t(ex) * nsites[i]) == m))
                p <- t(ex)
        }
        prob[[i]] <- unname(t(p))
    }
    list(id = unname(ids), name = unname(nms), url = rep("", length(x)), nsites = nsites,
         prob = prob, background = c(0.25, 0.25, 0.25, 0.25))
}

.readMotifFile <- function(file) {
    first <- readLines(file, n = 200L, warn = FALSE)
    if (any(grepl("^\\s*MEME version", first))) .native(cpp_motif_read_meme(normalizePath(file)))
    else .native(cpp_motif_read_jaspar(normalizePath(file)))
}

### - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -
### Readers and writer
###

#' Read motifs from MEME or JASPAR files
#'
#' \code{readMEME} reads MEME motif files (minimal MEME format, as
#' distributed by JASPAR, or MEME output); \code{readJASPAR} reads JASPAR
#' count files (\code{.jaspar}, \code{.pfm}) and also MEME files.
#'
#' @param file path of the motif file.
#' @return A \code{TFBSTools::PFMatrixList} of integer counts (rows A, C, G,
#'   T): the probabilities of a MEME file scaled by its \code{nsites} (1000
#'   when a matrix gives none). Tags hold \code{nsites}, the exact file
#'   \code{probabilities} and the \code{url} when present.
#' @seealso \code{\link{writeMEME}}, \code{\link{compareMotifs}}
#' @examples
#' motifs <- readMEME(system.file("extdata", "example_motifs.meme", package = "GenomicDL"))
#' motifs
#' TFBSTools::Matrix(motifs[["MA0035.4"]])
#' @export
readMEME <- function(file) {
    if (!is.character(file) || length(file) != 1L || !file.exists(file))
        .gdlStop("file must be the path of an existing MEME file")
    .pfmListFromCore(.native(cpp_motif_read_meme(normalizePath(file))))
}

#' @rdname readMEME
#' @export
readJASPAR <- function(file) {
    if (!is.character(file) || length(file) != 1L || !file.exists(file))
        .gdlStop("file must be the path of an existing JASPAR or MEME file")
    .pfmListFromCore(.readMotifFile(file))
}

#' Write motifs in DanQ's MEME format
#'
#' Writes the MEME minimal format exactly as DanQ does (\code{MEME version
#' 4.9.0}, uniform background, one \code{letter-probability matrix: alength=
#' 4 w= .. nsites= .. E= 1337.0e-6} per motif, probabilities with six
#' decimals). The file is written atomically.
#'
#' @param motifs a \code{PFMatrixList} (or \code{PFMatrix}); probabilities
#'   are the counts over their column totals and \code{nsites} the
#'   \code{nsites} tag or the first column total.
#' @param file output path.
#' @return \code{file}, invisibly.
#' @examples
#' motifs <- readMEME(system.file("extdata", "example_motifs.meme", package = "GenomicDL"))
#' out <- tempfile(fileext = ".meme")
#' writeMEME(motifs, out)
#' cat(head(readLines(out), 12), sep = "\n")
#' @export
writeMEME <- function(motifs, file) {
    if (!is.character(file) || length(file) != 1L || is.na(file))
        .gdlStop("file must be one output path")
    m <- .motifsToCore(motifs, "motifs")
    m$name[m$name == m$id] <- ""
    .native(cpp_motif_write_meme(m, path.expand(file)))
    invisible(file)
}
