#include "data/shuffle.hpp"

#include <algorithm>
#include <vector>

#include "data/sampling.hpp"
#include "genome/bases.hpp"

namespace gdl {
namespace data {

void dinucleotide_shuffle(char* seq, std::size_t n, std::uint64_t seed) {
  static const char kLetters[] = "ACGTN";
  if (n < 3) {
    for (std::size_t i = 0; i < n; ++i) {
      auto c = genome::base_code(seq[i]);
      seq[i] = kLetters[c > 3 ? 4 : c];
    }
    return;
  }
  std::vector<int> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto c = genome::base_code(seq[i]);
    s[i] = c > 3 ? 4 : c;
  }
  Rng rng(seed);
  std::vector<std::vector<int>> edges(5);
  for (std::size_t i = 0; i + 1 < n; ++i) edges[static_cast<std::size_t>(s[i])].push_back(s[i + 1]);
  const int last = s[n - 1];
  // Random arborescence of last edges directed to `last` (Wilson's algorithm).
  std::vector<int> next(5, -1);
  std::vector<char> in_tree(5, 0);
  in_tree[static_cast<std::size_t>(last)] = 1;
  for (int u = 0; u < 5; ++u) {
    if (edges[static_cast<std::size_t>(u)].empty()) continue;
    int v = u;
    while (!in_tree[static_cast<std::size_t>(v)]) {
      const auto& e = edges[static_cast<std::size_t>(v)];
      next[static_cast<std::size_t>(v)] = e[rng.below(e.size())];
      v = next[static_cast<std::size_t>(v)];
    }
    v = u;
    while (!in_tree[static_cast<std::size_t>(v)]) {
      in_tree[static_cast<std::size_t>(v)] = 1;
      v = next[static_cast<std::size_t>(v)];
    }
  }
  // Shuffle each vertex's edges, keeping the tree edge last.
  for (int u = 0; u < 5; ++u) {
    auto& e = edges[static_cast<std::size_t>(u)];
    if (e.empty()) continue;
    std::size_t m = e.size();
    if (u != last) {
      auto it = std::find(e.begin(), e.end(), next[static_cast<std::size_t>(u)]);
      std::iter_swap(it, e.end() - 1);
      --m;
    }
    for (std::size_t i = m; i > 1; --i) std::swap(e[i - 1], e[rng.below(i)]);
  }
  std::vector<std::size_t> used(5, 0);
  int cur = s[0];
  seq[0] = kLetters[cur];
  for (std::size_t i = 1; i < n; ++i) {
    cur = edges[static_cast<std::size_t>(cur)][used[static_cast<std::size_t>(cur)]++];
    seq[i] = kLetters[cur];
  }
}

}  // namespace data
}  // namespace gdl
