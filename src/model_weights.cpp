// A SequenceModel's weights as R sees them: a raw vector that is a live view on the network
// behind the model's external pointer (an ALTREP raw class), not a copy. Why: a SequenceModel
// has reference semantics, and copying every weight into R after each fit(), filter edit or
// load (what .syncWeights() used to do) costs a full serialisation per call at scale. R only
// needs the bytes when the model leaves the process -- saveRDS(), serialize(), a BiocParallel
// worker -- and serialisation is exactly when an ALTREP class is asked for its state: the
// network's current weights are serialised then, and a plain raw vector comes back on
// unserialize (from which R/nn-model.R's .modelPtr() rebuilds the network).
// Reading the vector in R (length(), [) materialises the bytes of that moment (never needed by
// the package itself). Torch-free: it sees gdl::nn::Network through models.h.
#include "bridge.h"  // Rcpp.h first: R_ext/Altrep.h needs SEXP, DllInfo, Rboolean declared

#include <R_ext/Altrep.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "models.h"

namespace {

R_altrep_class_t weights_class;

// The network's state now (LibTorch's archive bytes) as a fresh R raw vector. The C++ bytes
// are gone before an R error is raised (Rf_error does not unwind C++ frames).
SEXP current_state(SEXP ptr) {
  std::string failure;
  SEXP out = R_NilValue;
  {
    std::string bytes;
    try {
      bytes = gdlr_network_of(ptr)->save_state();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure.empty()) {
      out = PROTECT(Rf_allocVector(RAWSXP, static_cast<R_xlen_t>(bytes.size())));
      if (!bytes.empty()) std::memcpy(RAW(out), bytes.data(), bytes.size());
      UNPROTECT(1);
    }
  }
  if (!failure.empty()) {
    char msg[512];
    std::snprintf(msg, sizeof msg, "cannot read the model's weights: %s", failure.c_str());
    failure.clear();
    failure.shrink_to_fit();
    Rf_error("%s", msg);
  }
  return out;
}

// data1: the model's external pointer; data2: the bytes last materialised (R_NilValue until
// R code reads the vector; refreshed on each read so that it is never behind the network).
SEXP materialise(SEXP x) {
  SEXP bytes = current_state(R_altrep_data1(x));
  R_set_altrep_data2(x, bytes);
  return bytes;
}

R_xlen_t weights_length(SEXP x) { return XLENGTH(materialise(x)); }

void* weights_dataptr(SEXP x, Rboolean) { return RAW(materialise(x)); }

const void* weights_dataptr_or_null(SEXP) { return nullptr; }

// serialize(): the current weights, whatever happened since the view was made.
SEXP weights_serialized_state(SEXP x) { return current_state(R_altrep_data1(x)); }

// unserialize(): a plain raw vector (the pointer does not survive; the model is rebuilt).
SEXP weights_unserialize(SEXP, SEXP state) { return state; }

Rboolean weights_inspect(SEXP, int, int, int, void (*)(SEXP, int, int, int)) {
  Rprintf(" GenomicDL model weights (a view on the network)\n");
  return TRUE;
}

}  // namespace

// [[Rcpp::init]]
void gdlr_init_weights_class(DllInfo* dll) {
  weights_class = R_make_altraw_class("gdl_model_weights", "GenomicDL", dll);
  R_set_altrep_Length_method(weights_class, weights_length);
  R_set_altrep_Inspect_method(weights_class, weights_inspect);
  R_set_altrep_Serialized_state_method(weights_class, weights_serialized_state);
  R_set_altrep_Unserialize_method(weights_class, weights_unserialize);
  R_set_altvec_Dataptr_method(weights_class, weights_dataptr);
  R_set_altvec_Dataptr_or_null_method(weights_class, weights_dataptr_or_null);
}

// The weights of the model behind `ptr` as a view (see above).
// [[Rcpp::export(rng = false)]]
SEXP cpp_model_weights_view(SEXP ptr) {
  gdlr_network_of(ptr);  // an R error now for an invalid pointer, not at serialisation
  return R_new_altrep(weights_class, ptr, R_NilValue);
}
