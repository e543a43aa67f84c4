// ProcessGroup on c10d (see distributed.hpp). The one translation unit that includes the c10d
// headers: ProcessGroupGloo.hpp needs Gloo's headers (Debian: libgloo-dev), and the build defines
// USE_C10D_GLOO only when it found them (configure / CMakeLists.txt), USE_C10D_NCCL only for a
// CUDA LibTorch with ProcessGroupNCCL. Without c10d the class still builds, and joining a group
// is an error naming the package to install, so that the rest of the package does not depend on
// Gloo's headers being present.
#include "train/distributed.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "common/error.hpp"
#include "nn/network_impl.hpp"

#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
#define GDL_C10D 1
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace gdl {
namespace train {

namespace {

// c10d's messages carry a C++ backtrace; the first line says what happened.
std::string reason(const std::exception& e) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  std::string m = c10 ? c10->what_without_backtrace() : e.what();
  auto nl = m.find('\n');
  if (nl != std::string::npos) m = m.substr(0, nl);
  while (!m.empty() && (m.back() == '.' || m.back() == ' ')) m.pop_back();
  return m;
}

#ifdef USE_C10D_GLOO
bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}
#endif

// Tensors grouped by (dtype, device), each group flattened into one contiguous buffer for one
// collective and copied back after it: a step costs one collective, not one per parameter.
template <typename Collective>
void flat_apply(const std::vector<at::Tensor>& tensors, Collective&& collective) {
  torch::NoGradGuard ng;
  std::map<std::pair<int, std::string>, std::vector<at::Tensor>> groups;
  for (const auto& t : tensors)
    if (t.defined() && t.numel() > 0)
      groups[{static_cast<int>(t.scalar_type()), t.device().str()}].push_back(t);
  for (auto& kv : groups) {
    auto& ts = kv.second;
    std::vector<at::Tensor> flat_parts;
    for (const auto& t : ts) flat_parts.push_back(t.reshape({-1}));
    auto flat = torch::cat(flat_parts);
    collective(flat);
    std::int64_t off = 0;
    for (auto& t : ts) {
      t.copy_(flat.narrow(0, off, t.numel()).view_as(t));
      off += t.numel();
    }
  }
}

}  // namespace

std::vector<std::string> distributed_backends() {
  std::vector<std::string> out;
#ifdef USE_C10D_NCCL
  out.push_back("nccl");
#endif
#ifdef USE_C10D_GLOO
  out.push_back("gloo");
#endif
  return out;
}

std::string resolve_backend(const std::string& backend, const std::string& device) {
  auto have = distributed_backends();
  auto has = [&](const char* b) { return std::find(have.begin(), have.end(), b) != have.end(); };
  if (have.empty())
    fail("this build of GenomicDL has no c10d process group: LibTorch's Gloo headers were not ",
         "found when it was built (Debian: apt-get install libgloo-dev, then reinstall GenomicDL)");
  const bool cuda = device.rfind("cuda", 0) == 0;
  if (backend == "auto") return cuda && has("nccl") ? "nccl" : (has("gloo") ? "gloo" : "nccl");
  if (backend != "gloo" && backend != "nccl")
    fail("unknown distributed backend '", backend, "' (use \"auto\", \"gloo\" or \"nccl\")");
  if (!has(backend.c_str()))
    fail("distributed backend '", backend, "' is not in this build of LibTorch / GenomicDL",
         backend == "nccl" ? " (NCCL needs a CUDA LibTorch built with ProcessGroupNCCL; use \"gloo\")"
                           : "");
  if (backend == "nccl" && !cuda)
    fail("distributed backend 'nccl' works on CUDA tensors only, and this rank trains on '", device,
         "'; use backend = \"gloo\" (or \"auto\") on the CPU");
  return backend;
}

struct ProcessGroup::Impl {
  DistributedOptions opt;
  std::string backend;
  std::chrono::milliseconds timeout{0};
#ifdef GDL_C10D
  c10::intrusive_ptr<c10d::Store> store;
  // The concrete group, not c10d::ProcessGroup: LibTorch 1.13's Gloo and NCCL groups derive
  // from ProcessGroup, 2.x's from c10d::Backend; their collectives have the same signatures.
#ifdef USE_C10D_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

  // op(group) on the group this rank joined; returns its c10d Work.
  template <typename Op>
  auto on_group(Op&& op) const {
#if defined(USE_C10D_GLOO) && defined(USE_C10D_NCCL)
    return gloo ? op(*gloo) : op(*nccl);
#elif defined(USE_C10D_GLOO)
    return op(*gloo);
#else
    return op(*nccl);
#endif
  }
#endif

  [[noreturn]] void failed(const char* what, const std::exception& e) const {
    fail("distributed training, rank ", opt.rank, " of ", opt.world_size, " (", backend, ", ",
         opt.master_addr, ":", opt.master_port, "): ", what, " failed: ", reason(e),
         ". A rank died or did not answer within timeout = ", opt.timeout, " s");
  }

  // Runs one collective on `t` (in place) and waits for it, turning c10d's errors (a closed
  // peer, a timeout) into gdl::Error.
  template <typename Launch>
  void run(const char* what, Launch&& launch) const {
#ifdef GDL_C10D
    try {
      auto work = launch();
      work->wait(timeout);
    } catch (const gdl::Error&) {
      throw;
    } catch (const std::exception& e) {
      failed(what, e);
    }
#else
    (void)what;
    (void)launch;
#endif
  }

  // Every rank counts itself in on the store, then waits until all have: a rank that never
  // comes is reported as such within the timeout (the store's own wait for workers and Gloo's
  // connection setup each take their own timeout, and say less).
  void join() const {
#ifdef GDL_C10D
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::int64_t joined = 0;
    try {
      joined = store->add("gdl/joined", 1);
      while (joined < opt.world_size && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        joined = store->add("gdl/joined", 0);
      }
    } catch (const std::exception& e) {
      failed("the rendezvous", e);
    }
    if (joined < opt.world_size)
      fail("distributed training, rank ", opt.rank, " of ", opt.world_size, " (", opt.master_addr,
           ":", opt.master_port, "): the rendezvous timed out after ", opt.timeout, " s with ", joined,
           " of ", opt.world_size, " ranks joined; start every rank (or raise timeout)");
#endif
  }

  // Host values travel as a float64 tensor on the rank's device (NCCL reduces device memory).
  at::Tensor host_tensor(const std::vector<double>& v) const {
    auto t = torch::tensor(v, torch::kFloat64);
    return backend == "nccl" ? t.to(torch::Device(opt.device)) : t;
  }
};

ProcessGroup::ProcessGroup(const DistributedOptions& o) : impl_(std::make_unique<Impl>()) {
  if (o.world_size < 1) fail("worldSize must be >= 1, not ", o.world_size);
  if (o.rank < 0 || o.rank >= o.world_size)
    fail("rank must be 0 to worldSize - 1 = ", o.world_size - 1, ", not ", o.rank);
  if (o.master_port < 1 || o.master_port > 65535)
    fail("masterPort must be a port number 1 to 65535, not ", o.master_port);
  if (!(o.timeout > 0) || o.timeout > 1e7)
    fail("timeout must be a positive number of seconds, not ", o.timeout);
  if (o.master_addr.empty()) fail("masterAddr must name the host of rank 0");
  auto& m = *impl_;
  m.opt = o;
  m.backend = resolve_backend(o.backend, o.device);
  m.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000));
#ifdef GDL_C10D
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(o.master_port);
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<std::size_t>(o.world_size);
    so.waitWorkers = false;  // the rendezvous is join() below, with a message that counts ranks
    so.timeout = m.timeout;
    m.store = c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
  } catch (const std::exception& e) {
    m.failed(o.rank == 0 ? "the rendezvous (rank 0 serving the store)"
                         : "the rendezvous (connecting to rank 0's store)",
             e);
  }
  m.join();
  try {
    if (m.backend == "gloo") {
#ifdef USE_C10D_GLOO
      auto go = c10d::ProcessGroupGloo::Options::create(m.timeout);
      // As torch.distributed: GLOO_SOCKET_IFNAME names the interface; ranks on one machine
      // talk over loopback; elsewhere this host's own address.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname)
        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(o.master_addr))
        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(o.master_addr));
      else
        go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      m.gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(m.store, o.rank, o.world_size, go);
#endif
    } else {
#ifdef USE_C10D_NCCL
      // Untested here (no GPU): NCCL only aborts a hung collective after the timeout when its
      // asynchronous error handling is on (LibTorch 1.13 leaves it off by default).
      setenv("NCCL_ASYNC_ERROR_HANDLING", "1", 0);
      auto no = c10d::ProcessGroupNCCL::Options::create();
      no->timeout = m.timeout;
      m.nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(m.store, o.rank, o.world_size, no);
#endif
    }
  } catch (const std::exception& e) {
    m.failed("connecting the process group", e);
  }
#endif
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const { return impl_->opt.rank; }
int ProcessGroup::world_size() const { return impl_->opt.world_size; }
const std::string& ProcessGroup::backend() const { return impl_->backend; }
double ProcessGroup::timeout() const { return impl_->opt.timeout; }

void ProcessGroup::allreduce(const std::vector<at::Tensor>& tensors, bool mean) const {
  const auto& m = *impl_;
  flat_apply(tensors, [&](at::Tensor& flat) {
#ifdef GDL_C10D
    std::vector<at::Tensor> one{flat};
    m.run("all-reduce", [&] { return m.on_group([&](auto& g) { return g.allreduce(one); }); });
#endif
    if (mean) flat.div_(m.opt.world_size);
  });
}

void ProcessGroup::average_gradients(const std::vector<at::Tensor>& params) const {
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  allreduce(grads, true);
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors, int root) const {
  const auto& m = *impl_;
  flat_apply(tensors, [&](at::Tensor& flat) {
#ifdef GDL_C10D
    std::vector<at::Tensor> one{flat};
    c10d::BroadcastOptions bo;
    bo.rootRank = root;
    m.run("broadcast", [&] { return m.on_group([&](auto& g) { return g.broadcast(one, bo); }); });
#else
    (void)flat;
    (void)m;
    (void)root;
#endif
  });
}

void ProcessGroup::allreduce(std::vector<double>& values, bool mean) const {
  if (values.empty()) return;
  auto t = impl_->host_tensor(values);
  allreduce(std::vector<at::Tensor>{t}, mean);
  auto h = t.to(torch::kCPU).contiguous();
  std::copy(h.data_ptr<double>(), h.data_ptr<double>() + h.numel(), values.begin());
}

void ProcessGroup::broadcast(std::vector<double>& values, int root) const {
  if (values.empty()) return;
  auto t = impl_->host_tensor(values);
  broadcast(std::vector<at::Tensor>{t}, root);
  auto h = t.to(torch::kCPU).contiguous();
  std::copy(h.data_ptr<double>(), h.data_ptr<double>() + h.numel(), values.begin());
}

void ProcessGroup::barrier() const {
  const auto& m = *impl_;
#ifdef GDL_C10D
  m.run("barrier", [&] { return m.on_group([](auto& g) { return g.barrier(); }); });
#else
  (void)m;
#endif
}

std::vector<std::pair<std::string, std::vector<float>>> replica_state(const nn::Network& net) {
  torch::NoGradGuard ng;
  std::vector<std::pair<std::string, std::vector<float>>> out;
  auto add = [&](const std::string& name, const at::Tensor& t) {
    auto h = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    out.emplace_back(name, std::vector<float>(h.data_ptr<float>(), h.data_ptr<float>() + h.numel()));
  };
  const auto& g = *net.impl().module;
  for (const auto& p : g.named_parameters()) add(p.key(), p.value());
  for (const auto& b : g.named_buffers()) add(b.key(), b.value());
  return out;
}

}  // namespace train
}  // namespace gdl
