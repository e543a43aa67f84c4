// The C++-built presets of the standalone training benchmark (bench/cpp/zoo.hpp) against the
// published parameter counts and output shapes (the R presets' numbers in tests/testthat/test-nn.R).
#include <catch2/catch.hpp>

#include "../../../bench/cpp/zoo.hpp"
#include "common/error.hpp"
#include "nn/network.hpp"

using namespace gdl;

TEST_CASE("C++-built DeepSEA has the published parameter count", "[torch][zoo]") {
  nn::Network net(gdlbench::deepsea(1000, 919), 1);
  // conv 320x4x8 + 320, 480x320x8 + 480, 960x480x8 + 960; dense 50,880 x 925 + 925; 925 x 919 + 919
  REQUIRE(net.parameter_count() == 10560 + 1229280 + 3687360 + 47064925 + 850994);
  REQUIRE(net.parameter_count() == 52843119);
  REQUIRE(net.output_shapes() == std::vector<nn::Shape>{{919}});
  auto layers = net.summary();
  REQUIRE(layers[6].output == nn::Shape{53, 960});  // 1000 -> 993 -> 248 -> 241 -> 60 -> 53
  REQUIRE(layers[8].output == nn::Shape{50880});
}

TEST_CASE("C++-built BPNet follows BPReveal's length arithmetic and parameter count", "[torch][zoo]") {
  REQUIRE(gdlbench::bpnet_input_length(1000, 9, 25, 25) == 3092);
  REQUIRE(gdlbench::bpnet_input_length(1000, 8, 21, 75) == 2114);
  nn::Network net(gdlbench::bpnet(3092, 1000, 64, 9, 25, 25, 2), 1);
  REQUIRE(net.output_shapes() == std::vector<nn::Shape>{{1000, 2}, {1}});
  // input conv 64x4x25 + 64; 9 dilated 64x64x3 + 64; profile 2x64x25 + 2; counts dense 64 + 1
  REQUIRE(net.parameter_count() == (64 * 4 * 25 + 64) + 9 * (64 * 64 * 3 + 64) + (2 * 64 * 25 + 2) + 65);
  // a longer input is centre-cropped to the length the tower needs
  nn::Network cropped(gdlbench::bpnet(3200, 1000, 8, 9, 25, 25, 1), 1);
  REQUIRE(cropped.output_shapes() == std::vector<nn::Shape>{{1000, 1}, {1}});
  REQUIRE_THROWS_AS(gdlbench::bpnet(3000, 1000, 8, 9, 25, 25, 1), gdl::Error);
}
