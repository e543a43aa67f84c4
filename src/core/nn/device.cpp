#include "nn/device.hpp"

#include <torch/torch.h>

#include <sstream>

#include "common/error.hpp"
#include "common/process.hpp"

namespace gdl {
namespace nn {

TorchInfo torch_info() {
  TorchInfo info;
  std::ostringstream v;
  v << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH;
  info.version = v.str();
  info.cuda_available = torch::cuda::is_available();
  info.cuda_devices = info.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.intra_threads = at::get_num_threads();
  std::string par = at::get_parallel_info();
  std::istringstream lines(par);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("ATen parallel backend") != std::string::npos) {
      info.parallel = line.substr(line.find(':') + 1);
      break;
    }
  }
  return info;
}

void set_torch_threads(int n) {
  // LibTorch's CPU backend here is OpenMP (libgomp), which is not fork-safe: a process forked
  // after a parallel region (a BiocParallel MulticoreParam worker) inherits a thread pool whose
  // threads did not survive the fork, and its next parallel region waits for them forever. So
  // in a forked child LibTorch runs on one intra-op thread: with one thread ATen's parallel_for
  // and oneDNN run the work inline and never enter an OpenMP region. Parallelism there comes
  // from the workers; a fresh process (SnowParam, batchtools) keeps its threads.
  if (n > 0) at::set_num_threads(gdl::forked_child() ? 1 : n);
}

std::string resolve_device(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  bool cuda = torch::cuda::is_available();
  if (requested == "auto") return cuda ? "cuda" : "cpu";
  if (requested.rfind("cuda", 0) == 0) {
    if (!cuda)
      fail("device '", requested, "' was asked for but this LibTorch has no usable CUDA device ",
           "(LibTorch ", TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR,
           "); use device = \"cpu\", or build GenomicDL against a CUDA LibTorch (LIBTORCH_HOME)");
    return requested;
  }
  fail("device must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", not \"", requested, "\"");
}

}  // namespace nn
}  // namespace gdl
