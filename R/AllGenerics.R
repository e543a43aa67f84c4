### =========================================================================
### Generics of GenomicDL
### -------------------------------------------------------------------------

## Internal: the external pointer (holding a C++ SourceHandle, see src/bridge.h) of anything
## that provides training batches (a SequenceGenerator, a MultiGenerator, in-memory arrays).
## Training code calls .batchSource(x) and never looks inside the provider.
setGeneric(".batchSource", function(x, ...) standardGeneric(".batchSource"))
