// SPDX-License-Identifier: GPL-3.0-or-later
#include "error_text.h"

#include "glib_text.h"
#include "i18n.h"

namespace nst_plugin {

namespace {

// The error's values, or "" for any it lacks (a kind thrown with fewer values than documented shows blanks, not
// garbage).
const char *value(const neural_style::StyleError &error, size_t i) {
    return i < error.values().size() ? error.values()[i].c_str() : "";
}

} // namespace

std::string error_text(const neural_style::StyleError &error) {
    using neural_style::ErrorKind;
    switch (error.kind()) {
    case ErrorKind::weights_file:
        // TRANSLATORS: a file's path, then why it cannot be used (in English: it describes the file's format).
        return take_text(g_strdup_printf(_("The weights file %s cannot be used: %s."), value(error, 0),
                                         value(error, 1)));
    case ErrorKind::not_enough_memory:
        // TRANSLATORS: a size such as "8192x5464", then an amount of memory such as "8.0 GB".
        return take_text(g_strdup_printf(_("Not enough memory: %s px need more than the %s allowed, even in tiles. "
                                           "Raise the memory limit or lower the working size."),
                                         value(error, 0), value(error, 1)));
    case ErrorKind::content_too_small:
        // TRANSLATORS: a size such as "40x30", then a number of pixels.
        return take_text(g_strdup_printf(_("The content is too small: the working size %s needs at least %s px on "
                                           "each side."),
                                         value(error, 0), value(error, 1)));
    case ErrorKind::style_transparent:
        // TRANSLATORS: %s is the style layer's number: 1 for the first, 2 and 3 for the others.
        return take_text(g_strdup_printf(_("Style layer %s is fully transparent: there is no style to paint."),
                                         value(error, 0)));
    case ErrorKind::gpu_out_of_memory:
        return _("The GPU ran out of memory: choose the processor as the device, or a smaller working size.");
    case ErrorKind::no_gpu:
        return _("No CUDA GPU is available (no GPU, no driver, or a LibTorch without CUDA): choose the processor "
                 "or Automatic as the device.");
    case ErrorKind::out_of_memory:
        return _("The computer ran out of memory: choose a smaller working size or a lower memory limit.");
    case ErrorKind::diverged:
        // TRANSLATORS: %s is a step's number.
        return take_text(g_strdup_printf(_("The run diverged at step %s (its loss is no longer a number): try a "
                                           "lower style strength, or other VGG19 weights."),
                                         value(error, 0)));
    case ErrorKind::other:
        break;
    }
    return error.what();
}

neural_style::StyleError out_of_memory_error() {
    return neural_style::StyleError(neural_style::ErrorKind::out_of_memory, "out of memory: try a smaller working size");
}

} // namespace nst_plugin
