// SPDX-License-Identifier: GPL-3.0-or-later
// LD_PRELOAD'ed into GIMP for the result-refused test: in the plug-in's process only, the first call of the libgimp
// function named in the file $NST_REFUSE_FILE is refused by GIMP itself (the call goes to GIMP with an argument
// it rejects, so GIMP sets its own error, as for any refusal), and the file is emptied. Other calls, and every
// other process, reach libgimp unchanged.
#include <dlfcn.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

bool refuse(const char *function) {
    const char *path = std::getenv("NST_REFUSE_FILE");
    if (!path || std::strcmp(program_invocation_short_name, "neural-style-transfer") != 0)
        return false;
    char line[128] = "";
    if (FILE *file = std::fopen(path, "r")) {
        if (!std::fgets(line, sizeof line, file))
            line[0] = '\0';
        std::fclose(file);
    }
    line[std::strcspn(line, "\n")] = '\0';
    if (std::strcmp(line, function) != 0)
        return false;
    if (FILE *file = std::fopen(path, "w"))
        std::fclose(file);
    return true;
}

template <typename Function> Function *real(const char *name) {
    return reinterpret_cast<Function *>(dlsym(RTLD_NEXT, name));
}

} // namespace

// libgimp's own types are opaque pointers here; gboolean is an int.
extern "C" int gimp_image_insert_layer(void *image, void *layer, void *parent, int position) {
    using Insert = int(void *, void *, void *, int);
    // A parent that is in no image: GIMP answers "... has not been added to an image".
    if (refuse("gimp_image_insert_layer"))
        return real<Insert>("gimp_image_insert_layer")(image, layer, layer, position);
    return real<Insert>("gimp_image_insert_layer")(image, layer, parent, position);
}

extern "C" int gimp_layer_add_mask(void *layer, void *mask) {
    using AddMask = int(void *, void *);
    // No mask at all: GIMP refuses the call's arguments.
    if (refuse("gimp_layer_add_mask"))
        return real<AddMask>("gimp_layer_add_mask")(layer, nullptr);
    return real<AddMask>("gimp_layer_add_mask")(layer, mask);
}
