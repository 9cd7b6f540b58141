# SPDX-License-Identifier: GPL-3.0-or-later
# Interactive runs through the real dialog and progress window, in GIMP with its user interface (under Xvfb);
# drive_dialog.py presses the buttons from outside. First run: OK, then "Stop and keep" in the progress window,
# which keeps the result reached so far. Second run: OK, then Cancel, which leaves the image untouched. Third run,
# with the weights gone from their default place: the missing-weights dialog, "Choose File…", OK, "Stop and keep".
import os

from nst_test import Gimp, check, finish, layer_names, pixels

PROCEDURE = 'plug-in-neural-style-transfer'


def painted_layer(image, name, seed, position, filters):
    layer = Gimp.Layer.new(image, name, image.get_width(), image.get_height(), Gimp.ImageType.RGB_IMAGE, 100,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, position)
    for operation, properties in [('gegl:plasma', {'seed': seed})] + filters:
        layer_filter = Gimp.DrawableFilter.new(layer, operation, '')
        config = layer_filter.get_config()
        for key, value in properties.items():
            config.set_property(key, value)
        layer_filter.update()
        layer.merge_filter(layer_filter)
    return layer


def run_interactive(image, content):
    procedure = Gimp.get_pdb().lookup_procedure(PROCEDURE)
    config = procedure.create_config()
    config.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [content])
    return procedure.run(config).index(0)


image = Gimp.Image.new(480, 360, Gimp.ImageBaseType.RGB)
content = painted_layer(image, 'Photo', 3, 0, [('gegl:gaussian-blur', {'std-dev-x': 6.0, 'std-dev-y': 6.0})])
style = painted_layer(image, 'Painting', 11, 1, [('gegl:cubism', {'tile-size': 18.0})])
Gimp.Display.new(image)
Gimp.displays_flush()
before = pixels(content), pixels(style)

status = run_interactive(image, content)
check(status == Gimp.PDBStatusType.SUCCESS, 'OK, then "Stop and keep": the run succeeds (%s)' % status.value_nick)
check(layer_names(image) == ['Photo (stylized)', 'Photo', 'Painting'],
      'the kept result is a new layer above the content: %s' % layer_names(image))

status = run_interactive(image, content)
check(status == Gimp.PDBStatusType.CANCEL, 'OK, then Cancel: the run is cancelled (%s)' % status.value_nick)
check(len(layer_names(image)) == 3, 'Cancel adds no layer: %s' % layer_names(image))
check((pixels(content), pixels(style)) == before, 'the content and style layers are unchanged')

os.remove(os.path.join(os.environ['XDG_DATA_HOME'], 'neural-style-transfer', 'vgg19.safetensors'))
status = run_interactive(image, content)
check(status == Gimp.PDBStatusType.SUCCESS,
      'weights missing: their dialog, a chosen file, then OK and "Stop and keep" (%s)' % status.value_nick)
check(len(layer_names(image)) == 4 and layer_names(image)[2:] == ['Photo', 'Painting'],
      'a second result, right above the content: %s' % layer_names(image))
finish()
