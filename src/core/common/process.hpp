// The process that owns native handles. Open files (htslib faidx, libBigWig) and thread pools
// (OpenMP, LibTorch) belong to the process that created them: a child made by fork() -- a
// BiocParallel MulticoreParam worker -- inherits copies of their descriptors, which share the
// file offset with the parent, and of thread-pool state whose threads did not survive the fork.
// Handles therefore record opener_pid() when they open and reopen themselves when
// current_pid() differs; forked_child() says whether this process is a fork of the one that
// loaded the library.
#pragma once
#include <sys/types.h>

namespace gdl {

// getpid(), uncached: glibc (>= 2.25) no longer caches it, so it is right after fork.
pid_t current_pid();
// True when this process is a fork of the one that loaded GenomicDL's core.
bool forked_child();
// True when a process with this id exists (kill(pid, 0) does not fail with ESRCH).
bool process_alive(pid_t pid);

}  // namespace gdl
