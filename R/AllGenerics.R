### =========================================================================
### Generics of GenomicDL
### -------------------------------------------------------------------------

## Internal: the external pointer (holding a C++ SourceHandle, see src/bridge.h) of anything
## that provides training batches (a SequenceGenerator, a MultiGenerator, in-memory arrays).
## Training code calls .batchSource(x) and never looks inside the provider.
setGeneric(".batchSource", function(x, ...) standardGeneric(".batchSource"))

## Internal: the one-hot array (channels A, C, G, T; double) of any sequence input -- a
## DNAStringSet, a character vector, a GRanges with `genome`, or a one-hot array whose layout is
## given (never guessed from which axis has length 4) -- in layout `to`, the sequence names as
## its first dimnames. Arrays are checked (.checkOneHot); `channels` (NULL: any) is the channel
## count an array must have. Methods in R/genome.R.
setGeneric(".asOneHot", function(x, layout = "NLC", to = layout, genome = NULL, what = "x",
                                 channels = 4L) standardGeneric(".asOneHot"),
           signature = "x")
