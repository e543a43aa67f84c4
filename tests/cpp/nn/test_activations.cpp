// The activation table (nn/activations.hpp): names, aliases, properties, errors.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "common/error.hpp"
#include "nn/activations.hpp"

using namespace gdl;

TEST_CASE("every activation has one name; aliases resolve to it") {
  std::set<std::string> names;
  for (const auto& a : nn::activations()) {
    CHECK(names.insert(a.name).second);
    for (const auto& alias : a.aliases) CHECK(names.insert(alias).second);
    CHECK(&nn::activation_info(a.name) == &a);
  }
  CHECK(names.size() == 14);  // 12 functions, 2 aliases
  CHECK(nn::activation_info("exponential").kind == nn::Activation::Exp);
  CHECK(nn::activation_info("exponential").name == "exp");
  CHECK(nn::activation_info("none").kind == nn::Activation::Linear);
}

TEST_CASE("activation properties: elementwise and non-negative") {
  CHECK_FALSE(nn::activation_info("softmax").elementwise);
  CHECK_FALSE(nn::activation_info("log_softmax").elementwise);
  CHECK(nn::activation_info("softplus").elementwise);
  CHECK(nn::activation_info("hard_sigmoid").non_negative);
  CHECK(nn::activation_info("threshold").non_negative);
  CHECK_FALSE(nn::activation_info("tanh").non_negative);
  CHECK_FALSE(nn::activation_info("elu").non_negative);
  CHECK_FALSE(nn::activation_info("linear").non_negative);
}

TEST_CASE("an unknown activation names the place and the valid names") {
  CHECK_THROWS_WITH(nn::activation_info("swish", "layer 'dense_1'"),
                    Catch::StartsWith("layer 'dense_1': unknown activation 'swish'") &&
                        Catch::Contains("relu") && Catch::Contains("hard_sigmoid"));
  CHECK_THROWS_WITH(nn::activation_info(""), Catch::StartsWith("unknown activation ''"));
  CHECK_THROWS_AS(nn::activation_info("Relu"), Error);
}
