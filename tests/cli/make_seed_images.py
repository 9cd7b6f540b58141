#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the two 128x128 test images of the seed check: a smooth gradient (content) and noise (style)."""
import sys

import numpy as np
from PIL import Image

content_path, style_path = sys.argv[1:3]
x = np.linspace(0, 1, 128)
gradient = np.stack([np.outer(x, x), np.outer(1 - x, x), np.outer(x, 1 - x)], -1)
Image.fromarray((gradient * 255).astype(np.uint8)).save(content_path)
Image.fromarray((np.random.RandomState(0).rand(128, 128, 3) * 255).astype(np.uint8)).save(style_path)
