#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "train/metrics.hpp"

using gdl::train::Column;

namespace {
Column col(const std::vector<float>& v) { return Column{v.data(), v.size()}; }

// AUROC by counting pairs: P(score_pos > score_neg) + 0.5 P(tie).
double auroc_pairs(const std::vector<float>& s, const std::vector<float>& l) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t j = 0; j < s.size(); ++j)
      if (l[i] >= 0.5 && l[j] < 0.5) {
        den += 1;
        num += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
      }
  return num / den;
}
}  // namespace

TEST_CASE("AUROC equals the pair-counting definition, ties included", "[metrics]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> score(0, 20);  // many ties
  std::bernoulli_distribution label(0.3);
  std::vector<float> s(300), l(300);
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[i] = static_cast<float>(score(rng)) / 4.0f;
    l[i] = label(rng) ? 1.0f : 0.0f;
  }
  CHECK(gdl::train::auroc(col(s), col(l)) == Approx(auroc_pairs(s, l)).epsilon(1e-12));
  std::vector<float> one(10, 1.0f);
  CHECK(std::isnan(gdl::train::auroc(Column{s.data(), 10}, col(one))));
}

TEST_CASE("AUPR is scikit-learn's average precision", "[metrics]") {
  // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
  std::vector<float> y{0, 0, 1, 1}, s{0.1f, 0.4f, 0.35f, 0.8f};
  CHECK(gdl::train::aupr(col(s), col(y)) == Approx(5.0 / 6.0));
  std::vector<double> x, p;
  gdl::train::pr_curve(col(s), col(y), x, p);
  CHECK(x.back() == Approx(1.0));
  CHECK(p.back() == Approx(0.5));
  gdl::train::roc_curve(col(s), col(y), x, p);
  CHECK(x.back() == Approx(1.0));
  CHECK(p.back() == Approx(1.0));
}

TEST_CASE("Pearson and Spearman correlations", "[metrics]") {
  std::vector<float> a{1, 2, 3, 4, 5}, b{2, 4, 6, 8, 10}, c{1, 4, 9, 16, 25}, d{5, 4, 3, 2, 1};
  CHECK(gdl::train::pearson(col(a), col(b)) == Approx(1.0));
  CHECK(gdl::train::pearson(col(a), col(d)) == Approx(-1.0));
  // pearson(1:5, (1:5)^2) = 0.9811049 (R: cor(1:5, (1:5)^2))
  CHECK(gdl::train::pearson(col(a), col(c)) == Approx(0.9811049).epsilon(1e-6));
  CHECK(gdl::train::spearman(col(a), col(c)) == Approx(1.0));
  std::vector<float> t{1, 2, 2, 3};
  auto r = gdl::train::average_ranks(std::vector<double>(t.begin(), t.end()));
  CHECK(r == std::vector<double>{1, 2.5, 2.5, 4});
  std::vector<float> withnan{1, 2, NAN, 4, 5};
  CHECK(gdl::train::pearson(col(withnan), col(b)) == Approx(1.0));
}
