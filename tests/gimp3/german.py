# SPDX-License-Identifier: GPL-3.0-or-later
# The plug-in speaks the user's language: in a German locale the catalogue installed beside it (found through
# set_i18n) names the result layer and words the errors in German, the core's own errors included.
import os
import re
import tempfile

from nst_test import FAST, WEIGHTS, Gimp, add_layer, check, finish, layer_names, new_image, run

image = new_image(40, 32)
style = add_layer(image, 'Stil', 40, 32, seed=9)
content = add_layer(image, 'Foto', 40, 32, seed=1)
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.SUCCESS, 'the run succeeds: ' + message)
check(layer_names(image) == ['Foto (stilisiert)', 'Foto', 'Stil'], 'a German layer name: %s' % layer_names(image))
status, message = run(image, [content], weights_file=WEIGHTS, **FAST)
check(status == Gimp.PDBStatusType.CALLING_ERROR and 'Keine Stilebene' in message, 'a German error message')

# The core's errors come back by kind, in the host's words with the error's values in them.
with tempfile.TemporaryDirectory() as folder:
    broken = os.path.join(folder, 'kaputt.safetensors')
    with open(broken, 'wb') as file:
        file.write(b'\x10\x00\x00\x00\x00\x00\x00\x00{"a": [[[[[[[[[[')
    status, message = run(image, [content], style_layer=style, weights_file=broken, **FAST)
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR and
          'Die Gewichtsdatei %s ist nicht verwendbar' % broken in message, 'the broken weights file in German')
status, message = run(image, [content], style_layer=style, weights_file=WEIGHTS, memory_limit=1, **FAST)
check(status == Gimp.PDBStatusType.EXECUTION_ERROR and re.search(r'Nicht genug Speicher: \d+x\d+ px', message),
      'too little memory in German, with the size')
check(layer_names(image) == ['Foto (stilisiert)', 'Foto', 'Stil'], 'the failed runs left the layers as they were')
finish()
