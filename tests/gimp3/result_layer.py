# SPDX-License-Identifier: GPL-3.0-or-later
# The plug-in called by argument name on an image with two layers adds exactly one layer above the content,
# named, sized and placed like it, with the content's alpha; nothing else in the image changes.
from nst_test import FAST, WEIGHTS, Gimp, add_layer, check, finish, layer_names, new_image, pixels, run

image = new_image(64, 48)
style = add_layer(image, 'Style', 48, 40, seed=9)
content = add_layer(image, 'Background', 40, 32, seed=1, alpha=True, offsets=(5, 7))
check(layer_names(image) == ['Background', 'Style'], 'two layers to start with')
content_before, style_before = pixels(content), pixels(style)

status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'the run succeeds: ' + message)
check(layer_names(image) == ['Background (stylized)', 'Background', 'Style'],
      'exactly one new layer, directly above the content: %s' % layer_names(image))
result = image.get_layers()[0]
check((result.get_width(), result.get_height()) == (40, 32), 'the result has the content size')
check(result.get_offsets()[1:] == (5, 7), 'the result has the content offsets: %s' % (result.get_offsets(),))
check(result.has_alpha(), 'the result has an alpha channel like the content')
after = pixels(result)
check(after[3::4] == content_before[3::4], "the content's alpha is kept")
check(after != content_before, 'the result pixels differ from the content')
check(pixels(content) == content_before, 'the content layer is byte-identical')
check(pixels(style) == style_before, 'the style layer is byte-identical')
check(image.get_width() == 64 and image.get_height() == 48, 'the image size is unchanged')

# The style may come from another open image; the content here has no alpha, and neither has the result.
painting = new_image(30, 30)
brush = add_layer(painting, 'Painting', 30, 30, seed=4)
photo = new_image(40, 32)
background = add_layer(photo, 'Photo', 40, 32, seed=2)
status, message = run(photo, [background], style_layer=brush, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'a style layer from a second image works: ' + message)
check(layer_names(photo) == ['Photo (stylized)', 'Photo'], 'one new layer: %s' % layer_names(photo))
check(not photo.get_layers()[0].has_alpha(), 'no alpha added to a content without alpha')
check(layer_names(painting) == ['Painting'], 'the style image is unchanged')

# A content layer inside a group: the result goes into the same group, right above it.
group = Gimp.GroupLayer.new(photo, 'Group')
photo.insert_layer(group, None, 0)
inner = Gimp.Layer.new(photo, 'Inner', 40, 32, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
photo.insert_layer(inner, group, 0)
inner.fill(Gimp.FillType.WHITE)
status, message = run(photo, [inner], style_layer=brush, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'a content layer inside a group works: ' + message)
check([layer.get_name() for layer in group.get_children()] == ['Inner (stylized)', 'Inner'],
      'the result sits in the group, above the content')

finish()
