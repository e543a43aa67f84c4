// The BLAS lookup of the dense layers (nn/blas.hpp), torch-free.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "nn/blas.hpp"

using namespace gdl;

TEST_CASE("loaded_library finds loaded shared libraries by file name prefix") {
  auto libc = nn::loaded_library("libc.so.");
  CHECK(libc.find("libc.so.") != std::string::npos);
  CHECK(nn::loaded_library("libgdl_no_such_library.so.").empty());
}

TEST_CASE("libblas counts as the reference BLAS only when it is loaded") {
  if (nn::loaded_library("libblas.so.").empty()) CHECK_FALSE(nn::libblas_is_reference());
  else SUCCEED("libblas.so.3 is loaded: " << nn::loaded_library("libblas.so."));
}

TEST_CASE("oneDNN's sgemm, when loaded, multiplies row-major matrices") {
  auto sgemm = nn::loaded_onednn_sgemm();
  if (nn::loaded_library("libdnnl.so.").empty()) {
    CHECK(sgemm == nullptr);
    return;
  }
  REQUIRE(sgemm != nullptr);
  // A (2 x 3) B^T with B (2 x 3): C = [[1*1+2*0+3*2, 1*4+2*5+3*6], [4*1+5*0+6*2, 4*4+5*5+6*6]]
  std::vector<float> a{1, 2, 3, 4, 5, 6}, b{1, 0, 2, 4, 5, 6}, c(4, 100.0f);
  REQUIRE(sgemm('N', 'T', 2, 2, 3, 1.0f, a.data(), 3, b.data(), 3, 0.0f, c.data(), 2) == 0);
  CHECK(c == std::vector<float>{7, 32, 16, 77});
  // beta = 1 adds to C (the dense layer's bias)
  REQUIRE(sgemm('N', 'T', 2, 2, 3, 1.0f, a.data(), 3, b.data(), 3, 1.0f, c.data(), 2) == 0);
  CHECK(c == std::vector<float>{14, 64, 32, 154});
}
