# SPDX-License-Identifier: GPL-3.0-or-later
# The plug-in speaks the user's language: in a German locale the catalogue installed beside it (found through
# set_i18n) names the result layer and words the errors in German.
from nst_test import FAST, WEIGHTS, Gimp, add_layer, check, finish, layer_names, new_image, run

image = new_image(40, 32)
style = add_layer(image, 'Stil', 40, 32, seed=9)
content = add_layer(image, 'Foto', 40, 32, seed=1)
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'the run succeeds: ' + message)
check(layer_names(image) == ['Foto (stilisiert)', 'Foto', 'Stil'], 'a German layer name: %s' % layer_names(image))
status, message = run(image, [content], weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.CALLING_ERROR and 'Keine Stilebene' in message, 'a German error message')
finish()
