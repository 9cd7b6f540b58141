#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converts torchvision's VGG19 ImageNet weights (.pth) to the safetensors file neural-style reads.

    python3 tools/pth_to_safetensors.py vgg19-dcbb9e9d.pth [OUTPUT] [--all] [--trust-pickle]

For users who have PyTorch and the torchvision file (vgg19-dcbb9e9d.pth, 574,673,361 bytes, from torchvision's
model zoo; BSD-3-Clause) and would rather not download again: `neural-style fetch-weights` is the usual way.
OUTPUT defaults to $XDG_DATA_HOME/neural-style-transfer/vgg19.safetensors (~/.local/share/... when unset).

Only the convolution tensors (keys "features.N.weight" / "features.N.bias", F32) are written unless --all is
given; neural-style reads conv1_1 .. conv5_1 of them. A .pth file is a Python pickle, which can run code when
loaded: this script loads it with torch.load(weights_only=True), which refuses anything but tensors and plain
containers, and stops on a PyTorch too old to have it unless --trust-pickle says the file is trusted. neural-style
itself never loads pickles. The safetensors package writes the file when installed; otherwise it is written here
(8-byte little-endian header length, JSON header, raw little-endian data, 8-byte aligned).
"""
import argparse
import hashlib
import json
import os
import struct
import sys


def default_output():
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data_home, "neural-style-transfer", "vgg19.safetensors")


def load_state_dict(path, trust_pickle):
    try:
        import torch
    except ImportError:
        sys.exit("pth_to_safetensors: needs PyTorch (apt install python3-torch, or pip install torch); without it "
                 "use: neural-style fetch-weights")

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError as e:  # PyTorch before 1.13 has no weights_only
        if "weights_only" not in str(e):
            raise
        if not trust_pickle:
            sys.exit("pth_to_safetensors: this PyTorch (%s) cannot load a .pth safely (no weights_only); update "
                     "PyTorch, or pass --trust-pickle if you trust %s" % (torch.__version__, path))
        loaded = torch.load(path, map_location="cpu")  # the user vouched for the file
    except Exception as e:  # weights_only refuses pickles that hold more than tensors
        sys.exit("pth_to_safetensors: cannot load %s as plain weights: %s" % (path, str(e).splitlines()[0]))
    for wrapper in ("state_dict", "model"):
        if isinstance(loaded, dict) and isinstance(loaded.get(wrapper), dict):
            loaded = loaded[wrapper]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        sys.exit("pth_to_safetensors: %s is not a state dict of tensors" % path)
    return loaded


def tensor_bytes(tensor):
    import torch

    tensor = tensor.detach().to(torch.float32).contiguous().cpu()
    try:
        return tensor.numpy().astype("<f4", copy=False).tobytes()
    except (ImportError, RuntimeError):  # PyTorch built without NumPy
        return struct.pack("<%df" % tensor.numel(), *tensor.flatten().tolist())


def write_safetensors(path, tensors):
    """tensors: list of (key, shape, bytes) in file order. Returns the SHA-256 of the file."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for key, shape, data in tensors:
        header[key] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for chunk in [struct.pack("<Q", len(text)), text] + [data for _, _, data in tensors]:
            f.write(chunk)
            digest.update(chunk)
        f.flush()
        os.fsync(f.fileno())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pth", help="torchvision's vgg19-dcbb9e9d.pth (or another VGG19 state dict)")
    parser.add_argument("output", nargs="?", default=default_output(), help="[%(default)s]")
    parser.add_argument("--all", action="store_true", help="keep every tensor, the classifier too")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="on a PyTorch without weights_only, load the pickle anyway (it can run code)")
    args = parser.parse_args()

    state = load_state_dict(args.pth, args.trust_pickle)
    keys = [k for k in state if args.all or k.startswith("features.")]
    if "features.0.weight" not in keys:
        sys.exit("pth_to_safetensors: %s has no 'features.0.weight': not torchvision's VGG19 weights" % args.pth)
    tensors = []
    for key in keys:
        value = state[key]
        if not value.is_floating_point():
            continue  # e.g. num_batches_tracked of batch-norm variants
        if not bool(value.isfinite().all()):
            sys.exit("pth_to_safetensors: tensor '%s' contains NaN or infinite values" % key)
        tensors.append((key, tuple(value.shape), tensor_bytes(value)))

    folder = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, ".%s.%d.tmp" % (os.path.basename(args.output), os.getpid()))
    try:
        try:
            from safetensors.torch import save_file  # the reference writer, when installed

            save_file({k: state[k].detach().float().contiguous() for k, _, _ in tensors}, temp,
                      metadata={"format": "pt"})
            with open(temp, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except ImportError:
            digest = write_safetensors(temp, tensors)
        os.replace(temp, args.output)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    print("%s  %s" % (digest, args.output))
    print("pth_to_safetensors: wrote %d tensors to %s" % (len(tensors), args.output), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
