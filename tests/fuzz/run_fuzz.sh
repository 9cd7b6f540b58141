#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds a fuzz target with clang's libFuzzer (ASan + UBSan) and runs it for a bounded time.
#   run_fuzz.sh SOURCE_ROOT SECONDS TARGET
# TARGET: safetensors_header (the weights file's header parser) or http_headers (the downloader's reading of a
# server's header lines, Content-Range above all). Each has a dictionary of its tokens beside it.
# The target and its corpus live in a temporary folder; a crash leaves the reproducer in the log and fails
# (exit status 1: libFuzzer's own 77 would read as 'skipped' to meson).
set -eu
root=$1 seconds=$2 target=$3
case $target in
safetensors_header)
    sources="$root/core/safetensors_header.cpp"
    # Long enough for a header nested far deeper than the parser's limit (a seed nests 200000 deep).
    max_len=1048576 ;;
http_headers)
    sources="$root/fetch/http_headers.cpp $root/core/safetensors_header.cpp"
    max_len=4096 ;;
*)
    echo "unknown fuzz target $target" >&2
    exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json_cflags=$(pkg-config --cflags nlohmann_json)
# shellcheck disable=SC2086
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $json_cflags \
    -I"$root/core" -I"$root/fetch" $sources "$root/tests/fuzz/fuzz_$target.cpp" -o "$work/fuzz_$target"
mkdir "$work/corpus"
/usr/bin/python3 "$root/tests/fuzz/make_corpus.py" "$target" "$work/corpus"
status=0
"$work/fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -dict="$root/tests/fuzz/$target.dict" \
    -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
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
