// SPDX-License-Identifier: GPL-3.0-or-later
#include "style_layer.h"

namespace nst_plugin {

namespace {

// The content's siblings, top to bottom (NULL-terminated, free with g_free).
GimpItem **siblings_of(GimpLayer *content) {
    GimpItem *parent = gimp_item_get_parent(GIMP_ITEM(content));
    if (parent)
        return gimp_item_get_children(parent);
    return reinterpret_cast<GimpItem **>(gimp_image_get_layers(gimp_item_get_image(GIMP_ITEM(content))));
}

GimpLayer *neighbour_of(GimpLayer *content) {
    GimpItem **siblings = siblings_of(content);
    GimpLayer *found = nullptr;
    for (int i = 0; siblings && siblings[i]; ++i) {
        if (siblings[i] != GIMP_ITEM(content))
            continue;
        GimpItem *neighbour = siblings[i + 1] ? siblings[i + 1] : (i > 0 ? siblings[i - 1] : nullptr);
        if (neighbour && GIMP_IS_LAYER(neighbour))
            found = GIMP_LAYER(neighbour);
        break;
    }
    g_free(siblings);
    return found;
}

GimpLayer *layer_of_other_image(GimpLayer *content) {
    GimpImage *own = gimp_item_get_image(GIMP_ITEM(content));
    GimpImage **images = gimp_get_images();
    GimpLayer *found = nullptr;
    for (int i = 0; images && images[i] && !found; ++i) {
        if (images[i] == own)
            continue;
        GimpLayer **layers = gimp_image_get_selected_layers(images[i]);
        if (!layers || !layers[0]) {
            g_free(layers);
            layers = gimp_image_get_layers(images[i]);
        }
        if (layers && layers[0])
            found = layers[0];
        g_free(layers);
    }
    g_free(images);
    return found;
}

} // namespace

GimpLayer *suggest_style_layer(GimpLayer *content) {
    GimpLayer *layer = neighbour_of(content);
    return layer ? layer : layer_of_other_image(content);
}

} // namespace nst_plugin
