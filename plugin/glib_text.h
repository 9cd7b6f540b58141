// SPDX-License-Identifier: GPL-3.0-or-later
// GLib hands out text it allocated (g_strdup_printf, g_file_get_path ...); this takes it over as a std::string.
// Free of GIMP, for any GLib-based host.
#pragma once

#include <glib.h>

#include <string>

namespace nst_plugin {

// Frees `text`; NULL gives "".
inline std::string take_text(gchar *text) {
    std::string result = text ? text : "";
    g_free(text);
    return result;
}

} // namespace nst_plugin
