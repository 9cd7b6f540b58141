#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tools/gimp-plugin-dir names the user plug-in folder of the GIMP that is installed: fake `gimp-3`, `gimp` and
# `pkg-config` programs stand for GIMP 3.2, GIMP 2.10 beside libgimp 3.0, and nothing at all.
#   gimp_plugin_dir.sh TOOL
set -eu
tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin"
ln -s "$(command -v sed)" "$dir/bin/sed"
status=0

fake() { # NAME OUTPUT: a program that prints OUTPUT for --version and --modversion
    printf '#!/bin/sh\necho "%s"\n' "$2" > "$dir/bin/$1"
    chmod +x "$dir/bin/$1"
}
expect() { # WHAT EXPECTED [VARIABLE=VALUE...]
    what=$1 expected=$2
    shift 2
    got=$(env -i PATH="$dir/bin" HOME=/home/artist "$@" /bin/sh "$tool" 2>/dev/null) || got="(failed)"
    if [ "$got" = "$expected" ]; then echo "ok:   $what"; else echo "FAIL: $what: got $got, expected $expected"; status=1; fi
}

fake gimp-3 'GNU Image Manipulation Program version 3.2.6'
fake gimp 'GNU Image Manipulation Program version 3.2.6'
fake pkg-config '3.0.4'
expect 'GIMP 3.2 beside an older libgimp: the running GIMP decides' /home/artist/.config/GIMP/3.2/plug-ins
expect 'XDG_CONFIG_HOME' /x/GIMP/3.2/plug-ins XDG_CONFIG_HOME=/x
expect 'GIMP3_DIRECTORY' /g/plug-ins GIMP3_DIRECTORY=/g

rm "$dir/bin/gimp-3"
fake gimp 'GNU Image Manipulation Program version 2.10.34'
expect 'GIMP 2.10 as gimp: libgimp 3.0 from pkg-config' /home/artist/.config/GIMP/3.0/plug-ins

rm "$dir/bin/gimp" "$dir/bin/pkg-config"
expect 'no GIMP 3 at all: an error' '(failed)'
exit $status
