### =========================================================================
### One contract for shapes and names: what each value of a label (and of the
### model output trained on it) is -- a position of a profile or a window
### score -- and the name of its track (cell x annotation). The generator's
### plan, evaluate() / auc() / correlation() and predictRegions() all read it
### from here, so that a label shape means the same thing everywhere.
### -------------------------------------------------------------------------

## The name of each annotation "file" (cell type): the list's names when given, else the file
## name without its extension, else annotation<i>; made unique.
.annotationNames <- function(ann) {
    nm <- names(ann)
    out <- vapply(seq_along(ann), function(i) {
        if (!is.null(nm) && !is.na(nm[i]) && nzchar(nm[i])) return(nm[i])
        x <- ann[[i]]
        if (is(x, "BigWigFile")) x <- BiocGenerics::path(x)
        if (is.character(x) && length(x) == 1L)
            return(sub("\\.(bw|bigwig|bed|narrowpeak|broadpeak|gff|gff3|gtf)(\\.gz)?$", "",
                       basename(x), ignore.case = TRUE))
        paste0("annotation", i)
    }, "")
    make.unique(out, sep = "_")
}

## What the labels of a generator built from arguments `a` are, from the arguments alone (no
## file is read): list(positions, tracks, cell, annotation). positions: values per track along
## the sequence (targetWindow, or the window for seq2seq; NA when only the data knows it), 0
## for per-window labels. tracks: the track names in the order of the label values (row-major:
## cell slowest, annotation fastest, the order of the files for bigWig tracks). cell /
## annotation: the axis of each track. outputShape reshapes the values, not what they are.
.labelInfo <- function(a) {
    if (identical(a[["type"]], "multi")) return(.labelInfo(a$generators[[1L]]))
    ann <- .annotationList(a$annotations)
    kind <- .annotationKind(ann[[1L]])
    cells <- .annotationNames(ann)
    if (kind == "continuous") {
        nt <- if (is.null(a$nAnnotationTypes)) 0L else as.integer(a$nAnnotationTypes)
        tg <- if (is.numeric(a$targetWindow)) a$targetWindow else 1
        cell <- if (nt > 0L) rep(seq_len(length(ann) %/% nt), each = nt) else seq_along(ann)
        annotation <- if (nt > 0L) rep(seq_len(nt), length(ann) %/% nt) else rep(1L, length(ann))
        return(list(positions = tg, tracks = cells, cell = cell, annotation = annotation))
    }
    types <- a$annotationTypes
    nAnn <- if (is.null(types)) 1L else length(types)
    tracks <- if (is.null(types)) cells
              else paste(rep(cells, each = nAnn), rep(types, length(cells)), sep = ".")
    L <- a$inputLength
    list(positions = if (isTRUE(a$seq2seq)) (if (is.numeric(L)) L else NA_real_) else 0,
         tracks = tracks, cell = rep(seq_along(cells), each = nAnn),
         annotation = rep(seq_len(nAnn), length(cells)))
}

## The labels a model was trained on (NULL for array data or before training).
.modelLabels <- function(model) {
    a <- tryCatch(generatorConfig(model), error = function(e) NULL)
    if (is.null(a) || identical(a[["type"]], "arrays") || !is.list(a)) return(NULL)
    if (!is.null(a[["type"]]) && !identical(a[["type"]], "multi")) return(NULL)
    tryCatch(.labelInfo(a), error = function(e) NULL)
}

## The labels of data given to evaluate() / auc() / correlation(): a generator's (NULL for
## arrays).
.dataLabels <- function(data) {
    if (is(data, "SequenceGenerator")) return(data@info$plan$labels)
    if (is(data, "MultiGenerator")) return(data@generators[[1L]]@info$plan$labels)
    NULL
}

## Whether output k of the model is a dense layer reshaped (a label shape such as cells x
## annotations, ?zoo), not a sequence of positions.
.reshapedOutput <- function(model, k) {
    i <- model@spec$outputs[k] - length(model@spec$inputs) + 1L  # nodes: inputs, then layers
    i >= 1L && identical(model@spec$layers[[i]]$type, "reshape")
}

## The names of a model's outputs: those it was built with, else output1, output2, ... (for
## `n` outputs: a model's own count, or that of a forward function's result without a model).
.outputNames <- function(model = NULL, n = length(model@spec$outputs)) {
    on <- if (!is.null(model)) model@info$outputNames
    if (is.null(on)) paste0("output", seq_len(n)) else on
}

## Per output of the model: list(positions, channels, names, cell, annotation) -- positions 0
## for one value set per window, else values per track along the sequence, channels the tracks.
## The first output's target is the generator's label (`labels`, when known) and takes its
## meaning and names when the sizes agree; otherwise a 2-D output is a profile (L x tracks)
## unless it is a reshaped dense layer, and any other output is per window.
.outputSemantics <- function(model, labels = .modelLabels(model)) {
    shapes <- outputShapes(model)
    on <- .outputNames(model)
    out <- lapply(seq_along(shapes), function(k) {
        s <- as.numeric(shapes[[k]])
        n <- prod(s)
        lab <- if (k == 1L) labels else NULL
        C <- length(lab$tracks)
        if (!is.null(lab) && C > 0L && n %% C == 0L) {
            P <- lab$positions
            fits <- if (is.na(P)) n > C || length(s) == 2L else if (P > 0) n == P * C else n == C
            if (fits) {
                P <- if (!is.na(P) && P == 0) 0 else n / C
                return(list(positions = P, channels = C, names = lab$tracks, cell = lab$cell,
                            annotation = lab$annotation))
            }
        }
        if (length(s) == 2L && !.reshapedOutput(model, k))
            return(list(positions = s[1L], channels = s[2L], names = .genericNames(s[2L]),
                        cell = NULL, annotation = NULL))
        two <- length(s) == 2L  # a reshaped head: cells x annotations
        list(positions = 0, channels = n, names = .genericNames(n),
             cell = if (two) rep(seq_len(s[1L]), each = s[2L]) else NULL,
             annotation = if (two) rep(seq_len(s[2L]), s[1L]) else NULL)
    })
    names(out) <- on
    out
}

.genericNames <- function(n) if (n == 1L) "score" else paste0("task", seq_len(n))

## Track names of every output, unique across outputs (output name first when there are
## several), as predictRegions() returns and exports them.
.uniqueTrackNames <- function(sem) {
    nm <- lapply(seq_along(sem), function(k)
        if (length(sem) > 1L) paste0(names(sem)[k], ".", sem[[k]]$names) else sem[[k]]$names)
    u <- make.unique(unlist(nm), sep = "_")
    split(u, rep(seq_along(nm), lengths(nm)))
}

## A prediction or target array (N x d1 x ... x dk, or a vector for one value per sample) as a
## matrix whose columns are the tracks: N x channels, or (N * positions) x channels for
## profiles. The values are read in the core's row-major order (last axis fastest), which is how
## the labels, the model outputs and the losses lay them out.
.trackMatrix <- function(a, positions, channels) {
    d <- dim(a)
    if (is.null(d)) d <- length(a)
    N <- d[1L]
    k <- length(d)
    flat <- if (k <= 2L) matrix(a, nrow = N) else matrix(aperm(a, c(1L, rev(seq_len(k - 1L) + 1L))), nrow = N)
    if (ncol(flat) != (max(positions, 1) * channels))
        .gdlStop("an array of ", ncol(flat), " values per sample does not hold ",
                 max(positions, 1), " x ", channels, " values")
    if (positions <= 1) return(flat)
    ## flat[n, p * C + c] (c fastest) -> rows (n, p), columns c
    matrix(aperm(array(flat, c(N, channels, positions)), c(1L, 3L, 2L)), ncol = channels)
}
