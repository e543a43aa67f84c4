// Bridge: the names the core accepts -- activations (nn/activations.hpp), losses
// (train/trainer.hpp) and epoch metrics (train/metrics.hpp) -- for the R API, which reads them
// once (R/nn-names.R) to validate and document its arguments. Torch-free.
#include "bridge.h"

#include "nn/activations.hpp"
#include "train/metrics.hpp"
#include "train/trainer.hpp"

// activations: a data frame (name, elementwise, nonNegative); activationAliases: the name each
// alias stands for, named by the alias.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_core_names() {
  const auto& acts = gdl::nn::activations();
  Rcpp::CharacterVector name(acts.size()), alias_of, alias_names;
  Rcpp::LogicalVector elementwise(acts.size()), non_negative(acts.size());
  for (std::size_t i = 0; i < acts.size(); ++i) {
    name[i] = acts[i].name;
    elementwise[i] = acts[i].elementwise;
    non_negative[i] = acts[i].non_negative;
    for (const auto& alias : acts[i].aliases) {
      alias_names.push_back(alias);
      alias_of.push_back(acts[i].name);
    }
  }
  alias_of.attr("names") = alias_names;
  auto activations = Rcpp::DataFrame::create(
      Rcpp::Named("name") = name, Rcpp::Named("elementwise") = elementwise,
      Rcpp::Named("nonNegative") = non_negative, Rcpp::Named("stringsAsFactors") = false);
  return Rcpp::List::create(Rcpp::Named("activations") = activations,
                            Rcpp::Named("activationAliases") = alias_of,
                            Rcpp::Named("losses") = Rcpp::wrap(gdl::train::loss_names()),
                            Rcpp::Named("metrics") = Rcpp::wrap(gdl::train::epoch_metric_names()));
}
