// Catch2 for test files that include LibTorch: torch first, since its glog defines a CHECK macro
// (a failed glog CHECK aborts the whole run instead of being reported); Catch's replaces it.
#pragma once
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>
