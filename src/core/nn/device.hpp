// What LibTorch offers on this machine, and the device choice. Torch-free header so the R
// bridge and gdlSitrep() can ask without including LibTorch.
#pragma once
#include <string>

namespace gdl {
namespace nn {

struct TorchInfo {
  std::string version;     // LibTorch version, e.g. "1.13.1"
  bool cuda_available;     // a CUDA device can be used now
  int cuda_devices;        // number of CUDA devices
  int intra_threads;       // at::get_num_threads()
  std::string parallel;    // at::get_parallel_info() first line (OpenMP / native)
};

TorchInfo torch_info();
void set_torch_threads(int n);

// "auto" -> "cuda" when available, else "cpu"; "cuda" or "cuda:N" without CUDA throws a
// gdl::Error saying so (never a silent fallback); "cpu" stays.
std::string resolve_device(const std::string& requested);

}  // namespace nn
}  // namespace gdl
