// A fast single-precision GEMM for the dense layers, found among the libraries this process has
// already loaded. Debian's LibTorch multiplies matrices with the reference BLAS
// (BLAS_INFO=generic, netlib's libblas.so.3): one thread, no blocking, ~5 GFLOP/s, so that
// DeepSEA's and DanQ's wide dense layers take about half of a training step. oneDNN, which that
// LibTorch loads for its convolutions (libdnnl.so.2 for LibTorch 1.13, libdnnl.so.3.x for Debian
// 13's 2.6), exports a blocked, JIT-compiled, OpenMP-parallel sgemm (dnnl_sgemm, row-major);
// nn/layers.cpp runs large dense layers through it when LibTorch's own BLAS is the reference
// one. Torch-free: the caller says what LibTorch was built with.
#pragma once
#include <cstdint>
#include <string>

namespace gdl {
namespace nn {

// oneDNN's dnnl_sgemm: C (m x n) = alpha op(A) op(B) + beta C, all row-major; returns 0 on
// success (dnnl_status_t).
using SgemmFn = int (*)(char transa, char transb, std::int64_t m, std::int64_t n, std::int64_t k,
                        float alpha, const float* a, std::int64_t lda, const float* b,
                        std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// Path of the loaded shared library whose file name starts with `prefix` ("" when none is).
std::string loaded_library(const char* prefix);

// Whether libblas.so.3, as loaded in this process, is netlib's reference BLAS: false when it is
// not loaded or is an alternative pointing at OpenBLAS, BLIS, MKL or ATLAS.
bool libblas_is_reference();

// dnnl_sgemm of the oneDNN library (2 or 3) loaded in this process, or nullptr. The library is
// only looked up, never loaded; the handle stays open for the life of the process.
SgemmFn loaded_onednn_sgemm();

}  // namespace nn
}  // namespace gdl
