// Bridge helpers of distributed.cpp shared with train.cpp: a process group from the R
// distributedConfig() list. Torch-free.
#pragma once
#include <Rcpp.h>

#include <memory>
#include <string>

#include "train/distributed.hpp"

namespace gdlr {

// Joins the group described by `config` (list(rank, worldSize, masterAddr, masterPort,
// timeout, backend), checked in R) for tensors on `device` (resolved); blocks until every rank
// has joined or the timeout passes (a gdl::Error).
std::unique_ptr<gdl::train::ProcessGroup> join_group(Rcpp::List config, const std::string& device);

}  // namespace gdlr
