#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeds for the fuzz targets.

    make_corpus.py safetensors_header OUT   small safetensors files, valid and not, one nested 200000 deep
    make_corpus.py http_headers OUT         header lines of HTTP responses as the downloader receives them
    make_corpus.py image_files OUT          small images in every format and depth load_image reads
"""
import io
import json
import os
import struct
import sys
import zlib


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


def png_by_hand(width, height, colour_type, channels, interlace=0):
    """A 16-bit PNG (PIL writes 16 bits only for grey), unfiltered rows of a ramp."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    rows = b"".join(b"\0" + b"".join(struct.pack(">H", (x * 4099 + y * 257 + c * 991) % 65536)
                                      for x in range(width) for c in range(channels)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) +
            chunk(b"IEND", b""))


def image_seeds():
    from PIL import Image  # only this target needs PIL
    ramp = Image.linear_gradient("L").resize((12, 9))
    rgba = Image.merge("RGBA", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM), ramp.rotate(90)))
    rgb = rgba.convert("RGB")

    def saved(image, format_name, **options):
        out = io.BytesIO()
        image.save(out, format_name, **options)
        return out.getvalue()
    pixels = rgb.tobytes()
    grey16 = b"".join(struct.pack(">H", v * 257) for v in ramp.tobytes())
    return {
        "rgb.png": saved(rgb, "PNG"),
        "rgba.png": saved(rgba, "PNG"),
        "grey-alpha.png": saved(rgba.convert("LA"), "PNG"),
        "palette-trns.png": saved(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=8), "PNG", transparency=2),
        "1bit.png": saved(ramp.convert("1"), "PNG"),
        "rgba16.png": png_by_hand(5, 4, 6, 4),
        "rgb16-interlaced.png": png_by_hand(9, 9, 2, 3, interlace=1),
        "rgb.jpg": saved(rgb, "JPEG", quality=80),
        "grey.jpg": saved(ramp, "JPEG"),
        "progressive.jpg": saved(rgb, "JPEG", progressive=True),
        "rgb-lzw.tif": saved(rgb, "TIFF", compression="tiff_lzw"),
        "rgba.tif": saved(rgba, "TIFF"),
        "grey16.tif": saved(Image.frombytes("I;16B", ramp.size, grey16).convert("I;16"), "TIFF"),
        "lossy.webp": saved(rgb, "WEBP", quality=60),
        "lossless-alpha.webp": saved(rgba, "WEBP", lossless=True),
        "grey.pgm": b"P5\n# comment\n12 9\n255\n" + ramp.tobytes(),
        "rgb16.ppm": b"P6 12 9 65535\n" + b"".join(struct.pack(">H", v * 257) for v in pixels),
        "maxval100.ppm": b"P6 12 9 100\n" + bytes(v * 100 // 255 for v in pixels),
    }


if target == "image_files":
    seeds = image_seeds()
else:
    seeds = {"safetensors_header": safetensors_seeds, "http_headers": http_seeds}[target]
for name, content in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)
