#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One step from a fresh clone to a stylized picture:
#   ./setup.sh CONTENT STYLE OUTPUT
# installs the Debian packages the build needs, builds, installs `neural-style` into ~/.local/bin and the GIMP 3
# plug-in into your GIMP plug-ins folder (where GIMP 3 is packaged: Debian 13), downloads the VGG19 weights when
# they are missing, and paints CONTENT in the style of STYLE into OUTPUT.
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: ./setup.sh CONTENT STYLE OUTPUT   (e.g. ./setup.sh photo.jpg painting.jpg result.png)" >&2
    exit 2
fi
# The pictures are named relative to where the user stands, the build relative to this script.
content=$(realpath -m -- "$1") style=$(realpath -m -- "$2") output=$(realpath -m -- "$3")
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
packages=(g++ cmake meson ninja-build pkg-config libtorch-dev libopenblas0-pthread nlohmann-json3-dev
          libpng-dev libjpeg-dev libtiff-dev libwebp-dev libcurl4-openssl-dev nettle-dev ca-certificates)
gimp3=false
if apt-cache show libgimp-3.0-dev >/dev/null 2>&1; then
    packages+=(gimp libgimp-3.0-dev libgegl-dev libbabl-dev gettext)
    gimp3=true
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

options=(--prefix "$HOME/.local" -Dtests=disabled -Dbenchmark=disabled)
if $gimp3; then
    # The folder of the GIMP installed now (3.0 and 3.2 read different ones), also for an existing build folder.
    gimp_dir=$(tools/gimp-plugin-dir)
    options+=(-Dgimp3=enabled "-Dplugindir=$gimp_dir")
    [ ! -f build-user/build.ninja ] || meson configure build-user "-Dplugindir=$gimp_dir"
else
    echo "GIMP 3 is not packaged for this system: building the command line only."
    options+=(-Dgimp3=disabled)
fi
[ -f build-user/build.ninja ] || meson setup build-user "${options[@]}"
ninja -C build-user
meson install -C build-user --quiet

cli="$HOME/.local/bin/neural-style"
weights="${NEURAL_STYLE_WEIGHTS:-${XDG_DATA_HOME:-$HOME/.local/share}/neural-style-transfer/vgg19.safetensors}"
[ -f "$weights" ] || "$cli" fetch-weights
"$cli" "$content" "$style" "$output"
echo "Wrote $output. $($gimp3 && echo "The plug-in is in $gimp_dir; restart GIMP: Filters > Artistic > Neural Style Transfer…")"
