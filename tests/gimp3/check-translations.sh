#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every catalogue in po/LINGUAS translates every message of the sources in po/POTFILES (no fuzzy, none missing).
#   check-translations.sh SOURCE_ROOT
set -eu
root=$1
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
cd "$root"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ -o "$pot" $(cat po/POTFILES)
status=0
for lang in $(cat po/LINGUAS); do
  msgfmt --check --output-file=/dev/null "po/$lang.po" || status=1
  msgcmp "po/$lang.po" "$pot" || status=1
done
exit $status
