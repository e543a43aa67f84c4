// DeepBind models: the parameters of one released model ("# deepbind 0.1" files) and their
// parser. Torch-free.
//
// File format (DeepBind v0.11, Alipanahi et al. 2015; the keys always come in this order):
//   # deepbind 0.1
//   reverse_complement = 0|1
//   num_detectors = d          detector_len = m        has_avg_pooling = 0|1
//   num_hidden = h
//   detectors = d*m*4 floats   index k + d*(base + 4*pos): C array [m][4][d], bases A,C,G,T(U)
//   thresholds = d floats      (bias added before the ReLU)
//   weights1 = H1*H2 floats    [H1][H2]; H1 = 2d with average pooling (rows interleaved:
//                              2k = max pool of detector k, 2k+1 = its average pool), else d;
//                              H2 = h when h > 0, else 1
//   biases1 = H2 floats
//   weights2 = h floats        (empty when h = 0)
//   biases2 = 1 float          (empty when h = 0)
// Values are read as 32-bit floats, as the original's fscanf("%f") does.
#pragma once
#include <string>
#include <vector>

namespace gdl {
namespace deepbind {

struct Model {
  std::string id;      // e.g. "D00210.001" (the file name without .txt)
  std::string source;  // the file the model came from, for messages
  bool reverse_complement = false;
  int num_detectors = 0;
  int detector_len = 0;
  bool has_avg_pooling = false;
  int num_hidden = 0;
  std::vector<float> detectors;   // [m][4][d]
  std::vector<float> thresholds;  // [d]
  std::vector<float> weights1;    // [H1][H2]
  std::vector<float> biases1;     // [H2]
  std::vector<float> weights2;    // [h]
  std::vector<float> biases2;     // [1] when h > 0, else empty

  int hidden1() const { return has_avg_pooling ? 2 * num_detectors : num_detectors; }
  int hidden2() const { return num_hidden > 0 ? num_hidden : 1; }
  // The original's default window: int(1.5 x detector length).
  int default_window() const { return static_cast<int>(detector_len * 1.5); }
  float detector(int k, int pos, int base) const {
    return detectors[static_cast<std::size_t>(k + num_detectors * (base + 4 * pos))];
  }
};

// Parses the text of a params file. `source` names it in error messages, which say which
// field is wrong (gdl::Error).
Model parse_model(const std::string& text, const std::string& source);

// Reads and parses a params file; the id is the file name without its extension.
Model read_model(const std::string& path);

// Checks the sizes and values of a model assembled by a caller (e.g. from R); throws
// gdl::Error naming the field that is inconsistent.
void validate_model(const Model& model);

}  // namespace deepbind
}  // namespace gdl
