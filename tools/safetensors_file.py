# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads safetensors files with struct and json, never pickle: the one reader of the Python tests and of the
benchmark's PyTorch reference, which import it from here (tools/ beside their own folder).

numpy and torch are imported only to read tensors: reading a header needs neither (the fetch tests run without).
"""
import json
import struct


def read_header(path):
    """Where the data starts (after the 8-byte length and the header), and the header as a dict."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return 8 + length, json.loads(f.read(length))


def read_vgg19_features(path, device="cpu"):
    """The "features.N.weight" / "features.N.bias" tensors (F32) as torch tensors on `device`, by key."""
    import numpy as np
    import torch

    data_start, header = read_header(path)
    with open(path, "rb") as f:
        f.seek(data_start)
        data = f.read()
    tensors = {}
    for key, entry in header.items():
        if not key.startswith("features."):
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: {key} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
        tensors[key] = torch.from_numpy(array.copy()).to(device)
    return tensors
