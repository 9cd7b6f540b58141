// SPDX-License-Identifier: GPL-3.0-or-later
#include "stylize.h"

#include "device.h"
#include "error.h"
#include "image.h"
#include "lbfgs.h"
#include "run_plan.h"
#include "scale_loss.h"
#include "vgg19.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>

#include <chrono>

namespace neural_style {

namespace {

// Collects per-step losses on the device and hands them to the callback in batches, so that a GPU run is not
// forced to wait for the host after every step.
class StepReporter {
public:
    StepReporter(const StepCallback &callback, torch::Device device, const RunPlan &plan)
        : callback_(callback), device_name_(describe_device(device)),
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

    // Between the tiles of the step after the last one added; false once the callback has asked to stop.
    bool add_tile(int done, int count, const ScalePlan &scale) {
        if (!flush())
            return false;
        StepReport report = last_;
        report.step = step_ + 1;
        report.width = scale.size.width;
        report.height = scale.size.height;
        report.seconds = elapsed();
        report.work_done = (work_ + step_work(scale) * done / count) / total_work_;
        report.in_step = true;
        report.tiles_done = done;
        report.tiles = count;
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
            report.content = rows[i][1];
            report.style = rows[i][2];
            report.tv = rows[i][3];
            report.seconds = pending_[i].seconds;
            report.work_done = pending_[i].work_done;
            report.device = device_name_;
            report.tiles = pending_[i].scale.tiles;
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
// steps, or between tiles: the candidate is then as the last whole step left it).
bool optimize(torch::Tensor &candidate, const ScaleLoss &loss, const StyleOptions &options, const ScalePlan &scale,
              StepReporter &reporter) {
    const TileCallback between_tiles = [&](int done, int count) {
        return done == count || reporter.add_tile(done, count, scale);
    };
    Losses losses;
    torch::Tensor gradient;
    if (options.optimizer == Optimizer::adam) {
        candidate.requires_grad_(true);
        torch::optim::Adam adam({candidate}, torch::optim::AdamOptions(options.learning_rate));
        for (int step = 0; step < scale.steps; ++step) {
            if (!loss.evaluate(candidate, losses, gradient, between_tiles))
                return false;
            candidate.mutable_grad() = gradient;
            adam.step();
            if (!reporter.add(losses, scale))
                return false;
        }
        return reporter.flush();
    }

    Lbfgs lbfgs(options.learning_rate, scale.lbfgs_history);
    for (int step = 0; step < scale.steps; ++step) {
        if (!loss.evaluate(candidate, losses, gradient, between_tiles))
            return false;
        if (!reporter.add(losses, scale))
            return false;
        lbfgs.step(candidate, gradient);
    }
    return reporter.flush();
}

RgbaImage run(const RgbaImage &content, const RgbaImage &style, const Vgg19Weights &weights,
              const StyleOptions &options, const StepCallback &on_step) {
    const torch::Device device = select_device(options.device);
    prepare_device(device, options.threads);
    const RunPlan plan = plan_run({content.width, content.height}, {style.width, style.height}, options,
                                  device.is_cuda());

    const torch::Tensor content_rgb = rgb_tensor(content);
    const torch::Tensor style_rgb = rgb_tensor(style);
    const Vgg19Features vgg(weights, device);
    StepReporter reporter(on_step, device, plan);

    torch::Tensor candidate;
    for (const ScalePlan &scale : plan.scales) {
        torch::Tensor content_scaled = upload(imagenet_normalize(resize_rgb(content_rgb, scale.size)), device);
        const ScaleLoss loss(vgg, options, content_scaled,
                             upload(imagenet_normalize(resize_rgb(style_rgb, scale.style_size)), device),
                             scale.tile_side);

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
        if (!optimize(candidate, loss, options, scale, reporter))
            break;
    }

    // The last scale is the content's size unless max-size asked for less: then the result is enlarged to it.
    const torch::Tensor result = imagenet_denormalize(candidate.detach()).to(torch::kCPU).clamp(0, 1);
    return image_from_rgb(resize_rgb(result, {content.width, content.height}), content);
}

} // namespace

RgbaImage stylize(const RgbaImage &content, const RgbaImage &style, const Vgg19Weights &weights,
                  const StyleOptions &options, const StepCallback &on_step) {
    check_image(content, "content");
    check_image(style, "style");
    validate(options);
    if (weights.conv_weight.size() != vgg19_convs().size() || weights.conv_bias.size() != vgg19_convs().size())
        throw StyleError("VGG19 weights are incomplete");
    try {
        return run(content, style, weights, options, on_step);
    } catch (const c10::OutOfMemoryError &) {
        throw StyleError("out of memory on the GPU: try the CPU (device cpu) or a smaller working size");
    } catch (const c10::Error &e) {
        throw StyleError(std::string("LibTorch failed: ") + e.what_without_backtrace());
    }
}

} // namespace neural_style
