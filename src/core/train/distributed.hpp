// Data-parallel training across processes on LibTorch's c10d: one RAII object owns the
// rendezvous store (a TCPStore served by rank 0) and the process group (Gloo for CPU tensors,
// NCCL for CUDA tensors when LibTorch was built with it). The trainer (train/trainer.cpp) calls
// it after each backward pass (gradients averaged over the ranks in one collective) and at the
// edges of each epoch; nothing here is a communication layer of its own.
//
// Torch-free interface (the bridge includes it without LibTorch): the tensor methods take
// at::Tensor, declared here only; the c10d headers are included by distributed.cpp alone.
//
// Faults: the store and every collective wait at most `timeout` seconds; a peer that died (its
// sockets closed) or did not answer in time makes the call throw gdl::Error naming this rank,
// the operation and the timeout, so that every rank ends with an error instead of hanging.
//
//   DistributedOptions o;  o.rank = 1;  o.world_size = 2;  o.master_port = 29511;
//   ProcessGroup group(o);                // blocks until every rank has joined (or times out)
//   group.average_gradients(params);      // after backward
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/network.hpp"

namespace at {
class Tensor;
}

namespace gdl {
namespace train {

struct DistributedOptions {
  int rank = 0;                           // 0 .. world_size - 1; rank 0 serves the store
  int world_size = 1;
  std::string master_addr = "127.0.0.1";  // host of rank 0 (MASTER_ADDR)
  int master_port = 29500;                // its port (MASTER_PORT)
  double timeout = 60;                    // seconds: rendezvous and each collective
  std::string backend = "auto";           // "auto", "gloo" or "nccl"
  std::string device = "cpu";             // resolved device of this rank's tensors
};

// Backends this build can use, in preference order for CUDA ("nccl" only when LibTorch was
// built with ProcessGroupNCCL; "gloo" whenever c10d's Gloo headers were found at build time).
std::vector<std::string> distributed_backends();

// The backend used for `backend` on `device`: "auto" is NCCL for a CUDA device when this build
// has it, Gloo otherwise; an unknown name or one this build lacks is an error naming the fix.
std::string resolve_backend(const std::string& backend, const std::string& device);

class ProcessGroup {
 public:
  // Joins the group: rank 0 starts the store and waits for the others; every rank then
  // connects the process group. Throws gdl::Error after `timeout` seconds without all ranks.
  explicit ProcessGroup(const DistributedOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int world_size() const;
  const std::string& backend() const;
  double timeout() const;

  // The mean over ranks of the gradients of `params`, in place, in one collective: the defined
  // gradients are flattened into one buffer (per dtype), summed, divided by world_size and
  // copied back. Every rank must hold gradients for the same parameters (the same network).
  void average_gradients(const std::vector<at::Tensor>& params) const;
  // Sums (mean = false) or means over ranks of `tensors`, in place, one collective per dtype.
  void allreduce(const std::vector<at::Tensor>& tensors, bool mean) const;
  // Rank `root`'s values copied into `tensors` on every rank (in place, one collective per dtype).
  void broadcast(const std::vector<at::Tensor>& tensors, int root = 0) const;
  // Host values: summed (or averaged) over ranks; broadcast from `root`.
  void allreduce(std::vector<double>& values, bool mean) const;
  void broadcast(std::vector<double>& values, int root = 0) const;
  // Returns once every rank has called it (or throws after the timeout).
  void barrier() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Every parameter and buffer of a network by name, as float values on the host: what replicas
// compare to show that they hold the same model (and tests, against a single-process run).
std::vector<std::pair<std::string, std::vector<float>>> replica_state(const nn::Network& net);

}  // namespace train
}  // namespace gdl
