// Metrics over whole data sets, torch-free: AUROC, AUPR (average precision), Pearson and
// Spearman correlation. Inputs are strided views so one call can score one column of an
// N x tasks row-major matrix. Entries whose label/target is NaN are skipped. A metric that is
// undefined (no positive or no negative labels; a constant vector) is NaN.
#pragma once
#include <cstddef>
#include <string>
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

// The metrics fit() records per epoch and evaluate() reports, in this order; the R API reads
// this list (cpp_core_names), so the two cannot drift. Throws gdl::Error naming the valid ones.
const std::vector<std::string>& epoch_metric_names();
void check_epoch_metric(const std::string& name);

// Scores one output over a whole epoch (or evaluation) from its batches, unweighted as Keras'
// `metrics`. Values and targets are pooled over every element of the output (tasks and
// positions together, as Keras' metrics without multi_label); elements whose target is NaN are
// skipped.
//   accuracy  binary: (prediction > 0.5) == (target >= 0.5); categorical: argmax of the
//             prediction == the true class
//   mae, mse  mean absolute / squared error
//   auroc, aupr, pearson  auroc(), aupr(), pearson() of the pooled elements
// Categorical outputs (K classes) take targets one-hot (width K) or as class indices (width 1,
// 0-based); all but accuracy compare with the one-hot form. Error sums are running sums; only
// AUROC / AUPR / Pearson keep the (prediction, target) pairs, as they need them all.
class EpochMetrics {
 public:
  EpochMetrics(std::vector<std::string> metrics, bool categorical);
  // n samples; pred: n x width row-major; target: n x width, or n x 1 class indices when
  // categorical.
  void add(const float* pred, const float* target, std::size_t n, std::size_t width,
           std::size_t target_width);
  std::vector<double> values() const;  // one per metric, in the order given
  const std::vector<std::string>& metrics() const { return metrics_; }

 private:
  void add_element(float p, float y);
  std::vector<std::string> metrics_;
  bool categorical_, keep_pairs_ = false;
  double n_ = 0, correct_ = 0, rows_ = 0, abs_ = 0, sq_ = 0;
  std::vector<float> pred_, target_;
};

}  // namespace train
}  // namespace gdl
