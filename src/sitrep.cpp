// Bridge: what GenomicDL was built with and what it finds at run time (gdlSitrep()).
#include "bridge.h"

#include <htslib/hts.h>

#include "nn/device.hpp"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_sitrep() {
  auto t = gdl::nn::torch_info();
  return Rcpp::List::create(
      Rcpp::Named("torch") = t.version, Rcpp::Named("cuda") = t.cuda_available,
      Rcpp::Named("cudaDevices") = t.cuda_devices, Rcpp::Named("torchThreads") = t.intra_threads,
      Rcpp::Named("torchParallel") = t.parallel, Rcpp::Named("htslib") = std::string(hts_version()),
      Rcpp::Named("libBigWig") = std::string("0.4 (libbigwig-dev)"));
}

// [[Rcpp::export(rng = false)]]
void cpp_set_torch_threads(int n) { gdl::nn::set_torch_threads(n); }

// [[Rcpp::export(rng = false)]]
bool cpp_xptr_is_null(SEXP ptr) { return TYPEOF(ptr) != EXTPTRSXP || R_ExternalPtrAddr(ptr) == nullptr; }
