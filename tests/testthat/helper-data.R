## Paths of the example data and of ../shared (conformance data; tests skip without it).
extdata <- function(f) system.file("extdata", f, package = "GenomicDL", mustWork = TRUE)

sharedData <- function(...) {
    roots <- c(Sys.getenv("GENOMICDL_SHARED"), file.path(getwd(), "../../../shared"),
               file.path(getwd(), "../../shared"), "../shared")
    for (r in roots[nzchar(roots)]) {
        p <- file.path(r, "data", ...)
        if (file.exists(p)) return(normalizePath(p))
    }
    NULL
}

skip_if_no_shared <- function(...) {
    if (is.null(sharedData(...))) skip("../shared data not available")
}

expect_gdl_error <- function(expr, pattern) {
    expect_error(expr, pattern, class = "GenomicDL_error")
}

## The example files most tests use.
fa <- extdata("example_genome.fa")
bw1 <- extdata("example_coverage_cell1.bw")
bw2 <- extdata("example_coverage_cell2.bw")
bed1 <- extdata("example_peaks_cell1.bed")
bed2 <- extdata("example_peaks_cell2.bed")
gff <- extdata("example_genes.gff3")

## Rscript of this R, and a script run in a fresh process under `timeout` with this session's
## libraries: its exit status and output lines (a hang or deadlock shows as status 124).
rscript <- function() file.path(R.home("bin"), "Rscript")

runScript <- function(code, seconds = 240) {
    f <- tempfile(fileext = ".R")
    writeLines(code, f)
    env <- paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))
    out <- suppressWarnings(system2("timeout", c(seconds, rscript(), f), stdout = TRUE,
                                    stderr = TRUE, env = env))
    list(status = if (is.null(attr(out, "status"))) 0L else attr(out, "status"), out = out)
}

## Runs `code` (after library(GenomicDL)) in an Rscript child that writes its pid to a file just
## before the long call; sends SIGINT 1 s later and returns what the child printed and how long it
## took to stop after the signal (measured every `poll` seconds; `wait`: seconds the child may take
## to reach the call). Also used by bench/interrupts.R.
interruptChild <- function(code, wait = 120, poll = 0.05) {
    ready <- tempfile()
    out <- tempfile()
    script <- tempfile(fileext = ".R")
    writeLines(c("suppressMessages(library(GenomicDL))", "options(GenomicDL.threads = 2)",
                 sprintf("ready <- %s", deparse(ready)), code), script)
    system2(rscript(), script, stdout = out, stderr = out, wait = FALSE,
            env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
    t0 <- Sys.time()
    while (!file.exists(ready) && difftime(Sys.time(), t0, units = "secs") < wait) Sys.sleep(0.1)
    if (!file.exists(ready)) return(list(output = readLines(out), stopped = NA))
    Sys.sleep(0.5)
    pid <- as.integer(readLines(ready))
    Sys.sleep(1)
    sent <- Sys.time()
    tools::pskill(pid, tools::SIGINT)
    while (!any(grepl("^DONE", readLines(out, warn = FALSE))) &&
           difftime(Sys.time(), sent, units = "secs") < 30) Sys.sleep(poll)
    stopped <- as.numeric(difftime(Sys.time(), sent, units = "secs"))
    if (!any(grepl("^DONE", readLines(out, warn = FALSE)))) tools::pskill(pid, tools::SIGKILL)
    list(output = readLines(out, warn = FALSE), stopped = stopped)
}

## The child's report: the condition class that ended the call and the seconds it ran.
childCall <- function(setup, call) c(setup,
    "writeLines(as.character(Sys.getpid()), ready)",
    "t0 <- Sys.time()",
    sprintf("r <- tryCatch({ %s; 'finished' }, interrupt = function(e) 'interrupt', error = function(e) conditionMessage(e))", call),
    "cat('DONE', r, format(as.numeric(difftime(Sys.time(), t0, units = 'secs'))), '\\n')")

## Socket (SnowParam) workers up for one turn of a test: started by startTurn() (a no-op for other
## backends, which start per call) and stopped by endTurn(), or when the test ends at the latest.
## Tests start them after their forked runs: no fork is made while socket workers sit idle (see
## test-streaming-scan.R's localBackends()).
isSocket <- function(p) is(p, "SnowParam") && !is(p, "MulticoreParam")
## Starts a socket cluster for one turn (stopped when the test ends at the latest). A full
## collection first runs the finalizers of BiocParallel params already garbage (each bpstop()s
## its cluster through connection numbers that a new cluster may reuse) before this one opens.
startTurn <- function(p, envir = parent.frame()) {
    if (isSocket(p) && !bpisup(p)) {
        invisible(gc())
        bpstart(p)
        withr::defer(tryCatch(bpstop(p), error = function(e) NULL), envir = envir)
    }
    p
}
endTurn <- function(p) if (isSocket(p) && bpisup(p)) bpstop(p)
