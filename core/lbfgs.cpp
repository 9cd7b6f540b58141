// SPDX-License-Identifier: GPL-3.0-or-later
#include "lbfgs.h"

#include <vector>

namespace neural_style {

namespace {

// Pairs whose curvature y . s is this small or negative would make the inverse Hessian indefinite.
constexpr double kMinCurvature = 1e-10;

} // namespace

Lbfgs::Lbfgs(double learning_rate, int history) : learning_rate_(learning_rate), history_(history) {}

torch::Tensor Lbfgs::direction(const torch::Tensor &gradient) const {
    // The two-loop recursion (Nocedal & Wright, algorithm 7.4) on the flattened image.
    torch::Tensor q = -gradient;
    std::vector<torch::Tensor> alpha(pairs_.size());
    for (size_t i = pairs_.size(); i-- > 0;) {
        alpha[i] = pairs_[i].rho * (pairs_[i].s * q).sum();
        q = q - alpha[i] * pairs_[i].y;
    }
    torch::Tensor r = q * gamma_;
    for (size_t i = 0; i < pairs_.size(); ++i) {
        const torch::Tensor beta = pairs_[i].rho * (pairs_[i].y * r).sum();
        r = r + (alpha[i] - beta) * pairs_[i].s;
    }
    return r;
}

void Lbfgs::step(torch::Tensor &x, const torch::Tensor &gradient) {
    torch::NoGradGuard no_grad;
    const torch::Tensor g = gradient.detach().to(torch::kFloat32);
    torch::Tensor step;
    if (!previous_gradient_.defined()) {
        // No curvature known yet: a steepest-descent step no longer than lr in the L1 sense, as torch.optim.LBFGS.
        step = -g * (learning_rate_ * torch::clamp_max(1.0 / g.abs().sum(), 1.0));
        gamma_ = torch::ones({}, g.options());
    } else {
        const torch::Tensor y = g - previous_gradient_;
        const torch::Tensor ys = (y * previous_step_).sum();
        const torch::Tensor useful = ys > kMinCurvature;
        // Kept on the device: a pair without curvature enters with rho 0, which makes it a no-op.
        const torch::Tensor rho = torch::where(useful, 1.0 / ys, torch::zeros_like(ys));
        gamma_ = torch::where(useful, ys / (y * y).sum(), gamma_);
        if (pairs_.size() == history_)
            pairs_.pop_front();
        pairs_.push_back({previous_step_, y, rho});
        step = direction(g) * learning_rate_;
    }
    previous_gradient_ = g;
    previous_step_ = step;
    x.add_(step.to(x.scalar_type()));
}

} // namespace neural_style
