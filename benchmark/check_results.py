#!/usr/bin/python3
"""Smoke test of neural-style-benchmark: runs it with --quick and checks that it writes complete, valid JSON.

    check_results.py BENCHMARK [--pytorch SCRIPT | --large]

No timing assertions: only that every measurement ran and produced numbers. With --pytorch the PyTorch reference
runs too; the test is skipped (77) when this Python has no torch. With --large the large-image section runs
(at tiny sizes) instead of the others.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

SKIP = 77


def number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)


def main():
    benchmark = sys.argv[1]
    extra = sys.argv[2:]
    if "--pytorch" in extra:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("SKIP: this Python has no torch")
            return SKIP
        extra += ["--python", sys.executable]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.json")
        run = subprocess.run([benchmark, "--quick", "--device", "cpu", "--threads", "1", "--json", out] + extra,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=540)
        print(run.stdout)
        check(run.returncode == 0, f"exit status {run.returncode}")
        with open(out) as f:
            results = json.load(f)
    check(results["program"] == "neural-style-benchmark", "program name")
    check(results["quick"] is True, "quick flag")
    if "--large" in extra:
        check_large(results["large"])
    else:
        check_sections(results, extra)
    print("OK")
    return 0


def check_step(r, what):
    check("error" not in r, f"{what}: {r.get('error')}")
    for key in ("setup_seconds", "step_seconds", "estimated_peak_mb", "measured_peak_mb", "measured_over_estimated"):
        check(number(r[key]) and r[key] > 0, f"{what}: {key} = {r.get(key)!r}")
    check(r["under_limit"] is True, f"{what}: peak {r['measured_peak_mb']} MB over the limit")


def check_large(large):
    check([(r["width"], r["height"]) for r in large["steps"]] == [(96, 64), (80, 80)], "the --quick large sizes")
    for r in large["steps"]:
        check_step(r, f"{r['width']}x{r['height']}")
    tiling = large["tiling"]
    check_step(tiling["untiled"], "untiled")
    check_step(tiling["tiled"], "tiled")
    check(tiling["untiled"]["tiles"] == 1 and tiling["tiled"]["tiles"] > 1, "forced tiles")
    check(number(tiling["tiled_over_untiled"]), "the tiles' cost")
    runs = large["default_run"]
    for key in ("full_size", "old_working_size"):
        check("error" not in runs[key], f"default run {key}: {runs[key].get('error')}")
        check(runs[key]["steps"] == 10 and number(runs[key]["seconds"]), f"default run {key}: its steps and time")
        for figure in ("preview_seconds_per_megapixel_step", "estimated_seconds_at_preview_pace"):
            check(number(runs[key][figure]) and runs[key][figure] > 0, f"default run {key}: {figure}")
    check(number(runs["full_over_old"]), "full size against the old working size")


def check_sections(results, extra):
    check(len(results["devices"]) == 1 and results["devices"][0]["device"] == "cpu", "one CPU device")
    device = results["devices"][0]
    check([r["size"] for r in device["sizes"]] == [32, 48], "the --quick sizes")
    for r in device["sizes"]:
        check("error" not in r, f"size {r['size']}: {r.get('error')}")
        for key in ("seconds_per_step", "gflops", "model_gflop_per_step"):
            check(number(r[key]) and r[key] > 0, f"size {r['size']}: {key} = {r.get(key)!r}")
        check(number(r["memory"]["peak_rss_mb"]) and r["memory"]["peak_rss_mb"] > 0, "peak memory")
        check(len(r["step_seconds"]) == r["warmup_steps"] + r["timed_steps"], "one report per step")
    check(len(device["memory_sizes"]) == 1 and "error" not in device["memory_sizes"][0], "the memory run")
    check(len(device["time_to_quality"]) == 1, "one time-to-quality size")
    ttq = device["time_to_quality"][0]
    check(number(ttq["target_loss"]) and number(ttq["seed_seconds"]), "seed target and time")
    check(ttq["seed_steps_done"] == 30 and ttq["seed_full_length"] is False, "the shortened seed run is said so")
    check(len(ttq["seed"]["curve"]) == 30, "a curve point per seed step")
    check("error" not in ttq["default"] and len(ttq["default"]["curve"]) == 300, "the default run's 300 steps")
    check(ttq["default"]["curve"][-1][3] == 32, "the default run ends at the full size")
    if "--pytorch" in extra:
        check("error" not in ttq["pytorch"], f"PyTorch run: {ttq['pytorch'].get('error')}")
        check(len(ttq["pytorch"]["curve"]) == 300, "the PyTorch run's 300 steps")
        # Same optimizer, weights and images: the first loss (before any step) must agree closely.
        a, b = ttq["default"]["curve"][0][2], ttq["pytorch"]["curve"][0][2]
        check(abs(a - b) <= 1e-3 * max(abs(a), abs(b)), f"first losses differ: core {a}, PyTorch {b}")
    check("Time to quality" in results["table"], "the table")


if __name__ == "__main__":
    sys.exit(main())
