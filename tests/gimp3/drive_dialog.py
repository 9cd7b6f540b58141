# SPDX-License-Identifier: GPL-3.0-or-later
# Drives interactive.py's two runs from outside GIMP with xdotool, and photographs the dialog and the progress
# window for the README.
#   drive_dialog.py OUTPUT_FOLDER GIMP_PID     (DISPLAY must point at the X server GIMP uses)
import os
import subprocess
import sys
import time

import gi
gi.require_version('Gdk', '3.0')
from gi.repository import Gdk  # noqa: E402

TITLE = '^Neural Style Transfer$'
out = sys.argv[1]
gimp = int(sys.argv[2])
weights = os.environ['NST_TEST_WEIGHTS']


def xdotool(*args):
    return subprocess.run(['xdotool'] + list(args), capture_output=True, text=True).stdout.split()


def wait_for_window(other_than=None, title=TITLE, timeout=180):
    """The id of a window of the plug-in (by default one titled like the plug-in), waiting for it to appear."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            os.kill(gimp, 0)
        except ProcessLookupError:
            sys.exit('GIMP ended while waiting for a window titled %s' % title)
        ids = [i for i in xdotool('search', '--onlyvisible', '--name', title) if i != other_than]
        if ids:
            time.sleep(2)  # let it draw
            return ids[-1]
        time.sleep(0.5)
    screen = Gdk.get_default_root_window()
    Gdk.pixbuf_get_from_window(screen, 0, 0, screen.get_width(), screen.get_height()).savev(
        os.path.join(out, 'timeout.png'), 'png', [], [])
    sys.exit('no window titled %s appeared (the screen is in timeout.png)' % title)


def press(window, *keys):
    xdotool('windowfocus', '--sync', window)
    xdotool('key', '--clearmodifiers', *keys)


def photograph(window, name):
    geometry = dict(line.split('=') for line in xdotool('getwindowgeometry', '--shell', window))
    x, y, w, h = (int(geometry[k]) for k in ('X', 'Y', 'WIDTH', 'HEIGHT'))
    picture = Gdk.pixbuf_get_from_window(Gdk.get_default_root_window(), x, y, w, h)
    picture.savev(os.path.join(out, name), 'png', [], [])
    print('wrote', name, w, 'x', h, flush=True)


dialog = wait_for_window()
press(dialog, 'alt+a')  # open "Advanced"
time.sleep(2)
photograph(dialog, 'dialog.png')
press(dialog, 'alt+o')  # OK
progress = wait_for_window(other_than=dialog)
time.sleep(20)  # past the preparation, into the steps
photograph(progress, 'progress.png')
press(progress, 'alt+k')  # Stop and keep

dialog = wait_for_window(other_than=progress)
press(dialog, 'alt+o')
progress = wait_for_window(other_than=dialog)
press(progress, 'alt+c')  # Cancel

question = wait_for_window(other_than=progress)  # the weights are missing
photograph(question, 'weights-missing.png')
press(question, 'alt+h')  # Choose File…
chooser = wait_for_window(title='^Choose the VGG19 weights file$')
press(chooser, 'ctrl+l')
xdotool('type', '--delay', '20', weights)
time.sleep(1)
press(chooser, 'alt+o')  # Open
dialog = wait_for_window(other_than=question)
press(dialog, 'alt+o')
progress = wait_for_window(other_than=dialog)
time.sleep(5)
press(progress, 'alt+k')
