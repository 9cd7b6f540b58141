// SPDX-License-Identifier: GPL-3.0-or-later
#include "stylize.h"

#include "colors.h"
#include "device.h"
#include "error.h"
#include "guides.h"
#include "image.h"
#include "lbfgs.h"
#include "run_plan.h"
#include "scale_loss.h"
#include "vgg19.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>

namespace neural_style {

namespace {

// Collects per-step losses on the device and hands them to the callback in batches, so that a GPU run is not
// forced to wait for the host after every step.
class StepReporter {
public:
    // `picture` makes StepReport::picture's image.
    StepReporter(const StepCallback &callback, torch::Device device, const RunPlan &plan,
                 std::function<RgbaImage(int)> picture)
        : callback_(callback), picture_(std::move(picture)), device_name_(describe_device(device)),
          batch_(device.is_cuda() ? 10 : 1), start_(std::chrono::steady_clock::now()) {
        for (const ScalePlan &scale : plan.scales) {
            total_steps_ += scale.steps;
            total_work_ += step_work(scale) * scale.steps;
        }
    }

    // Returns false once the callback has asked to stop.
    bool add(const Losses &losses, const ScalePlan &scale) {
        work_ += step_work(scale);
        pending_.push_back({torch::stack({losses.total, losses.content, losses.style, losses.tv}), scale, elapsed(),
                            work_ / total_work_});
        if (static_cast<int>(pending_.size()) >= batch_)
            return flush();
        return true;
    }

    // Between the tiles of the step after the last one added, `share` of its work done; false once the callback has
    // asked to stop.
    bool add_tile(int done, int count, double share, const ScalePlan &scale) {
        if (!flush())
            return false;
        StepReport report = last_;
        report.step = step_ + 1;
        report.width = scale.size.width;
        report.height = scale.size.height;
        report.seconds = elapsed();
        report.work_done = (work_ + step_work(scale) * share) / total_work_;
        report.in_step = true;
        report.tiles_done = done;
        report.tiles = count;
        report.picture = picture_;
        return !callback_ || callback_(report);
    }

    bool flush() {
        if (pending_.empty())
            return true;
        std::vector<torch::Tensor> values;
        for (const Pending &p : pending_)
            values.push_back(p.losses);
        torch::Tensor host = torch::stack(values).to(torch::kCPU, torch::kFloat64);
        auto rows = host.accessor<double, 2>();
        bool keep_going = true;
        for (size_t i = 0; i < pending_.size(); ++i) {
            StepReport report;
            report.step = ++step_;
            report.total_steps = total_steps_;
            report.width = pending_[i].scale.size.width;
            report.height = pending_[i].scale.size.height;
            report.total = rows[i][0];
            // A learning rate far too large (L-BFGS at 10, Adam at 1e9) overflows the candidate: every later step
            // is NaN, and the result would be a black picture.
            if (!std::isfinite(report.total))
                throw StyleError(ErrorKind::diverged,
                                 "the run diverged: its loss is no longer a number at step " +
                                     std::to_string(report.step) + "; lower the learning rate",
                                 {std::to_string(report.step)});
            report.content = rows[i][1];
            report.style = rows[i][2];
            report.tv = rows[i][3];
            report.seconds = pending_[i].seconds;
            report.work_done = pending_[i].work_done;
            report.device = device_name_;
            report.tiles = pending_[i].scale.tiles;
            report.picture = picture_;
            last_ = report;
            if (callback_ && keep_going && !callback_(report))
                keep_going = false;
        }
        pending_.clear();
        return keep_going;
    }

private:
    struct Pending {
        torch::Tensor losses;
        ScalePlan scale;
        double seconds;
        double work_done;
    };

    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

    const StepCallback &callback_;
    std::function<RgbaImage(int)> picture_;
    std::string device_name_;
    int total_steps_ = 0;
    double total_work_ = 0; // the pixels of every step of the run added up
    double work_ = 0;
    int batch_;
    int step_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::vector<Pending> pending_;
    StepReport last_; // the last step reported, for the reports between tiles
};

// Runs the scale's steps of the chosen optimizer on `candidate`; false when the reporter was told to stop (between
// steps, or between tiles: the candidate is then as the last whole step left it). `curvature_scale` carries L-BFGS's
// from one scale to the next.
bool optimize(torch::Tensor &candidate, const ScaleLoss &loss, const StyleOptions &options, const ScalePlan &scale,
              StepReporter &reporter, torch::Tensor &curvature_scale) {
    const TileCallback between_tiles = [&](int done, int count, double share) {
        keep_within_plan(candidate.device(), scale);
        return done == count || reporter.add_tile(done, count, share, scale);
    };
    Losses losses;
    torch::Tensor gradient;
    if (options.optimizer == Optimizer::adam) {
        candidate.requires_grad_(true);
        torch::optim::Adam adam({candidate}, torch::optim::AdamOptions(options.learning_rate));
        for (int step = 0; step < scale.steps; ++step) {
            keep_within_plan(candidate.device(), scale);
            if (!loss.evaluate(candidate, losses, gradient, between_tiles))
                return false;
            candidate.mutable_grad() = gradient;
            adam.step();
            if (!reporter.add(losses, scale))
                return false;
        }
        return reporter.flush();
    }

    Lbfgs lbfgs(options.learning_rate, scale.lbfgs_history, curvature_scale);
    for (int step = 0; step < scale.steps; ++step) {
        keep_within_plan(candidate.device(), scale);
        if (!loss.evaluate(candidate, losses, gradient, between_tiles))
            return false;
        if (!reporter.add(losses, scale))
            return false;
        lbfgs.step(candidate, gradient);
    }
    curvature_scale = lbfgs.curvature_scale();
    return reporter.flush();
}

// A style picture as the network will see it at full size: colours as the colour mode asks, transparency filled.
struct StyleSource {
    torch::Tensor rgb;
    torch::Tensor alpha; // undefined: opaque
    Size size;
    double share;
};

std::vector<double> normalized_shares(const std::vector<double> &shares, size_t count) {
    std::vector<double> result = shares.empty() ? std::vector<double>(count, 1.0) : shares;
    double sum = 0;
    for (double share : result)
        sum += share;
    for (double &share : result)
        share /= sum;
    return result;
}

std::vector<StyleSource> style_sources(const std::vector<RgbaImage> &styles, const StyleOptions &options,
                                       const torch::Tensor &content_rgb, const torch::Tensor &content_alpha) {
    const std::vector<double> shares = normalized_shares(options.style_shares, styles.size());
    std::vector<StyleSource> sources;
    for (size_t i = 0; i < styles.size(); ++i) {
        StyleSource source{rgb_tensor(styles[i]), alpha_tensor(styles[i]), {styles[i].width, styles[i].height},
                           shares[i]};
        if (source.alpha.defined()) {
            if (source.alpha.sum().item<double>() <= 0)
                throw StyleError(ErrorKind::style_transparent,
                                 styles.size() == 1 ? "the style image is fully transparent"
                                                    : "style image " + std::to_string(i + 1) + " is fully transparent",
                                 {std::to_string(i + 1)});
            source.rgb = fill_hidden(source.rgb, source.alpha);
        }
        if (options.colors == ColorMode::luminance)
            source.rgb = matched_luminance_rgb(source.rgb, source.alpha, content_rgb, content_alpha);
        else if (options.colors == ColorMode::histogram)
            source.rgb = matched_colors(source.rgb, source.alpha, content_rgb, content_alpha);
        sources.push_back(source);
    }
    return sources;
}

RgbaImage run(const RgbaImage &content, const std::vector<RgbaImage> &styles, const GreyImage &mask,
              const Vgg19Weights &weights, const StyleOptions &options, const StepCallback &on_step) {
    const torch::Device device = select_device(options.device);
    prepare_device(device, options.threads);
    const Size content_size{content.width, content.height};
    std::vector<Size> style_sizes;
    for (const RgbaImage &style : styles)
        style_sizes.push_back({style.width, style.height});
    const RunPlan plan = plan_run(content_size, largest_size(style_sizes), options, device.is_cuda());

    // What hides under the content's transparency pulls nothing, and takes no style: its alpha guides the style
    // loss, with the artist's mask when there is one.
    const torch::Tensor original_rgb = rgb_tensor(content);
    const torch::Tensor content_alpha = alpha_tensor(content);
    const torch::Tensor content_rgb =
        content_alpha.defined() ? fill_hidden(original_rgb, content_alpha) : original_rgb;
    torch::Tensor mask_map = mask.empty() ? torch::Tensor() : grey_tensor(mask, "mask");
    if (mask_map.defined())
        mask_map = mask_map.eq(1).all().item<bool>() ? torch::Tensor() // a white mask is no mask, to the bit
                                                     : resize_weight(mask_map, content_size);
    torch::Tensor guide = mask_map;
    if (content_alpha.defined())
        guide = guide.defined() ? guide * content_alpha : content_alpha;
    const std::vector<StyleSource> sources = style_sources(styles, options, content_rgb, content_alpha);
    const torch::Tensor painted_rgb = options.colors == ColorMode::luminance ? luminance_rgb(content_rgb) : content_rgb;

    // The candidate as the result shows it: with the content's chroma in luminance mode, and the content kept
    // outside the mask (a soft mask blends).
    const auto finished = [&](torch::Tensor rgb, Size size) {
        if (options.colors == ColorMode::luminance)
            rgb = with_chroma_of(rgb, resize_rgb(content_rgb, size));
        if (mask_map.defined()) {
            const torch::Tensor mask_here = resize_weight(mask_map, size);
            rgb = mask_here * rgb + (1 - mask_here) * resize_rgb(original_rgb, size);
        }
        return rgb;
    };
    torch::Tensor candidate;
    const auto picture = [&](int max_side) {
        torch::NoGradGuard no_grad;
        const Size size = fit_within(content_size, max_side);
        const torch::Tensor small = resize_rgb(imagenet_denormalize(candidate.detach()), size).clamp(0, 1);
        return image_from_rgb(finished(small.to(torch::kCPU), size), RgbaImage(size.width, size.height));
    };

    const Vgg19Features vgg(weights, device);
    StepReporter reporter(on_step, device, plan, picture);

    // L-BFGS's pairs are image-sized and stay with their scale; its curvature scale goes on to the next, whose first
    // step it makes a real one (measured at 1024x640, see lbfgs.h).
    torch::Tensor curvature_scale;
    for (const ScalePlan &scale : plan.scales) {
        // The last scale's freed activations are the wrong sizes for this one's: kept, they add up over the scales
        // (the default run at 2560x1600 reached 23 GB at its last scale, planned for 16).
        release_freed_memory(device);
        set_blas_threads_for(device, scale);
        torch::Tensor content_scaled = upload(imagenet_normalize(resize_rgb(painted_rgb, scale.size)), device);
        std::vector<ScaleStyle> scaled_styles;
        for (const StyleSource &source : sources) {
            const Size size = style_size_at(source.size, scale.size, options.style_scale);
            scaled_styles.push_back({upload(imagenet_normalize(resize_rgb(source.rgb, size)), device),
                                     source.alpha.defined() ? upload(resize_weight(source.alpha, size), device)
                                                            : torch::Tensor(),
                                     source.share});
        }
        const ScaleLoss loss(vgg, options, content_scaled,
                             guide.defined() ? upload(resize_weight(guide, scale.size), device) : torch::Tensor(),
                             scaled_styles, scale.tile_side, [&] { keep_setup_within_plan(device, scale); });
        scaled_styles.clear();

        if (!candidate.defined()) {
            if (options.init == Init::content) {
                candidate = content_scaled.clone();
            } else {
                // A generator of its own: the caller's global random state stays untouched.
                const at::Generator generator = at::detail::createCPUGenerator(options.seed);
                candidate = upload(
                    imagenet_normalize(torch::rand({1, 3, scale.size.height, scale.size.width}, generator)), device);
            }
        } else {
            // Warm start: the previous scale's result, enlarged; only ever to a scale that is then computed.
            candidate = resize_rgb(candidate.detach(), scale.size).contiguous();
        }
        candidate = candidate.detach();
        content_scaled = torch::Tensor(); // the loss keeps what it needs of it: at 8192x5464 this frees 540 MB
        if (!optimize(candidate, loss, options, scale, reporter, curvature_scale))
            break;
    }

    // The last scale is the content's size unless max-size asked for less: then the result is enlarged to it.
    return image_from_rgb(
        finished(resize_rgb(imagenet_denormalize(candidate.detach()).to(torch::kCPU).clamp(0, 1), content_size),
                 content_size),
        content);
}

} // namespace

RgbaImage stylize(const RgbaImage &content, const std::vector<RgbaImage> &styles, const Vgg19Weights &weights,
                  const StyleOptions &options, const StepCallback &on_step, const GreyImage &mask) {
    check_image(content, "content");
    if (styles.empty() || styles.size() > static_cast<size_t>(limits::styles.max))
        throw StyleError("a run takes from " + std::to_string(limits::styles.min) + " to " +
                         std::to_string(limits::styles.max) + " style images");
    for (size_t i = 0; i < styles.size(); ++i)
        check_image(styles[i], styles.size() == 1 ? "style" : ("style " + std::to_string(i + 1)).c_str());
    validate(options);
    if (!options.style_shares.empty() && options.style_shares.size() != styles.size())
        throw StyleError("style-blend has " + std::to_string(options.style_shares.size()) + " shares for " +
                         std::to_string(styles.size()) + " style images");
    if (weights.conv_weight.size() != vgg19_convs().size() || weights.conv_bias.size() != vgg19_convs().size())
        throw StyleError("VGG19 weights are incomplete");
    try {
        return run(content, styles, mask, weights, options, on_step);
    } catch (const c10::OutOfMemoryError &) {
        throw StyleError(ErrorKind::gpu_out_of_memory,
                         "out of memory on the GPU: try the CPU (device cpu) or a smaller working size");
    } catch (const c10::Error &e) {
        throw StyleError(std::string("LibTorch failed: ") + e.what_without_backtrace());
    }
}

} // namespace neural_style
