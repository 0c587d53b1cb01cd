// Tolerance: numerics.md section 3's formulas, exactly as listed in tolerance.h.
//
// Invariant: each function is one line of that table; accumulation terms (those with G) use
// u_accumulation and rounding terms use u_elementwise, so a bf16/f16 rule only changes the rule.
#include "tolerance.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bnbench {

double unit_roundoff(DType t) { return t == DType::f32 ? 0x1p-24 : 0x1p-53; }

double strict_growth(int64_t reduction) {
  const auto m = static_cast<uint64_t>(reduction);
  const int ceil_log2 = m <= 1 ? 0 : 64 - std::countl_zero(m - 1);
  return ceil_log2 + 1.0;
}

double warn_growth(int64_t reduction) {
  return std::max(std::sqrt(static_cast<double>(reduction)), strict_growth(reduction));
}

ToleranceRule strict_rule(DType t, int64_t reduction) {
  return {strict_growth(reduction), unit_roundoff(t), unit_roundoff(t)};
}

ToleranceRule warn_rule(DType t, int64_t reduction) {
  return {warn_growth(reduction), unit_roundoff(t), unit_roundoff(t)};
}

void FeatureScale::set_statistics(double mean, double var, double eps) {
  mean_ = mean;
  var_ = var;
  eps_ = eps;
  invstd_ = invstd_of(var, eps);
  s_ = std::sqrt(var + eps);
  kappa_ = std::fabs(mean) * invstd_;
}

FeatureScale feature_scale(const Problem& p, const Reference& r, int64_t f) {
  auto at = [f](const std::vector<double>& v) { return v.empty() ? 0.0 : v[f]; };
  FeatureScale fs;
  fs.set_statistics(r.mean[f], r.var[f], p.eps);
  fs.abs_mean = at(r.abs_mean);
  fs.gamma = r.gamma[f];
  fs.beta = r.beta[f];
  fs.reduction = r.reduction;
  fs.sum_dy = at(r.sum_dy);
  fs.sum_abs_dy = at(r.sum_abs_dy);
  fs.sum_abs_dy_xhat = at(r.sum_abs_dy_xhat);
  fs.dgamma = at(r.sum_dy_xhat);
  return fs;
}

double tau_mean(const ToleranceRule& r, const FeatureScale& f) {
  return 2 * r.u_accumulation * r.g * f.abs_mean + r.u_elementwise * std::fabs(f.mean()) +
         r.u_elementwise * f.s();
}

double tau_var(const ToleranceRule& r, const FeatureScale& f) {
  const double spread = 2 * r.u_accumulation * r.g * f.abs_mean;
  return 2 * r.u_accumulation * r.g * f.var() + spread * spread +
         4 * r.u_elementwise * (f.var() + f.eps());
}

// The float update (1 - m) * old + m * batch rounds 1 - m (0.9 is not a float), both products
// and the sum, so its rounding is bounded by the terms, not the result; |(1 - m) * old| is
// recovered from the new value as |new - m * batch|.
double tau_running_mean(const ToleranceRule& r, const FeatureScale& f, double momentum,
                        double running_mean_new) {
  const double batch_term = momentum * f.mean();
  return momentum * tau_mean(r, f) +
         4 * r.u_elementwise * (std::fabs(running_mean_new - batch_term) + std::fabs(batch_term));
}

double tau_running_var(const ToleranceRule& r, const FeatureScale& f, double momentum,
                       double running_var_new) {
  const double m = static_cast<double>(f.reduction);
  const double batch_term = momentum * f.var() * m / (m - 1);
  return momentum * tau_var(r, f) * m / (m - 1) +
         4 * r.u_elementwise * (std::fabs(running_var_new - batch_term) + std::fabs(batch_term));
}

double tau_y_training(const ToleranceRule& r, const FeatureScale& f, double xhat, double y) {
  return 2 * r.u_accumulation * r.g * std::fabs(f.gamma) * (1 + f.kappa() + std::fabs(xhat)) +
         2 * r.u_elementwise * (std::fabs(f.beta) + std::fabs(y));
}

double tau_y_inference(const ToleranceRule& r, const FeatureScale& f, double xhat) {
  return 4 * r.u_elementwise *
         (std::fabs(f.gamma) * (std::fabs(xhat) + f.kappa()) + std::fabs(f.beta));
}

double tau_dbeta(const ToleranceRule& r, const FeatureScale& f) {
  return 2 * r.u_accumulation * r.g * f.sum_abs_dy;
}

double tau_dgamma(const ToleranceRule& r, const FeatureScale& f) {
  const double invstd = f.invstd();
  return 2 * r.u_accumulation * r.g * f.sum_abs_dy_xhat +
         tau_mean(r, f) * invstd * std::fabs(f.sum_dy) +
         0.5 * tau_var(r, f) * invstd * invstd * std::fabs(f.dgamma);
}

double tau_dx(const ToleranceRule& r, const FeatureScale& f, double dy, double xhat, double dx) {
  const double invstd = f.invstd(), m = static_cast<double>(f.reduction);
  const double sums = std::fabs(dy) + f.sum_abs_dy / m + std::fabs(xhat) * f.sum_abs_dy_xhat / m;
  const double stats =
      tau_mean(r, f) * invstd + std::fabs(xhat) * 0.5 * tau_var(r, f) * invstd * invstd;
  return std::fabs(f.gamma) * invstd *
             (2 * r.u_accumulation * r.g * sums + stats * std::fabs(f.dgamma) / m) +
         4 * r.u_elementwise * std::fabs(dx);
}

double tau_dx_global(const ToleranceRule& r, const FeatureScale& f, double dy) {
  return 8 * r.u_elementwise * std::fabs(f.gamma) * f.invstd() * std::fabs(dy);
}

}  // namespace bnbench
