#include "train/metrics.hpp"

#include <algorithm>
#include <string>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "common/error.hpp"

namespace gdl {
namespace train {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Pairs with a finite label / target.
void pairs(Column a, Column b, std::vector<double>& x, std::vector<double>& y) {
  x.clear();
  y.clear();
  for (std::size_t i = 0; i < a.n; ++i) {
    double u = a[i], v = b[i];
    if (std::isnan(u) || std::isnan(v)) continue;
    x.push_back(u);
    y.push_back(v);
  }
}

// Counts of true and false positives at each distinct threshold, scores descending.
void sweep(Column score, Column label, std::vector<double>& tp, std::vector<double>& fp) {
  std::vector<double> s, l;
  pairs(score, label, s, l);
  std::vector<std::size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return s[i] > s[j]; });
  tp.clear();
  fp.clear();
  double t = 0, f = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (l[order[k]] >= 0.5) t += 1; else f += 1;
    if (k + 1 == order.size() || s[order[k + 1]] != s[order[k]]) {
      tp.push_back(t);
      fp.push_back(f);
    }
  }
}
}  // namespace

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    double mean = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}

double auroc(Column score, Column label) {
  std::vector<double> s, l;
  pairs(score, label, s, l);
  auto r = average_ranks(s);
  double pos = 0, rank_sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (l[i] >= 0.5) {
      pos += 1;
      rank_sum += r[i];
    }
  double neg = static_cast<double>(s.size()) - pos;
  if (pos == 0 || neg == 0) return kNaN;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

double aupr(Column score, Column label) {
  std::vector<double> tp, fp;
  sweep(score, label, tp, fp);
  if (tp.empty() || tp.back() == 0) return kNaN;
  double total = tp.back(), ap = 0, prev_recall = 0;
  for (std::size_t k = 0; k < tp.size(); ++k) {
    double recall = tp[k] / total, precision = tp[k] / (tp[k] + fp[k]);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
  }
  return ap;
}

namespace {
// A curve from (0, y0) through point(tp, fp, P, N) at each threshold of the sweep.
template <typename Point>
void curve(Column score, Column label, double y0, std::vector<double>& x, std::vector<double>& y,
           Point point) {
  std::vector<double> tp, fp;
  sweep(score, label, tp, fp);
  x.assign(1, 0.0);
  y.assign(1, y0);
  if (tp.empty()) return;
  const double P = tp.back(), N = fp.back();
  for (std::size_t k = 0; k < tp.size(); ++k) {
    auto [px, py] = point(tp[k], fp[k], P, N);
    x.push_back(px);
    y.push_back(py);
  }
}
}  // namespace

void roc_curve(Column score, Column label, std::vector<double>& x, std::vector<double>& y) {
  curve(score, label, 0.0, x, y, [](double tp, double fp, double P, double N) {
    return std::pair<double, double>(N > 0 ? fp / N : kNaN, P > 0 ? tp / P : kNaN);
  });
}

void pr_curve(Column score, Column label, std::vector<double>& x, std::vector<double>& y) {
  curve(score, label, 1.0, x, y, [](double tp, double fp, double P, double) {
    return std::pair<double, double>(P > 0 ? tp / P : kNaN, tp / (tp + fp));
  });
}

double pearson(Column a, Column b) {
  std::vector<double> x, y;
  pairs(a, b, x, y);
  std::size_t n = x.size();
  if (n < 2) return kNaN;
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return kNaN;
  return sxy / std::sqrt(sxx * syy);
}

double spearman(Column a, Column b) {
  std::vector<double> x, y;
  pairs(a, b, x, y);
  auto rx = average_ranks(x), ry = average_ranks(y);
  std::vector<float> fx(rx.begin(), rx.end()), fy(ry.begin(), ry.end());
  return pearson(Column{fx.data(), fx.size()}, Column{fy.data(), fy.size()});
}

const std::vector<std::string>& epoch_metric_names() {
  static const std::vector<std::string> names{"accuracy", "mae", "mse", "auroc", "aupr", "pearson"};
  return names;
}

void check_epoch_metric(const std::string& name) {
  const auto& ok = epoch_metric_names();
  if (std::find(ok.begin(), ok.end(), name) != ok.end()) return;
  std::string list;
  for (const auto& m : ok) list += (list.empty() ? "" : ", ") + m;
  fail("unknown metric '", name, "': use ", list);
}

EpochMetrics::EpochMetrics(std::vector<std::string> metrics, bool categorical)
    : metrics_(std::move(metrics)), categorical_(categorical) {
  for (const auto& m : metrics_) {
    check_epoch_metric(m);
    if (m == "auroc" || m == "aupr" || m == "pearson") keep_pairs_ = true;
  }
}

void EpochMetrics::add_element(float p, float y) {
  if (std::isnan(y)) return;
  n_ += 1;
  double d = static_cast<double>(p) - y;
  abs_ += std::abs(d);
  sq_ += d * d;
  if (!categorical_ && (p > 0.5f) == (y >= 0.5f)) correct_ += 1;
  if (keep_pairs_) {
    pred_.push_back(p);
    target_.push_back(y);
  }
}

void EpochMetrics::add(const float* pred, const float* target, std::size_t n, std::size_t width,
                       std::size_t target_width) {
  const bool indices = categorical_ && target_width == 1 && width > 1;
  if (!indices && target_width != width)
    fail("metrics: the output has ", width, " values per sample but its target ", target_width);
  for (std::size_t i = 0; i < n; ++i) {
    const float* p = pred + i * width;
    const float* y = target + i * target_width;
    if (categorical_) {
      // the true class: the index given, or the largest entry of the one-hot row
      double truth;
      if (indices) truth = y[0];
      else truth = static_cast<double>(std::max_element(y, y + width) - y);
      if (std::isnan(truth) || (!indices && std::isnan(y[0]))) continue;
      rows_ += 1;
      if (static_cast<double>(std::max_element(p, p + width) - p) == truth) correct_ += 1;
      for (std::size_t c = 0; c < width; ++c)
        add_element(p[c], indices ? (static_cast<double>(c) == truth ? 1.0f : 0.0f) : y[c]);
    } else {
      for (std::size_t c = 0; c < width; ++c) add_element(p[c], y[c]);
    }
  }
}

std::vector<double> EpochMetrics::values() const {
  std::vector<double> out;
  Column p{pred_.data(), pred_.size()}, y{target_.data(), target_.size()};
  for (const auto& m : metrics_) {
    if (m == "accuracy") {
      double d = categorical_ ? rows_ : n_;
      out.push_back(d > 0 ? correct_ / d : kNaN);
    } else if (m == "mae") {
      out.push_back(n_ > 0 ? abs_ / n_ : kNaN);
    } else if (m == "mse") {
      out.push_back(n_ > 0 ? sq_ / n_ : kNaN);
    } else if (m == "auroc") {
      out.push_back(auroc(p, y));
    } else if (m == "aupr") {
      out.push_back(aupr(p, y));
    } else {
      out.push_back(pearson(p, y));
    }
  }
  return out;
}

}  // namespace train
}  // namespace gdl
