// SPDX-License-Identifier: GPL-3.0-or-later
#include "job.h"

#include "device.h"
#include "error_text.h"
#include "image.h"
#include "pace.h"
#include "stylize.h"
#include "weights.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>

namespace nst_plugin {

struct StyleJob::State {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::atomic<bool> stop{false};
    mutable std::mutex mutex;
    std::condition_variable ended_signal;
    bool ended = false;
    JobProgress progress;
    std::optional<neural_style::StyleError> failure;
    neural_style::RgbaImage result;
    neural_style::RgbaImage picture;
    double picture_seconds = 0; // when the picture was taken
    int picture_width = 0;      // of the scale it was taken at
    neural_style::PaceMeter pace;
    std::thread worker;

    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

bool computes_on_cuda(neural_style::DeviceChoice choice) { return neural_style::select_device(choice).is_cuda(); }

StyleJob::StyleJob(neural_style::RgbaImage content, std::vector<neural_style::RgbaImage> styles,
                   neural_style::GreyImage mask, const neural_style::StyleOptions &options, std::string weights_path)
    : state_(std::make_unique<State>()) {
    state_->progress.total_steps = options.steps;
    State *state = state_.get();
    state_->worker = std::thread([state, options, weights_path = std::move(weights_path),
                                  content = std::move(content), styles = std::move(styles), mask = std::move(mask)] {
        std::optional<neural_style::StyleError> failure;
        neural_style::RgbaImage result;
        try {
            // So that the window names the device at once; stylize() prepares it.
            {
                std::lock_guard<std::mutex> lock(state->mutex);
                state->progress.device = neural_style::describe_device(neural_style::select_device(options.device));
            }
            const neural_style::Vgg19Weights weights = neural_style::load_vgg19_weights(weights_path);
            {
                std::lock_guard<std::mutex> lock(state->mutex);
                state->progress.weights_loaded = true;
            }
            const auto on_step = [state](const neural_style::StepReport &report) {
                const bool stopping = state->stop.load();
                if (!report.in_step && (stopping || report.width != state->picture_width ||
                                        state->elapsed() - state->picture_seconds >= kPictureSeconds)) {
                    neural_style::RgbaImage picture = report.picture(kPictureSide);
                    std::lock_guard<std::mutex> lock(state->mutex);
                    state->picture = std::move(picture);
                    state->picture_seconds = state->elapsed();
                    state->picture_width = report.width;
                    ++state->progress.picture_serial;
                }
                std::lock_guard<std::mutex> lock(state->mutex);
                state->progress.step = report.step;
                state->progress.total_steps = report.total_steps;
                state->progress.device = report.device;
                state->progress.step_seconds = state->elapsed();
                state->progress.seconds_left = neural_style::estimated_seconds_left(report);
                state->progress.work_done = report.work_done;
                state->pace.add(report);
                state->progress.seconds_per_megapixel_step = state->pace.seconds_per_megapixel_step();
                return !stopping;
            };
            if (!state->stop.load())
                result = neural_style::stylize(content, styles, weights, options, on_step, mask);
        } catch (const neural_style::StyleError &e) {
            failure = e;
        } catch (const std::bad_alloc &) {
            failure = out_of_memory_error();
        } catch (const std::exception &e) {
            failure = neural_style::StyleError(e.what());
        }
        std::lock_guard<std::mutex> lock(state->mutex);
        state->failure = std::move(failure);
        state->result = std::move(result);
        state->ended = true;
        state->ended_signal.notify_all();
    });
}

StyleJob::~StyleJob() {
    request_stop();
    state_->worker.join();
}

void StyleJob::request_stop() { state_->stop.store(true); }

bool StyleJob::wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->ended_signal.wait_for(lock, timeout, [this] { return state_->ended; });
}

JobProgress StyleJob::progress() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    JobProgress progress = state_->progress;
    progress.seconds = state_->elapsed();
    return progress;
}

neural_style::RgbaImage StyleJob::picture() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->picture;
}

std::optional<neural_style::StyleError> StyleJob::failure() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->failure;
}

neural_style::RgbaImage StyleJob::take_result() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return std::move(state_->result);
}

} // namespace nst_plugin
