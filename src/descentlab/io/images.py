"""Safe image loading, and classifying one image file with a trained network.

:func:`load_image` turns any common image file into a (H, W, 3) uint8 array the way the course's
SIGNS photos were made (centre crop to a square, PIL BILINEAR resize) and refuses bad input with
one :class:`~descentlab.errors.DataFileError`:

- files larger than ``max_bytes`` and images with more than ``max_pixels`` pixels (decompression
  bombs) are refused before any pixel is decoded; Pillow's global limits are left untouched;
- only JPEG (and MPO, which Pillow opens as JPEG), PNG, BMP, GIF, TIFF, WebP and PPM/PGM/PBM are opened (never EPS, which would
  run Ghostscript, nor other rarely used plugins);
- not-an-image, truncated and corrupt files, images under 4 x 4 pixels and pixel formats that
  cannot be converted to RGB all raise DataFileError; no other exception escapes for a bad file.

Colour handling: the EXIF orientation is applied; grayscale, bilevel and palette images are
expanded to RGB; transparency (RGBA, LA, PA, palette or colour-key transparency) is composited
over white; 16-bit grayscale (modes ``I;16*`` and ``I`` holding 0..65535) is scaled to 8 bits
as ``round(v * 255 / 65535)``; CMYK and YCbCr are converted to RGB.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import _checks as check
from ..errors import DataFileError, InputError

IMAGE_FORMATS = ("JPEG", "PNG", "BMP", "GIF", "TIFF", "WEBP", "PPM")
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
                              ".ppm", ".pgm", ".pbm", ".pnm"})
MIN_SIDE = 4
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
_KEYED_MODES = ("1", "L", "P", "RGB")  # modes whose info["transparency"] Pillow turns into alpha


def check_size(size: Any, *, allow_none: bool = True) -> tuple[int, int] | None:
    """``size`` as (height, width) of positive ints; an int n means (n, n); None keeps the image size."""
    if size is None and allow_none:
        return None
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (size, size)
    expected = "(height, width), two positive integers" + (" or None" if allow_none else "")
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise check.fail("size", size, expected)
    return check.integer("size[0]", size[0], low=1), check.integer("size[1]", size[1], low=1)


def load_image(path: Any, size: Any = (64, 64), *, max_pixels: int = 50_000_000,
               max_bytes: int = 100_000_000) -> np.ndarray:
    """Read an image file as RGB pixels of shape (H, W, 3), dtype uint8.

    Args:
        path: the image file.
        size: (height, width) of the result: the image is centre-cropped to that aspect ratio
            (a square for the default) and resized with PIL BILINEAR. None keeps the full
            image, uncropped.
        max_pixels: refuse images with more pixels than this (checked from the header, before decoding).
        max_bytes: refuse files larger than this.

    Raises DataFileError for a missing, too large, unreadable, truncated or unsafe file.
    """
    target = check_size(size)
    max_pixels = check.integer("max_pixels", max_pixels, low=1)
    max_bytes = check.integer("max_bytes", max_bytes, low=1)
    if target is not None and target[0] * target[1] > max_pixels:  # the result is allocated: bound it too
        raise check.fail("size", size, f"at most {max_pixels} pixels (max_pixels)")
    file, data = _read_file(path, max_bytes)
    from PIL import Image

    with warnings.catch_warnings():
        # Our own max_pixels check decides, from the header; Pillow's hard error still applies.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return _decode(data, file, target, max_pixels)
        except DataFileError:
            raise
        except Image.DecompressionBombError as exc:
            raise DataFileError(f"{file}: expected an image within Pillow's decompression-bomb limit, "
                                f"received one that exceeds it ({exc})") from exc
        except Image.UnidentifiedImageError as exc:
            raise DataFileError(f"{file}: expected an image file ({', '.join(IMAGE_FORMATS)}), "
                                "received a file Pillow does not recognise as one of them") from exc
        except Exception as exc:  # truncated/corrupt data, unsupported modes, warnings turned into errors...
            raise DataFileError(f"{file}: expected a readable image, received a file that fails to decode "
                                f"({type(exc).__name__}: {exc})") from exc


def _read_file(path: Any, max_bytes: int) -> tuple[Path, bytes]:
    if not isinstance(path, (str, os.PathLike)):
        raise DataFileError(f"path: expected a path to an image file, received {path!r} of type {type(path).__name__}")
    file = Path(path).expanduser()
    if not file.is_file():
        what = "a folder" if file.is_dir() else "no such file"
        raise DataFileError(f"path: expected an existing image file, received '{file}' ({what})")
    try:
        n_bytes = file.stat().st_size
        if n_bytes > max_bytes:
            raise DataFileError(f"{file}: expected at most {max_bytes} bytes (max_bytes), received a file of "
                                f"{n_bytes} bytes")
        with open(file, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DataFileError(f"{file}: expected a readable file, received an error ({exc})") from exc
    if len(data) > max_bytes:
        raise DataFileError(f"{file}: expected at most {max_bytes} bytes (max_bytes), received a larger file")
    return file, data


def _decode(data: bytes, file: Path, target: tuple[int, int] | None, max_pixels: int) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as im:
        width, height = im.size
        if width * height > max_pixels:
            raise DataFileError(f"{file}: expected at most {max_pixels} pixels (max_pixels), received "
                                f"{width}x{height} = {width * height} pixels; not decoded (decompression bomb guard)")
        if width < MIN_SIDE or height < MIN_SIDE:
            raise DataFileError(f"{file}: too small: expected at least {MIN_SIDE}x{MIN_SIDE} pixels, "
                                f"received {width}x{height}")
        im.load()
        upright = ImageOps.exif_transpose(im)
    rgb = _to_rgb(upright, file)
    return np.array(_crop_resize(rgb, target), dtype=np.uint8)


def _to_rgb(im: Any, file: Path) -> Any:
    """An RGB PIL image from any supported mode (see the module docstring)."""
    from PIL import Image

    mode = im.mode
    if mode in _SIXTEEN_BIT:
        return Image.fromarray(np.repeat(_sixteen_to_eight(np.asarray(im), file)[..., None], 3, axis=-1))
    if mode in _ALPHA_MODES or (mode in _KEYED_MODES and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if mode == "F":
        raise DataFileError(f"{file}: expected 8- or 16-bit pixels, received 32-bit floating point pixels (mode F)")
    return im.convert("RGB")


def _sixteen_to_eight(values: np.ndarray, file: Path) -> np.ndarray:
    """16-bit values 0..65535 to 0..255, rounded: v * 255 / 65535 (= v / 257)."""
    if values.size and (values.min() < 0 or values.max() > 65535):
        raise DataFileError(f"{file}: expected 16-bit pixel values in 0..65535, received values in "
                            f"{values.min()}..{values.max()}")
    wide = values.astype(np.uint32)
    return ((wide * 255 + 32767) // 65535).astype(np.uint8)


def _crop_resize(im: Any, target: tuple[int, int] | None) -> Any:
    """Centre-crop to the aspect ratio of ``target`` = (height, width), then resize with BILINEAR."""
    if target is None:
        return im
    from PIL import Image

    height, width = target
    w, h = im.size
    if w * height > h * width:  # too wide: keep the full height
        new_w = max(1, round(h * width / height))
        left = (w - new_w) // 2
        box = (left, 0, left + new_w, h)
    else:
        new_h = max(1, round(w * height / width))
        top = (h - new_h) // 2
        box = (0, top, w, top + new_h)
    if box != (0, 0, w, h):
        im = im.crop(box)
    if im.size != (width, height):
        im = im.resize((width, height), Image.Resampling.BILINEAR)
    return im


# ------------------------------------------------------------------------------------------ prediction
@dataclass(frozen=True, eq=False)
class ImagePrediction:
    """The class a network gives one image file.

    Attributes:
        path: the image file.
        label: the predicted class index.
        class_name: its name.
        probabilities: one probability per class, shape (C,) (C = 2 for a sigmoid network).
        top: the ``top`` most likely classes as (class name, probability), most likely first.
    """

    path: Path
    label: int
    class_name: str
    probabilities: np.ndarray = field(repr=False)
    top: list[tuple[str, float]]

    def __str__(self) -> str:
        ranked = ", ".join(f"{name} {p:.1%}" for name, p in self.top)
        return (f"{self.path.name}: {self.class_name} ({self.probabilities[self.label]:.1%}); "
                f"top {len(self.top)}: {ranked}")


def predict_image(net: Any, path: Any, top: int = 3) -> ImagePrediction:
    """Classify one image file with a softmax or single-unit sigmoid network.

    The image is loaded with :func:`load_image` at the size in ``net.info["image_shape"]``
    (default (64, 64, 3)), flattened to x (1, H*W*3) uint8 and passed to
    ``net.predict_proba(x)``, which applies the network's own saved preprocessing.
    """
    n_classes = _classifier_outputs(net)
    height, width = _input_size(net)
    k = check.integer("top", top, low=1)
    names = _class_names(net, n_classes)
    x = load_image(path, (height, width)).reshape(1, -1)
    proba = np.asarray(net.predict_proba(x), dtype=np.float64).reshape(-1)
    probs = np.array([1.0 - proba[0], proba[0]]) if n_classes == 2 and proba.size == 1 else proba
    label = int(np.argmax(probs))
    order = np.argsort(-probs, kind="stable")[:k]
    return ImagePrediction(Path(path), label, names[label], probs,
                           [(names[i], float(probs[i])) for i in order])


def _classifier_outputs(net: Any) -> int:
    """The number of classes of a softmax or one-unit sigmoid network; InputError otherwise."""
    output = getattr(net, "output", None)
    dims = getattr(net, "layer_dims", None)
    if output not in ("softmax", "sigmoid") or not dims:
        raise check.fail("net", f"a network with output {output!r}", "a classifier with a softmax or sigmoid output")
    if output == "sigmoid" and dims[-1] != 1:
        raise check.fail("net", f"a sigmoid network with {dims[-1]} output units",
                         "a softmax network or a sigmoid network with one output unit")
    return 2 if output == "sigmoid" else int(dims[-1])


def _input_size(net: Any) -> tuple[int, int]:
    """(H, W) from net.info["image_shape"] (default (64, 64, 3)), checked against the input layer."""
    info = getattr(net, "info", None) or {}
    n_inputs = net.layer_dims[0]
    if not info.get("image_shape") and n_inputs != 64 * 64 * 3:
        raise InputError(f"net: this model takes {n_inputs} number{'s' if n_inputs != 1 else ''} per example, "
                         "not images (it was not trained on images: its file records no image_shape)")
    shape = info.get("image_shape") or (64, 64, 3)
    valid = (isinstance(shape, (tuple, list)) and len(shape) == 3 and int(shape[2]) == 3
             and all(isinstance(d, (int, np.integer)) and int(d) >= 1 for d in shape))
    if not valid:
        raise check.fail("net.info['image_shape']", shape, "(height, width, 3)")
    height, width = int(shape[0]), int(shape[1])
    if height * width * 3 != net.layer_dims[0]:
        raise InputError(f"net: this model's file says its images are {height}x{width}x3 ({height * width * 3} "
                         f"numbers, net.info['image_shape']), but its input layer takes {n_inputs}")
    return height, width


def _class_names(net: Any, n_classes: int) -> list[str]:
    names = getattr(net, "class_names", None)
    if names is None:
        return [str(k) for k in range(n_classes)]
    if len(names) != n_classes:
        raise check.fail("net.class_names", list(names), f"{n_classes} names, one per class")
    return [str(n) for n in names]
