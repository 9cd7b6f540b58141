# SPDX-License-Identifier: GPL-3.0-or-later
# Drives interactive.py's runs from outside GIMP with xdotool, and photographs the dialog and the progress window
# for the README.
#   drive_dialog.py OUTPUT_FOLDER GIMP_PID     (DISPLAY must point at the X server GIMP uses)
import os
import subprocess
import sys
import time
from urllib.parse import unquote, urlparse

import gi
gi.require_version('Gdk', '3.0')
from gi.repository import Gdk  # noqa: E402

TITLE = '^([0-9]+% – )?Neural Style Transfer$'
STEPPED = '^[0-9]+% – Neural Style Transfer$'  # a progress window past its first step: there is a result to keep
out = sys.argv[1]
gimp = int(sys.argv[2])
weights = os.environ['NST_TEST_WEIGHTS']
help_log = os.environ['NST_TEST_HELP_LOG']


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


def opened_by_help(timeout=120):
    """The address the Help button had the web browser open, read from what run-gimp.sh's stand-in wrote down."""
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(help_log) and open(help_log).read().strip():
            return open(help_log).read().strip()
        time.sleep(0.5)
    sys.exit('the Help button opened nothing within %d s' % timeout)


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

repeat = wait_for_window(other_than=progress)  # Repeat: its progress window, no dialog
press(repeat, 'alt+c')

dialog = wait_for_window(other_than=repeat)
press(dialog, 'alt+h')  # Help: the page installed with the plug-in, in the web browser
page = opened_by_help()
path = unquote(urlparse(page).path)  # GLib hands a browser a local page as a path or a file:// address
if not (path.endswith('/help/en/index.html') and os.path.exists(path)
        and 'Style layer' in open(path, encoding='utf-8').read()):
    sys.exit('Help opened %s, not the installed help page' % page)
print('ok:   Help opens', page, flush=True)
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

# Repeat with the style layer deleted opens no window; the next one is the dialog of the run on the second image.
dialog = wait_for_window(other_than=progress)
press(dialog, 'alt+o')
progress = wait_for_window(other_than=dialog)
press(wait_for_window(title='GIMP$'), 'ctrl+w')  # close the image being painted
press(wait_for_window(title='^Close '), 'ctrl+d')  # discard its changes
press(wait_for_window(title=STEPPED), 'alt+k')  # Stop and keep, once there is something to keep
