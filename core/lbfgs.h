// SPDX-License-Identifier: GPL-3.0-or-later
// L-BFGS over one tensor, one loss-and-gradient evaluation per iteration: the form jcjohnson/neural-style and
// neural-style-pt run (no line search, step length lr, the first step scaled down by the gradient's size).
#pragma once

#include <torch/types.h>

#include <deque>
#include <vector>

namespace neural_style {

class Lbfgs {
public:
    Lbfgs(double learning_rate, int history);

    // Moves `x` in place along the L-BFGS direction computed from `gradient`, the loss's gradient at `x`.
    // Nothing here reads a value back to the host, so a GPU never waits for the CPU between iterations.
    void step(torch::Tensor &x, const torch::Tensor &gradient);

private:
    // Writes the direction into `out`, which is none of the history's buffers.
    void direction(const torch::Tensor &gradient, torch::Tensor &out);
    // (a . b), through the product buffer.
    torch::Tensor dot(const torch::Tensor &a, const torch::Tensor &b);

    double learning_rate_;
    size_t history_;
    struct Pair {
        torch::Tensor s, y, rho; // step, gradient change, 1 / (y . s) or 0 when that pair carries no curvature
    };
    std::deque<Pair> pairs_;
    torch::Tensor previous_gradient_, previous_step_;
    torch::Tensor gamma_; // initial inverse Hessian scale, (s . y) / (y . y) of the last pair with curvature
    // Every image-sized tensor of the iterations, allocated at the first step and reused: steps, gradient changes,
    // the last gradient and one product. Allocated anew at each step, these long-lived blocks would land among the
    // network's freed activations, in holes a tiled step's next activations then cannot use.
    std::vector<torch::Tensor> spare_;
    torch::Tensor product_;
};

} // namespace neural_style
