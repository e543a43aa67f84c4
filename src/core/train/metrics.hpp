// Metrics over whole data sets, torch-free: AUROC, AUPR (average precision), Pearson and
// Spearman correlation. Inputs are strided views so one call can score one column of an
// N x tasks row-major matrix. Entries whose label/target is NaN are skipped. A metric that is
// undefined (no positive or no negative labels; a constant vector) is NaN.
#pragma once
#include <cstddef>
#include <vector>

namespace gdl {
namespace train {

struct Column {
  const float* data;
  std::size_t n;
  std::size_t stride = 1;
  float operator[](std::size_t i) const { return data[i * stride]; }
};

// Area under the ROC curve, ties counted one half (the Mann-Whitney U statistic / (P * N)).
// Labels >= 0.5 are positive.
double auroc(Column score, Column label);
// Average precision: sum over distinct thresholds of (recall_k - recall_{k-1}) * precision_k,
// as scikit-learn's average_precision_score.
double aupr(Column score, Column label);
// Points of the ROC (fpr, tpr) or PR (recall, precision) curve, one per distinct threshold.
void roc_curve(Column score, Column label, std::vector<double>& x, std::vector<double>& y);
void pr_curve(Column score, Column label, std::vector<double>& x, std::vector<double>& y);
double pearson(Column a, Column b);
double spearman(Column a, Column b);
// Average ranks (1-based, ties share their mean rank).
std::vector<double> average_ranks(const std::vector<double>& v);

}  // namespace train
}  // namespace gdl
