// Bridge for src/core/data's generators: build a SequenceGenerator (the core plans it from R's typed
// spec) or a MultiSource, report shapes without building one, describe it, fill batches as R arrays, time the prefetcher.
// Coordinates: R gives 1-based closed intervals; the core takes 0-based half-open ones.
#include "bridge.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>

#include "common/error.hpp"
#include "data/generator.hpp"
#include "data/input_array.hpp"
#include "data/plan.hpp"
#include "data/prefetch.hpp"
#include "genome/onehot.hpp"
#include "models.h"

using namespace gdl::data;

namespace {
// The generator spec R sends: a flat named list whose keys and value types are fixed. Every key
// must be one of `allowed` (an unknown or misspelt key is an error listing the allowed ones),
// each value has the type its reader asks for, and a key asked for must be present.
class SpecReader {
 public:
  SpecReader(const Rcpp::List& l, const std::vector<std::string>& allowed, const std::string& what)
      : l_(l), what_(what) {
    SEXP nm = Rf_getAttrib(l, R_NamesSymbol);
    if (l.size() > 0 && Rf_isNull(nm)) gdl::fail(what, ": the spec must be a named list");
    std::string all;
    for (std::size_t i = 0; i < allowed.size(); ++i) all += (i ? ", " : "") + allowed[i];
    for (R_xlen_t i = 0; i < l.size(); ++i) {
      std::string k = CHAR(STRING_ELT(nm, i));
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        gdl::fail(what, ": unknown option '", k, "'; the options are: ", all);
      for (R_xlen_t j = 0; j < i; ++j)
        if (k == CHAR(STRING_ELT(nm, j))) gdl::fail(what, ": option '", k, "' is given twice");
    }
  }
  bool has(const char* key) const { return l_.containsElementNamed(key) && !Rf_isNull(l_[key]); }
  SEXP at(const char* key) const {
    if (!l_.containsElementNamed(key)) gdl::fail(what_, ": the spec lacks option '", key, "'");
    return l_[key];
  }
  std::string str(const char* key) const {
    SEXP x = at(key);
    if (TYPEOF(x) != STRSXP || Rf_xlength(x) != 1 || STRING_ELT(x, 0) == NA_STRING)
      gdl::fail(what_, ": option '", key, "' must be one string");
    return CHAR(STRING_ELT(x, 0));
  }
  std::vector<std::string> strs(const char* key) const {
    SEXP x = at(key);
    if (Rf_isNull(x)) return {};
    if (TYPEOF(x) != STRSXP) gdl::fail(what_, ": option '", key, "' must be a character vector");
    for (R_xlen_t i = 0; i < Rf_xlength(x); ++i)
      if (STRING_ELT(x, i) == NA_STRING) gdl::fail(what_, ": option '", key, "' has NA");
    return Rcpp::as<std::vector<std::string>>(x);
  }
  double num(const char* key) const {
    SEXP x = at(key);
    if ((TYPEOF(x) != REALSXP && TYPEOF(x) != INTSXP) || Rf_xlength(x) != 1)
      gdl::fail(what_, ": option '", key, "' must be one number");
    double v = Rf_asReal(x);
    if (!std::isfinite(v)) gdl::fail(what_, ": option '", key, "' must be finite, not ", v);
    return v;
  }
  std::vector<double> nums(const char* key) const {
    SEXP x = at(key);
    if (Rf_isNull(x)) return {};
    if (TYPEOF(x) != REALSXP && TYPEOF(x) != INTSXP) gdl::fail(what_, ": option '", key, "' must be numeric");
    std::vector<double> v = Rcpp::as<std::vector<double>>(x);
    for (double d : v)
      if (!std::isfinite(d)) gdl::fail(what_, ": option '", key, "' must be finite");
    return v;
  }
  // A whole number >= lo.
  std::int64_t count(const char* key, double lo = 0) const {
    double v = num(key);
    if (v < lo || v != std::floor(v) || v > 9e15)
      gdl::fail(what_, ": option '", key, "' must be a whole number >= ", lo, ", not ", v);
    return static_cast<std::int64_t>(v);
  }
  bool flag(const char* key) const {
    SEXP x = at(key);
    if (TYPEOF(x) != LGLSXP || Rf_xlength(x) != 1 || LOGICAL(x)[0] == NA_LOGICAL)
      gdl::fail(what_, ": option '", key, "' must be TRUE or FALSE");
    return LOGICAL(x)[0] == TRUE;
  }
  Rcpp::List list(const char* key) const {
    SEXP x = at(key);
    if (TYPEOF(x) != VECSXP) gdl::fail(what_, ": option '", key, "' must be a list");
    return Rcpp::List(x);
  }

 private:
  Rcpp::List l_;
  std::string what_;
};

std::vector<std::string> keys(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<std::string> kCommonKeys = {
    "kind", "window", "batch_size", "seed", "threads", "ambiguous", "rc", "rc_augment", "jitter",
    "chr_prefix", "weighting", "bins", "output_shape", "chromosomes", "regions", "blacklist",
    "max_n", "strict_length", "secondary", "secondary_normalization", "secondary_length",
    "secondary_types", "secondary_as_targets"};
const std::vector<std::string> kContinuousKeys = {
    "tracks", "normalization", "target_window", "downsampling", "n_types", "stride", "manual_edges",
    "manual_weights"};
const std::vector<std::string> kSparseKeys = {
    "annotations", "n_files", "n_ann", "seq2seq", "real_length", "augmentation", "use_strand",
    "positive", "negative", "negative_ratio", "weight_positive", "weight_negative"};
const std::vector<std::string> kShapeKeys = {
    "kind", "window", "target_window", "downsampling", "n_files", "n_types", "n_ann", "seq2seq",
    "weighted", "n_secondary", "secondary_length", "secondary_types", "output_shape", "batch_size"};

// list(chrom = <names>, start = <1-based>, end = <closed>) or NULL -> 0-based half-open, names
// kept (the core matches them to the genome's).
std::vector<NamedInterval> named_intervals(const SpecReader& r, const char* key) {
  std::vector<NamedInterval> out;
  if (!r.has(key)) return out;
  Rcpp::List l = r.list(key);
  SpecReader iv(l, {"chrom", "start", "end"}, std::string("generator option '") + key + "'");
  auto chr = iv.strs("chrom");
  auto s = iv.nums("start"), e = iv.nums("end");
  if (s.size() != chr.size() || e.size() != chr.size())
    gdl::fail("generator option '", key, "': chrom, start and end must have the same length");
  for (std::size_t i = 0; i < chr.size(); ++i)
    out.push_back({chr[i], static_cast<std::int64_t>(s[i]) - 1, static_cast<std::int64_t>(e[i])});
  return out;
}

std::vector<Norm> norms(const std::vector<std::string>& v) {
  std::vector<Norm> out;
  for (const auto& s : v) out.push_back(parse_norm(s));
  return out;
}

std::shared_ptr<const SequenceGenerator> generator_of(SEXP ptr) {
  auto g = std::dynamic_pointer_cast<const SequenceGenerator>(gdlr::source_of(ptr));
  if (!g) gdl::fail("the handle is not a SequenceGenerator");
  return g;
}

// Row-major per-sample buffer (n x prod(shape)) -> R array with dim c(n, shape), column-major,
// through the bridge's one tiled conversion (models.h); an empty shape gives a vector of dim n.
SEXP r_array(const std::vector<float>& src, std::size_t n, const Shape& shape) {
  Rcpp::RObject out = gdlr_output_array(src, n, shape);
  if (shape.empty()) out.attr("dim") = Rcpp::IntegerVector::create(static_cast<int>(n));
  return out;
}

Rcpp::IntegerVector r_shape(const Shape& s) { return Rcpp::IntegerVector(s.begin(), s.end()); }
}  // namespace

// A generator from R's spec (see R/data-plan.R's .generatorSpec): options read with their types
// checked and every key and option string validated, then the core plans the samples (window
// starts, feature selection, maxN) and builds the generator.
// [[Rcpp::export(rng = false)]]
SEXP cpp_generator_new(SEXP genome, Rcpp::List spec) {
  auto g = gdlr::genome_of(genome);
  SEXP k = spec.containsElementNamed("kind") ? static_cast<SEXP>(spec["kind"]) : R_NilValue;
  if (TYPEOF(k) != STRSXP || Rf_xlength(k) != 1 || STRING_ELT(k, 0) == NA_STRING)
    gdl::fail("generator spec: option 'kind' must be 'continuous' or 'sparse'");
  TargetKind kind = parse_kind(CHAR(STRING_ELT(k, 0)));  // the kind decides the keys allowed
  const bool cont = kind == TargetKind::Continuous;
  SpecReader r(spec, keys({kCommonKeys, cont ? kContinuousKeys : kSparseKeys}),
               cont ? "generator spec (continuous targets)" : "generator spec (sparse targets)");
  GeneratorOptions o;
  o.kind = kind;
  o.window = r.count("window", 1);
  o.batch_size = static_cast<std::size_t>(r.count("batch_size", 1));
  o.seed = static_cast<std::uint64_t>(r.count("seed", 0));
  o.threads = gdlr::threads_arg(static_cast<int>(r.count("threads", 1)));
  o.ambiguous = parse_ambiguous(r.str("ambiguous"));
  o.rc = r.flag("rc");
  o.rc_augment = r.flag("rc_augment");
  o.jitter = r.count("jitter", 0);
  for (double d : r.nums("output_shape")) o.output_shape.push_back(static_cast<std::int64_t>(d));
  o.chr_prefix = parse_chr_prefix(r.str("chr_prefix"));
  o.weighting = parse_weighting(r.str("weighting"));
  o.bins = static_cast<int>(r.count("bins", 0));
  Geometry geo;
  geo.chroms = gdlr::chrom_indexes(*g, Rcpp::wrap(r.strs("chromosomes")));
  geo.has_regions = r.has("regions");
  geo.regions = named_intervals(r, "regions");
  geo.blacklist = named_intervals(r, "blacklist");
  geo.chr_prefix = o.chr_prefix;
  geo.max_n = r.num("max_n");
  geo.strict_length = r.flag("strict_length");
  geo.threads = o.threads;
  if (cont) {
    o.tracks = r.strs("tracks");
    o.normalization = norms(r.strs("normalization"));
    o.target_window = r.count("target_window", 1);
    o.downsampling = parse_downsampling(r.str("downsampling"));
    o.n_types = static_cast<int>(r.count("n_types", 0));
    o.stride = r.count("stride", 1);
    if (o.weighting == Weighting::Manual) {
      Rcpp::List edges = r.list("manual_edges"), weights = r.list("manual_weights");
      if (edges.size() != weights.size()) gdl::fail("manual weighting: one set of edges per set of weights");
      for (R_xlen_t i = 0; i < edges.size(); ++i)
        o.manual_bins.push_back({Rcpp::as<std::vector<double>>(edges[i]),
                                 Rcpp::as<std::vector<double>>(weights[i])});
    }
  } else {
    Rcpp::List a = r.list("annotations");
    SpecReader ar(a, {"chrom", "start", "end", "minus", "channel"}, "generator option 'annotations'");
    std::vector<std::string> chr = ar.strs("chrom");
    auto idx = gdlr::chrom_indexes(*g, Rcpp::wrap(chr));
    auto s = ar.nums("start"), e = ar.nums("end"), ch = ar.nums("channel");
    SEXP minus = ar.at("minus");
    if (TYPEOF(minus) != LGLSXP || s.size() != idx.size() || e.size() != idx.size() ||
        ch.size() != idx.size() || static_cast<std::size_t>(Rf_xlength(minus)) != idx.size())
      gdl::fail("generator option 'annotations': chrom, start, end, minus (logical) and channel must have the same length");
    for (std::size_t i = 0; i < idx.size(); ++i)
      o.annotations.push_back({idx[i], static_cast<std::int64_t>(s[i]) - 1, static_cast<std::int64_t>(e[i]),
                               LOGICAL(minus)[i] == TRUE, static_cast<int>(ch[i]) - 1});
    o.n_files = static_cast<int>(r.count("n_files", 1));
    o.n_ann = static_cast<int>(r.count("n_ann", 1));
    o.seq2seq = r.flag("seq2seq");
    o.augmentation = r.flag("augmentation");
    o.use_strand = r.flag("use_strand");
    o.real_length = r.flag("real_length");
    o.positive = parse_positive(r.str("positive"));
    o.negative = parse_negative(r.str("negative"));
    o.negative_ratio = r.num("negative_ratio");
    if (o.negative_ratio < 0 && o.negative_ratio != -1)
      gdl::fail("generator option 'negative_ratio' must be >= 0 or -1 (all), not ", o.negative_ratio);
    o.weight_positive = r.num("weight_positive");
    o.weight_negative = r.num("weight_negative");
  }
  o.secondary = r.strs("secondary");
  o.secondary_normalization = norms(r.strs("secondary_normalization"));
  o.secondary_length = r.count("secondary_length", 0);
  o.secondary_types = static_cast<int>(r.count("secondary_types", 0));
  o.secondary_as_targets = r.flag("secondary_as_targets");
  o = make_plan(*g, std::move(o), geo);
  auto h = std::make_unique<gdlr::SourceHandle>();
  h->source = std::make_shared<SequenceGenerator>(g, std::move(o));
  return Rcpp::XPtr<gdlr::SourceHandle>(h.release(), true);
}

// Shapes of a generator's samples from the few options they depend on (no file is read):
// labels (after outputShape), labels as computed, secondary tracks, weights (NULL when none).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_generator_shapes(Rcpp::List spec) {
  SpecReader r(spec, kShapeKeys, "generator shape spec");
  ShapeInput in;
  in.kind = parse_kind(r.str("kind"));
  in.window = r.count("window", 1);
  in.target_window = r.count("target_window", 1);
  in.downsampling = parse_downsampling(r.str("downsampling"));
  in.n_files = static_cast<int>(r.count("n_files", 1));
  in.n_types = static_cast<int>(r.count("n_types", 0));
  in.n_ann = static_cast<int>(r.count("n_ann", 1));
  in.seq2seq = r.flag("seq2seq");
  in.weighted = r.flag("weighted");
  in.n_secondary = static_cast<int>(r.count("n_secondary", 0));
  in.secondary_length = r.count("secondary_length", 0);
  in.secondary_types = static_cast<int>(r.count("secondary_types", 0));
  for (double d : r.nums("output_shape")) {
    if (d != std::floor(d)) gdl::fail("outputShape must be a vector of positive whole numbers");
    in.output_shape.push_back(static_cast<std::int64_t>(d));
  }
  in.batch_size = static_cast<std::size_t>(r.count("batch_size", 1));
  PlanShapes s = plan_shapes(in);
  return Rcpp::List::create(
      Rcpp::Named("labels") = r_shape(s.labels), Rcpp::Named("computed") = r_shape(s.computed),
      Rcpp::Named("secondary") = s.secondary.empty() ? R_NilValue : Rcpp::wrap(r_shape(s.secondary)),
      Rcpp::Named("weights") = s.has_weights ? Rcpp::wrap(r_shape(s.weights)) : R_NilValue);
}

// Features kept for sampling (1-based indexes of `features`): on the included chromosomes,
// inside a region, off the blacklist (the core's select_features).
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_generator_select(SEXP genome, Rcpp::List features, Rcpp::List geometry) {
  auto g = gdlr::genome_of(genome);
  SpecReader fr(features, {"chrom", "start", "end"}, "features");
  auto chr = fr.strs("chrom");
  auto idx = gdlr::chrom_indexes(*g, Rcpp::wrap(chr));
  auto s = fr.nums("start"), e = fr.nums("end");
  if (s.size() != idx.size() || e.size() != idx.size()) gdl::fail("features: chrom, start and end must have the same length");
  std::vector<Annotation> all(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    all[i] = {idx[i], static_cast<std::int64_t>(s[i]) - 1, static_cast<std::int64_t>(e[i]), false, static_cast<int>(i)};
  SpecReader r(geometry, {"chromosomes", "regions", "blacklist", "chr_prefix"}, "feature geometry");
  Geometry geo;
  geo.chroms = gdlr::chrom_indexes(*g, Rcpp::wrap(r.strs("chromosomes")));
  geo.has_regions = r.has("regions");
  geo.regions = named_intervals(r, "regions");
  geo.blacklist = named_intervals(r, "blacklist");
  geo.chr_prefix = parse_chr_prefix(r.str("chr_prefix"));
  auto kept = select_features(*g, all, geo);
  Rcpp::IntegerVector out(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) out[static_cast<R_xlen_t>(i)] = kept[i].channel + 1;
  return out;
}

// [[Rcpp::export(rng = false)]]
SEXP cpp_generator_multi(Rcpp::List ptrs, Rcpp::NumericVector counts, double batch_size, double seed,
                         Rcpp::NumericVector output_shape) {
  std::vector<std::shared_ptr<const SequenceGenerator>> src;
  for (R_xlen_t i = 0; i < ptrs.size(); ++i) src.push_back(generator_of(ptrs[i]));
  std::vector<std::uint64_t> c(counts.begin(), counts.end());
  Shape os(output_shape.begin(), output_shape.end());
  auto h = std::make_unique<gdlr::SourceHandle>();
  h->source = std::make_shared<MultiSource>(std::move(src), std::move(c),
                                            static_cast<std::size_t>(batch_size),
                                            static_cast<std::uint64_t>(seed), std::move(os));
  return Rcpp::XPtr<gdlr::SourceHandle>(h.release(), true);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_generator_info(SEXP ptr) {
  auto s = gdlr::source_of(ptr);
  BatchShapes sh = s->shapes();
  Rcpp::List targets(sh.targets.size());
  for (std::size_t h = 0; h < sh.targets.size(); ++h) targets[static_cast<R_xlen_t>(h)] = r_shape(sh.targets[h]);
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("batches") = static_cast<double>(s->batches_per_epoch()),
      Rcpp::Named("batch_size") = static_cast<double>(s->batch_size()),
      Rcpp::Named("x") = r_shape(sh.x), Rcpp::Named("targets") = targets,
      Rcpp::Named("weights") = sh.has_weights ? Rcpp::wrap(r_shape(sh.weights)) : R_NilValue,
      Rcpp::Named("secondary") = sh.has_secondary ? Rcpp::wrap(r_shape(sh.secondary)) : R_NilValue,
      Rcpp::Named("description") = s->description());
  auto g = std::dynamic_pointer_cast<const SequenceGenerator>(s);
  if (g) {
    out["samples"] = static_cast<double>(g->n_samples());
    out["positives"] = static_cast<double>(g->n_positive());
    out["negatives"] = static_cast<double>(g->n_negative());
    Rcpp::List norm(g->normalisation().size());
    for (std::size_t f = 0; f < g->normalisation().size(); ++f) {
      Rcpp::List steps;
      for (const auto& st : g->normalisation()[f])
        steps.push_back(Rcpp::List::create(Rcpp::Named("kind") = norm_name(st.kind),
                                           Rcpp::Named("a") = st.a, Rcpp::Named("b") = st.b));
      norm[static_cast<R_xlen_t>(f)] = steps;
    }
    out["normalization"] = norm;
    Rcpp::List bins(g->bin_weights().size());
    for (std::size_t f = 0; f < g->bin_weights().size(); ++f)
      bins[static_cast<R_xlen_t>(f)] = Rcpp::List::create(
          Rcpp::Named("edges") = g->bin_weights()[f].edges,
          Rcpp::Named("weights") = g->bin_weights()[f].weights);
    out["bins"] = bins;
    out["weight_positive"] = g->weight_positive();
    out["weight_negative"] = g->weight_negative();
  }
  return out;
}

// Batch i (0-based) of epoch `epoch` as R arrays: x (N x L x 4, or N x 4 x L), targets (list,
// N x label shape), weights, secondary (N x channels x Ls, as the core holds it).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_generator_batch(SEXP ptr, double epoch, double i, bool nlc) {
  auto s = gdlr::source_of(ptr);
  BatchShapes sh = s->shapes();
  Batch b;
  // Base codes (a byte per base) when the source has them and R's ambiguous value is one the
  // writer knows: the tiled one-hot writer then fills R's array directly, without the N x 4 x L
  // float batch and its conversion (both a fresh allocation per call, faulted in page by page).
  const bool zero = sh.ambiguous == 0.0f, quarter = sh.ambiguous == 0.25f;
  b.want_codes = sh.codes && (zero || quarter);
  s->fill(static_cast<std::size_t>(epoch), static_cast<std::size_t>(i), b);
  const std::size_t n = b.size;
  const auto L = static_cast<std::size_t>(sh.x[1]);
  Rcpp::RObject x;  // RObjects: each result stays protected while the next is allocated
  if (has_codes(b)) {
    Rcpp::NumericVector v(Rcpp::no_init(static_cast<R_xlen_t>(n * 4 * L)));
    gdl::genome::ColumnMajorOneHot dst;
    dst.out = REAL(v);
    dst.n = n;
    dst.len = L;
    dst.nlc = nlc;
    gdl::genome::codes_to_column_major(b.codes.data(), dst,
                                       zero ? gdl::genome::Ambiguous::Zero : gdl::genome::Ambiguous::Quarter,
                                       1);  // a batch is a few MB: one thread is quicker
    v.attr("dim") = nlc ? Rcpp::IntegerVector::create(static_cast<int>(n), static_cast<int>(L), 4)
                        : Rcpp::IntegerVector::create(static_cast<int>(n), 4, static_cast<int>(L));
    x = v;
  } else if (nlc) {
    // The core's x is N x 4 x L; keras_dna's layout N x L x 4 is the same values with the
    // trailing dimensions swapped, which the conversion's offsets do while writing.
    Rcpp::NumericVector v(Rcpp::no_init(static_cast<R_xlen_t>(n * 4 * L)));
    ColumnMajorArray geometry{nullptr, n, 4, L, true};
    from_row_major(b.x.data(), n, column_major_offsets(geometry), REAL(v));
    v.attr("dim") = Rcpp::IntegerVector::create(static_cast<int>(n), static_cast<int>(L), 4);
    x = v;
  } else {
    x = r_array(b.x, n, sh.x);
  }
  Rcpp::List y(sh.targets.size());
  for (std::size_t h = 0; h < sh.targets.size(); ++h) y[static_cast<R_xlen_t>(h)] = r_array(b.targets[h], n, sh.targets[h]);
  Rcpp::RObject w = sh.has_weights ? r_array(b.weights, n, sh.weights) : R_NilValue;
  Rcpp::RObject sec = sh.has_secondary ? r_array(b.secondary, n, sh.secondary) : R_NilValue;
  return Rcpp::List::create(Rcpp::Named("x") = x, Rcpp::Named("y") = y, Rcpp::Named("weights") = w,
                            Rcpp::Named("secondary") = sec);
}

// Windows of the samples of batch i (0-based) of an epoch: sample (0-based), chrom, start
// (1-based), end, minus; chrom "" for random sequences.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_generator_windows(SEXP ptr, SEXP genome, double epoch, double i) {
  auto s = generator_of(ptr);
  auto g = gdlr::genome_of(genome);
  if (i < 0 || i >= static_cast<double>(s->batches_per_epoch()))
    gdl::fail("batch ", i + 1, " does not exist: the generator has ", s->batches_per_epoch(), " batches per epoch");
  const R_xlen_t n = static_cast<R_xlen_t>(s->batch_size());
  Rcpp::CharacterVector chr(n);
  Rcpp::NumericVector sample(n), st(n), en(n);
  Rcpp::LogicalVector minus(n);
  for (R_xlen_t k = 0; k < n; ++k) {
    std::size_t idx = s->sample_index(static_cast<std::size_t>(epoch), static_cast<std::size_t>(i),
                                      static_cast<std::size_t>(k));
    Window w = s->window_of(static_cast<std::size_t>(epoch), idx);
    sample[k] = static_cast<double>(idx);
    chr[k] = w.chrom >= 0 ? g->names()[static_cast<std::size_t>(w.chrom)] : std::string("");
    st[k] = static_cast<double>(w.start + 1);
    en[k] = static_cast<double>(w.end);
    minus[k] = w.minus;
  }
  return Rcpp::List::create(Rcpp::Named("sample") = sample, Rcpp::Named("chrom") = chr,
                            Rcpp::Named("start") = st, Rcpp::Named("end") = en,
                            Rcpp::Named("minus") = minus);
}

// Seconds taken to produce `n` batches with `threads` prefetching workers (ring of 2 x threads).
// [[Rcpp::export(rng = false)]]
double cpp_generator_time(SEXP ptr, double n, int threads, double epoch) {
  auto s = gdlr::source_of(ptr);
  auto t0 = std::chrono::steady_clock::now();
  {
    PrefetchOptions po;
    po.threads = gdlr::threads_arg(threads);
    po.epoch = static_cast<std::size_t>(epoch);
    po.count = static_cast<std::size_t>(n);
    Prefetcher p(s, po);
    for (std::size_t k = 0; k < po.count; ++k) {
      p.next();
      p.release();
      if (k % 64 == 0) Rcpp::checkUserInterrupt();
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Bytes held by a generator's C++ side (a MultiGenerator: the sum of its generators'), by part,
// with `threads` filling threads; "ring": the buffers of a prefetcher ring for that many threads
// (2 x threads batches, owned by the training loop, not the generator).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_generator_memory(SEXP ptr, int threads) {
  auto s = gdlr::source_of(ptr);
  std::vector<std::shared_ptr<const SequenceGenerator>> gens;
  if (auto g = std::dynamic_pointer_cast<const SequenceGenerator>(s)) gens.push_back(g);
  else if (auto m = std::dynamic_pointer_cast<const MultiSource>(s)) gens = m->sources();
  else gdl::fail("the handle is not a generator");
  threads = gdlr::threads_arg(threads);
  SequenceGenerator::Memory t;
  double total = 0;
  for (const auto& g : gens) {
    auto m = g->memory();
    t.samples += m.samples;
    t.index += m.index;
    t.statistics += m.statistics;
    t.tracks += m.tracks;
    t.secondary += m.secondary;
    t.per_thread += m.per_thread;
    t.readers += m.readers;
    total += static_cast<double>(m.total(threads));
  }
  PrefetchOptions po;
  po.threads = threads;
  po.count = 1;
  double ring = static_cast<double>(Prefetcher(s, po).ring_bytes());
  Rcpp::NumericVector out = Rcpp::NumericVector::create(
      Rcpp::Named("samples") = static_cast<double>(t.samples),
      Rcpp::Named("index") = static_cast<double>(t.index),
      Rcpp::Named("statistics") = static_cast<double>(t.statistics),
      Rcpp::Named("tracks") = static_cast<double>(t.tracks),
      Rcpp::Named("secondary") = static_cast<double>(t.secondary),
      Rcpp::Named("scratch") = static_cast<double>(t.per_thread) * threads,
      Rcpp::Named("total") = total, Rcpp::Named("readers") = static_cast<double>(t.readers),
      Rcpp::Named("ring") = ring);
  return out;
}

// Genome index (1-based, NA when none) of each chromosome name under a chrPrefix mode.
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_generator_chrom_match(Rcpp::CharacterVector names, Rcpp::CharacterVector targets,
                                              std::string mode) {
  auto m = match_chromosomes(Rcpp::as<std::vector<std::string>>(names),
                             Rcpp::as<std::vector<std::string>>(targets), parse_chr_prefix(mode));
  Rcpp::IntegerVector out(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) out[static_cast<R_xlen_t>(i)] = m[i] < 0 ? NA_INTEGER : m[i] + 1;
  return out;
}

// outputShape resolved against a label shape (the core's rule: as many values, or the batch size
// first then as many values).
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_output_shape(Rcpp::NumericVector wanted, Rcpp::NumericVector labels, double batch_size) {
  Shape w(wanted.begin(), wanted.end()), l(labels.begin(), labels.end());
  return r_shape(resolve_output_shape(w, l, static_cast<std::size_t>(batch_size)));
}
