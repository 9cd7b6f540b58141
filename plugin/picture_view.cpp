// SPDX-License-Identifier: GPL-3.0-or-later
#include "picture_view.h"

#include <algorithm>
#include <cmath>

namespace nst_plugin {

void show_picture(GtkWidget *image, const neural_style::RgbaImage &picture) {
    if (picture.pixels.empty())
        return;
    GdkPixbuf *pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, TRUE, 8, picture.width, picture.height);
    guchar *rows = gdk_pixbuf_get_pixels(pixbuf);
    const int stride = gdk_pixbuf_get_rowstride(pixbuf);
    const size_t row_values = static_cast<size_t>(picture.width) * 4;
    for (int y = 0; y < picture.height; ++y)
        for (size_t x = 0; x < row_values; ++x)
            rows[static_cast<size_t>(y) * stride + x] =
                static_cast<guchar>(std::lround(255 * std::clamp(picture.pixels[y * row_values + x], 0.0f, 1.0f)));
    gtk_image_set_from_pixbuf(GTK_IMAGE(image), pixbuf);
    g_object_unref(pixbuf);
}

} // namespace nst_plugin
