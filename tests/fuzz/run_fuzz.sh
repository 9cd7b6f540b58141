#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds a fuzz target with clang's libFuzzer (ASan + UBSan) and runs it for a bounded time.
#   run_fuzz.sh SOURCE_ROOT SECONDS TARGET [RUNS]
# RUNS, when given, ends the run after that many executions if SECONDS have not passed first (the long runs).
# TARGET: safetensors_header (the weights file's header parser), http_headers (the downloader's reading of a
# server's header lines, Content-Range above all) or image_files (load_image: PNG, JPEG, TIFF, WebP, PGM/PPM,
# linked against the system's codec libraries, which are not instrumented: coverage guides through our code).
# Each has a dictionary of its tokens beside it.
# The target and its corpus live in a temporary folder; a crash leaves the reproducer in the log and fails
# (exit status 1: libFuzzer's own 77 would read as 'skipped' to meson).
set -eu
root=$1 seconds=$2 target=$3 runs=${4:--1}
libraries=""
timeout=10
case $target in
safetensors_header)
    sources="$root/core/safetensors_header.cpp"
    # Long enough for a header nested far deeper than the parser's limit (a seed nests 200000 deep).
    max_len=1048576 ;;
http_headers)
    sources="$root/fetch/http_headers.cpp $root/core/safetensors_header.cpp"
    max_len=4096 ;;
image_files)
    sources="$root/image_files/image_files.cpp $root/image_files/png_codec.cpp $root/image_files/jpeg_codec.cpp
        $root/image_files/tiff_codec.cpp $root/image_files/webp_codec.cpp $root/image_files/pnm_codec.cpp"
    # The pkg-config names image_files/meson.build links.
    libraries=$(pkg-config --cflags --libs libpng libjpeg libtiff-4 libwebp)
    # Sixteen times the largest seed: room for long chunks and many scans or strips.
    max_len=16384
    # A 29-byte WebP may declare 15167x5888 pixels (under the pixel limit): its 268 MB raster is refused in 0.3 s
    # in a release build, but freeing it under ASan took 13 s in the long run, a slowness and not a hang.
    timeout=60 ;;
*)
    echo "unknown fuzz target $target" >&2
    exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json_cflags=$(pkg-config --cflags nlohmann_json)
# shellcheck disable=SC2086
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $json_cflags \
    -I"$root/core" -I"$root/fetch" -I"$root/image_files" $sources "$root/tests/fuzz/fuzz_$target.cpp" $libraries \
    -o "$work/fuzz_$target"
mkdir "$work/corpus"
/usr/bin/python3 "$root/tests/fuzz/make_corpus.py" "$target" "$work/corpus"
status=0
"$work/fuzz_$target" -max_total_time="$seconds" -runs="$runs" -max_len="$max_len" \
    -dict="$root/tests/fuzz/$target.dict" \
    -timeout="$timeout" -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    cat "$work/log"
    for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
        [ -e "$crash" ] && od -c "$crash" | head -n 20
    done
else
    tail -n 2 "$work/log"
fi
exit "$status"
