// The BLAS lookup of the dense layers (see blas.hpp): dlopen / dl_iterate_phdr, no LibTorch.
#include "nn/blas.hpp"

#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace gdl {
namespace nn {

std::string loaded_library(const char* prefix) {
  std::pair<const char*, std::string> found{prefix, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) -> int {
        auto* f = static_cast<std::pair<const char*, std::string>*>(data);
        const char* name = info->dlpi_name;
        if (name == nullptr) return 0;
        const char* base = std::strrchr(name, '/');
        base = base ? base + 1 : name;
        if (std::strncmp(base, f->first, std::strlen(f->first)) != 0) return 0;
        f->second = name;
        return 1;
      },
      &found);
  return found.second;
}

bool libblas_is_reference() {
  // libblas.so.3 may be an alternative pointing at a fast BLAS (OpenBLAS, BLIS, MKL, ATLAS)
  void* lib = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
  void* sym = lib ? dlsym(lib, "sgemm_") : nullptr;
  Dl_info info;
  bool found = sym && dladdr(sym, &info) && info.dli_fname;
  std::string path;
  if (found) {
    char resolved[PATH_MAX];
    path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
  }
  if (lib) dlclose(lib);
  if (!found) return false;
  for (const char* fast : {"openblas", "blis", "mkl", "atlas"})
    if (path.find(fast) != std::string::npos) return false;
  return true;
}

SgemmFn loaded_onednn_sgemm() {
  // only if LibTorch loaded it: oneDNN 2 (libdnnl.so.2) or 3 (libdnnl.so.3.x), whose dnnl_sgemm
  // has the same signature and row-major semantics
  std::string path = loaded_library("libdnnl.so.");
  if (path.empty()) return nullptr;
  void* lib = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (!lib) return nullptr;
  return reinterpret_cast<SgemmFn>(dlsym(lib, "dnnl_sgemm"));  // the handle stays open
}

}  // namespace nn
}  // namespace gdl
