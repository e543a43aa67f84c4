#include "common/process.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace gdl {

namespace {
// Set when the shared library (or the test executable) is loaded, in the loading process.
const pid_t kLoaderPid = ::getpid();
}  // namespace

pid_t current_pid() { return ::getpid(); }

bool forked_child() { return ::getpid() != kLoaderPid; }

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  // EPERM: it exists but belongs to another user -- alive for our purpose.
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace gdl
