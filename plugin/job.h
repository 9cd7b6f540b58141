// SPDX-License-Identifier: GPL-3.0-or-later
// The style transfer as a job on a worker thread: the only part of the plug-in that reaches into the core's
// LibTorch side. The host polls progress() from the main thread (where every GIMP call stays) and asks the
// job to stop; nothing here touches GIMP. No LibTorch header is included here, so the GIMP-facing files
// compile quickly.
#pragma once

#include "error.h"
#include "options.h"
#include "rgba_image.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nst_plugin {

struct JobProgress {
    bool weights_loaded = false;
    int step = 0;           // steps done
    int total_steps = 0;
    double seconds = 0;     // since the job started
    double step_seconds = 0; // when the last step was reported, on the same clock
    double seconds_left = 0; // the core's estimate when the last step was reported
    double work_done = 0;    // share of the run's computation done, 0 to 1, updated between tiles too
    double seconds_per_megapixel_step = 0; // the pace its steps measured (PaceMeter); 0 until known
    std::string device;     // where it computes, in words; empty until known
    int picture_serial = 0; // counts the pictures taken: a new one is there when it changes
};

// The picture handed over while it paints: about this side, every kPictureSeconds at most (and at each new
// scale, and when asked to stop: then it is exactly what is kept). Scaling is the core's, on the computing device;
// at 2560x1600 on the CPU it takes about 10 ms, under 1% of the interval.
constexpr int kPictureSide = 320;
constexpr double kPictureSeconds = 2;

// Whether a run with `choice` computes on a CUDA GPU (automatic: when LibTorch sees one). Throws StyleError for
// cuda when there is none.
bool computes_on_cuda(neural_style::DeviceChoice choice);

class StyleJob {
public:
    // Starts the worker at once: it loads the weights from `weights_path`, then stylizes (see stylize()).
    StyleJob(neural_style::RgbaImage content, std::vector<neural_style::RgbaImage> styles, neural_style::GreyImage mask,
             const neural_style::StyleOptions &options, std::string weights_path);
    ~StyleJob(); // asks the worker to stop and waits for it
    StyleJob(const StyleJob &) = delete;
    StyleJob &operator=(const StyleJob &) = delete;

    // The worker ends after the step in progress and keeps the result it has reached.
    void request_stop();
    // True once the worker has ended; waits at most `timeout` for that.
    bool wait(std::chrono::milliseconds timeout);
    JobProgress progress() const;
    // The latest picture (see kPictureSide); empty before the first.
    neural_style::RgbaImage picture() const;

    // Once wait() returned true: what went wrong (nothing on success; see error_text.h) and the result.
    std::optional<neural_style::StyleError> failure() const;
    neural_style::RgbaImage take_result();

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace nst_plugin
