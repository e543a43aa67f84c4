// Bridge for asTorchModel(): lists a network's parameters and fills them from R vectors (the
// DeepBind parameters rearranged by R). Kept apart from deepbind.cpp, which stays torch-free.
#include "bridge.h"

#include <torch/torch.h>

#include "common/error.hpp"
#include "models.h"
#include "nn/network_impl.hpp"

// Names and shapes of a network's parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_deepbind_torch_params(SEXP ptr) {
  auto net = gdlr_network_of(ptr);
  Rcpp::CharacterVector names;
  Rcpp::List shapes;
  for (auto& p : net->impl().module->named_parameters(true)) {
    names.push_back(p.key());
    auto s = p.value().sizes();
    shapes.push_back(Rcpp::IntegerVector(s.begin(), s.end()));
  }
  shapes.attr("names") = names;
  return shapes;
}

// Sets each named parameter from a numeric vector in row-major order.
// [[Rcpp::export(rng = false)]]
void cpp_deepbind_torch_set(SEXP ptr, Rcpp::List values) {
  auto net = gdlr_network_of(ptr);
  Rcpp::CharacterVector names = values.names();
  auto params = net->impl().module->named_parameters(true);
  torch::NoGradGuard no_grad;
  for (R_xlen_t i = 0; i < values.size(); ++i) {
    std::string key = Rcpp::as<std::string>(names[i]);
    auto* t = params.find(key);
    if (!t) gdl::fail("the network has no parameter '", key, "'");
    Rcpp::NumericVector v = values[i];
    if (static_cast<std::int64_t>(v.size()) != t->numel())
      gdl::fail("parameter '", key, "' has ", t->numel(), " values, given ", v.size());
    std::vector<float> f(v.begin(), v.end());
    t->copy_(torch::from_blob(f.data(), t->sizes(), torch::kFloat32).clone().to(t->device()));
  }
}
