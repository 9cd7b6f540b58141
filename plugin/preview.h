// SPDX-License-Identifier: GPL-3.0-or-later
// The dialog's preview: the chosen settings run small (kPreviewSide, kPreviewSteps, pace.h) in a worker, shown as
// the picture forms, and started again when a setting changes. It only reads the image.
#pragma once

#include "options.h"

#include <libgimp/gimpui.h>

#include <functional>
#include <memory>

namespace nst_plugin {

struct PreviewState;

class Preview {
public:
    // The pace a preview's steps went at on `device` (PaceMeter), told as it changes: a full run's time follows.
    using PaceCallback = std::function<void(double seconds_per_megapixel_step, neural_style::DeviceChoice device)>;

    // Builds the "Preview" toggle and the picture for `config`'s settings on `content`.
    Preview(GimpProcedureConfig *config, GimpLayer *content, PaceCallback on_pace);
    ~Preview(); // stops the worker
    Preview(const Preview &) = delete;
    Preview &operator=(const Preview &) = delete;

    GtkWidget *widget() const;

private:
    std::unique_ptr<PreviewState> state_;
};

} // namespace nst_plugin
