// SPDX-License-Identifier: GPL-3.0-or-later
#include "lbfgs.h"

#include <limits>
#include <utility>
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

Lbfgs::Lbfgs(double learning_rate, int history, torch::Tensor curvature_scale)
    : learning_rate_(learning_rate), history_(history), carried_scale_(std::move(curvature_scale)) {}

torch::Tensor Lbfgs::curvature_scale() const {
    if (!gamma_.defined())
        return {};
    const torch::Tensor unknown = carried_scale_.defined()
                                      ? carried_scale_
                                      : torch::full_like(gamma_, std::numeric_limits<double>::quiet_NaN());
    if (pairs_.empty())
        return unknown;
    std::vector<torch::Tensor> scales;
    for (const Pair &pair : pairs_)
        scales.push_back(pair.scale);
    const torch::Tensor smallest = torch::stack(scales).min();
    return torch::where(torch::isinf(smallest), unknown, smallest);
}

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
        // No pair yet: a steepest-descent step no longer than lr in the L1 sense, as torch.optim.LBFGS, or one scaled
        // by the curvature a coarser scale measured.
        const torch::Tensor l1 = torch::abs_out(product_, g).sum();
        torch::Tensor scale = torch::clamp_max(1.0 / l1, 1.0);
        gamma_ = torch::ones({}, g.options());
        if (carried_scale_.defined()) {
            const torch::Tensor known = torch::isfinite(carried_scale_);
            scale = torch::where(known, carried_scale_, scale);
            gamma_ = torch::where(known, carried_scale_, gamma_);
        }
        torch::mul_out(step, g, -learning_rate_ * scale);
    } else {
        torch::Tensor y = take(spare_);
        torch::sub_out(y, g, previous_gradient_);
        const torch::Tensor ys = dot(y, previous_step_);
        const torch::Tensor useful = ys > kMinCurvature;
        // Kept on the device: a pair without curvature enters with rho 0, which makes it a no-op.
        const torch::Tensor rho = torch::where(useful, 1.0 / ys, torch::zeros_like(ys));
        const torch::Tensor scale =
            torch::where(useful, ys / dot(y, y), torch::full_like(ys, std::numeric_limits<double>::infinity()));
        gamma_ = torch::where(useful, scale, gamma_);
        pairs_.push_back({previous_step_, y, rho, scale});
        direction(g, step);
        step.mul_(learning_rate_);
    }
    previous_gradient_.copy_(g);
    previous_step_ = step;
    x.add_(step.to(x.scalar_type()));
}

} // namespace neural_style
