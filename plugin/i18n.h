// SPDX-License-Identifier: GPL-3.0-or-later
// gettext for the plug-in's own catalogue (domain GETTEXT_PACKAGE, set by meson); GIMP binds it in set_i18n.
#pragma once

#include <glib/gi18n-lib.h>
