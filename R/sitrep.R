#' What GenomicDL runs on
#'
#' Reports the LibTorch GenomicDL was built with, whether CUDA is usable, the
#' threads of the core and of LibTorch, the c10d backends of distributed
#' training, and the versions of htslib and libBigWig.
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
    s$distributed <- .native(cpp_distributed_backends(if (s$cuda) "cuda" else "cpu"))$available
    cat("  distributed: ", if (length(s$distributed)) paste(s$distributed, collapse = ", ") else
        "none (c10d's Gloo headers missing at build time: apt-get install libgloo-dev)", "\n", sep = "")
    cat("  htslib:      ", s$htslib, "\n", sep = "")
    cat("  libBigWig:   ", s$libBigWig, "\n", sep = "")
    invisible(s)
}
