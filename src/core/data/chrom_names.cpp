#include "data/chrom_names.hpp"

#include <unordered_map>

#include "common/error.hpp"

namespace gdl {
namespace data {

ChrPrefix parse_chr_prefix(const std::string& s) {
  if (s == "asis") return ChrPrefix::AsIs;
  if (s == "auto") return ChrPrefix::Auto;
  if (s == "add") return ChrPrefix::Add;
  if (s == "strip") return ChrPrefix::Strip;
  fail("chrPrefix must be one of 'auto', 'add', 'strip', 'asis', not '", s, "'");
}

std::vector<int> match_chromosomes(const std::vector<std::string>& names,
                                   const std::vector<std::string>& targets, ChrPrefix mode) {
  std::unordered_map<std::string, int> at;
  for (std::size_t i = 0; i < targets.size(); ++i) at.emplace(targets[i], static_cast<int>(i));
  auto find = [&](const std::string& n) {
    auto it = at.find(n);
    return it == at.end() ? -1 : it->second;
  };
  auto has_chr = [](const std::string& n) { return n.size() > 3 && n.compare(0, 3, "chr") == 0; };
  std::vector<int> out(names.size(), -1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    switch (mode) {
      case ChrPrefix::AsIs: out[i] = find(n); break;
      case ChrPrefix::Add: out[i] = find(has_chr(n) ? n : "chr" + n); break;
      case ChrPrefix::Strip: out[i] = find(has_chr(n) ? n.substr(3) : n); break;
      case ChrPrefix::Auto: {
        int k = find(n);
        if (k < 0) k = find(has_chr(n) ? n.substr(3) : "chr" + n);
        if (k < 0 && n == "chrM") k = find("MT");
        if (k < 0 && n == "MT") k = find("chrM");
        out[i] = k;
        break;
      }
    }
  }
  return out;
}

}  // namespace data
}  // namespace gdl
