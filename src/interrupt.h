// Interrupts for the bridge: the poll that the core's long loops call (common/interrupt.hpp) and
// the wrapper that turns the core's gdl::Interrupted into R's own interrupt (Rcpp's
// InterruptedException: the call ends as after Ctrl-C in R code, and tryCatch(interrupt = )
// sees it).
#pragma once
#include <Rcpp.h>
#include <R_ext/Utils.h>

#include "common/interrupt.hpp"

namespace gdlr {

namespace detail {
inline void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }
}  // namespace detail

// True when the user pressed Ctrl-C / Esc (the interrupt is consumed here; R_ToplevelExec
// catches R's longjmp so that C++ frames are never skipped).
inline bool r_interrupt_pending() { return !R_ToplevelExec(detail::check_interrupt_fn, nullptr); }

// Runs f() with the R poll installed for the core; gdl::Interrupted becomes R's interrupt.
template <typename F>
auto interruptible(F&& f) -> decltype(f()) {
  gdl::InterruptHook hook(r_interrupt_pending);
  try {
    return f();
  } catch (const gdl::Interrupted&) {
    throw Rcpp::internal::InterruptedException();
  }
}

}  // namespace gdlr
