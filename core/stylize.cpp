#include "stylize.h"

#include "device.h"
#include "error.h"
#include "image.h"
#include "lbfgs.h"
#include "losses.h"
#include "vgg19.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>
#include <memory>

namespace neural_style {

namespace {

struct Losses {
    torch::Tensor total, content, style, tv;
};

// The loss of one scale: VGG19 features of the candidate against the content's and the style's.
class ScaleLoss {
public:
    ScaleLoss(const Vgg19Features &vgg, const StyleOptions &options, const torch::Tensor &content,
              const torch::Tensor &style)
        : vgg_(vgg), options_(options) {
        for (int i = 0; i < kStyleLayerCount; ++i)
            if (options.style_layer_weights[i] > 0 && options.style_weight > 0) {
                style_positions_.push_back(vgg19_conv_position(kStyleLayerNames[i]));
                style_layer_weight_.push_back(options.style_layer_weights[i]);
            }
        positions_ = style_positions_;
        positions_.push_back(vgg19_conv_position(kContentLayerName));

        // Targets never take part in backward; NoGradGuard rather than InferenceMode keeps them usable in it.
        torch::NoGradGuard no_grad;
        content_target_ = vgg_.forward(content, positions_).back();
        if (style_positions_.empty())
            return;
        std::vector<torch::Tensor> style_features = vgg_.forward(style, style_positions_);
        for (size_t i = 0; i < style_positions_.size(); ++i)
            style_grams_.push_back(gram_matrix(style_features[i]));
    }

    Losses operator()(const torch::Tensor &candidate) const {
        std::vector<torch::Tensor> features = vgg_.forward(candidate, positions_);
        Losses losses;
        losses.content = content_loss(features.back(), content_target_);
        losses.style = torch::zeros({}, candidate.options());
        for (size_t i = 0; i < style_positions_.size(); ++i)
            losses.style = losses.style + style_layer_weight_[i] *
                                              style_layer_loss(gram_matrix(features[i]), style_grams_[i], features[i]);
        losses.tv = options_.tv_weight > 0 ? total_variation(imagenet_denormalize(candidate))
                                           : torch::zeros({}, candidate.options());
        losses.total = options_.content_weight * losses.content + options_.style_weight * losses.style +
                       options_.tv_weight * losses.tv;
        return losses;
    }

private:
    const Vgg19Features &vgg_;
    const StyleOptions &options_;
    std::vector<int> style_positions_;
    std::vector<double> style_layer_weight_;
    std::vector<int> positions_;
    torch::Tensor content_target_;
    std::vector<torch::Tensor> style_grams_;
};

struct Scale {
    Size size;
    int steps;
};

// Coarse to fine, each scale about sqrt(2) smaller than the next; coarser scales whose longest side is under
// min_scale_size, and any scale under kMinSide, are dropped. The steps are shared out evenly, the remainder going
// to the finest scale.
std::vector<Scale> plan_scales(Size final_size, const StyleOptions &options) {
    std::vector<Size> sizes;
    for (int s = options.scales - 1; s >= 0; --s) {
        const double factor = std::pow(std::sqrt(2.0), -s);
        Size size{static_cast<int>(std::lround(final_size.width * factor)),
                  static_cast<int>(std::lround(final_size.height * factor))};
        const bool finest = s == 0;
        if (std::min(size.width, size.height) >= kMinSide &&
            (finest || std::max(size.width, size.height) >= options.min_scale_size))
            sizes.push_back(size);
    }
    std::vector<Scale> scales;
    const int count = static_cast<int>(sizes.size());
    for (int i = 0; i < count; ++i)
        scales.push_back({sizes[i], options.steps / count + (i == count - 1 ? options.steps % count : 0)});
    return scales;
}

// Collects per-step losses on the device and hands them to the callback in batches, so that a GPU run is not
// forced to wait for the host after every step.
class StepReporter {
public:
    StepReporter(const StepCallback &callback, torch::Device device, const std::vector<Scale> &scales)
        : callback_(callback), device_name_(describe_device(device)),
          batch_(device.is_cuda() ? 10 : 1), start_(std::chrono::steady_clock::now()) {
        for (const Scale &scale : scales) {
            total_steps_ += scale.steps;
            total_work_ += static_cast<double>(scale.size.width) * scale.size.height * scale.steps;
        }
    }

    // Returns false once the callback has asked to stop.
    bool add(const Losses &losses, Size size) {
        work_ += static_cast<double>(size.width) * size.height;
        pending_.push_back({torch::stack({losses.total.detach(), losses.content.detach(), losses.style.detach(),
                                          losses.tv.detach()}),
                            size, elapsed(), work_ / total_work_});
        if (static_cast<int>(pending_.size()) >= batch_)
            return flush();
        return true;
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
            report.width = pending_[i].size.width;
            report.height = pending_[i].size.height;
            report.total = rows[i][0];
            report.content = rows[i][1];
            report.style = rows[i][2];
            report.tv = rows[i][3];
            report.seconds = pending_[i].seconds;
            report.work_done = pending_[i].work_done;
            report.device = device_name_;
            if (callback_ && keep_going && !callback_(report))
                keep_going = false;
        }
        pending_.clear();
        return keep_going;
    }

private:
    struct Pending {
        torch::Tensor losses;
        Size size;
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
};

// Runs `steps` steps of the chosen optimizer on `candidate`; false when the reporter was told to stop.
bool optimize(torch::Tensor &candidate, const ScaleLoss &loss, const StyleOptions &options, int steps, Size size,
              StepReporter &reporter) {
    if (options.optimizer == Optimizer::adam) {
        torch::optim::Adam adam({candidate}, torch::optim::AdamOptions(options.learning_rate));
        for (int step = 0; step < steps; ++step) {
            adam.zero_grad();
            Losses losses = loss(candidate);
            losses.total.backward();
            adam.step();
            if (!reporter.add(losses, size))
                return false;
        }
        return reporter.flush();
    }

    Lbfgs lbfgs(options.learning_rate, options.lbfgs_history);
    for (int step = 0; step < steps; ++step) {
        candidate.mutable_grad() = torch::Tensor();
        Losses losses = loss(candidate);
        losses.total.backward();
        if (!reporter.add(losses, size))
            return false;
        lbfgs.step(candidate, candidate.grad());
    }
    return reporter.flush();
}

RgbaImage run(const RgbaImage &content, const RgbaImage &style, const Vgg19Weights &weights,
              const StyleOptions &options, const StepCallback &on_step) {
    const torch::Device device = select_device(options.device);
    prepare_device(device, options.threads);

    const Size final_size = fit_within({content.width, content.height}, options.max_size);
    const std::vector<Scale> scales = plan_scales(final_size, options);
    if (scales.empty())
        throw StyleError("content image is too small: the working size " + std::to_string(final_size.width) + "x" +
                         std::to_string(final_size.height) + " needs at least " + std::to_string(kMinSide) +
                         " px on each side");

    const torch::Tensor content_rgb = rgb_tensor(content);
    const torch::Tensor style_rgb = rgb_tensor(style);
    const Vgg19Features vgg(weights, device);
    StepReporter reporter(on_step, device, scales);

    torch::Tensor candidate;
    for (const Scale &scale : scales) {
        // The seed resizes the style image to the content's size; every scale does the same.
        const torch::Tensor content_scaled = upload(imagenet_normalize(resize_rgb(content_rgb, scale.size)), device);
        const torch::Tensor style_scaled = upload(imagenet_normalize(resize_rgb(style_rgb, scale.size)), device);
        const ScaleLoss loss(vgg, options, content_scaled, style_scaled);

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
            // Warm start: the previous scale's result, enlarged.
            candidate = resize_rgb(candidate.detach(), scale.size).contiguous();
        }
        candidate.requires_grad_(true);
        if (!optimize(candidate, loss, options, scale.steps, scale.size, reporter))
            break;
    }

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
