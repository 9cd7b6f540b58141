// SPDX-License-Identifier: GPL-3.0-or-later
#include "lbfgs.h"

#include <vector>

namespace neural_style {

namespace {

// Pairs whose curvature y . s is this small or negative would make the inverse Hessian indefinite.
constexpr double kMinCurvature = 1e-10;

torch::Tensor take(std::vector<torch::Tensor> &spare) {
    torch::Tensor buffer = spare.back();
    spare.pop_back();
    return buffer;
}

} // namespace

Lbfgs::Lbfgs(double learning_rate, int history) : learning_rate_(learning_rate), history_(history) {}

torch::Tensor Lbfgs::dot(const torch::Tensor &a, const torch::Tensor &b) {
    return torch::mul_out(product_, a, b).sum();
}

void Lbfgs::direction(const torch::Tensor &gradient, torch::Tensor &out) {
    // The two-loop recursion (Nocedal & Wright, algorithm 7.4) on the flattened image, in place in `out`.
    torch::Tensor &q = torch::neg_out(out, gradient);
    std::vector<torch::Tensor> alpha(pairs_.size());
    for (size_t i = pairs_.size(); i-- > 0;) {
        alpha[i] = pairs_[i].rho * dot(pairs_[i].s, q);
        q.addcmul_(pairs_[i].y, alpha[i], -1);
    }
    torch::Tensor &r = q.mul_(gamma_);
    for (size_t i = 0; i < pairs_.size(); ++i) {
        const torch::Tensor beta = pairs_[i].rho * dot(pairs_[i].y, r);
        r.addcmul_(pairs_[i].s, alpha[i] - beta);
    }
}

void Lbfgs::step(torch::Tensor &x, const torch::Tensor &gradient) {
    torch::NoGradGuard no_grad;
    const torch::Tensor g = gradient.detach().to(torch::kFloat32);
    const bool first = !previous_step_.defined();
    if (first) {
        // The history's pairs, the step being taken, the last gradient and the product.
        for (size_t i = 0; i < 2 * history_ + 3; ++i)
            spare_.push_back(torch::empty(g.sizes(), g.options()));
        product_ = take(spare_);
        previous_gradient_ = take(spare_);
    } else if (pairs_.size() == history_) {
        spare_.push_back(pairs_.front().s);
        spare_.push_back(pairs_.front().y);
        pairs_.pop_front();
    }
    torch::Tensor step = take(spare_);
    if (first) {
        // No curvature known yet: a steepest-descent step no longer than lr in the L1 sense, as torch.optim.LBFGS.
        const torch::Tensor l1 = torch::abs_out(product_, g).sum();
        torch::mul_out(step, g, -learning_rate_ * torch::clamp_max(1.0 / l1, 1.0));
        gamma_ = torch::ones({}, g.options());
    } else {
        torch::Tensor y = take(spare_);
        torch::sub_out(y, g, previous_gradient_);
        const torch::Tensor ys = dot(y, previous_step_);
        const torch::Tensor useful = ys > kMinCurvature;
        // Kept on the device: a pair without curvature enters with rho 0, which makes it a no-op.
        const torch::Tensor rho = torch::where(useful, 1.0 / ys, torch::zeros_like(ys));
        gamma_ = torch::where(useful, ys / dot(y, y), gamma_);
        pairs_.push_back({previous_step_, y, rho});
        direction(g, step);
        step.mul_(learning_rate_);
    }
    previous_gradient_.copy_(g);
    previous_step_ = step;
    x.add_(step.to(x.scalar_type()));
}

} // namespace neural_style
