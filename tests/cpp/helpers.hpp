// Paths of test data for the Catch2 tests: the package's inst/extdata and ../shared/data.
#pragma once
#include <string>
#include <sys/stat.h>

namespace gdltest {
inline std::string extdata(const std::string& f) {
  return std::string(GDL_SOURCE_DIR) + "/inst/extdata/" + f;
}
inline std::string shared(const std::string& f) {
  return std::string(GDL_SHARED_DIR) + "/data/" + f;
}
inline bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}
}  // namespace gdltest
