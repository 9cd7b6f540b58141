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
# How long the run may take to gain 3 percentage points before the test calls it stuck: idle it takes seconds, but on
# a CI machine whose 2 cores other work shared (every test 3x slower) it once took over 120 s.
STALLED_SECONDS = 300
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
    return picture


def percent_done(window):
    """The share done that the progress window's title shows, or -1 before the first step."""
    name = ' '.join(xdotool('getwindowname', window))
    return int(name.split('%')[0]) if '%' in name else -1


def pixels_changed(a, b):
    """How many pixels differ between two photographs of the same window."""
    if (a.get_width(), a.get_height()) != (b.get_width(), b.get_height()):
        return a.get_width() * a.get_height()
    da, db, stride, channels = a.get_pixels(), b.get_pixels(), a.get_rowstride(), a.get_n_channels()
    return sum(da[y * stride + x * channels:y * stride + x * channels + 3] !=
               db[y * stride + x * channels:y * stride + x * channels + 3]
               for y in range(a.get_height()) for x in range(a.get_width()))


def wait_for_change(window, since, what, timeout=90):
    """Photographs `window` until it differs from the photograph `since` by more than changing labels do; returns
    the new photograph and the seconds it took."""
    start = time.time()
    while time.time() - start < timeout:
        time.sleep(0.5)
        now = photograph(window, 'latest.png')
        if pixels_changed(since, now) > 10000:
            return now, time.time() - start
    sys.exit('%s: nothing changed within %d s (the window is in latest.png)' % (what, timeout))


def settled(window, since):
    """Photographs `window` until two photographs further apart than the picture's refresh (2 s) are alike: the
    preview has finished painting."""
    while True:
        time.sleep(2.5)
        now = photograph(window, 'latest.png')
        if pixels_changed(since, now) <= 10000:
            return now
        since = now


def check_the_preview(dialog):
    """The preview (on when the dialog opens, as in GIMP's own filters) appears within seconds, and paints again
    when a setting changes."""
    opened = time.time() - 2  # wait_for_window lets a window draw for 2 s
    first, _ = wait_for_change(dialog, photograph(dialog, 'dialog-open.png'), 'the preview')
    print('ok:   the preview appears %.1f s after the dialog opened' % (time.time() - opened), flush=True)
    done = settled(dialog, first)
    print('ok:   the preview is finished %.1f s after the dialog opened' % (time.time() - opened), flush=True)
    press(dialog, 'alt+u', 'Down')  # Colours: the next choice, the layer's own
    repainted, seconds = wait_for_change(dialog, done, 'the preview after a change of colours')
    print('ok:   the preview paints again %.1f s after a setting changed' % seconds, flush=True)
    press(dialog, 'alt+u', 'Up')  # back to the style's colours, for the run and the picture
    settled(dialog, repainted)
    photograph(dialog, 'dialog.png')


def watch_the_picture_form(progress):
    """Two photographs of the progress window, the second after later steps and the picture's refresh interval
    (2 s): the picture in it must have changed, far beyond what the changing labels account for."""
    first_percent = percent_done(wait_for_window(title=STEPPED))
    before = photograph(progress, 'progress-early.png')
    start = time.time()
    while percent_done(progress) < first_percent + 3 or time.time() - start < 3:
        if time.time() - start > STALLED_SECONDS:
            sys.exit('the run did not get on within %d s' % STALLED_SECONDS)
        time.sleep(0.5)
    after = photograph(progress, 'progress.png')
    changed = pixels_changed(before, after)
    if changed < 10000:
        sys.exit('the progress window\'s picture did not change (%d pixels differ)' % changed)
    print('ok:   the picture forms in the progress window (%d pixels changed)' % changed, flush=True)


dialog = wait_for_window()
check_the_preview(dialog)
press(dialog, 'alt+o')  # OK
progress = wait_for_window(other_than=dialog)
watch_the_picture_form(progress)
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
time.sleep(1)  # the location entry takes the focus after the key; a "/" typed before it lands elsewhere
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

# The third image's run: its content layer deleted (F9: Layer > Delete Layer, see run-gimp.sh) while it paints.
dialog = wait_for_window(other_than=progress)
press(dialog, 'alt+o')
progress = wait_for_window(other_than=dialog)
press(wait_for_window(title='GIMP$'), 'F9')
press(wait_for_window(title=STEPPED), 'alt+k')
