# SPDX-License-Identifier: GPL-3.0-or-later
# The artist's controls through the procedure's arguments: the selection as the mask (the result differs from the
# content only inside it and carries it as a layer mask; a small selection paints only its box and context),
# several style layers, the colour modes, the balance and the stroke size.
from nst_test import FAST, WEIGHTS, Gegl, Gimp, add_layer, check, finish, pixels, run

FULL = dict(FAST, max_size=0)  # the layer's own size: pixels outside the selection come back exactly


def rgb(data):
    return [data[i:i + 3] for i in range(0, len(data), 4)]


image = Gimp.Image.new(64, 48, Gimp.ImageBaseType.RGB)
style = add_layer(image, 'Style', 48, 40, seed=9)
second = add_layer(image, 'Second', 30, 30, seed=5)
content = add_layer(image, 'Content', 40, 32, seed=1)
content_before = pixels(content)

# A rectangular selection: x 10..29, y 8..23 of the 40x32 content at the image's origin.
image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 8, 20, 16)
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'a run with a selection succeeds: ' + message)
result = image.get_layers()[0]
check((result.get_width(), result.get_height()) == (40, 32), 'the selection plus its context is the whole layer')
mask = result.get_mask()
check(mask is not None, 'the result carries the selection as its layer mask')
after, before = rgb(pixels(result)), rgb(content_before)
inside = [i for i in range(40 * 32) if 10 <= i % 40 < 30 and 8 <= i // 40 < 24]
outside = [i for i in range(40 * 32) if i not in set(inside)]
check(all(after[i] == before[i] for i in outside), 'outside the selection the pixels are the content\'s')
check(sum(after[i] != before[i] for i in inside) > len(inside) // 2, 'inside the selection they are painted')
if mask is not None:
    grey = pixels(mask, 'Y u8')
    check(all(grey[i] == 255 for i in inside) and all(grey[i] == 0 for i in outside),
          'the layer mask is the selection')
image.remove_layer(result)

# A small selection on a large layer paints only its bounding box and the context around it.
canvas = Gimp.Image.new(500, 300, Gimp.ImageBaseType.RGB)
large = add_layer(canvas, 'Large', 500, 300, seed=3)
canvas.select_rectangle(Gimp.ChannelOps.REPLACE, 250, 140, 10, 10)
status, message = run(canvas, [large], style_layer=style, weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'a small selection on a large layer: ' + message)
boxed = canvas.get_layers()[0]
check((boxed.get_width(), boxed.get_height()) == (10 + 2 * 160, 300),
      'only the box and 160 px of context are painted: %dx%d' % (boxed.get_width(), boxed.get_height()))
check(boxed.get_offsets()[1:] == (90, 0), 'at the box\'s place: %s' % (boxed.get_offsets(),))
check(boxed.get_mask() is not None, 'with the selection as its mask')
Gimp.Selection.none(image)

# The content layer's own layer mask is honoured like a selection: white right half, black left half.
masked = add_layer(image, 'Masked', 40, 32, seed=6)
masked_before = rgb(pixels(masked))
layer_mask = masked.create_mask(Gimp.AddMaskType.BLACK)
masked.add_mask(layer_mask)
Gimp.context_set_foreground(Gegl.Color.new('white'))
image.select_rectangle(Gimp.ChannelOps.REPLACE, 20, 0, 20, 32)
layer_mask.edit_fill(Gimp.FillType.FOREGROUND)
Gimp.Selection.none(image)
status, message = run(image, [masked], style_layer=style, weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'a content layer with a layer mask: ' + message)
from_mask = image.get_layers()[0]
check(from_mask.get_mask() is not None, 'the result carries the layer mask too')
painted_half = rgb(pixels(from_mask))
check(all(painted_half[i] == masked_before[i] for i in range(40 * 32) if i % 40 < 20),
      'where the layer mask is black the content is kept')
check(sum(painted_half[i] != masked_before[i] for i in range(40 * 32) if i % 40 >= 22) > 300,
      'where it is white the style goes')
image.remove_layer(from_mask)
image.remove_layer(masked)

# Two style layers blended, and a share of 0 that leaves the second out.
status, message = run(image, [content], style_layer=style, style_layer_2=second, style_share_2=100.0,
                      weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'two style layers: ' + message)
blended = pixels(image.get_layers()[0])
image.remove_layer(image.get_layers()[0])
status, message = run(image, [content], style_layer=style, style_layer_2=second, style_share_2=0.0,
                      weights_file=WEIGHTS, **FULL)
alone = pixels(image.get_layers()[0])
image.remove_layer(image.get_layers()[0])
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FULL)
single = pixels(image.get_layers()[0])
image.remove_layer(image.get_layers()[0])
check(alone == single, 'a share of 0 leaves the second style out')
check(blended != single, 'the blend differs from the first style alone')

# Luminance mode keeps the content's colours: YIQ's I and Q within the 8-bit rounding.
status, message = run(image, [content], style_layer=style, colors='luminance', weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'luminance mode: ' + message)
painted = rgb(pixels(image.get_layers()[0]))
image.remove_layer(image.get_layers()[0])


def iq(p):
    return (0.596 * p[0] - 0.274 * p[1] - 0.322 * p[2], 0.211 * p[0] - 0.523 * p[1] + 0.312 * p[2])


worst = max(abs(a - b) for p, q in zip(painted, before) for a, b in zip(iq(p), iq(q)))
check(worst <= 1.5, 'luminance mode keeps the chroma (worst %.2f of 255)' % worst)
check(painted != before, 'and paints the luminance')

# Balance and stroke size are read: more style and coarse strokes give another picture than the defaults.
status, message = run(image, [content], style_layer=style, balance=90.0, stroke_size='coarse', colors='histogram',
                      weights_file=WEIGHTS, **FULL)
check(status == Gimp.PDBStatusType.SUCCESS, 'balance, stroke size, histogram colours: ' + message)
check(pixels(image.get_layers()[0]) != single, 'they change the result')
check(pixels(content) == content_before, 'the content layer never changed')

finish()
