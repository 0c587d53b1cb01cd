// Tolerance: the one place that states numerics.md section 3's tolerance for every output.
//
// Invariant: no other file holds a tolerance formula; the comparator evaluates these with two
// rules (strict G and the WARN band's G) and nothing else. A correct implementation that fails is
// fixed here, with the reason written below.
//
// Notation, per feature (the reference's normalizing statistics): mu, var, eps,
// invstd = 1/sqrt(var + eps) (0 when var + eps == 0, see invstd_of), s = sqrt(var + eps),
// kappa = |mu| * invstd, A = mean |x|, M the reduction size, G the growth factor, ua the unit
// roundoff of accumulation (float32's for f32/bf16/f16 storage, float64's for f64), ue that of
// the storage type (elementwise rounding). Every "/ s" of numerics.md is written "* invstd" and
// every "/ (var + eps)" "* invstd^2", so a zero-variance channel with eps = 0 keeps finite
// tolerances (kappa = 0, y = beta within 2uaG|gamma| + 2ue(|beta| + |y|)) instead of infinite ones.
//
//   mean          2uaG*A + ue*|mu| + ue*s
//   variance      2uaG*var + (2uaG*A)^2 + 4ue*(var + eps)      (numerics.md: ue*(var + eps))
//   running mean  m*tau_mean + 4ue*(|(1-m)*rm| + |m*mu|)           (numerics.md: 2ue*|rm'|)
//   running var   m*tau_var*M/(M-1) + 4ue*(|(1-m)*rv| + |m*var*M/(M-1)|)   (2ue*|rv'|)
//   y, training   2uaG*|gamma|*(1 + kappa + |xhat|) + 2ue*(|beta| + |y|)
//   y, inference  4ue*(|gamma|*(|xhat| + kappa) + |beta|)
//   dbeta         2uaG * sum|dy|
//   dgamma        2uaG*sum|dy*xhat| + tau_mean*invstd*|sum dy| + 0.5*tau_var*invstd^2*|dgamma|
//   dx            |gamma|*invstd*[2uaG*(|dy| + mean|dy| + |xhat|*mean|dy*xhat|)
//                   + (tau_mean*invstd + |xhat|*0.5*tau_var*invstd^2)*|dgamma|/M] + 4ue*|dx|
//   dx, global    8ue*|gamma|*invstd*|dy|   (backward with running statistics)
//
// Three departures from numerics.md's table, each for a correct implementation that failed:
// - running statistics, 4ue on the update's two terms instead of 2ue on its result: the float
//   update (1 - m) * rv + m * var * M / (M - 1) rounds 1 - m (0.9 is no float), M / (M - 1), both
//   products and the sum; Eigen and PyTorch measured 2.1ue of |rv'| at M = 2. Bounding by the
//   terms also covers running and batch values of opposite sign, where |rm'| is small.
// - variance, 4ue instead of ue on var + eps: a library that saves invstd = 1/sqrt(var + eps)
//   (cuDNN, PyTorch) is converted back by its backend, var = invstd^-2 - eps; invstd's float
//   evaluation and rounding carry about 2ue each into invstd^-2, so the saved variance is only
//   good to a few ue of var + eps (PyTorch on subnormal inputs, var << eps: 1.4ue measured).
// - dx with global statistics (last line): dx is then a purely elementwise product,
//   gamma * invstd * dy, whose float evaluation rounds eps, var + eps, the square root, the
//   reciprocal (or an rsqrt estimate refined once) and two products: about 5 roundings, so 8ue
//   leaves a margin without accepting a wrong formula.
//
// G is ceil(log2 M) + 1 for the strict rule (tree or blocked summation) and sqrt(M) for the WARN
// band (recursive float accumulation), taken no smaller than the strict G so that the band always
// contains the strict rule (M < 64).
#pragma once

#include <cstdint>

#include "problem.h"
#include "reference.h"

namespace bnbench {

struct ToleranceRule {
  double g = 1;                     // growth factor G
  double u_elementwise = 0x1p-24;   // ue: storage type's unit roundoff
  double u_accumulation = 0x1p-24;  // ua: accumulation type's unit roundoff
};

double unit_roundoff(DType t);            // 2^-24 for f32, 2^-53 for f64
double strict_growth(int64_t reduction);  // ceil(log2 M) + 1
double warn_growth(int64_t reduction);    // max(sqrt(M), strict G)
ToleranceRule strict_rule(DType t, int64_t reduction);
ToleranceRule warn_rule(DType t, int64_t reduction);

// The per-feature scales the formulas read, normally taken from the reference. The statistics
// are set through set_statistics() so that invstd and s are computed once per feature.
struct FeatureScale {
  double abs_mean = 0;  // A
  double gamma = 1, beta = 0;
  int64_t reduction = 1;  // M
  double sum_dy = 0, sum_abs_dy = 0, sum_abs_dy_xhat = 0;
  double dgamma = 0;  // sum dy*xhat (backward)

  void set_statistics(double mean, double var, double eps);
  double mean() const { return mean_; }
  double var() const { return var_; }
  double eps() const { return eps_; }
  double invstd() const { return invstd_; }
  double s() const { return s_; }
  double kappa() const { return kappa_; }  // |mu| * invstd

 private:
  double mean_ = 0, var_ = 0, eps_ = 0, invstd_ = 0, s_ = 0, kappa_ = 0;
};
FeatureScale feature_scale(const Problem& p, const Reference& r, int64_t feature);

double tau_mean(const ToleranceRule& r, const FeatureScale& f);
double tau_var(const ToleranceRule& r, const FeatureScale& f);
double tau_running_mean(const ToleranceRule& r, const FeatureScale& f, double momentum,
                        double running_mean_new);
double tau_running_var(const ToleranceRule& r, const FeatureScale& f, double momentum,
                       double running_var_new);
double tau_y_training(const ToleranceRule& r, const FeatureScale& f, double xhat, double y);
double tau_y_inference(const ToleranceRule& r, const FeatureScale& f, double xhat);
double tau_dbeta(const ToleranceRule& r, const FeatureScale& f);
double tau_dgamma(const ToleranceRule& r, const FeatureScale& f);
double tau_dx(const ToleranceRule& r, const FeatureScale& f, double dy, double xhat, double dx);
double tau_dx_global(const ToleranceRule& r, const FeatureScale& f, double dy);

}  // namespace bnbench
