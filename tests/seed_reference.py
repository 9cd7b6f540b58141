#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent PyTorch implementation of the seed notebook, to check the C++ core's per-step losses.

    seed_reference.py WEIGHTS CONTENT STYLE STEPS LOG.jsonl

Runs the seed's math (VGG19 post-ReLU features, unnormalised Gram, Adam lr 0.003 on the ImageNet-normalised
image, total = content + 1e6 * style) for STEPS steps and compares each step's losses with the lines of
LOG.jsonl written by `neural-style --preset seed --log`. Exit status 0 when every value agrees within 0.1%.
Reads safetensors with tools/safetensors_file.py (no pickle), images with Pillow.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from safetensors_file import read_vgg19_features  # noqa: E402

STYLE_LAYERS = {0: 1.0, 5: 0.8, 10: 0.5, 19: 0.3, 28: 0.1}  # conv feature index -> layer weight
CONTENT_LAYER = 21                                          # conv4_2
CONVS = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28]
POOL_AFTER = {2, 7, 16, 25}
TOLERANCE = 1e-3


def load_image(path, size=None):
    image = Image.open(path).convert("RGB")
    if size is not None and image.size != size:
        image = image.resize(size, Image.BILINEAR)
    tensor = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1).unsqueeze(0)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (tensor - mean) / std


def features(x, weights):
    out = {}
    for index in CONVS:
        x = F.relu(F.conv2d(x, weights[f"features.{index}.weight"], weights[f"features.{index}.bias"], padding=1))
        out[index] = x
        if index in POOL_AFTER:
            x = F.max_pool2d(x, 2)
    return out


def gram(t):
    _, d, h, w = t.size()
    t = t.view(d, h * w)
    return t @ t.t()


def main():
    weights_path, content_path, style_path, steps, log_path = sys.argv[1:6]
    weights = read_vgg19_features(weights_path)
    content = load_image(content_path)
    style = load_image(style_path, (content.shape[3], content.shape[2]))

    with torch.no_grad():
        content_features = features(content, weights)
        style_grams = {i: gram(f) for i, f in features(style, weights).items() if i in STYLE_LAYERS}

    target = content.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([target], lr=0.003)
    expected = []
    for _ in range(int(steps)):
        target_features = features(target, weights)
        content_loss = torch.mean((target_features[CONTENT_LAYER] - content_features[CONTENT_LAYER]) ** 2)
        style_loss = 0
        for index, layer_weight in STYLE_LAYERS.items():
            f = target_features[index]
            _, d, h, w = f.shape
            style_loss = style_loss + layer_weight * torch.mean((gram(f) - style_grams[index]) ** 2) / (d * h * w)
        total = 1 * content_loss + 1e6 * style_loss
        expected.append({"content": content_loss.item(), "style": style_loss.item(), "total": total.item()})
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    with open(log_path) as f:
        logged = [json.loads(line) for line in f if line.strip()]
    if len(logged) != len(expected):
        print(f"FAIL: the log has {len(logged)} steps, expected {len(expected)}")
        return 1
    worst = 0.0
    for step, (want, got) in enumerate(zip(expected, logged), start=1):
        for key in ("content", "style", "total"):
            scale = max(abs(want[key]), 1e-12)
            error = abs(got[key] - want[key]) / scale
            # At step 1 the target is the content itself: its content loss is exactly zero in both.
            if want[key] == 0.0:
                error = abs(got[key])
            worst = max(worst, error)
            if error > TOLERANCE:
                print(f"FAIL: step {step} {key}: log {got[key]!r}, reference {want[key]!r} ({error:.2e} relative)")
                return 1
    print(f"OK: {len(expected)} steps agree, worst relative difference {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
