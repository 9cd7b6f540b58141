#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The dialog and the progress window in a real GIMP 3 with its user interface, on a private Xvfb display:
# interactive.py runs the plug-in three times, drive_dialog.py presses the buttons with xdotool and
# photographs the dialog, the progress window and the missing-weights dialog into OUTPUT_FOLDER.
#   dialog-test.sh GIMP PLUGIN_BINARY ICON LOCALE_DIR OUTPUT_FOLDER      (needs Xvfb and xdotool, else skipped)
set -eu
gimp=$1 plugin=$2 icon=$3 locale=$4 out=$5
here=$(dirname "$(realpath "$0")")
command -v Xvfb >/dev/null && command -v xdotool >/dev/null || exit 77

display=:$(( $$ % 500 + 100 ))
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display
sleep 1

mkdir -p "$out"
NST_TEST_GUI=1 "$here/run-gimp.sh" "$gimp" "$plugin" "$icon" "$locale" "$here/interactive.py" &
gimp_pid=$!
driver=0
python3 "$here/drive_dialog.py" "$out" $gimp_pid || driver=$?
status=0
wait $gimp_pid || status=$?
[ $driver = 0 ] || exit $driver
exit $status
