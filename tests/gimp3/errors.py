# SPDX-License-Identifier: GPL-3.0-or-later
# Refusals: bad or missing arguments give a calling error, missing weights an execution error that says where
# it looked and how to get them, a grayscale image is refused; none of them touches the image.
from nst_test import FAST, WEIGHTS, Gimp, add_layer, check, finish, layer_names, new_image, pixels, run

CALLING = Gimp.PDBStatusType.CALLING_ERROR
EXECUTION = Gimp.PDBStatusType.EXECUTION_ERROR

image = new_image(40, 32)
style = add_layer(image, 'Style', 40, 32, seed=9)
content = add_layer(image, 'Background', 40, 32, seed=1)
before = pixels(content), pixels(style)


def untouched(what):
    check(layer_names(image) == ['Background', 'Style'] and (pixels(content), pixels(style)) == before,
          what + ': the image is untouched')


status, message = run(image, [content], weights_file=WEIGHTS, **FAST)
check(status == CALLING and 'style layer' in message, 'no style layer: calling error naming it')
untouched('no style layer')

# The procedure's ranges are the core's: GIMP itself refuses more steps than the core takes.
procedure = Gimp.get_pdb().lookup_procedure('plug-in-neural-style-transfer')
config = procedure.create_config()
config.set_property('steps', 2000000)
check(config.get_property('steps') != 2000000, 'too many steps are not accepted')

status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, steps=3, max_size=8)
check(status == CALLING and 'max' in message and 'size' in message, 'a working size below the minimum: calling error')

status, message = run(image, [content, style], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == CALLING, 'two drawables: calling error')
untouched('two drawables')

# Script-Fu-like raw PDB call with a choice that does not exist: GIMP itself refuses it.
config.set_property('optimizer', 'sgd')
check(config.get_property('optimizer') != 'sgd', 'an unknown optimizer is not accepted')

# GIMP itself refuses a weights file that does not exist (a file argument for opening).
status, message = run(image, [content], style_layer=style, weights_file='/nonexistent/vgg19.safetensors', **FAST)
check(status == CALLING and 'weights-file' in message, 'a weights file that does not exist: calling error')
untouched('missing weights file')

status, message = run(image, [content], style_layer=style, **FAST)
check(status == EXECUTION and '/data/neural-style-transfer/vgg19.safetensors' in message
      and 'neural-style fetch-weights' in message,
      'no weights in the default location: execution error with the place and the command')
untouched('no weights')

transparent = Gimp.Layer.new(image, 'Empty', 40, 32, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(transparent, None, 2)
status, message = run(image, [content], style_layer=transparent, weights_file=WEIGHTS, **FAST)
check(status == EXECUTION and 'transparent' in message, 'a fully transparent style layer is refused')
image.remove_layer(transparent)
untouched('transparent style layer')

gray = new_image(40, 32, Gimp.ImageBaseType.GRAY)
gray_layer = add_layer(gray, 'Gray', 40, 32, seed=3)
gray_before = pixels(gray_layer)
status, message = run(gray, [gray_layer], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == CALLING and 'RGB' in message, 'a grayscale image is refused with a calling error')
check(layer_names(gray) == ['Gray'] and pixels(gray_layer) == gray_before, 'the grayscale image is untouched')

# A grayscale image may still give the style.
status, message = run(image, [content], style_layer=gray_layer, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'a grayscale style layer is fine: ' + message)
finish()
