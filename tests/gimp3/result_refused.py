# SPDX-License-Identifier: GPL-3.0-or-later
# A finished result that GIMP refuses to put into its image: the image stays as it was, the result opens as a new
# image, and the run says why. refuse_gimp_calls.cpp (LD_PRELOAD'ed) has GIMP refuse the plug-in's first call of
# the libgimp function named in $NST_REFUSE_FILE: adding the layer, then, in a run with a selection, adding the
# layer's mask, after the layer is in.
import os

from nst_test import FAST, WEIGHTS, Gimp, add_layer, check, finish, layer_names, new_image, pixels, run

REFUSE = os.environ['NST_REFUSE_FILE']


def refuse(function):
    with open(REFUSE, 'w') as f:
        f.write(function + '\n')


image = new_image(40, 32)
style = add_layer(image, 'Style', 40, 32, seed=9)
content = add_layer(image, 'Background', 40, 32, seed=1)
before = layer_names(image), pixels(content), pixels(style)

for function, selection in [('gimp_image_insert_layer', False), ('gimp_layer_add_mask', True)]:
    if selection:
        image.select_rectangle(Gimp.ChannelOps.REPLACE, 4, 4, 20, 16)
    images_before = Gimp.get_images()
    refuse(function)
    status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FAST)
    with open(REFUSE) as f:
        check(f.read() == '', function + ': the plug-in called it, and GIMP refused')
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR and 'GIMP refused to add the result' in message
          and 'new image' in message and 'no reason given' not in message,
          function + ' refused: the run fails with GIMP\'s reason and says where the result went')
    check((layer_names(image), pixels(content), pixels(style)) == before,
          function + ' refused: the image is as it was: %s' % layer_names(image))
    new_images = [i for i in Gimp.get_images() if i not in images_before]
    check(len(new_images) == 1 and layer_names(new_images[0]) == ['Background (stylized)'],
          function + ' refused: the result opens as a new image: %s' % [layer_names(i) for i in new_images])

refuse('')
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS and layer_names(image) == ['Background (stylized)', 'Background', 'Style'],
      'nothing refused: the result is a layer of the image: %s' % layer_names(image))
finish()
