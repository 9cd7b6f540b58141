#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one Python test script in a headless GIMP 3 with the built plug-in installed into a fresh, temporary
# GIMP3_DIRECTORY (and a temporary XDG_DATA_HOME, so no real weights file is found by accident).
#   run-gimp.sh GIMP_BINARY PLUGIN_BINARY ICON LOCALE_DIR SCRIPT.py
# The script sees the test weights in $NST_TEST_WEIGHTS; exit status: GIMP's (0 when the script passed).
# NST_TEST_LOCALE=de_DE.UTF-8 runs GIMP in that locale, compiled here with localedef (Debian package
# 'locales'); gettext ignores LANGUAGE in the C locales. Without localedef's data the test is skipped (77).
# NST_TEST_GUI=1 starts GIMP with its user interface (on $DISPLAY) and puts the test weights in the default
# location, where an interactive run finds them, and gives Layer > Delete Layer the key F9; with NST_TEST_HELP_LOG set, the web browser that GIMP's help opens
# is a stand-in that writes the address it was given to that file. NST_TEST_FONTS=1 loads the system's fonts (for
# text layers).
set -eu
gimp=$1 plugin=$2 icon=$3 locale=$4 script=$5

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
folder="$dir/config/plug-ins/neural-style-transfer"
mkdir -p "$folder" "$dir/data" "$dir/locales"
ln -s "$(realpath "$plugin")" "$folder/neural-style-transfer"
ln -s "$(realpath "$icon")" "$folder/neural-style-transfer.svg"
ln -s "$(realpath "$locale")" "$folder/locale"
ln -s "$(dirname "$(realpath "$plugin")")/help" "$folder/help"

if [ -n "${NST_TEST_LOCALE:-}" ]; then
  language=${NST_TEST_LOCALE%%.*}
  localedef -i "$language" -f UTF-8 "$dir/locales/$NST_TEST_LOCALE" 2>/dev/null || exit 77
  export LOCPATH="$dir/locales" LC_ALL="$NST_TEST_LOCALE" LANGUAGE="$language"
fi

unset NEURAL_STYLE_WEIGHTS
echo '(show-welcome-dialog no)' > "$dir/config/gimprc"
interface=-i
if [ -n "${NST_TEST_GUI:-}" ]; then
  interface=-s
  mkdir -p "$dir/data/neural-style-transfer"
  ln -s "$(realpath "$NST_TEST_WEIGHTS")" "$dir/data/neural-style-transfer/vgg19.safetensors"
  # Layer > Delete Layer has no shortcut of its own; F9 lets the driver delete a layer while the plug-in works.
  echo '(action "layers-delete" "F9")' > "$dir/config/shortcutsrc"
fi
if [ -n "${NST_TEST_HELP_LOG:-}" ]; then
  mkdir -p "$dir/data/applications" "$dir/.config"
  printf '#!/bin/sh
echo "$1" > "%s"
' "$NST_TEST_HELP_LOG" > "$dir/browser"
  chmod +x "$dir/browser"
  printf '[Desktop Entry]
Type=Application
Name=Browser
Exec=%s %%u
MimeType=text/html;
' "$dir/browser" \
    > "$dir/data/applications/nst-test-browser.desktop"
  printf '[Default Applications]
text/html=nst-test-browser.desktop
' > "$dir/.config/mimeapps.list"
fi
export GIMP3_DIRECTORY="$dir/config" XDG_DATA_HOME="$dir/data" HOME="$dir"
export PYTHONPATH="$(dirname "$(realpath "$script")")${PYTHONPATH:+:$PYTHONPATH}"
status=0
fonts=-f
[ -z "${NST_TEST_FONTS:-}" ] || fonts=
"$gimp" $interface -d $fonts --batch-interpreter=python-fu-eval -b - --quit < "$script" || status=$?
exit $status
