// gdl::Error: the one exception type of the core. Its message names the input at fault and,
// where there is one, the fix. The R bridge turns it into an R condition of class
// "GenomicDL_error"; the standalone build lets it propagate to the caller.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gdl {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
inline void append(std::ostringstream&) {}
template <typename T, typename... Rest>
void append(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  append(os, rest...);
}
}  // namespace detail

// fail("chromosome '", name, "' is not in ", path): build the message from pieces and throw.
template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  std::ostringstream os;
  detail::append(os, args...);
  throw Error(os.str());
}

}  // namespace gdl
