#include "torch_catch.hpp"

#include "common/error.hpp"
#include "nn/device.hpp"

TEST_CASE("device resolution never falls back silently", "[torch]") {
  auto info = gdl::nn::torch_info();
  CHECK(info.version.size() >= 5);
  CHECK(info.intra_threads >= 1);
  CHECK(gdl::nn::resolve_device("cpu") == "cpu");
  if (torch::cuda::is_available()) {
    CHECK(gdl::nn::resolve_device("auto") == "cuda");
    CHECK(gdl::nn::resolve_device("cuda") == "cuda");
  } else {
    CHECK(gdl::nn::resolve_device("auto") == "cpu");
    CHECK_THROWS_WITH(gdl::nn::resolve_device("cuda"), Catch::Contains("no usable CUDA"));
  }
  CHECK_THROWS_AS(gdl::nn::resolve_device("tpu"), gdl::Error);
}
