#include "nn/device.hpp"

#include <torch/torch.h>

#include <dlfcn.h>
#include <pthread.h>

#include <sstream>

#include "common/error.hpp"
#include "common/process.hpp"

namespace gdl {
namespace nn {

namespace {
// A child forked by any means (BiocParallel's MulticoreParam, batchtools' multicore cluster
// functions, parallel::mcparallel) inherits libgomp's thread pool without its threads: its first
// OpenMP region with more than one thread waits forever (seen: batchtools workers rebuilding a
// model from its R copy ran a convolution before any GenomicDL call could set the thread count).
// So every forked child starts with one OpenMP thread, set by an atfork handler before any code
// of the child runs; set_torch_threads() keeps it at one there. omp_set_num_threads only sets
// the calling thread's ICV (no lock, no allocation), so it is safe in an atfork child handler.
// It is looked up with dlsym instead of linked so that the core needs no -fopenmp flags: libgomp
// is already loaded by LibTorch.
using OmpSetThreads = void (*)(int);
OmpSetThreads omp_set_threads_fn = nullptr;

void single_openmp_thread_in_child() {
  if (omp_set_threads_fn) omp_set_threads_fn(1);
}

struct ForkHandler {
  ForkHandler() {
    omp_set_threads_fn = reinterpret_cast<OmpSetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    ::pthread_atfork(nullptr, nullptr, &single_openmp_thread_in_child);
  }
};
const ForkHandler kForkHandler;
}  // namespace

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
