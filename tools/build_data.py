"""Build the data files vendored in ``src/descentlab/data`` (run once by a developer, never at run time).

Usage::

    .venv/bin/python tools/build_data.py [--source ../shared/data] [--out src/descentlab/data]

What it writes (byte-for-byte reproducible: sorted zip entries, fixed timestamps):

- ``circles.npz``  the course's Initialization data: ``np.random.seed(1); make_circles(300, noise=.05)``
  (train) and ``np.random.seed(2); make_circles(100, noise=.05)`` (test), X (m, 2) float64, y (m,) int64;
- ``moons.npz``    the course's Optimization data: ``np.random.seed(3); make_moons(300, noise=.2)``;
- ``football.npz`` ``football.mat`` (course ``datasets/data.mat``): X, y -> train; Xval, yval -> test;
- ``signs_train_jpeg.zip`` the 1080 CS230 64x64 training photos (``train_signs/`` + ``val_signs/``),
  the original JPEG bytes, stored uncompressed (JPEG does not deflate);
- ``signs_test.h5`` and ``thumbs_up.jpg`` copied unchanged;
- ``SHA256SUMS``   one ``<sha256>  <file>`` line per vendored file (``SOURCES.md`` is written by hand).

Every source file is checked against the hashes in the source folder's ``SOURCES.md`` /
``signs_cs230_64x64/SHA256SUMS`` before anything is written. The seeds and ``np.random`` calls here
ARE the course's recipe; the library itself never touches the global random state.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "descentlab" / "data"

# sha256 of the source files, as recorded in the source folder's SOURCES.md.
SOURCE_SHA256 = {
    "football.mat": "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231",
    "signs_test.h5": "539fb746ed9e947eb244cfca73f4d1b03f9bf5524d609eeed2cd76ddb1b179be",
    "thumbs_up.jpg": "0796c25a592766ec55cbb86ac24b3eae48ad30b5afa0276ebf68bf1ec8f3bd25",
}
SIGNS_DIR = "signs_cs230_64x64"
SIGNS_SPLITS = ("train_signs", "val_signs")  # together: the 1080-photo training set
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checked_bytes(path: Path, expected: str) -> bytes:
    """The bytes of ``path`` after checking their sha256."""
    data = path.read_bytes()
    if sha256(data) != expected:
        sys.exit(f"{path}: sha256 {sha256(data)} differs from the recorded {expected}")
    return data


def _zip_entry(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` but reproducible (fixed entry timestamps), no object arrays."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            arr = np.ascontiguousarray(arrays[key])
            assert arr.dtype.kind in "biuf", (key, arr.dtype)
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arr, allow_pickle=False)
            zf.writestr(_zip_entry(f"{key}.npy", zipfile.ZIP_DEFLATED), buf.getvalue())


def build_circles(out: Path) -> None:
    from sklearn.datasets import make_circles

    np.random.seed(1)
    X_train, y_train = make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    X_test, y_test = make_circles(n_samples=100, noise=.05)
    write_npz(out / "circles.npz", {"X_train": X_train, "y_train": y_train.astype(np.int64),
                                    "X_test": X_test, "y_test": y_test.astype(np.int64)})


def build_moons(out: Path) -> None:
    from sklearn.datasets import make_moons

    np.random.seed(3)
    X_train, y_train = make_moons(n_samples=300, noise=.2)
    write_npz(out / "moons.npz", {"X_train": X_train, "y_train": y_train.astype(np.int64)})


def build_football(source: Path, out: Path) -> None:
    from scipy.io import loadmat

    mat = loadmat(io.BytesIO(checked_bytes(source / "football.mat", SOURCE_SHA256["football.mat"])))
    arrays = {"X_train": mat["X"], "y_train": mat["y"].ravel(), "X_test": mat["Xval"], "y_test": mat["yval"].ravel()}
    assert arrays["X_train"].shape == (211, 2) and arrays["X_test"].shape == (200, 2)
    assert np.bincount(arrays["y_train"]).tolist() == [105, 106]
    assert np.bincount(arrays["y_test"]).tolist() == [113, 87]
    write_npz(out / "football.npz", {k: (v.astype(np.int64) if k.startswith("y") else v.astype(np.float64))
                                     for k, v in arrays.items()})


def _signs_sums(source: Path) -> dict[str, str]:
    """``{"train_signs/0_IMG_5864.jpg": sha256, ...}`` from the CS230 folder's SHA256SUMS."""
    sums = {}
    for line in (source / SIGNS_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*").removeprefix("./")] = digest
    return sums


def build_signs_train(source: Path, out: Path) -> None:
    sums = _signs_sums(source)
    files = sorted((p for split in SIGNS_SPLITS for p in (source / SIGNS_DIR / split).glob("*.jpg")),
                   key=lambda p: p.name)
    assert len(files) == 1080 and len({p.name for p in files}) == 1080
    with zipfile.ZipFile(out / "signs_train_jpeg.zip", "w", zipfile.ZIP_STORED) as zf:
        for p in files:
            name = f"{p.parent.name}/{p.name}"
            zf.writestr(_zip_entry(name, zipfile.ZIP_STORED), checked_bytes(p, sums[name]))


def copy_checked(source: Path, out: Path, name: str) -> None:
    checked_bytes(source / name, SOURCE_SHA256[name])
    shutil.copyfile(source / name, out / name)


def write_sums(out: Path, names: list[str]) -> None:
    lines = [f"{sha256((out / n).read_bytes())}  {n}\n" for n in sorted(names)]
    (out / "SHA256SUMS").write_text("".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build_circles(args.out)
    build_moons(args.out)
    build_football(args.source, args.out)
    build_signs_train(args.source, args.out)
    for name in ("signs_test.h5", "thumbs_up.jpg"):
        copy_checked(args.source, args.out, name)
    names = ["circles.npz", "moons.npz", "football.npz", "signs_train_jpeg.zip", "signs_test.h5", "thumbs_up.jpg"]
    write_sums(args.out, names)
    import sklearn

    print(f"wrote {len(names)} files to {args.out} (numpy {np.__version__}, scikit-learn {sklearn.__version__})")
    for n in names:
        print(f"  {n:24s} {(args.out / n).stat().st_size:>9,d} bytes")
    print(f"decoded signs training pixels (1080, 12288) uint8 sha256: {signs_pixels_sha256(args.out)}")


def signs_pixels_sha256(out: Path) -> str:
    """sha256 of the decoded training photos in load order (records what this Pillow/libjpeg decodes)."""
    from PIL import Image

    with zipfile.ZipFile(out / "signs_train_jpeg.zip") as zf:
        infos = sorted(zf.infolist(), key=lambda i: Path(i.filename).name)
        pixels = [np.asarray(Image.open(io.BytesIO(zf.read(i))).convert("RGB")) for i in infos]
    return sha256(np.stack(pixels).tobytes())


if __name__ == "__main__":
    main()
