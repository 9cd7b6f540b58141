# SPDX-License-Identifier: GPL-3.0-or-later
# GIMP behaviours an artist relies on, without a user interface: Filters > Repeat with no style layer remembered
# is refused, never run with a guessed one; layer groups, text layers and layers partly outside the canvas work as
# content or style; a 32-bit float linear image keeps its precision, with its values clipped to 0..1 as the README
# says.
import struct

from nst_test import (FAST, PROCEDURE, WEIGHTS, Gegl, Gimp, add_layer, check, finish, layer_names, new_image,
                      pixels, run)

SUCCESS = Gimp.PDBStatusType.SUCCESS

image = new_image(48, 40)
style = add_layer(image, 'Style', 48, 40, seed=9)
content = add_layer(image, 'Photo', 48, 40, seed=1)
before = pixels(content), pixels(style)

# Repeat (run with last values) in a session where no interactive run has remembered a style layer.
procedure = Gimp.get_pdb().lookup_procedure(PROCEDURE)
config = procedure.create_config()
config.set_property('run-mode', Gimp.RunMode.WITH_LAST_VALS)
config.set_property('image', image)
config.set_core_object_array('drawables', [content])
result = procedure.run(config)
status, message = result.index(0), result.index(1) if result.length() > 1 else ''
print('  repeat ->', status.value_nick, message)
check(status == Gimp.PDBStatusType.EXECUTION_ERROR and 'Re-Show' in message,
      'Repeat with no remembered style layer: an error pointing to Re-Show')
check(layer_names(image) == ['Photo', 'Style'] and (pixels(content), pixels(style)) == before,
      'Repeat without a style layer leaves the image untouched')

# A layer group, as content and as style: read as its composite.
group = Gimp.GroupLayer.new(image, 'Group')
image.insert_layer(group, None, 0)
inner = add_layer(image, 'Inner', 30, 20, seed=5)
image.reorder_item(inner, group, 0)
status, message = run(image, [group], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == SUCCESS, 'a layer group as content: ' + message)
check(layer_names(image)[:2] == ['Group (stylized)', 'Group'], 'its result sits above the group: %s' % layer_names(image))
stylized = image.get_layers()[0]
check((stylized.get_width(), stylized.get_height()) == (group.get_width(), group.get_height()),
      "the group's result has the group's size")
status, message = run(image, [content], style_layer=group, weights_file=WEIGHTS, **FAST)
check(status == SUCCESS, 'a layer group as style: ' + message)

# A text layer as content and as style, at its own size (a working size of 32 px would be too small for it).
text = Gimp.TextLayer.new(image, 'Hello', Gimp.context_get_font(), 40, Gimp.Unit.pixel())
image.insert_layer(text, None, 0)
status, message = run(image, [text], style_layer=style, weights_file=WEIGHTS, **{**FAST, 'max-size': 0})
check(status == SUCCESS and layer_names(image)[0] == 'Hello (stylized)', 'a text layer as content: ' + message)
status, message = run(image, [content], style_layer=text, weights_file=WEIGHTS, **FAST)
check(status == SUCCESS, 'a text layer as style: ' + message)

# A layer larger than the canvas and partly outside it: the whole layer is painted, placed where it was.
outside = add_layer(image, 'Outside', 64, 30, seed=2, offsets=(-20, 25))
status, message = run(image, [outside], style_layer=style, weights_file=WEIGHTS, **{**FAST, 'max-size': 64})
check(status == SUCCESS, 'a layer partly outside the canvas: ' + message)
stylized = image.get_layers()[0]
check(stylized.get_name() == 'Outside (stylized)' and (stylized.get_width(), stylized.get_height()) == (64, 30)
      and stylized.get_offsets()[1:] == (-20, 25), 'its result has its size and place, outside parts included')

# 32-bit float linear: values above 1.0 in the content, fine gradations the result must not lose to 8 bits.
deep = Gimp.Image.new_with_precision(40, 32, Gimp.ImageBaseType.RGB, Gimp.Precision.FLOAT_LINEAR)
photo = Gimp.Layer.new(deep, 'HDR', 40, 32, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
deep.insert_layer(photo, None, 0)
values = []
for y in range(32):
    for x in range(40):
        values += [x / 13.0, y / 31.0 + 0.0011, (x * y % 17) / 16.0 * 0.5, 1.0]  # red goes up to 3.0
buffer = photo.get_buffer()
buffer.set(Gegl.Rectangle.new(0, 0, 40, 32), 'RGBA float', struct.pack('%df' % len(values), *values))
buffer.flush()
status, message = run(deep, [photo], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == SUCCESS, 'a 32-bit float linear image: ' + message)
result = deep.get_layers()[0]
check(deep.get_precision() == Gimp.Precision.FLOAT_LINEAR and result.get_bpp() == 16,
      'the result is a 32-bit float layer (%d bytes a pixel)' % result.get_bpp())
data = pixels(result, "R'G'B'A float")
floats = struct.unpack('%df' % (len(data) // 4), bytes(data))
colours = [v for i, v in enumerate(floats) if i % 4 != 3]
check(min(colours) >= -1e-6 and max(colours) <= 1 + 1e-5,
      'its colours are clipped to 0..1 as documented (%.4f..%.4f)' % (min(colours), max(colours)))
off_grid = sum(1 for v in colours if abs(v * 255 - round(v * 255)) > 0.05)
check(off_grid > len(colours) // 2, 'it keeps more than 8 bits: %d of %d values between 8-bit steps'
      % (off_grid, len(colours)))
finish()
