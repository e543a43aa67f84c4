// Bridge helpers of models.cpp shared with other bridge files (train.cpp, interpretation):
// the network behind a SequenceModel's external pointer and R array conversions. Torch-free.
#pragma once
#include <Rcpp.h>

#include <memory>
#include <vector>

#include "nn/network.hpp"

// The network of a model handle (an R error when the pointer is invalid).
std::shared_ptr<gdl::nn::Network> gdlr_network_of(SEXP ptr);
// R array N x C x L (nlc = false) or N x L x C (nlc = true), or an N x F matrix -> row-major
// floats N x C x L (N x F).
std::vector<float> gdlr_rowmajor_input(SEXP x, bool nlc);
// Row-major N x prod(shape) floats -> R matrix N x F or array N x L x C.
SEXP gdlr_output_array(const std::vector<float>& buf, std::size_t N, const gdl::nn::Shape& shape);
