// SPDX-License-Identifier: GPL-3.0-or-later
// A picture from the core shown in a GtkImage: the progress window's and the dialog's preview.
#pragma once

#include "rgba_image.h"

#include <gtk/gtk.h>

namespace nst_plugin {

// Shows `picture` (RGBA floats in [0, 1]) in `image`, a GtkImage; an empty picture leaves it as it is.
void show_picture(GtkWidget *image, const neural_style::RgbaImage &picture);

} // namespace nst_plugin
