#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""image_files against reference decodes: builds real files with PIL (or by hand where PIL cannot write the
format, 16-bit colour PNG/TIFF and 16-bit PPM, whose reference is then the array written), loads them through
image_files_probe and compares the floats; then bad files, which must be refused with one line
"PATH: cannot read image: REASON", and checked writes, a full disk included.

Usage: test_image_files.py IMAGE_FILES_PROBE FAIL_WRITE_SO"""
import base64
import io
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image, ImageOps

PROBE, FAIL_WRITE = sys.argv[1], sys.argv[2]
WORK = tempfile.mkdtemp(prefix="image-files-test-")
RNG = np.random.default_rng(11)
failures = []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + detail))
    if not condition:
        failures.append(name)


def limit_memory(size=1 << 30):
    # 1 GiB of address space: a reader that allocated what a huge header declares would fail with "not enough
    # memory" instead of refusing the dimensions, and the refusal tests would notice.
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (size, size))


def run_probe(*args, env=None, memory=1 << 30):
    return subprocess.run([PROBE, *args], capture_output=True, text=True, preexec_fn=limit_memory(memory), env=env)


def load(path):
    raw = os.path.join(WORK, "loaded.raw")
    result = run_probe("load", path, raw)
    if result.returncode != 0:
        return None, result.stderr.strip()
    with open(raw, "rb") as f:
        width, height = map(int, f.readline().split())
        pixels = np.frombuffer(f.read(), dtype=np.float32)
    return pixels.reshape(height, width, 4), ""


def path_of(name):
    return os.path.join(WORK, name)


def write_bytes(name, data):
    with open(path_of(name), "wb") as f:
        f.write(data)
    return path_of(name)


def to_rgba(samples, max_value):
    """Float RGBA from an H x W x C array of grey, grey + alpha, RGB or RGBA samples."""
    samples = samples.astype(np.float32) / np.float32(max_value)
    if samples.ndim == 2:
        samples = samples[:, :, None]
    height, width, channels = samples.shape
    colour = samples[:, :, :3] if channels >= 3 else np.repeat(samples[:, :, :1], 3, axis=2)
    alpha = samples[:, :, channels - 1:] if channels in (2, 4) else np.ones((height, width, 1), np.float32)
    return np.concatenate([colour, alpha], axis=2)


def pil_reference(path):
    """PIL's own decode of the file, as float RGBA (PIL reads 16-bit grey as mode I)."""
    with Image.open(path) as image:
        if image.mode in ("I;16", "I;16B", "I"):
            return to_rgba(np.array(image).astype(np.uint32), 65535)
        if image.mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
        return to_rgba(np.array(image), 255)


def expect_read(name, path, reference, tolerance=1e-7):
    loaded, error = load(path)
    if loaded is None:
        check(name, False, "refused: " + error)
        return
    if loaded.shape != reference.shape:
        check(name, False, f"shape {loaded.shape}, expected {reference.shape}")
        return
    worst = float(np.abs(loaded - reference).max())
    check(name, worst <= tolerance, f"largest difference {worst}")


def expect_refused(name, path, fragment, memory=1 << 30):
    result = run_probe("load", path, path_of("unused.raw"), memory=memory)
    message = result.stderr
    one_line = message.count("\n") == 1 and message.startswith(path + ": cannot read image: ")
    check(name, result.returncode == 1 and one_line and fragment in message,
          f"exit {result.returncode}, message {message!r}, expected one line with {fragment!r}")


def noise(height, width, channels, bits):
    shape = (height, width) if channels == 1 else (height, width, channels)
    return RNG.integers(0, 1 << bits, size=shape, dtype=np.uint16 if bits == 16 else np.uint8)


# Adam7: each pass is a sub-image taking every dy-th row and dx-th column from (x0, y0).
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png_by_hand(samples, colour_type, interlace=False):
    """A 16-bit PNG (PIL writes 16 bits only for grey and never interlaced), unfiltered rows."""
    height, width = samples.shape[:2]
    passes = [samples[y0::dy, x0::dx] for x0, y0, dx, dy in ADAM7] if interlace else [samples]
    data = b""
    for image in passes:
        if image.size:
            rows = image.astype(">u2").reshape(image.shape[0], -1)
            data += b"".join(b"\0" + row.tobytes() for row in rows)

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 1 if interlace else 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")


def tiff_by_hand(samples, big_endian=False, rows_per_strip=5, declared=None):
    """An uncompressed TIFF in strips, grey or RGB, with unassociated alpha when there are 2 or 4 channels."""
    if samples.ndim == 2:
        samples = samples[:, :, None]
    height, width, channels = samples.shape
    bits = samples.dtype.itemsize * 8
    order = ">" if big_endian else "<"
    pixels = samples.astype(order + ("u2" if bits == 16 else "u1")).tobytes()
    row_bytes = len(pixels) // height
    width, height = declared or (width, height)
    strips = [pixels[y * row_bytes:(y + rows_per_strip) * row_bytes] for y in range(0, samples.shape[0], rows_per_strip)]
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, channels, None), (259, 3, 1, 1),
               (262, 3, 1, 2 if channels >= 3 else 1), (273, 4, len(strips), None), (277, 3, 1, channels),
               (278, 4, 1, rows_per_strip), (279, 4, len(strips), None), (284, 3, 1, 1)]
    if channels in (2, 4):
        entries.append((338, 3, 1, 2))
    ifd_size = 2 + 12 * len(entries) + 4
    extra_at = 8 + ifd_size  # arrays that do not fit in an entry: bits, strip offsets, strip sizes
    bits_array = struct.pack(order + "H" * channels, *[bits] * channels)
    offsets_at = extra_at + len(bits_array)
    counts_at = offsets_at + 4 * len(strips)
    data_at = counts_at + 4 * len(strips)
    offsets = [data_at + sum(len(s) for s in strips[:i]) for i in range(len(strips))]
    arrays = {258: (bits_array, extra_at), 273: (struct.pack(order + "I" * len(strips), *offsets), offsets_at),
              279: (struct.pack(order + "I" * len(strips), *map(len, strips)), counts_at)}
    out = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(order + "I", 8) + struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        size = {3: 2, 4: 4}[kind] * count
        if size <= 4 and value is not None:
            payload = struct.pack(order + ("H" if kind == 3 else "I"), value).ljust(4, b"\0")
        elif size <= 4:
            payload = arrays[tag][0].ljust(4, b"\0")
        else:
            payload = struct.pack(order + "I", arrays[tag][1])
        out += struct.pack(order + "HHI", tag, kind, count) + payload
    out += struct.pack(order + "I", 0) + bits_array + arrays[273][0] + arrays[279][0] + b"".join(strips)
    return out


def pil_file(name, image, **options):
    image.save(path_of(name), **options)
    return path_of(name)


def smooth_gradient():
    """A 64x48 RGB float image without sharp edges, which JPEG encodes nearly losslessly."""
    x, y = np.meshgrid(np.linspace(0, 255, 64), np.linspace(0, 255, 48))
    return np.dstack([x, y, np.full((48, 64), 90.0)])


def test_reads():
    for mode, channels in (("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)):
        path = pil_file(f"8bit-{mode}.png", Image.fromarray(noise(23, 37, channels, 8), mode))
        expect_read(f"PNG 8-bit {mode}", path, pil_reference(path))
    grey16 = noise(23, 37, 1, 16)
    path = pil_file("16bit-grey.png", Image.fromarray(grey16.astype(np.uint16), "I;16"))
    expect_read("PNG 16-bit grey (against PIL)", path, pil_reference(path))
    for colour_type, channels, label in ((0, 1, "grey"), (4, 2, "grey+alpha"), (2, 3, "RGB"), (6, 4, "RGBA")):
        samples = noise(23, 37, channels, 16)
        expect_read(f"PNG 16-bit {label}", write_bytes(f"16bit-{label}.png", png_by_hand(samples, colour_type)),
                    to_rgba(samples, 65535))
    samples = noise(19, 29, 4, 16)
    expect_read("PNG 16-bit RGBA interlaced", write_bytes("interlaced.png", png_by_hand(samples, 6, True)),
                to_rgba(samples, 65535))
    palette = Image.fromarray(noise(23, 37, 1, 8) % 16, "L").convert("P")
    path = pil_file("palette.png", palette, transparency=3)
    expect_read("PNG palette with transparency", path, pil_reference(path))
    path = pil_file("1bit.png", Image.fromarray(noise(23, 37, 1, 8) > 127))
    expect_read("PNG 1-bit", path, pil_reference(path))

    gradient = smooth_gradient()
    for mode in ("L", "RGB"):
        path = pil_file(f"photo-{mode}.jpg", Image.fromarray(gradient.astype(np.uint8)).convert(mode), quality=90)
        expect_read(f"JPEG {mode}", path, pil_reference(path))
    path = pil_file("progressive.jpg", Image.fromarray(gradient.astype(np.uint8)), progressive=True)
    expect_read("JPEG progressive", path, pil_reference(path))
    # A camera's JPEG stored on its side: read as a viewer shows it (PIL's exif_transpose), 48x64 for 6 and 8.
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = pil_file(f"orientation-{orientation}.jpg", Image.fromarray(gradient.astype(np.uint8)), quality=95,
                        exif=exif.tobytes())
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image)
            reference = to_rgba(np.array(upright), 255)
        expect_read(f"JPEG with EXIF orientation {orientation}", path, reference)

    for mode, channels in (("L", 1), ("RGB", 3), ("RGBA", 4)):
        path = pil_file(f"lzw-{mode}.tif", Image.fromarray(noise(23, 37, channels, 8), mode), compression="tiff_lzw")
        expect_read(f"TIFF 8-bit {mode} (LZW, by PIL)", path, pil_reference(path))
    path = pil_file("16bit-grey.tif", Image.fromarray(grey16.astype(np.uint16), "I;16"))
    expect_read("TIFF 16-bit grey (by PIL)", path, pil_reference(path))
    for channels, label in ((1, "grey"), (2, "grey+alpha"), (3, "RGB"), (4, "RGBA")):
        for big_endian in (False, True):
            samples = noise(23, 37, channels, 16)
            name = f"16bit-{label}-{'MM' if big_endian else 'II'}.tif"
            expect_read(f"TIFF 16-bit {label} {'big' if big_endian else 'little'}-endian",
                        write_bytes(name, tiff_by_hand(samples, big_endian)), to_rgba(samples, 65535))

    path = pil_file("lossless.webp", Image.fromarray(noise(23, 37, 4, 8), "RGBA"), lossless=True)
    expect_read("WebP lossless RGBA", path, pil_reference(path))
    path = pil_file("lossy.webp", Image.fromarray(gradient.astype(np.uint8)), quality=80)
    expect_read("WebP lossy RGB", path, pil_reference(path))

    for magic, channels, bits in ((b"P6", 3, 16), (b"P5", 1, 16), (b"P6", 3, 8)):
        samples = noise(23, 37, channels, bits)
        max_value = (1 << bits) - 1
        data = magic + b"\n# a comment\n37 23\n%d\n" % max_value + samples.astype(">u2" if bits == 16 else "u1").tobytes()
        expect_read(f"{magic.decode()} {bits}-bit", write_bytes(f"{bits}bit.{magic.decode()}.pnm", data),
                    to_rgba(samples, max_value))
    samples = noise(23, 37, 3, 8) % 101
    data = b"P6 37 23 100\n" + samples.tobytes()
    expect_read("P6 maxval 100", write_bytes("maxval100.ppm", data), to_rgba(samples, 100))


def patched(data, marker, offset, payload):
    at = data.index(marker) + offset
    return data[:at] + payload + data[at + len(payload):]


def test_refusals():
    # Huge declared dimensions, in files of a few hundred kilobytes at most: refused from the header.
    header = struct.pack(">IIBBBBB", 23000, 23000, 8, 2, 0, 0, 0)
    chunk = lambda kind, payload: (struct.pack(">I", len(payload)) + kind + payload +
                                   struct.pack(">I", zlib.crc32(kind + payload)))
    huge_png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", os.urandom(500_000)) + chunk(b"IEND", b"")
    expect_refused("PNG declaring 23000 x 23000 (0.5 MB file)", write_bytes("huge.png", huge_png), "23000 x 23000")
    small_jpeg = io.BytesIO()
    Image.fromarray(noise(8, 8, 3, 8)).save(small_jpeg, "JPEG")
    huge_jpeg = patched(small_jpeg.getvalue(), b"\xff\xc0", 5, struct.pack(">HH", 23000, 23000))
    expect_refused("JPEG declaring 23000 x 23000", write_bytes("huge.jpg", huge_jpeg), "23000 x 23000")
    huge_tiff = tiff_by_hand(noise(10, 10, 3, 8), declared=(23000, 23000))
    expect_refused("TIFF declaring 23000 x 23000", write_bytes("huge.tif", huge_tiff), "23000 x 23000")
    small_webp = io.BytesIO()
    Image.fromarray(noise(8, 8, 3, 8)).save(small_webp, "WEBP", quality=50)
    huge_webp = patched(small_webp.getvalue(), b"\x9d\x01\x2a", 3, struct.pack("<HH", 16383, 16383))
    expect_refused("WebP declaring 16383 x 16383", write_bytes("huge.webp", huge_webp), "16383 x 16383")
    expect_refused("PPM declaring 23000 x 23000", write_bytes("huge.ppm", b"P6 23000 23000 255\n" + bytes(1000)),
                   "23000 x 23000")
    # Within the pixel limit but 600 MB of samples declared by a 20-byte file: refused from the file's size,
    # with 256 MB of address space (allocating first would end in "not enough memory").
    expect_refused("PPM declaring 9999 x 9999 x 16 bits in 20 bytes",
                   write_bytes("short.ppm", b"P6 9999 9999 65535\n"), "cut-short PGM/PPM", memory=256 << 20)
    # The same for a WebP whose 29 bytes declare 15167 x 5888 pixels (268 MB), found by the image_files fuzzer.
    expect_refused("WebP declaring 15167 x 5888 in 29 bytes",
                   write_bytes("short.webp", base64.b64decode("UklGRkYAAABXRUJQMAEAnQEqPzsAV0VCUDA7PwA=")),
                   "cut-short WebP file: its header declares 78 bytes, the file has 29", memory=256 << 20)

    for name in ("8bit-RGB.png", "photo-RGB.jpg", "16bit-RGB-II.tif", "lossless.webp", "16bit.P6.pnm"):
        with open(path_of(name), "rb") as f:
            data = f.read()
        expect_refused(f"cut-short {name}", write_bytes("cut-" + name, data[:len(data) * 2 // 3]), "cut")
    expect_refused("PNG with a damaged pixel checksum",
                   write_bytes("bad-crc.png", patched(png_by_hand(noise(4, 4, 3, 16), 2), b"IDAT", 6, b"\xff")),
                   "damaged")
    cmyk = pil_file("cmyk.jpg", Image.fromarray(noise(8, 8, 3, 8)).convert("CMYK"))
    expect_refused("CMYK JPEG", cmyk, "CMYK")
    expect_refused("GIF (not a supported format)", pil_file("image.gif", Image.fromarray(noise(8, 8, 3, 8))),
                   "not a PNG, JPEG, TIFF, WebP")
    expect_refused("text file", write_bytes("notes.png", b"this is not an image\n"), "not a PNG")
    expect_refused("empty file", write_bytes("empty.png", b""), "empty")
    expect_refused("a folder", WORK, "folder")
    expect_refused("missing file", path_of("missing.png"), "No such file")
    expect_refused("PPM sample above maxval", write_bytes("above.ppm", b"P5 2 1 100\n\x05\xff"), "above")


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def leftovers(folder):
    return [name for name in os.listdir(folder) if ".tmp-" in name]


def test_writes():
    source = pil_file("source.png", Image.fromarray(noise(23, 37, 4, 8), "RGBA"))
    folder = tempfile.mkdtemp(dir=WORK)
    output = os.path.join(folder, "out.png")
    result = run_probe("copy", source, output)
    with Image.open(output) as written:
        same = result.returncode == 0 and np.array_equal(np.array(written), np.array(Image.open(source)))
    check("PNG written and read back by PIL unchanged", same, result.stderr)

    gradient = smooth_gradient()
    smooth = pil_file("smooth.png", Image.fromarray(gradient.astype(np.uint8)))
    jpeg = os.path.join(folder, "out.JPEG")
    result = run_probe("copy", smooth, jpeg)
    with Image.open(jpeg) as written:
        difference = np.abs(np.array(written).astype(int) - gradient.astype(np.uint8)).mean()
        check("JPEG written (by the .JPEG extension) and read back by PIL",
              result.returncode == 0 and written.format == "JPEG" and difference < 1.0,
              f"{result.stderr} mean difference {difference}")

    result = run_probe("copy", smooth, output)
    with Image.open(output) as written:
        check("an existing file is replaced", result.returncode == 0 and written.size == (64, 48), result.stderr)
    check("no temporary file left after writes", not leftovers(folder), str(leftovers(folder)))

    previous = file_bytes(output)
    env = dict(os.environ, LD_PRELOAD=FAIL_WRITE)
    result = run_probe("copy", source, output, env=env)
    check("full disk (write fails with ENOSPC): an error naming the file",
          result.returncode == 1 and result.stderr == f"{output}: cannot write the image: No space left on device\n",
          f"exit {result.returncode}, {result.stderr!r}")
    check("full disk: the previous file is untouched", file_bytes(output) == previous)
    check("full disk: no temporary file left", not leftovers(folder), str(leftovers(folder)))

    result = run_probe("copy", source, os.path.join(folder, "out.bmp"))
    check("an unwritable extension is refused", result.returncode == 1 and "cannot write this format" in result.stderr,
          result.stderr)
    missing = os.path.join(WORK, "no-such-folder", "out.png")
    result = run_probe("copy", source, missing)
    check("a missing folder is an error naming the file",
          result.returncode == 1 and result.stderr.startswith(missing + ": cannot write the image: "), result.stderr)
    test_real_full_disk(folder)


def test_real_full_disk(folder):
    """A 64 KiB tmpfs in a private mount namespace, filled by a 160 KB incompressible PNG. Needs root."""
    big = pil_file("big-noise.png", Image.fromarray(noise(200, 200, 4, 8), "RGBA"))
    small = pil_file("small.png", Image.fromarray(noise(4, 4, 4, 8), "RGBA"))
    mount_point = tempfile.mkdtemp(dir=WORK)
    script = ('mount -t tmpfs -o size=64k tmpfs "$1" || exit 77; cp "$2" "$1/out.png"; '
              '"$4" copy "$3" "$1/out.png" 2>"$1/message"; echo "exit $?"; '
              'cmp -s "$2" "$1/out.png" && echo previous-intact; ls "$1" | grep -c tmp- ; cat "$1/message"')
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                             mount_point, small, big, PROBE], capture_output=True, text=True)
    if result.returncode == 77 or "exit" not in result.stdout:
        print("skip real full disk (tmpfs): cannot mount here (not root?)")
        return
    lines = result.stdout.splitlines()
    check("tmpfs full: exit 1", lines[0] == "exit 1", result.stdout)
    check("tmpfs full: the previous file is untouched", "previous-intact" in lines, result.stdout)
    check("tmpfs full: no temporary file left", "0" in lines, result.stdout)
    check("tmpfs full: the message names the file and the cause",
          lines[-1] == f"{mount_point}/out.png: cannot write the image: No space left on device", result.stdout)


try:
    test_reads()
    test_refusals()
    test_writes()
finally:
    shutil.rmtree(WORK)
print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
