"""Tests of descentlab.io.images: safe decoding, colour conversions, cropping, and predict_image."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from descentlab.core.network import Network
from descentlab.core.preprocessing import Scale
from descentlab.datasets import sample_image_path
from descentlab.errors import DataFileError, InputError, InputTypeError
from descentlab.io.images import ImagePrediction, load_image, predict_image

WHITE = (255, 255, 255)


def save(im: Image.Image, path: Path, **kwargs) -> Path:
    im.save(path, **kwargs)
    return path


def random_rgb(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


def png_header(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's signature)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


# ---------------------------------------------------------------------------------- formats and sizes
@pytest.mark.parametrize("suffix, kwargs", [(".png", {}), (".bmp", {}), (".tif", {}), (".ppm", {}),
                                            (".webp", {"lossless": True})])
def test_lossless_rgb_round_trip(tmp_path, suffix, kwargs):
    pixels = random_rgb((8, 8))
    path = save(Image.fromarray(pixels), tmp_path / f"a{suffix}", **kwargs)
    out = load_image(path, size=(8, 8))
    assert out.dtype == np.uint8 and out.shape == (8, 8, 3)
    np.testing.assert_array_equal(out, pixels)
    np.testing.assert_array_equal(load_image(path, size=None), pixels)


def test_centre_crop_to_square(tmp_path):
    wide = random_rgb((6, 10), seed=1)
    np.testing.assert_array_equal(load_image(save(Image.fromarray(wide), tmp_path / "w.png"), size=(6, 6)),
                                  wide[:, 2:8])
    tall = random_rgb((9, 5), seed=2)
    np.testing.assert_array_equal(load_image(save(Image.fromarray(tall), tmp_path / "t.png"), size=(5, 5)),
                                  tall[2:7])


def test_resize_is_pil_bilinear(tmp_path):
    pixels = random_rgb((24, 24), seed=3)
    out = load_image(save(Image.fromarray(pixels), tmp_path / "a.png"), size=(8, 8))
    bilinear = np.asarray(Image.fromarray(pixels).resize((8, 8), Image.Resampling.BILINEAR))
    nearest = np.asarray(Image.fromarray(pixels).resize((8, 8), Image.Resampling.NEAREST))
    np.testing.assert_array_equal(out, bilinear)
    assert not np.array_equal(out, nearest)


def test_non_square_size_is_height_then_width(tmp_path):
    path = save(Image.fromarray(random_rgb((20, 20))), tmp_path / "a.png")
    assert load_image(path, size=(4, 10)).shape == (4, 10, 3)
    assert load_image(path, size=7).shape == (7, 7, 3)


def test_thumbs_up_loads_to_64x64():
    out = load_image(sample_image_path())
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    assert out.std() > 10  # a photo, not a constant image


# ------------------------------------------------------------------------------------ colour handling
def test_grayscale_and_bilevel_expand_to_rgb(tmp_path):
    gray = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    out = load_image(save(Image.fromarray(gray), tmp_path / "g.png"), size=(8, 8))
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], gray)
    bits = Image.fromarray(gray > 100).convert("1")
    out = load_image(save(bits, tmp_path / "b.png"), size=(8, 8))
    np.testing.assert_array_equal(out[..., 0], np.where(gray > 100, 255, 0))


def test_palette_image(tmp_path):
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[:, 4:] = (10, 200, 30)
    im = Image.fromarray(pixels).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    out = load_image(save(im, tmp_path / "p.png"), size=(8, 8))
    np.testing.assert_array_equal(out, pixels)


def test_palette_transparency_composites_over_white(tmp_path):
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 200, 10, 10] + [0] * 762)
    im.paste(0, (0, 0, 4, 8))
    out = load_image(save(im, tmp_path / "p.png", transparency=0), size=(8, 8))
    assert (out[:, :4] == WHITE).all()
    assert (out[:, 4:] == (200, 10, 10)).all()
    gif = load_image(save(im, tmp_path / "p.gif", transparency=0), size=(8, 8))
    assert (gif[:, :4] == WHITE).all() and (gif[:, 4:] == (200, 10, 10)).all()


def test_rgba_and_la_composite_over_white(tmp_path):
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., :3] = (0, 0, 200)
    rgba[:, :3, 3] = 0      # transparent -> white
    rgba[:, 3:6, 3] = 255   # opaque -> the colour
    rgba[:, 6:, 3] = 128    # half -> halfway to white
    out = load_image(save(Image.fromarray(rgba), tmp_path / "a.png"), size=(8, 8)).astype(int)
    assert (out[:, :3] == WHITE).all()
    assert (out[:, 3:6] == (0, 0, 200)).all()
    expected = np.array([127, 127, 227])  # 255 * (1 - 128/255) + c * 128/255
    assert np.abs(out[:, 6:] - expected).max() <= 1
    la = np.zeros((8, 8, 2), np.uint8)
    la[..., 0] = 40
    la[:, 4:, 1] = 255
    out = load_image(save(Image.fromarray(la), tmp_path / "la.png"), size=(8, 8))
    assert (out[:, :4] == WHITE).all() and (out[:, 4:] == 40).all()


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    values = np.array([0, 257, 1000, 32896, 65000, 65535] * 6, dtype=np.uint16)[:36].reshape(6, 6)
    path = save(Image.fromarray(values), tmp_path / "deep.png")
    with Image.open(path) as im:
        assert im.mode in ("I;16", "I")
    out = load_image(path, size=(6, 6))
    expected = np.round(values / 257).astype(np.uint8)  # v * 255 / 65535
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], expected)
    assert out[0, 2, 0] == 4  # 1000 -> 4, not clipped to 255


def test_mode_i_tiff(tmp_path):
    values = np.array([[0, 65535, 30000, 128]] * 4, dtype=np.int32)
    path = save(Image.fromarray(values), tmp_path / "i.tif")
    with Image.open(path) as im:
        assert im.mode == "I"
    out = load_image(path, size=(4, 4))
    np.testing.assert_array_equal(out[..., 1], np.round(values / 257).astype(np.uint8))
    big = save(Image.fromarray(values * 4), tmp_path / "big.tif")
    with pytest.raises(DataFileError, match="0..65535"):
        load_image(big, size=(4, 4))


def test_cmyk(tmp_path):
    cmyk = np.zeros((8, 8, 4), np.uint8)
    cmyk[:, 2:4, 0] = 255    # cyan
    cmyk[:, 4:6, 3] = 255    # black
    cmyk[:, 6:, 1] = 255     # magenta
    im = Image.frombytes("CMYK", (8, 8), cmyk.tobytes())
    out = load_image(save(im, tmp_path / "c.tif"), size=(8, 8))
    assert (out[:, :2] == WHITE).all()
    assert (out[:, 2:4] == (0, 255, 255)).all()
    assert (out[:, 4:6] == (0, 0, 0)).all()
    assert (out[:, 6:] == (255, 0, 255)).all()
    big = Image.frombytes("CMYK", (32, 32), np.repeat(np.repeat(cmyk, 4, 0), 4, 1).tobytes())
    jpeg = load_image(save(big, tmp_path / "c.jpg", quality=95), size=(32, 32)).astype(int)
    assert np.abs(jpeg[4:28, 10:14] - (0, 255, 255)).max() < 30


@pytest.mark.parametrize("orientation, top_colour", [(1, None), (6, "red"), (8, "blue"), (3, None)])
def test_exif_orientation_is_applied(tmp_path, orientation, top_colour):
    pixels = np.zeros((16, 32, 3), np.uint8)   # 32 wide, 16 tall: red left half, blue right half
    pixels[:, :16] = (255, 0, 0)
    pixels[:, 16:] = (0, 0, 255)
    im = Image.fromarray(pixels)
    exif = im.getexif()
    exif[0x0112] = orientation
    out = load_image(save(im, tmp_path / "o.jpg", exif=exif, quality=95), size=None).astype(int)
    red, blue = np.array([255, 0, 0]), np.array([0, 0, 255])
    if orientation in (6, 8):  # rotated a quarter turn: 16 wide, 32 tall
        assert out.shape == (32, 16, 3)
        top, bottom = out[:12].mean(axis=(0, 1)), out[20:].mean(axis=(0, 1))
        first, second = (red, blue) if top_colour == "red" else (blue, red)
        assert np.abs(top - first).max() < 20 and np.abs(bottom - second).max() < 20
    else:
        assert out.shape == (16, 32, 3)
        left, right = out[:, :12].mean(axis=(0, 1)), out[:, 20:].mean(axis=(0, 1))
        first, second = (red, blue) if orientation == 1 else (blue, red)
        assert np.abs(left - first).max() < 20 and np.abs(right - second).max() < 20


# ------------------------------------------------------------------------------------------ bad files
def test_too_small_images(tmp_path):
    for size in ((1, 1), (3, 10)):
        path = save(Image.new("RGB", size, (1, 2, 3)), tmp_path / f"s{size[0]}.png")
        with pytest.raises(DataFileError, match="too small: expected at least 4x4 pixels"):
            load_image(path)


def test_not_an_image(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("hello, I am not a picture")
    with pytest.raises(DataFileError, match="notes.jpg: expected an image file"):
        load_image(text)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty.png"):
        load_image(empty)


def test_eps_is_never_handed_to_ghostscript(tmp_path):
    eps = tmp_path / "x.eps"
    eps.write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(DataFileError, match="expected an image file"):
        load_image(eps)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_files(tmp_path, suffix):
    path = save(Image.fromarray(random_rgb((64, 64), seed=5)), tmp_path / f"t{suffix}")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match=f"t{suffix}"):
        load_image(path)


def test_missing_file_folder_and_wrong_type(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(DataFileError, match="a folder"):
        load_image(tmp_path)
    with pytest.raises(DataFileError, match="path"):
        load_image(123)


def test_bad_size_arguments(tmp_path):
    path = save(Image.fromarray(random_rgb((8, 8))), tmp_path / "a.png")
    with pytest.raises(InputError, match="size"):
        load_image(path, size=(0, 8))
    with pytest.raises(InputError, match="size"):
        load_image(path, size=(8, 8, 3))
    with pytest.raises(InputTypeError, match="size"):
        load_image(path, size=("8", 8))


def test_max_bytes(tmp_path):
    path = save(Image.fromarray(random_rgb((16, 16))), tmp_path / "a.png")
    with pytest.raises(DataFileError, match="max_bytes"):
        load_image(path, max_bytes=100)


def test_max_pixels_is_checked_before_decoding(tmp_path):
    path = save(Image.fromarray(random_rgb((100, 100))), tmp_path / "a.png")
    with pytest.raises(DataFileError, match="10000 pixels.*decompression bomb"):
        load_image(path, max_pixels=5_000)
    assert load_image(path, max_pixels=10_000).shape == (64, 64, 3)


def test_decompression_bomb_headers(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # 10^8 pixels: over Pillow's warning threshold, over our default max_pixels
        with pytest.raises(DataFileError, match="max_pixels"):
            load_image(png_header(tmp_path / "a.png", 10_000, 10_000))
        # max_pixels raised above Pillow's warning threshold: the header passes, the data is missing
        with pytest.raises(DataFileError, match="fails to decode"):
            load_image(png_header(tmp_path / "b.png", 10_000, 10_000), max_pixels=200_000_000)
        # 10^10 pixels: Pillow's own hard limit
        with pytest.raises(DataFileError, match="b2.png"):
            load_image(png_header(tmp_path / "b2.png", 100_000, 100_000), max_pixels=10**11)
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert Image.MAX_IMAGE_PIXELS == int(1024 * 1024 * 1024 // 4 // 3)  # global setting untouched


# ---------------------------------------------------------------------------------------- predictions
@pytest.fixture(scope="module")
def softmax_net() -> Network:
    return Network([12288, 4, 6], output="softmax", seed=0, preprocessing=Scale(1 / 255),
                   class_names=["zero", "one", "two", "three", "four", "five"])


def test_predict_image_softmax(softmax_net):
    path = sample_image_path()
    pred = predict_image(softmax_net, path, top=3)
    assert isinstance(pred, ImagePrediction)
    expected = softmax_net.predict_proba(load_image(path).reshape(1, -1))[0]
    np.testing.assert_allclose(pred.probabilities, expected)
    assert pred.probabilities.shape == (6,) and pred.probabilities.sum() == pytest.approx(1.0)
    assert pred.label == int(np.argmax(expected)) and pred.class_name == softmax_net.class_names[pred.label]
    assert len(pred.top) == 3 and pred.top[0] == (pred.class_name, pytest.approx(expected.max()))
    assert [p for _, p in pred.top] == sorted((p for _, p in pred.top), reverse=True)
    assert "thumbs_up.jpg" in str(pred) and pred.class_name in str(pred)
    assert softmax_net.predict_image(path, top=10).top[-1][1] == pytest.approx(expected.min())


def test_predict_image_sigmoid_uses_image_shape(tmp_path):
    net = Network([8 * 8 * 3, 3, 1], output="sigmoid", seed=1, preprocessing=Scale(1 / 255))
    net.info["image_shape"] = (8, 8, 3)
    path = save(Image.fromarray(random_rgb((20, 20), seed=4)), tmp_path / "x.png")
    pred = predict_image(net, path, top=1)
    p1 = float(net.predict_proba(load_image(path, size=(8, 8)).reshape(1, -1))[0])
    np.testing.assert_allclose(pred.probabilities, [1 - p1, p1])
    assert pred.label == int(p1 > 0.5) and pred.class_name == str(pred.label) and len(pred.top) == 1


def test_predict_image_refuses_unsuitable_networks(tmp_path, softmax_net):
    path = sample_image_path()
    with pytest.raises(InputError, match="softmax or sigmoid"):
        predict_image(Network([12288, 2], output="linear", seed=0), path)
    with pytest.raises(InputError, match="this model takes 10 numbers per example, not images"):
        predict_image(Network([10, 3], output="softmax", seed=0), path)
    odd = Network([10, 3], output="softmax", seed=0)
    odd.info["image_shape"] = [4, 4, 3]
    with pytest.raises(InputError, match="images are 4x4x3 .48 numbers.*input layer takes 10"):
        predict_image(odd, path)
    with pytest.raises(InputError, match="one output unit"):
        predict_image(Network([12288, 3], output="sigmoid", seed=0), path)
    bad_names = Network([12288, 3], output="softmax", seed=0, class_names=["a", "b"])
    with pytest.raises(InputError, match="class_names"):
        predict_image(bad_names, path)
    with pytest.raises(InputError, match="top"):
        predict_image(softmax_net, path, top=0)
    with pytest.raises(DataFileError):
        predict_image(softmax_net, tmp_path / "missing.jpg")
