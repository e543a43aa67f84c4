#' What GenomicDL runs on
#'
#' Reports the LibTorch GenomicDL was built with, whether CUDA is usable, the
#' threads of the core and of LibTorch, and the versions of htslib and
#' libBigWig.
#'
#' @return A list, invisibly; printed as a short report.
#' @examples
#' gdlSitrep()
#' @export
gdlSitrep <- function() {
    s <- .native(cpp_sitrep())
    s$threads <- .threads()
    cat("GenomicDL ", format(utils::packageVersion("GenomicDL")), "\n", sep = "")
    cat("  LibTorch:    ", s$torch, " (", trimws(s$torchParallel), ", ", s$torchThreads,
        " intra-op threads)\n", sep = "")
    cat("  CUDA:        ", if (s$cuda) paste(s$cudaDevices, "device(s)") else
        "not available (CPU LibTorch or no GPU): device = \"auto\" runs on the CPU", "\n", sep = "")
    cat("  core threads:", s$threads, "(option GenomicDL.threads)\n")
    cat("  htslib:      ", s$htslib, "\n", sep = "")
    cat("  libBigWig:   ", s$libBigWig, "\n", sep = "")
    invisible(s)
}
