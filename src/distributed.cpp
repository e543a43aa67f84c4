// Bridge for src/core/train/distributed and data/shard: the process group of a data-parallel
// rank (joined by cpp_train_fit), the backends this build has, a rank's shard of a batch source
// and a network's values (to compare replicas). Torch-free.
#include "distributed.h"

#include "bridge.h"
#include "common/error.hpp"
#include "data/shard.hpp"
#include "models.h"

namespace gdlr {

std::unique_ptr<gdl::train::ProcessGroup> join_group(Rcpp::List config, const std::string& device) {
  gdl::train::DistributedOptions o;
  o.rank = Rcpp::as<int>(config["rank"]);
  o.world_size = Rcpp::as<int>(config["worldSize"]);
  o.master_addr = Rcpp::as<std::string>(config["masterAddr"]);
  o.master_port = Rcpp::as<int>(config["masterPort"]);
  o.timeout = Rcpp::as<double>(config["timeout"]);
  o.backend = Rcpp::as<std::string>(config["backend"]);
  o.device = device;
  return std::make_unique<gdl::train::ProcessGroup>(o);
}

}  // namespace gdlr

// Backends of this build ("nccl" with a CUDA LibTorch that has it, "gloo") and the one "auto"
// takes on `device`.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_distributed_backends(std::string device) {
  auto have = gdl::train::distributed_backends();
  std::string chosen = have.empty() ? std::string() : gdl::train::resolve_backend("auto", device);
  return Rcpp::List::create(Rcpp::Named("available") = Rcpp::wrap(have),
                            Rcpp::Named("auto") = chosen);
}

// Rank `rank`'s shard (of `world` ranks) of a batch source, as a source handle.
// [[Rcpp::export(rng = false)]]
SEXP cpp_shard_source(SEXP source, int rank, int world) {
  auto h = std::make_unique<gdlr::SourceHandle>();
  h->source = std::make_shared<gdl::data::ShardSource>(gdlr::source_of(source), rank, world);
  return Rcpp::XPtr<gdlr::SourceHandle>(h.release(), true);
}

// Every parameter and buffer of a model by name (numeric vectors, row-major).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_values(SEXP model) {
  auto values = gdl::train::replica_state(*gdlr_network_of(model));
  Rcpp::List out(values.size());
  Rcpp::CharacterVector names(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    names[static_cast<R_xlen_t>(i)] = values[i].first;
    out[static_cast<R_xlen_t>(i)] = Rcpp::NumericVector(values[i].second.begin(), values[i].second.end());
  }
  out.names() = names;
  return out;
}
