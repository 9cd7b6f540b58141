#!/usr/bin/python3
"""Seeds for the header fuzzer: small valid safetensors files, with and without metadata."""
import json
import os
import struct
import sys


def safetensors(entries, data, metadata=None):
    header = dict(entries)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


out = sys.argv[1]
seeds = {
    "one-f32": safetensors({"features.0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)),
    "two": safetensors({"a": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]}}, bytes(12),
                       {"format": "pt"}),
    "empty-tensor": safetensors({"z": {"dtype": "I64", "shape": [0, 3], "data_offsets": [0, 0]}}, b""),
    # Found by this fuzzer: a number too large for any JSON type once escaped the parser as an exception.
    "huge-number": struct.pack("<Q", 75) + b"8" * 17 + b"E" + b"8" * 40 + b'{"featudtyze": "F32", "sh`pe}' + bytes(5),
}
for name, content in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)
