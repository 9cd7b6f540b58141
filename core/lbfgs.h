// SPDX-License-Identifier: GPL-3.0-or-later
// L-BFGS over one tensor, one loss-and-gradient evaluation per iteration: the form jcjohnson/neural-style and
// neural-style-pt run (no line search, step length lr, the first step scaled down by the gradient's size).
#pragma once

#include <torch/types.h>

#include <deque>

namespace neural_style {

class Lbfgs {
public:
    Lbfgs(double learning_rate, int history);

    // Moves `x` in place along the L-BFGS direction computed from `gradient`, the loss's gradient at `x`.
    // Nothing here reads a value back to the host, so a GPU never waits for the CPU between iterations.
    void step(torch::Tensor &x, const torch::Tensor &gradient);

private:
    torch::Tensor direction(const torch::Tensor &gradient) const;

    double learning_rate_;
    size_t history_;
    struct Pair {
        torch::Tensor s, y, rho; // step, gradient change, 1 / (y . s) or 0 when that pair carries no curvature
    };
    std::deque<Pair> pairs_;
    torch::Tensor previous_gradient_, previous_step_;
    torch::Tensor gamma_; // initial inverse Hessian scale, (s . y) / (y . y) of the last pair with curvature
};

} // namespace neural_style
