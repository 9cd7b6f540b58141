# SPDX-License-Identifier: GPL-3.0-or-later
# Interactive runs through the real dialog and progress window, in GIMP with its user interface (under Xvfb);
# drive_dialog.py presses the buttons from outside. First run: OK, then "Stop and keep" in the progress window,
# which keeps the result reached so far. Then Filters > Repeat (last values): no dialog, the progress window,
# Cancel. Second run: OK, then Cancel, which leaves the image untouched. Third run, with the weights gone from their
# default place: the missing-weights dialog, "Choose File…", OK, "Stop and keep". (The driver presses Help in one
# dialog and checks the page it opens.) With the style layer deleted,
# Repeat refuses at once. Last, in a second image closed while the run paints it, and in a third whose content layer
# is deleted while the run paints it: the result opens as a new image.
import os

from nst_test import Gimp, add_layer, check, finish, layer_names, pixels

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


def run_interactive(image, content, mode=Gimp.RunMode.INTERACTIVE):
    """Returns the status and, on failure, the message."""
    procedure = Gimp.get_pdb().lookup_procedure(PROCEDURE)
    config = procedure.create_config()
    config.set_property('run-mode', mode)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [content])
    result = procedure.run(config)
    status = result.index(0)
    message = result.index(1) if status != Gimp.PDBStatusType.SUCCESS and result.length() > 1 else ''
    print('  %s -> %s %s' % (mode.value_nick, status.value_nick, message), flush=True)
    return status, message


image = Gimp.Image.new(480, 360, Gimp.ImageBaseType.RGB)
content = painted_layer(image, 'Photo', 3, 0, [('gegl:gaussian-blur', {'std-dev-x': 6.0, 'std-dev-y': 6.0})])
style = painted_layer(image, 'Painting', 11, 1, [('gegl:cubism', {'tile-size': 18.0})])
Gimp.Display.new(image)
Gimp.displays_flush()
before = pixels(content), pixels(style)

status, _ = run_interactive(image, content)
check(status == Gimp.PDBStatusType.SUCCESS, 'OK, then "Stop and keep": the run succeeds (%s)' % status.value_nick)
check(layer_names(image) == ['Photo (stylized)', 'Photo', 'Painting'],
      'the kept result is a new layer above the content: %s' % layer_names(image))

status, _ = run_interactive(image, content, Gimp.RunMode.WITH_LAST_VALS)
check(status == Gimp.PDBStatusType.CANCEL, 'Repeat: the progress window, whose Cancel ends it (%s)' % status.value_nick)
check(len(layer_names(image)) == 3, 'the cancelled Repeat adds no layer: %s' % layer_names(image))

status, _ = run_interactive(image, content)
check(status == Gimp.PDBStatusType.CANCEL, 'OK, then Cancel: the run is cancelled (%s)' % status.value_nick)
check(len(layer_names(image)) == 3, 'Cancel adds no layer: %s' % layer_names(image))
check((pixels(content), pixels(style)) == before, 'the content and style layers are unchanged')

os.remove(os.path.join(os.environ['XDG_DATA_HOME'], 'neural-style-transfer', 'vgg19.safetensors'))
status, _ = run_interactive(image, content)
check(status == Gimp.PDBStatusType.SUCCESS,
      'weights missing: their dialog, a chosen file, then OK and "Stop and keep" (%s)' % status.value_nick)
check(len(layer_names(image)) == 4 and layer_names(image)[2:] == ['Photo', 'Painting'],
      'a second result, right above the content: %s' % layer_names(image))

image.remove_layer(style)
status, message = run_interactive(image, content, Gimp.RunMode.WITH_LAST_VALS)
check(status == Gimp.PDBStatusType.EXECUTION_ERROR and 'Re-Show' in message,
      'Repeat with the style layer deleted: an error, no guessed layer')
check(len(layer_names(image)) == 3, 'and no new layer: %s' % layer_names(image))

# Closed while it paints, then "Stop and keep".
second = Gimp.Image.new(120, 90, Gimp.ImageBaseType.RGB)
add_layer(second, 'Painting', 120, 90, seed=5)
photo = add_layer(second, 'Photo', 120, 90, seed=7)
check(second.is_dirty(), 'the second image has unsaved changes (GIMP asks before closing it)')
Gimp.Display.new(second)
Gimp.displays_flush()
images_before = Gimp.get_images()
status, message = run_interactive(second, photo)
check(status == Gimp.PDBStatusType.EXECUTION_ERROR and 'new image' in message,
      'its image closed while it paints: the run ends with a message')
check(not second.is_valid(), 'the image was closed')
new_images = [i for i in Gimp.get_images() if i not in images_before]
check(len(new_images) == 1 and [layer.get_name() for layer in new_images[0].get_layers()] == ['Photo (stylized)']
      and (new_images[0].get_width(), new_images[0].get_height()) == (120, 90),
      'the result opens as a new image of the size of the layer it was painted from: %s'
      % [(layer_names(i), i.get_width(), i.get_height()) for i in new_images])

# The content layer deleted while it paints (the driver's F9 in the image window), then "Stop and keep".
third = Gimp.Image.new(120, 90, Gimp.ImageBaseType.RGB)
add_layer(third, 'Painting', 120, 90, seed=5)
photo = add_layer(third, 'Photo', 120, 90, seed=7)
third.set_selected_layers([photo])
Gimp.Display.new(third)
Gimp.displays_flush()
images_before = Gimp.get_images()
status, message = run_interactive(third, photo)
check(status == Gimp.PDBStatusType.EXECUTION_ERROR and 'new image' in message,
      'its content layer deleted while it paints: the run ends with a message')
check(third.is_valid() and layer_names(third) == ['Painting'], 'the image keeps its other layer, and no result: %s'
      % (layer_names(third) if third.is_valid() else 'closed'))
new_images = [i for i in Gimp.get_images() if i not in images_before]
check(len(new_images) == 1 and [layer.get_name() for layer in new_images[0].get_layers()] == ['Photo (stylized)'],
      'the result opens as a new image: %s' % [layer_names(i) for i in new_images])
finish()
