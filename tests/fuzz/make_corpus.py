#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeds for the fuzz targets.

    make_corpus.py safetensors_header OUT   small safetensors files, valid and not, one nested 200000 deep
    make_corpus.py http_headers OUT         header lines of HTTP responses as the downloader receives them
"""
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


target, out = sys.argv[1], sys.argv[2]
deep = b'{"a":{"dtype":' + b"[" * 200000 + b"]" * 200000 + b',"shape":[],"data_offsets":[0,0]}}'
safetensors_seeds = {
    "one-f32": safetensors({"features.0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)),
    "two": safetensors({"a": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]}}, bytes(12),
                       {"format": "pt"}),
    "empty-tensor": safetensors({"z": {"dtype": "I64", "shape": [0, 3], "data_offsets": [0, 0]}}, b""),
    # Found by this fuzzer: a number too large for any JSON type once escaped the parser as an exception.
    "huge-number": struct.pack("<Q", 75) + b"8" * 17 + b"E" + b"8" * 40 + b'{"featudtyze": "F32", "sh`pe}' + bytes(5),
    # Once a segmentation fault: the recursion of dump() in the error message.
    "deep-nesting": struct.pack("<Q", len(deep)) + deep,
}
http_seeds = {
    "partial": b'HTTP/1.1 206 Partial Content\r\nETag: "5f-1"\r\nContent-Length: 100\r\n'
               b"Content-Range: bytes 100-199/1000\r\n\r\n",
    "redirect": b"HTTP/2 302\r\nlocation: https://example.com/x\r\n\r\nHTTP/2 200\r\ncontent-length: 575000000\r\n",
    "unsatisfied": b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1000\r\n",
    "unknown-total": b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-65535/*\r\n",
}
seeds = {"safetensors_header": safetensors_seeds, "http_headers": http_seeds}[target]
for name, content in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)
