// Mixed precision for training (LibTorch translation units only): autocast around the forward
// pass (bfloat16 on the CPU, float16 on CUDA) while weights, optimizer state, losses and
// gradients stay float32, and, for float16, a dynamic loss scale so that small gradients do
// not underflow (the recipe of torch.cuda.amp.GradScaler).
#pragma once
#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <vector>

// LibTorch 2.4 replaced the per-backend autocast switches (set_cpu_enabled, ...) by ones that
// take the device type; the old ones remain, deprecated, so pick by version.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define GDL_AUTOCAST_BY_DEVICE 1
#endif

namespace gdl {
namespace train {

// The reduced precision autocast uses on `dev`.
inline at::ScalarType autocast_dtype(const torch::Device& dev) {
  return dev.is_cpu() ? at::kBFloat16 : at::kHalf;
}

// Autocast on `dev` for the scope's lifetime (nothing when !enabled); restores the previous
// state and drops the cast-weight cache on exit, as torch.autocast does.
class AutocastScope {
 public:
  AutocastScope(bool enabled, const torch::Device& dev) : on_(enabled), type_(dev.type()) {
    if (!on_) return;
    prev_enabled_ = is_enabled();
    prev_dtype_ = dtype();
    set(true, autocast_dtype(dev));
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!on_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set(prev_enabled_, prev_dtype_);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool cpu() const { return type_ == at::kCPU; }
#ifdef GDL_AUTOCAST_BY_DEVICE
  bool is_enabled() const { return at::autocast::is_autocast_enabled(type_); }
  at::ScalarType dtype() const { return at::autocast::get_autocast_dtype(type_); }
  void set(bool on, at::ScalarType t) const {
    at::autocast::set_autocast_dtype(type_, t);
    at::autocast::set_autocast_enabled(type_, on);
  }
#else
  bool is_enabled() const { return cpu() ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
  at::ScalarType dtype() const {
    return cpu() ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
  }
  void set(bool on, at::ScalarType t) const {
    if (cpu()) {
      at::autocast::set_autocast_cpu_dtype(t);
      at::autocast::set_cpu_enabled(on);
    } else {
      at::autocast::set_autocast_gpu_dtype(t);
      at::autocast::set_enabled(on);
    }
  }
#endif
  bool on_;
  at::DeviceType type_;
  bool prev_enabled_ = false;
  at::ScalarType prev_dtype_ = at::kFloat;
};

// Dynamic loss scaling: the loss is multiplied by a power of two before backward (exact in
// floating point, so without overflow the unscaled gradients equal the unscaled run's), the
// gradients divided by it before the step; a step whose gradients hold inf or NaN is skipped
// and the scale halved; after `interval` good steps in a row the scale doubles.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, double scale = 65536.0, int interval = 2000)
      : on_(enabled), scale_(scale), interval_(interval) {}
  bool enabled() const { return on_; }
  double scale() const { return scale_; }
  torch::Tensor scaled(const torch::Tensor& loss) const { return on_ ? loss * scale_ : loss; }
  // Unscales the gradients in place; false when the step must be skipped (inf / NaN found).
  bool unscale(const std::vector<torch::Tensor>& params) {
    if (!on_) return true;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> bad;
    for (const auto& p : params) {
      auto g = p.grad();
      if (!g.defined()) continue;
      g.mul_(1.0 / scale_);
      bad.push_back(torch::isfinite(g).logical_not().any());
    }
    bool finite = bad.empty() || !torch::stack(bad).any().item<bool>();
    if (!finite) {
      scale_ /= 2;
      good_ = 0;
      return false;
    }
    if (++good_ >= interval_) {
      scale_ *= 2;
      good_ = 0;
    }
    return true;
  }

 private:
  bool on_;
  double scale_;
  int interval_;
  int good_ = 0;
};

}  // namespace train
}  // namespace gdl
