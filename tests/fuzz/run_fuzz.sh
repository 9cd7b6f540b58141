#!/bin/sh
# Builds the safetensors header fuzz target with clang's libFuzzer (ASan + UBSan) and runs it for a bounded time.
#   run_fuzz.sh SOURCE_ROOT SECONDS
# The target and its corpus live in a temporary folder; a crash leaves the reproducer in the log and fails
# (exit status 1: libFuzzer's own 77 would read as 'skipped' to meson).
set -eu
root=$1 seconds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json_cflags=$(pkg-config --cflags nlohmann_json)
# shellcheck disable=SC2086
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $json_cflags \
    -I"$root/core" "$root/core/safetensors_header.cpp" "$root/tests/fuzz/fuzz_safetensors_header.cpp" \
    -o "$work/fuzz_safetensors_header"
mkdir "$work/corpus"
/usr/bin/python3 "$root/tests/fuzz/make_corpus.py" "$work/corpus"
status=0
"$work/fuzz_safetensors_header" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
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
