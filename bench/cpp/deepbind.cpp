// DeepBind scoring throughput of the C++ core alone: 10,000 random 101-bp sequences x the 16
// models of ../shared/data/deepbind/params, fast path (1 and 2 threads) and reference path (on a
// subset). Usage, from the repository root: build/cpp/bench_deepbind [deepbind data folder]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "deepbind/score.hpp"

using namespace gdl::deepbind;

int main(int argc, char** argv) {
  // run from the repository root, or give the folder
  const char* env = std::getenv("GENOMICDL_SHARED");
  std::string dir = argc > 1 ? argv[1] : std::string(env ? env : "../shared") + "/data/deepbind";
  const char* ids[] = {"D00210.001", "D00120.001", "D00410.003", "D00328.003", "D00328.018", "D00001.001",
                       "D00018.001", "D00027.003", "D00085.001", "D00299.003", "D00317.009", "D00329.002",
                       "D00330.002", "D00344.002", "D00505.003", "D00796.001"};
  std::vector<Model> models;
  for (const char* id : ids) models.push_back(read_model(dir + "/params/" + id + ".txt"));
  std::mt19937 rng(1);
  std::vector<std::string> seqs(10000, std::string(101, 'A'));
  for (auto& s : seqs)
    for (auto& c : s) c = "ACGT"[rng() % 4];
  auto time = [&](std::size_t n, ScoreOptions opt) {
    Scorer sc(models, opt);
    std::vector<SeqRef> refs;
    for (std::size_t i = 0; i < n; ++i) refs.push_back({seqs[i].data(), seqs[i].size()});
    std::vector<float> out(n * models.size());
    auto t0 = std::chrono::steady_clock::now();
    sc.score(refs, out.data());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(n * models.size()) / s;
  };
  ScoreOptions fast1, fast2, ref;
  fast2.threads = 2;
  ref.method = Method::Reference;
  double f1 = time(seqs.size(), fast1), f2 = time(seqs.size(), fast2), r = time(100, ref);
  std::printf("fast path, 1 thread:  %10.0f pairs/s\n", f1);
  std::printf("fast path, 2 threads: %10.0f pairs/s (x%.2f)\n", f2, f2 / f1);
  std::printf("reference path:       %10.0f pairs/s\n", r);
  std::printf("fast / reference:     %10.1f\n", f1 / r);
  return 0;
}
