#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The seed preset's per-step losses against an independent PyTorch implementation, on two 128x128 images.
#   seed_check.sh NEURAL_STYLE MAKE_TEST_WEIGHTS TESTS_DIR
set -eu
cli=$1 make_weights=$2 tests=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$make_weights" "$work/w.safetensors" --seed 7
/usr/bin/python3 "$tests/cli/make_seed_images.py" "$work/content.png" "$work/style.png"
"$cli" --weights "$work/w.safetensors" --preset seed --optimizer adam --steps 10 --log "$work/L.jsonl" --quiet \
    "$work/content.png" "$work/style.png" "$work/out.png"
/usr/bin/python3 "$tests/seed_reference.py" "$work/w.safetensors" "$work/content.png" "$work/style.png" 10 "$work/L.jsonl"
