// Bridge for src/core/nn: build networks from R layer specs, describe, predict, save and load
// their weights, set parameters by name. Torch-free: it sees gdl::nn::Network through nn/network.hpp only.
#include "bridge.h"
#include "interrupt.h"

#include <cstring>

#include "common/error.hpp"
#include "data/input_array.hpp"
#include "models.h"
#include "nn/device.hpp"
#include "nn/network.hpp"

using gdl::nn::Network;

namespace gdlr {
struct ModelHandle {
  std::shared_ptr<Network> net;
};
}  // namespace gdlr

std::shared_ptr<Network> gdlr_network_of(SEXP ptr) {
  Rcpp::XPtr<gdlr::ModelHandle> h(ptr);
  if (!h.get() || !h->net) Rcpp::stop("the model handle is not valid (was it saved and reloaded?)");
  return h->net;
}

namespace {

gdl::nn::LayerSpec layer_from_r(const Rcpp::List& l) {
  gdl::nn::LayerSpec s;
  Rcpp::CharacterVector names = l.names();
  for (R_xlen_t i = 0; i < l.size(); ++i) {
    std::string key = Rcpp::as<std::string>(names[i]);
    SEXP v = l[i];
    if (key == "type") s.type = Rcpp::as<std::string>(v);
    else if (key == "name") s.name = Rcpp::as<std::string>(v);
    else if (key == "inputs") s.inputs = Rcpp::as<std::vector<int>>(v);
    else if (key == "trainable") s.trainable = Rcpp::as<bool>(v);
    else if (Rf_isNull(v)) continue;
    else if (Rf_isString(v)) s.str[key] = Rcpp::as<std::string>(v);
    else if (key == "shape") {
      auto d = Rcpp::as<std::vector<double>>(v);
      s.ints[key] = std::vector<std::int64_t>(d.begin(), d.end());
    } else if (Rf_isNumeric(v) || Rf_isLogical(v)) {
      if (Rf_length(v) != 1) gdl::fail("layer parameter '", key, "' must be a single value");
      s.num[key] = Rcpp::as<double>(v);
    } else {
      gdl::fail("layer parameter '", key, "' has an unsupported type");
    }
  }
  return s;
}

gdl::nn::ModelSpec spec_from_r(const Rcpp::List& spec) {
  gdl::nn::ModelSpec m;
  Rcpp::List inputs = spec["inputs"];
  for (R_xlen_t i = 0; i < inputs.size(); ++i) {
    auto d = Rcpp::as<std::vector<double>>(inputs[i]);
    m.inputs.emplace_back(d.begin(), d.end());
  }
  Rcpp::List layers = spec["layers"];
  for (R_xlen_t i = 0; i < layers.size(); ++i) m.layers.push_back(layer_from_r(layers[i]));
  m.outputs = Rcpp::as<std::vector<int>>(spec["outputs"]);
  return m;
}

std::string shape_string(const gdl::nn::Shape& s) {
  std::string out = "(None";
  for (auto d : s) out += ", " + std::to_string(d);
  return out + ")";
}

}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP cpp_model_build(Rcpp::List spec, double seed) {
  auto h = std::make_unique<gdlr::ModelHandle>();
  h->net = std::make_shared<Network>(spec_from_r(spec), static_cast<std::uint64_t>(seed));
  return Rcpp::XPtr<gdlr::ModelHandle>(h.release(), true);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_summary(SEXP ptr) {
  auto net = gdlr_network_of(ptr);
  auto info = net->summary();
  auto n = info.size();
  Rcpp::CharacterVector name(n), type(n), shape(n), inputs(n);
  Rcpp::NumericVector params(n), keras(n);
  Rcpp::LogicalVector trainable(n);
  for (std::size_t i = 0; i < n; ++i) {
    name[i] = info[i].name;
    type[i] = info[i].type;
    shape[i] = shape_string(info[i].output);
    params[i] = static_cast<double>(info[i].params);
    keras[i] = static_cast<double>(info[i].keras_params);
    trainable[i] = info[i].trainable;
  }
  Rcpp::List outs;
  for (auto& s : net->output_shapes()) outs.push_back(Rcpp::NumericVector(s.begin(), s.end()));
  return Rcpp::List::create(Rcpp::Named("name") = name, Rcpp::Named("type") = type,
                            Rcpp::Named("shape") = shape, Rcpp::Named("params") = params,
                            Rcpp::Named("kerasParams") = keras,
                            Rcpp::Named("trainable") = trainable,
                            Rcpp::Named("outputShapes") = outs);
}

// The geometry of an R double array N x C x L ("NCL"), N x L x C ("NLC") or N x F (a matrix:
// N x F x 1, channels first); nullopt-like (x == nullptr) for other ranks.
static gdl::data::ColumnMajorArray gdlr_column_major(SEXP x, bool nlc) {
  if (TYPEOF(x) != REALSXP) gdl::fail("inputs must be double arrays");
  Rcpp::IntegerVector dim = Rf_getAttrib(x, R_DimSymbol);
  gdl::data::ColumnMajorArray a;
  a.x = REAL(x);
  if (dim.size() == 2) {
    a.n = dim[0];
    a.c = dim[1];
    a.l = 1;
    a.nlc = false;
  } else if (dim.size() == 3) {
    a.n = dim[0];
    a.c = nlc ? dim[2] : dim[1];
    a.l = nlc ? dim[1] : dim[2];
    a.nlc = nlc;
  } else {
    gdl::fail("inputs must be arrays of 2 or 3 dimensions");
  }
  return a;
}

// x: an R array N x C x L ("NCL") or N x L x C ("NLC"), or an N x F matrix; returns row-major
// floats N x C x L (or N x F). Interruptible: an 80 M-value input takes ~0.2 s.
std::vector<float> gdlr_rowmajor_input(SEXP x, bool nlc) {
  Rcpp::NumericVector v(x);  // integer / logical arrays become doubles (a copy) here
  auto a = gdlr_column_major(v, nlc);
  return gdlr::interruptible([&]() { return gdl::data::to_row_major(a); });
}

// The one-hot check of R/conditions.R's .checkOneHot, in one interruptible pass (see
// core/data/input_array.hpp): list(kind = "none" | "nonfinite" | "range" | "sum", ...).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_check_onehot(SEXP x, bool nlc, bool one_hot) {
  gdl::data::ColumnMajorArray a;
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  const int rank = Rf_isNull(dim) ? 0 : Rf_length(dim);
  if (rank == 2 || rank == 3) {
    a = gdlr_column_major(x, nlc);
  } else {  // any other shape: only the finite check, over the values as one column
    if (TYPEOF(x) != REALSXP) gdl::fail("inputs must be double arrays");
    a.x = REAL(x);
    a.n = static_cast<std::size_t>(XLENGTH(x));
    a.c = a.l = 1;
    one_hot = false;
  }
  auto p = gdlr::interruptible([&]() { return gdl::data::check_one_hot(a, one_hot); });
  static const char* kinds[] = {"none", "nonfinite", "range", "sum"};
  return Rcpp::List::create(Rcpp::Named("kind") = kinds[p.kind],
                            Rcpp::Named("nonFinite") = static_cast<double>(p.non_finite),
                            Rcpp::Named("min") = p.min, Rcpp::Named("max") = p.max,
                            Rcpp::Named("sample") = static_cast<double>(p.sample + 1),
                            Rcpp::Named("position") = static_cast<double>(p.position + 1),
                            Rcpp::Named("sum") = p.sum);
}

// Row-major N x prod(shape) floats -> R array N x shape[0] x shape[1] ... (column-major), any rank.
SEXP gdlr_output_array(const std::vector<float>& buf, std::size_t N, const gdl::nn::Shape& shape) {
  std::size_t per = 1;
  for (auto d : shape) per *= static_cast<std::size_t>(d);
  Rcpp::NumericVector out(Rcpp::no_init(static_cast<R_xlen_t>(N * per)));  // every value is written
  // Column-major strides of the trailing dimensions (the sample axis has stride 1).
  std::vector<std::size_t> cm(shape.size());
  std::size_t st = N;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    cm[i] = st;
    st *= static_cast<std::size_t>(shape[i]);
  }
  // offsets[f]: where the row-major flat index f of the trailing dimensions lands.
  std::vector<std::size_t> offsets(per);
  for (std::size_t f = 0; f < per; ++f) {
    std::size_t rem = f, dst = 0;
    for (std::size_t i = shape.size(); i-- > 0;) {
      std::size_t d = static_cast<std::size_t>(shape[i]);
      dst += (rem % d) * cm[i];
      rem /= d;
    }
    offsets[f] = dst;
  }
  gdlr::interruptible([&]() { gdl::data::from_row_major(buf.data(), N, offsets, REAL(out)); });
  Rcpp::IntegerVector dim(shape.size() + 1);
  dim[0] = static_cast<int>(N);
  for (std::size_t i = 0; i < shape.size(); ++i) dim[i + 1] = static_cast<int>(shape[i]);
  if (shape.empty()) dim = Rcpp::IntegerVector::create(static_cast<int>(N), 1);
  out.attr("dim") = dim;
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_predict(SEXP ptr, Rcpp::List inputs, bool nlc, double batch,
                             std::string device, int knockout, double knockout_value) {
  auto net = gdlr_network_of(ptr);
  auto shapes = net->input_shapes();
  if (static_cast<std::size_t>(inputs.size()) != shapes.size())
    gdl::fail("the model takes ", shapes.size(), " input(s), not ", inputs.size());
  std::vector<std::vector<float>> bufs;
  std::vector<const float*> ptrs;
  std::size_t N = 0;
  for (R_xlen_t k = 0; k < inputs.size(); ++k) {
    SEXP x = inputs[k];
    Rcpp::IntegerVector dim = Rf_getAttrib(x, R_DimSymbol);
    const auto& s = shapes[static_cast<std::size_t>(k)];
    std::size_t n = dim[0];
    if (k == 0) N = n;
    else if (n != N) gdl::fail("the inputs hold different numbers of samples (", N, " and ", n, ")");
    bufs.push_back(gdlr_rowmajor_input(x, nlc));
    std::size_t per = 1;
    for (auto d : s) per *= static_cast<std::size_t>(d);
    if (bufs.back().size() != n * per) {
      std::string want = s.size() == 2 ? std::to_string(s[1]) + " x " + std::to_string(s[0])
                                       : std::to_string(s[0]);
      gdl::fail("input ", k + 1, " must be N x ", want, " (length x channels); it holds ",
                bufs.back().size() / std::max<std::size_t>(n, 1), " values per sample");
    }
  }
  for (auto& b : bufs) ptrs.push_back(b.data());
  gdl::nn::Knockout ko{knockout - 1, static_cast<float>(knockout_value)};
  auto outs = gdlr::interruptible([&]() {  // the network polls Ctrl-C a layer at a time
    return net->predict(ptrs, N, static_cast<std::size_t>(batch), device, knockout > 0 ? &ko : nullptr);
  });
  auto oshapes = net->output_shapes();
  Rcpp::List res(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) res[k] = gdlr_output_array(outs[k], N, oshapes[k]);
  return res;
}

// [[Rcpp::export(rng = false)]]
Rcpp::RawVector cpp_model_state(SEXP ptr) {
  auto bytes = gdlr_network_of(ptr)->save_state();
  Rcpp::RawVector out(bytes.size());
  if (!bytes.empty()) std::memcpy(&out[0], bytes.data(), bytes.size());
  return out;
}

// [[Rcpp::export(rng = false)]]
void cpp_model_load_state(SEXP ptr, Rcpp::RawVector bytes) {
  std::string s(reinterpret_cast<const char*>(&bytes[0]), static_cast<std::size_t>(bytes.size()));
  gdlr_network_of(ptr)->load_state(s);
}

// Names and shapes (LibTorch's, row-major) of a network's parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_parameter_shapes(SEXP ptr) {
  auto params = gdlr_network_of(ptr)->parameter_shapes();
  Rcpp::List shapes(params.size());
  Rcpp::CharacterVector names(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    names[i] = params[i].first;
    shapes[i] = Rcpp::IntegerVector(params[i].second.begin(), params[i].second.end());
  }
  shapes.attr("names") = names;
  return shapes;
}

// Sets each named parameter (or buffer) from a numeric vector, row-major in its shape.
// [[Rcpp::export(rng = false)]]
void cpp_model_set_parameters(SEXP ptr, Rcpp::List values) {
  auto net = gdlr_network_of(ptr);
  Rcpp::CharacterVector names = values.names();
  for (R_xlen_t i = 0; i < values.size(); ++i) {
    Rcpp::NumericVector v = values[i];
    net->set_parameter(Rcpp::as<std::string>(names[i]), std::vector<float>(v.begin(), v.end()));
  }
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_first_conv(SEXP ptr) {
  auto fc = gdlr_network_of(ptr)->first_conv();
  // R array filters x channels x kernel (column-major) from row-major floats
  Rcpp::NumericVector w(fc.weight.size());
  std::size_t F = fc.filters, C = fc.channels, K = fc.kernel;
  for (std::size_t f = 0; f < F; ++f)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t k = 0; k < K; ++k) w[f + F * c + F * C * k] = fc.weight[(f * C + c) * K + k];
  w.attr("dim") = Rcpp::IntegerVector::create(static_cast<int>(F), static_cast<int>(C), static_cast<int>(K));
  return Rcpp::List::create(Rcpp::Named("weight") = w,
                            Rcpp::Named("bias") = Rcpp::NumericVector(fc.bias.begin(), fc.bias.end()),
                            Rcpp::Named("dilation") = static_cast<int>(fc.dilation));
}

// [[Rcpp::export(rng = false)]]
double cpp_model_copy_weights(SEXP from, SEXP to, std::string prefix, bool reverse) {
  return static_cast<double>(
      gdlr_network_of(to)->copy_weights_from(*gdlr_network_of(from), prefix, reverse));
}

// The network of `to` becomes a view on the layers of `from` of the same names (shared
// parameters); returns the number of layers shared.
// [[Rcpp::export(rng = false)]]
double cpp_model_share_layers(SEXP from, SEXP to) {
  return static_cast<double>(gdlr_network_of(to)->share_layers_from(*gdlr_network_of(from)));
}

// [[Rcpp::export(rng = false)]]
std::string cpp_model_device(std::string device) { return gdl::nn::resolve_device(device); }
