// libFuzzer target: the DeepBind "# deepbind 0.1" params parser (deepbind/model.cpp). A model
// that parses is validated and scores one short sequence on both paths (fast and reference),
// which must agree bit for bit (deepbind/score.hpp promises the same floats).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "deepbind/model.hpp"
#include "deepbind/score.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  gdl::deepbind::Model model;
  try {
    model = gdl::deepbind::parse_model(text, "fuzz.txt");
  } catch (const gdl::Error&) {
    return 0;
  }
  gdl::deepbind::validate_model(model);  // a parsed model must be a valid one: no catch
  // Scoring cost grows with detectors x length x hidden units: keep each input cheap.
  if (static_cast<std::size_t>(model.num_detectors) * model.detector_len *
          (model.num_hidden + 1) > 200000)
    return 0;
  static const char seq[] = "ACGTTGCANNACGTAGGCTTAACGTGCA";
  gdl::deepbind::SeqRef s{seq, sizeof seq - 1};
  float got[2] = {0, 0};
  for (int method = 0; method < 2; ++method) {
    gdl::deepbind::ScoreOptions opt;
    opt.method = method ? gdl::deepbind::Method::Reference : gdl::deepbind::Method::Fast;
    gdl::deepbind::Scorer scorer({model}, opt);
    scorer.score({s}, &got[method]);
  }
  if (std::memcmp(&got[0], &got[1], sizeof(float)) != 0 && !(got[0] != got[0] && got[1] != got[1]))
    std::abort();  // fast and reference paths disagree
  return 0;
}
