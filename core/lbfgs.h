// SPDX-License-Identifier: GPL-3.0-or-later
// L-BFGS over one tensor, one loss-and-gradient evaluation per iteration: the form jcjohnson/neural-style and
// neural-style-pt run (no line search, step length lr, the first step scaled down by the gradient's size), which may
// start from the curvature a coarser scale of the same run measured.
#pragma once

#include <torch/types.h>

#include <deque>
#include <vector>

namespace neural_style {

class Lbfgs {
public:
    // `curvature_scale`: what curvature_scale() gave at the end of the coarser scale before this one, or undefined.
    // With it, the first step is -lr * curvature_scale * gradient instead of a steepest-descent step of L1 length lr,
    // which at millions of pixels barely moves them. In the default run at 1024x640 (Autumn in the style of Cascade,
    // 300 steps over 5 scales) the first step of each finer scale then lowered the style loss by 3% to 6% instead of
    // under 0.1%, and the run ended 11% lower, reaching the former end after 12 of the last scale's 18 steps.
    Lbfgs(double learning_rate, int history, torch::Tensor curvature_scale = {});

    // The smallest inverse Hessian scale, (s . y) / (y . y), of the history's pairs with curvature: the stiffest
    // direction seen lately, which a gradient step is dominated by. In the run above it varied tenfold within a
    // scale, and a finer scale's first pair measured it at about the coarser scale's smallest; the last pair's
    // instead overshot at two of four scales (the style loss tripled). A 0-dimensional tensor on the image's device;
    // without such a pair the scale this one was given (NaN if none), and undefined before the first step.
    torch::Tensor curvature_scale() const;

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
        torch::Tensor scale;     // (s . y) / (y . y), or infinity when that pair carries no curvature
    };
    std::deque<Pair> pairs_;
    torch::Tensor previous_gradient_, previous_step_;
    torch::Tensor gamma_; // initial inverse Hessian scale, (s . y) / (y . y) of the last pair with curvature
    torch::Tensor carried_scale_;
    // Every image-sized tensor of the iterations, allocated at the first step and reused: steps, gradient changes,
    // the last gradient and one product. Allocated anew at each step, these long-lived blocks would land among the
    // network's freed activations, in holes a tiled step's next activations then cannot use.
    std::vector<torch::Tensor> spare_;
    torch::Tensor product_;
};

} // namespace neural_style
