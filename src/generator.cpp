// Bridge for src/core/data's generators: build a SequenceGenerator or a MultiSource from the plan
// R computed, describe it, fill batches as R arrays, time the prefetcher.
// Coordinates: R gives 1-based closed intervals; the core takes 0-based half-open ones.
#include "bridge.h"

#include <chrono>

#include "common/error.hpp"
#include "data/generator.hpp"
#include "data/prefetch.hpp"

using namespace gdl::data;

namespace {
template <typename T>
T get(const Rcpp::List& l, const char* name) {
  if (!l.containsElementNamed(name)) gdl::fail("generator spec lacks '", name, "'");
  return Rcpp::as<T>(l[name]);
}

// list(chrom = <names>, start = <1-based>, end = <closed>) -> 0-based half-open intervals
std::vector<Interval> intervals(const gdl::genome::Genome& g, const Rcpp::List& l) {
  Rcpp::CharacterVector chr = l["chrom"];
  Rcpp::NumericVector s = l["start"], e = l["end"];
  auto idx = gdlr::chrom_indexes(g, chr);
  std::vector<Interval> out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    out[i] = {idx[i], static_cast<std::int64_t>(s[i]) - 1, static_cast<std::int64_t>(e[i])};
  return out;
}

std::vector<Norm> norms(const Rcpp::CharacterVector& v) {
  std::vector<Norm> out;
  for (R_xlen_t i = 0; i < v.size(); ++i) out.push_back(parse_norm(Rcpp::as<std::string>(v[i])));
  return out;
}

std::shared_ptr<const SequenceGenerator> generator_of(SEXP ptr) {
  auto g = std::dynamic_pointer_cast<const SequenceGenerator>(gdlr::source_of(ptr));
  if (!g) gdl::fail("the handle is not a SequenceGenerator");
  return g;
}

// Row-major per-sample buffer (n x prod(shape)) -> R array with dim c(n, shape), column-major.
Rcpp::NumericVector r_array(const std::vector<float>& src, std::size_t n, const Shape& shape) {
  std::size_t per = static_cast<std::size_t>(numel(shape));
  Rcpp::NumericVector out(Rcpp::no_init(static_cast<R_xlen_t>(n * per)));
  std::vector<std::size_t> colstride(shape.size());
  std::size_t acc = n;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    colstride[k] = acc;
    acc *= static_cast<std::size_t>(shape[k]);
  }
  for (std::size_t j = 0; j < per; ++j) {
    std::size_t rem = j, off = 0;
    for (std::size_t k = shape.size(); k-- > 0;) {
      std::size_t d = static_cast<std::size_t>(shape[k]);
      off += (rem % d) * colstride[k];
      rem /= d;
    }
    for (std::size_t s = 0; s < n; ++s) out[static_cast<R_xlen_t>(s + off)] = src[s * per + j];
  }
  Rcpp::IntegerVector dim(shape.size() + 1);
  dim[0] = static_cast<int>(n);
  for (std::size_t k = 0; k < shape.size(); ++k) dim[static_cast<R_xlen_t>(k + 1)] = static_cast<int>(shape[k]);
  out.attr("dim") = dim;
  return out;
}

Rcpp::IntegerVector r_shape(const Shape& s) { return Rcpp::IntegerVector(s.begin(), s.end()); }
}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP cpp_generator_new(SEXP genome, Rcpp::List spec) {
  auto g = gdlr::genome_of(genome);
  GeneratorOptions o;
  std::string kind = get<std::string>(spec, "kind");
  o.kind = kind == "continuous" ? TargetKind::Continuous : TargetKind::Sparse;
  o.window = static_cast<std::int64_t>(get<double>(spec, "window"));
  o.batch_size = static_cast<std::size_t>(get<double>(spec, "batch_size"));
  o.seed = static_cast<std::uint64_t>(get<double>(spec, "seed"));
  o.threads = gdlr::threads_arg(get<int>(spec, "threads"));
  o.ambiguous = get<bool>(spec, "ambiguous_zero") ? gdl::genome::Ambiguous::Zero
                                                  : gdl::genome::Ambiguous::Quarter;
  o.rc = get<bool>(spec, "rc");
  o.rc_augment = get<bool>(spec, "rc_augment");
  o.jitter = static_cast<std::int64_t>(get<double>(spec, "jitter"));
  o.stat_chroms = gdlr::chrom_indexes(*g, spec["stat_chroms"]);
  if (spec.containsElementNamed("output_shape")) {
    Rcpp::NumericVector os = spec["output_shape"];
    for (double d : os) o.output_shape.push_back(static_cast<std::int64_t>(d));
  }
  if (spec.containsElementNamed("chr_prefix")) o.chr_prefix = parse_chr_prefix(get<std::string>(spec, "chr_prefix"));
  std::string w = get<std::string>(spec, "weighting");
  o.weighting = w == "balanced" ? Weighting::Balanced : w == "manual" ? Weighting::Manual : Weighting::None;
  o.bins = get<int>(spec, "bins");
  if (o.kind == TargetKind::Continuous) {
    o.tracks = get<std::vector<std::string>>(spec, "tracks");
    o.normalization = norms(spec["normalization"]);
    o.target_window = static_cast<std::int64_t>(get<double>(spec, "target_window"));
    std::string d = get<std::string>(spec, "downsampling");
    o.downsampling = d == "mean" ? Downsampling::Mean : d == "first" ? Downsampling::First : Downsampling::None;
    o.n_types = get<int>(spec, "n_types");
    o.starts = intervals(*g, spec["starts"]);
    o.stride = static_cast<std::int64_t>(get<double>(spec, "stride"));
    if (o.weighting == Weighting::Manual) {
      Rcpp::List edges = spec["manual_edges"], weights = spec["manual_weights"];
      for (R_xlen_t i = 0; i < edges.size(); ++i)
        o.manual_bins.push_back({Rcpp::as<std::vector<double>>(edges[i]),
                                 Rcpp::as<std::vector<double>>(weights[i])});
    }
  } else {
    Rcpp::List a = spec["annotations"];
    auto iv = intervals(*g, a);
    Rcpp::LogicalVector minus = a["minus"];
    Rcpp::IntegerVector channel = a["channel"];
    for (std::size_t i = 0; i < iv.size(); ++i)
      o.annotations.push_back({iv[i].chrom, iv[i].start, iv[i].end, minus[static_cast<R_xlen_t>(i)] == TRUE,
                               channel[static_cast<R_xlen_t>(i)] - 1});
    o.n_files = get<int>(spec, "n_files");
    o.n_ann = get<int>(spec, "n_ann");
    o.seq2seq = get<bool>(spec, "seq2seq");
    o.augmentation = get<bool>(spec, "augmentation");
    o.use_strand = get<bool>(spec, "use_strand");
    o.real_length = spec.containsElementNamed("real_length") && get<bool>(spec, "real_length");
    o.positive = get<std::string>(spec, "positive") == "match_any" ? Positive::MatchAny : Positive::MatchAll;
    std::string n = get<std::string>(spec, "negative");
    o.negative = n == "real" ? Negative::Real : n == "random" ? Negative::Random
               : n == "shuffled" ? Negative::Shuffled : Negative::None;
    o.negative_ratio = get<double>(spec, "negative_ratio");
    o.negative_space = intervals(*g, spec["negative_space"]);
    o.weight_positive = get<double>(spec, "weight_positive");
    o.weight_negative = get<double>(spec, "weight_negative");
  }
  o.secondary = get<std::vector<std::string>>(spec, "secondary");
  o.secondary_normalization = norms(spec["secondary_normalization"]);
  o.secondary_length = static_cast<std::int64_t>(get<double>(spec, "secondary_length"));
  o.secondary_types = get<int>(spec, "secondary_types");
  o.secondary_as_targets = get<bool>(spec, "secondary_as_targets");
  auto h = std::make_unique<gdlr::SourceHandle>();
  h->source = std::make_shared<SequenceGenerator>(g, std::move(o));
  return Rcpp::XPtr<gdlr::SourceHandle>(h.release(), true);
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
  s->fill(static_cast<std::size_t>(epoch), static_cast<std::size_t>(i), b);
  const std::size_t n = b.size;
  const std::int64_t L = sh.x[1];
  Rcpp::NumericVector x = nlc ? Rcpp::NumericVector() : r_array(b.x, n, sh.x);
  if (nlc) {
    x = Rcpp::NumericVector(Rcpp::no_init(static_cast<R_xlen_t>(n * 4 * static_cast<std::size_t>(L))));
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::int64_t p = 0; p < L; ++p)
          x[static_cast<R_xlen_t>(k + n * (static_cast<std::size_t>(p) + static_cast<std::size_t>(L) * c))] =
              b.x[(k * 4 + c) * static_cast<std::size_t>(L) + static_cast<std::size_t>(p)];
    x.attr("dim") = Rcpp::IntegerVector::create(static_cast<int>(n), static_cast<int>(L), 4);
  }
  Rcpp::List y(sh.targets.size());
  for (std::size_t h = 0; h < sh.targets.size(); ++h) y[static_cast<R_xlen_t>(h)] = r_array(b.targets[h], n, sh.targets[h]);
  SEXP w = sh.has_weights ? static_cast<SEXP>(r_array(b.weights, n, sh.weights)) : R_NilValue;
  SEXP sec = sh.has_secondary ? static_cast<SEXP>(r_array(b.secondary, n, sh.secondary)) : R_NilValue;
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

// Runs of N of chromosomes (1-based closed).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_generator_nruns(SEXP genome, Rcpp::CharacterVector chroms) {
  auto g = gdlr::genome_of(genome);
  auto idx = gdlr::chrom_indexes(*g, chroms);
  Rcpp::List out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    auto runs = ambiguous_runs(*g, idx[i]);
    Rcpp::NumericVector s(runs.size()), e(runs.size());
    for (std::size_t k = 0; k < runs.size(); ++k) {
      s[static_cast<R_xlen_t>(k)] = static_cast<double>(runs[k].start + 1);
      e[static_cast<R_xlen_t>(k)] = static_cast<double>(runs[k].end);
    }
    out[static_cast<R_xlen_t>(i)] = Rcpp::List::create(Rcpp::Named("start") = s, Rcpp::Named("end") = e);
  }
  out.attr("names") = chroms;
  return out;
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
