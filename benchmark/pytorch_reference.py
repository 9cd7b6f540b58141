#!/usr/bin/python3
"""The core's default optimizer written in plain PyTorch: what a user would run instead of the C++ core.

neural-style-benchmark runs this side by side with the core (--pytorch benchmark/pytorch_reference.py) on the same
weights, images and losses, and compares the time each needs to reach the seed preset's final loss.

It mirrors core/stylize.cpp exactly: VGG19 post-ReLU features (conv1_1..conv5_1 for style, conv4_2 for content),
unnormalised Gram matrices, content = mean((F - P)^2), style layer = mean((G - A)^2) / (C*H*W), total =
content_weight * content + style_weight * sum(layer_weight * style layer) + tv_weight * tv; L-BFGS (no line search,
one evaluation per iteration, a new optimizer per scale); coarse to fine over the scales the core planned
(--scale-plan: each scale's size, steps, style size and L-BFGS history, from core/run_plan.h's plan_run), content
and style resized to every scale from the originals (area when shrinking, bicubic when enlarging), the candidate
warm-started by enlarging the previous scale's result. Always untiled: the benchmark runs it at sizes that fit.
Reads safetensors with tools/safetensors_file.py (no pickle) and images as the .npy files the benchmark writes
(float32 [H, W, 4]). Writes the loss of each step (measured at its start, as the core reports it) against seconds
since the optimisation started, the same moment the core's clock starts.

    pytorch_reference.py --weights W --content C.npy --style S.npy --scale-plan PLAN --result OUT.json [options]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from safetensors_file import read_vgg19_features  # noqa: E402

CONVS = [  # feature index, pool after
    (0, False), (2, True), (5, False), (7, True), (10, False), (12, False), (14, False), (16, True),
    (19, False), (21, False), (23, False), (25, True), (28, False)]
STYLE_LAYERS = [0, 5, 10, 19, 28]  # conv1_1, conv2_1, conv3_1, conv4_1, conv5_1
CONTENT_LAYER = 21                 # conv4_2
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def load_rgb(path):
    array = np.load(path)  # float32 [H, W, 4]
    return torch.from_numpy(np.ascontiguousarray(array[:, :, :3])).permute(2, 0, 1).unsqueeze(0).contiguous()


def normalize(rgb):
    return (rgb - torch.tensor(MEAN, device=rgb.device).view(1, 3, 1, 1)) / torch.tensor(STD, device=rgb.device).view(1, 3, 1, 1)


def denormalize(x):
    return x * torch.tensor(STD, device=x.device).view(1, 3, 1, 1) + torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)


def resize(rgb, height, width):
    if rgb.shape[2] == height and rgb.shape[3] == width:
        return rgb
    if height <= rgb.shape[2] and width <= rgb.shape[3]:
        return F.interpolate(rgb, size=(height, width), mode="area")
    return F.interpolate(rgb, size=(height, width), mode="bicubic", align_corners=False)


def parse_size(text):
    width, height = text.split("x")
    return int(width), int(height)


def parse_scale_plan(text):
    """"WxH:STEPS:SWxSH:HISTORY,..." coarse to fine, as neural-style-benchmark writes it."""
    scales = []
    for part in text.split(","):
        size, steps, style_size, history = part.split(":")
        scales.append((*parse_size(size), int(steps), *parse_size(style_size), int(history)))
    return scales


def features(x, weights, wanted):
    deepest = max(wanted)
    out = {}
    for index, pool in CONVS:
        x = F.relu(F.conv2d(x, weights[f"features.{index}.weight"], weights[f"features.{index}.bias"], padding=1))
        out[index] = x
        if index == deepest:
            break
        if pool:
            x = F.max_pool2d(x, 2, 2)
    return [out[i] for i in wanted]


def gram(f):
    d = f.shape[1]
    flat = f.reshape(d, -1)
    return flat @ flat.t()


class ScaleLoss:
    def __init__(self, weights, args, content, style):
        self.weights = weights
        self.args = args
        self.style_layers = [(layer, w) for layer, w in zip(STYLE_LAYERS, args.style_layer_weights)
                             if w > 0 and args.style_weight > 0]
        self.positions = [layer for layer, _ in self.style_layers] + [CONTENT_LAYER]
        with torch.no_grad():
            self.content_target = features(content, weights, self.positions)[-1]
            self.style_grams = []
            if self.style_layers:
                style_features = features(style, weights, [layer for layer, _ in self.style_layers])
                self.style_grams = [gram(f) for f in style_features]

    def __call__(self, candidate):
        f = features(candidate, self.weights, self.positions)
        content = (f[-1] - self.content_target).pow(2).mean()
        style = torch.zeros((), device=candidate.device)
        for i, (_, layer_weight) in enumerate(self.style_layers):
            t = f[i]
            dhw = float(t.shape[1]) * t.shape[2] * t.shape[3]
            style = style + layer_weight * ((gram(t) - self.style_grams[i]).pow(2).mean() / dhw)
        if self.args.tv_weight > 0:
            image = denormalize(candidate)
            tv = (image[:, :, :, 1:] - image[:, :, :, :-1]).pow(2).mean() + \
                 (image[:, :, 1:, :] - image[:, :, :-1, :]).pow(2).mean()
        else:
            tv = torch.zeros((), device=candidate.device)
        total = self.args.content_weight * content + self.args.style_weight * style + self.args.tv_weight * tv
        return total


class TargetReached(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", required=True)
    parser.add_argument("--content", required=True)
    parser.add_argument("--style", required=True)
    parser.add_argument("--scale-plan", required=True, help="WxH:STEPS:SWxSH:HISTORY,... coarse to fine")
    parser.add_argument("--result", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads; 0: PyTorch's own default")
    parser.add_argument("--learning-rate", type=float, default=1.0)
    parser.add_argument("--content-weight", type=float, default=1.0)
    parser.add_argument("--style-weight", type=float, default=1e6)
    parser.add_argument("--style-layer-weights", default="1,0.8,0.5,0.3,0.1")
    parser.add_argument("--tv-weight", type=float, default=0.0)
    parser.add_argument("--target", type=float, default=None, help="record when the full-size loss reaches this")
    parser.add_argument("--stop-at-target", action="store_true")
    args = parser.parse_args()
    args.style_layer_weights = [float(w) for w in args.style_layer_weights.split(",")]

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    weights = read_vgg19_features(args.weights, device)
    content_rgb = load_rgb(args.content)
    style_rgb = load_rgb(args.style)
    scales = parse_scale_plan(args.scale_plan)
    final_w, final_h = scales[-1][:2]

    curve = []
    reached = None
    stop = False
    start = time.perf_counter()
    candidate = None
    evaluations = [0]  # loss-and-gradient evaluations, one per iteration
    for width, height, steps, style_width, style_height, history in scales:
        content = normalize(resize(content_rgb, height, width)).to(device)
        style = normalize(resize(style_rgb, style_height, style_width)).to(device)
        loss = ScaleLoss(weights, args, content, style)
        if candidate is None:
            candidate = content.clone()
        else:
            candidate = resize(candidate.detach(), height, width).contiguous()
        candidate.requires_grad_(True)
        # torch.optim.LBFGS as neural-style-pt runs it: one step() call for the whole scale, no line search, no
        # early exit; one evaluation per iteration, which is what core/lbfgs.cpp does.
        optimizer = torch.optim.LBFGS([candidate], lr=args.learning_rate, max_iter=steps, max_eval=steps + 1,
                                      tolerance_grad=-1, tolerance_change=-1, history_size=history)

        def closure():
            nonlocal reached
            evaluations[0] += 1
            optimizer.zero_grad()
            total = loss(candidate)
            total.backward()
            value = float(total)  # the loss at the start of the iteration, as the core reports it
            seconds = time.perf_counter() - start
            curve.append([len(curve) + 1, seconds, value, width, height, evaluations[0]])
            if reached is None and args.target is not None and (width, height) == (final_w, final_h) \
                    and value <= args.target:
                reached = seconds
                if args.stop_at_target:
                    raise TargetReached()
            return total

        try:
            optimizer.step(closure)
        except TargetReached:
            stop = True
        if stop:
            break

    result = {
        "program": "pytorch_reference.py",
        "torch_version": torch.__version__,
        "device": args.device,
        "threads": torch.get_num_threads(),
        "planned_steps": sum(scale[2] for scale in scales),
        "steps_done": len(curve),
        "curve_columns": ["step", "seconds", "total", "width", "height", "evaluations_so_far"],
        "curve": curve,
        "final_loss": curve[-1][2] if curve else None,
        "final_seconds": curve[-1][1] if curve else None,
        "reached_target_seconds": reached,
        "target": args.target,
    }
    with open(args.result, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
