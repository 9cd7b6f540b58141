# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the GIMP 3 batch tests: tiny images with known pixels, and calls of the plug-in by argument name.
import os
import sys

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gegl, Gimp, Gio  # noqa: E402

PROCEDURE = 'plug-in-neural-style-transfer'
WEIGHTS = os.environ['NST_TEST_WEIGHTS']
# Few steps at a tiny working size: the suite is about the plug-in, not the quality of the result.
FAST = {'steps': 3, 'max-size': 32, 'device': 'cpu'}

failures = []


def check(condition, what):
    print(('ok:   ' if condition else 'FAIL: ') + what, flush=True)
    if not condition:
        failures.append(what)


def finish():
    """Ends the script; a failure makes GIMP's batch exit with an error status."""
    if failures:
        raise SystemExit('%d check(s) failed: %s' % (len(failures), '; '.join(failures)))


def new_image(width, height, base=Gimp.ImageBaseType.RGB):
    return Gimp.Image.new(width, height, base)


def add_layer(image, name, width, height, seed, alpha=False, offsets=(0, 0), position=0):
    """A layer filled with a seeded pattern (and, with alpha, a transparent corner)."""
    gray = image.get_base_type() == Gimp.ImageBaseType.GRAY
    kind = ((Gimp.ImageType.GRAYA_IMAGE if alpha else Gimp.ImageType.GRAY_IMAGE) if gray else
            (Gimp.ImageType.RGBA_IMAGE if alpha else Gimp.ImageType.RGB_IMAGE))
    layer = Gimp.Layer.new(image, name, width, height, kind, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, position)
    layer.set_offsets(*offsets)
    data = bytearray()
    for y in range(height):
        for x in range(width):
            a = 0 if alpha and x < width // 4 and y < height // 4 else 255
            data += bytes(((x * (seed + 3) + y * 7) % 256, (y * (seed + 5) + x) % 256, (x * y + seed * 40) % 256, a))
    buffer = layer.get_buffer()
    buffer.set(Gegl.Rectangle.new(0, 0, width, height), "R'G'B'A u8", bytes(data))
    buffer.flush()
    return layer


def pixels(drawable, fmt="R'G'B'A u8"):
    buffer = drawable.get_buffer()
    return buffer.get(Gegl.Rectangle.new(0, 0, drawable.get_width(), drawable.get_height()), 1.0, fmt,
                      Gegl.AbyssPolicy.NONE)


def run(image, drawables, **arguments):
    """Runs the plug-in non-interactively; arguments by name, '_' for '-'. Returns (status, error message)."""
    procedure = Gimp.get_pdb().lookup_procedure(PROCEDURE)
    config = procedure.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', drawables)
    for name, value in arguments.items():
        name = name.replace('_', '-')
        if name == 'weights-file' and isinstance(value, str):
            value = Gio.File.new_for_path(value)
        config.set_property(name, value)
    result = procedure.run(config)
    status = result.index(0)
    # On failure the plug-in's message comes back as the second value.
    message = result.index(1) if status != Gimp.PDBStatusType.SUCCESS and result.length() > 1 else ''
    print('  %s -> %s %s' % (sorted(arguments), status.value_nick, message), flush=True)
    return status, message


def layer_names(image):
    return [layer.get_name() for layer in image.get_layers()]


sys.stdout.reconfigure(line_buffering=True)
