"""Tests of descentlab.datasets: vendored course data, checksums, course .h5 files, CSV/NPZ tables, image folders."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image

from descentlab import datasets
from descentlab.datasets import DATASETS, Dataset, load
from descentlab.datasets import _vendored
from descentlab.datasets import signs as signs_module
from descentlab.errors import DataFileError, InputError

# sha256 of the decoded (1080, 12288) uint8 training photos in load order (see data/SOURCES.md).
SIGNS_PIXELS_SHA256 = "4aaedaba2c74f35cef458ac1806124a54d7521d0603d859fa54fd89dfd5d4c61"
DATA_DIR = Path(datasets.__file__).resolve().parents[1] / "data"


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


@pytest.fixture(scope="module")
def signs() -> Dataset:
    return datasets.load_signs()


@pytest.fixture
def global_random_state():
    """Run the course's np.random.seed recipe without leaking the global state into other tests."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


# ------------------------------------------------------------------------------------ course data sets
def test_circles_shapes_and_labels():
    ds = datasets.load_circles()
    assert ds.X_train.shape == (300, 2) and ds.X_test.shape == (100, 2)
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64 and ds.y_test.dtype == np.int64
    assert np.bincount(ds.y_train).tolist() == [150, 150]
    assert np.bincount(ds.y_test).tolist() == [50, 50]
    radius = np.hypot(*ds.X_train.T)
    assert radius[ds.y_train == 1].mean() < radius[ds.y_train == 0].mean()  # label 1 = inner circle
    assert ds.class_names == ["outer", "inner"] and ds.image_shape is None


def test_circles_equal_the_course_recipe(global_random_state):
    make_circles = pytest.importorskip("sklearn.datasets").make_circles
    ds = datasets.load_circles()
    np.random.seed(1)
    X, y = make_circles(n_samples=300, noise=.05)
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.y_train, y)
    np.random.seed(2)
    X, y = make_circles(n_samples=100, noise=.05)
    np.testing.assert_array_equal(ds.X_test, X)
    np.testing.assert_array_equal(ds.y_test, y)


def test_moons_equal_the_course_recipe(global_random_state):
    ds = datasets.load_moons()
    assert ds.X_train.shape == (300, 2) and ds.X_test is None and ds.y_test is None
    assert np.bincount(ds.y_train).tolist() == [150, 150]
    make_moons = pytest.importorskip("sklearn.datasets").make_moons
    np.random.seed(3)
    X, y = make_moons(n_samples=300, noise=.2)
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.y_train, y)


def test_football_matches_sources_md():
    ds = datasets.load_football()
    assert ds.X_train.shape == (211, 2) and ds.X_test.shape == (200, 2)
    assert np.bincount(ds.y_train).tolist() == [105, 106]
    assert np.bincount(ds.y_test).tolist() == [113, 87]
    assert ds.X_train.min() == pytest.approx(-0.657895) and ds.X_train.max() == pytest.approx(0.573392)
    assert ds.X_test.min() == pytest.approx(-0.79482, abs=5e-6) and ds.X_test.max() == pytest.approx(0.59753, abs=5e-6)


def test_signs_shapes_labels_and_order(signs):
    assert signs.X_train.shape == (1080, 12288) and signs.X_train.dtype == np.uint8
    assert signs.X_test.shape == (120, 12288) and signs.X_test.dtype == np.uint8
    assert signs.y_train.dtype == np.int64 and signs.image_shape == (64, 64, 3)
    assert np.bincount(signs.y_train).tolist() == [180] * 6
    assert np.bincount(signs.y_test).tolist() == [20] * 6
    assert signs.y_test[:12].tolist() == [0, 0, 0, 5, 1, 0, 3, 1, 5, 1, 5, 1]
    assert np.array_equal(signs.X_test[1], signs.X_test[66])  # pixel-identical pair noted in SOURCES.md
    assert np.all(np.diff(signs.y_train) >= 0)  # sorted by file name, which starts with the label
    assert signs.class_names == [str(k) for k in range(6)]
    assert "stand-in" in signs.source and "official test_signs.h5" in signs.source


def test_signs_rows_are_c_order_images_sorted_by_file_name(signs):
    with zipfile.ZipFile(DATA_DIR / "signs_train_jpeg.zip") as zf:
        names = sorted(zf.namelist(), key=lambda n: n.rsplit("/", 1)[-1])
        assert len(names) == 1080 and any(" (1)" in n for n in names)
        for row in (0, 500, 1079):
            expected = np.asarray(Image.open(io.BytesIO(zf.read(names[row]))).convert("RGB"))
            np.testing.assert_array_equal(signs.X_train[row].reshape(64, 64, 3), expected)
            assert signs.y_train[row] == int(names[row].rsplit("/", 1)[-1][0])
    with h5py.File(DATA_DIR / "signs_test.h5", "r") as fh:
        np.testing.assert_array_equal(signs.X_test.reshape(-1, 64, 64, 3), fh["test_set_x"][()])


def test_signs_decoded_pixels_are_the_recorded_ones(signs):
    digest = hashlib.sha256(np.ascontiguousarray(signs.X_train).tobytes()).hexdigest()
    assert digest == SIGNS_PIXELS_SHA256, "this JPEG decoder decodes the vendored photos differently"


def test_dataset_is_frozen_and_checks_its_arrays():
    ds = datasets.load_moons()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "x"
    with pytest.raises(DataFileError):
        Dataset("bad", np.zeros((3, 2)), np.zeros(4, np.int64), None, None, [], None, "", "")
    assert "moons" in repr(ds) and "(300, 2)" in repr(ds)


# ----------------------------------------------------------------------------------------- checksums
def test_every_vendored_file_is_listed_and_matches():
    sums = _vendored.checksums()
    present = {p.name for p in DATA_DIR.iterdir() if p.is_file()} - {"SHA256SUMS", "SOURCES.md"}
    assert present == set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == digest
    assert sums["signs_test.h5"] == signs_module.OFFICIAL_TEST_SHA256
    assert sums["thumbs_up.jpg"] == "0796c25a592766ec55cbb86ac24b3eae48ad30b5afa0276ebf68bf1ec8f3bd25"


def test_loaders_refuse_a_file_whose_checksum_differs(monkeypatch):
    monkeypatch.setattr(_vendored, "_verified", {})
    monkeypatch.setattr(_vendored, "_sums", {**_vendored.checksums(), "football.npz": "0" * 64})
    with pytest.raises(DataFileError, match="sha256") as exc:
        datasets.load_football()
    assert "football.npz" in one_line(exc)


def test_verify_detects_a_modified_copy(tmp_path):
    copy = tmp_path / "circles.npz"
    data = bytearray((DATA_DIR / "circles.npz").read_bytes())
    data[100] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match="sha256"):
        _vendored.verify(copy, _vendored.checksums()["circles.npz"])


def test_checksum_is_computed_once_per_process(monkeypatch):
    calls = []
    real_verify = _vendored.verify
    monkeypatch.setattr(_vendored, "_verified", {})
    monkeypatch.setattr(_vendored, "verify", lambda *a, **k: (calls.append(a[0]), real_verify(*a, **k)))
    datasets.load_circles()
    datasets.load_circles()
    assert len(calls) == 1


def test_sample_image_path():
    path = datasets.sample_image_path()
    assert path.name == "thumbs_up.jpg" and path.is_file()
    with Image.open(path) as im:
        assert im.size == (3024, 3024) and im.mode == "RGB"


def test_import_stays_light():
    code = "import sys, descentlab.datasets; print('PIL' in sys.modules, 'h5py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# --------------------------------------------------------------------------------- course-style .h5
def write_h5(path: Path, prefix: str = "train", m: int = 6, *, x=None, y=None, keys=None) -> Path:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (m, 64, 64, 3), dtype=np.uint8) if x is None else x
    y = np.arange(m) % 6 if y is None else y
    with h5py.File(path, "w") as fh:
        x_key, y_key = keys or (f"{prefix}_set_x", f"{prefix}_set_y")
        fh.create_dataset(x_key, data=x)
        fh.create_dataset(y_key, data=y)
        fh.create_dataset("list_classes", data=np.arange(6))
    return path


def test_course_h5_train_file_is_accepted(tmp_path):
    path = write_h5(tmp_path / "train_signs.h5", m=6)
    ds = datasets.load_signs(train_path=path)
    with h5py.File(path, "r") as fh:
        x, y = fh["train_set_x"][()], fh["train_set_y"][()]
    assert ds.X_train.shape == (6, 12288) and ds.X_train.dtype == np.uint8
    np.testing.assert_array_equal(ds.X_train, x.reshape(6, -1))
    np.testing.assert_array_equal(ds.y_train, y)
    assert ds.X_test.shape == (120, 12288)
    assert "not the course's official train_signs.h5" in ds.source


def test_course_h5_labels_shaped_1_by_m_are_accepted(tmp_path):
    path = write_h5(tmp_path / "train_signs.h5", m=4, y=np.array([[5, 0, 2, 3]]))
    assert datasets.load_signs(train_path=path).y_train.tolist() == [5, 0, 2, 3]


def test_official_train_file_is_recognised_by_its_hash(tmp_path, monkeypatch):
    path = write_h5(tmp_path / "train_signs.h5")
    monkeypatch.setattr(signs_module, "OFFICIAL_TRAIN_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    assert "the course's official train_signs.h5" in datasets.load_signs(train_path=path).source


def test_official_test_file_passed_by_path(signs):
    ds = datasets.load_signs(test_path=DATA_DIR / "signs_test.h5")
    np.testing.assert_array_equal(ds.X_test, signs.X_test)
    assert "(the course's official test_signs.h5" in ds.source


@pytest.mark.parametrize("kwargs, message", [
    ({"keys": ("X", "Y")}, "expected datasets train_set_x and train_set_y"),
    ({"prefix": "test"}, "received keys"),
    ({"x": np.zeros((6, 32, 32, 3), np.uint8)}, "shape (m, 64, 64, 3)"),
    ({"x": np.zeros((6, 64, 64), np.uint8)}, "shape (m, 64, 64, 3)"),
    ({"x": np.zeros((6, 64, 64, 3), np.float32)}, "dtype uint8"),
    ({"y": np.array([0, 1, 2, 3, 4, 6])}, "labels in 0..5"),
    ({"y": np.array([0, 1, 2, -1, 4, 5])}, "labels in 0..5"),
    ({"y": np.arange(5)}, "one label per image"),
    ({"y": np.arange(6, dtype=np.float64)}, "integer dtype"),
])
def test_course_h5_rejections(tmp_path, kwargs, message):
    path = write_h5(tmp_path / "bad.h5", **kwargs)
    with pytest.raises(DataFileError) as exc:
        datasets.load_signs(train_path=path)
    text = one_line(exc)
    assert message in text and "bad.h5" in text and "train_path" in text


def test_course_h5_not_an_hdf5_file_or_missing(tmp_path):
    path = tmp_path / "fake.h5"
    path.write_text("not hdf5")
    with pytest.raises(DataFileError, match="fake.h5.*HDF5"):
        datasets.load_signs(test_path=path)
    with pytest.raises(DataFileError, match="test_path.*no such file"):
        datasets.load_signs(test_path=tmp_path / "missing.h5")


# --------------------------------------------------------------------------------------------- CSV
def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_header_and_string_labels(tmp_path):
    path = write(tmp_path / "pets.csv", "x1,x2,label\n1,2,cat\n3,4.5,dog\n5,6,cat\n")
    ds = datasets.load_csv(path)
    np.testing.assert_array_equal(ds.X_train, [[1, 2], [3, 4.5], [5, 6]])
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    assert ds.y_train.tolist() == [0, 1, 0] and ds.class_names == ["cat", "dog"]
    assert ds.name == "pets" and ds.X_test is None


def test_csv_without_header_numeric_labels(tmp_path):
    ds = datasets.load_csv(write(tmp_path / "t.csv", "0.5,1,0\n-2,3e-1,2\n\n"))
    np.testing.assert_array_equal(ds.X_train, [[0.5, 1], [-2, 0.3]])
    assert ds.y_train.tolist() == [0, 1] and ds.class_names == ["0", "2"]   # the labels seen, like LabelEncoder


def test_csv_target_by_name_and_index(tmp_path):
    path = write(tmp_path / "t.csv", "\ufefflabel,a,b\n1,0.5,0.25\n0,1,2\n")
    by_name = datasets.load_csv(path, target="label")
    by_index = datasets.load_csv(path, target=0)
    for ds in (by_name, by_index):
        np.testing.assert_array_equal(ds.X_train, [[0.5, 0.25], [1, 2]])
        assert ds.y_train.tolist() == [1, 0]


def test_csv_header_true_and_false(tmp_path):
    path = write(tmp_path / "t.csv", "1,2,0\n3,4,1\n5,6,1\n")
    assert len(datasets.load_csv(path, header=True).y_train) == 2
    assert len(datasets.load_csv(path, header=False).y_train) == 3


def test_csv_negative_and_real_valued_labels(tmp_path):
    ds = datasets.load_csv(write(tmp_path / "a.csv", "1,-1\n2,1\n3,-1\n"))
    assert ds.y_train.tolist() == [0, 1, 0] and ds.class_names == ["-1", "1"]
    ds = datasets.load_csv(write(tmp_path / "b.csv", "1,0.5\n2,1.25\n"))
    assert ds.y_train.dtype == np.float64 and ds.y_train.tolist() == [0.5, 1.25] and ds.class_names == []


@pytest.mark.parametrize("text, pieces", [
    ("a,b,y\n1,2,0\n3,,1\n", ["line 3", "column 1 ('b')", "missing value"]),
    ("a,b,y\n1,2,0\n3,NA,1\n", ["line 3", "column 1", "missing value 'NA'"]),
    ("a,b,y\n1,2,0\n3,4,1\nx,4,1\n", ["line 4", "column 0 ('a')", "expected a number, received 'x'"]),
    ("a,b,y\n1,inf,0\n", ["line 2", "finite number"]),
    ("a,b,y\n1,2,0\n3,4\n", ["line 3", "expected 3 cells", "received 2"]),
    ("a,b,y\n1,2,\n", ["line 2", "column 2", "expected a label"]),
    ("", ["empty file"]),
    ("\n  \n", ["empty file"]),
    ("a,b,y\n", ["at least one data row"]),
    ("y\n1\n", ["at least 2 columns"]),
])
def test_csv_bad_inputs(tmp_path, text, pieces):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(DataFileError) as exc:
        datasets.load_csv(path)
    message = one_line(exc)
    assert "bad.csv" in message
    for piece in pieces:
        assert piece in message


def test_csv_bad_arguments(tmp_path):
    path = write(tmp_path / "t.csv", "a,b,y\n1,2,0\n")
    with pytest.raises(DataFileError, match="column names"):
        datasets.load_csv(path, target="label")
    with pytest.raises(DataFileError, match="column index"):
        datasets.load_csv(path, target=5)
    with pytest.raises(InputError, match="header"):
        datasets.load_csv(path, header="yes")
    with pytest.raises(DataFileError, match="no such file"):
        datasets.load_csv(tmp_path / "missing.csv")
    (tmp_path / "latin1.csv").write_bytes(b"a,b\n\xe9,1\n")
    with pytest.raises(DataFileError, match="UTF-8"):
        datasets.load_csv(tmp_path / "latin1.csv")


# --------------------------------------------------------------------------------------------- NPZ
def test_npz_train_and_test(tmp_path):
    rng = np.random.default_rng(1)
    X, X_test = rng.normal(size=(5, 3)), rng.normal(size=(2, 3))
    np.savez(tmp_path / "d.npz", X=X, y=np.array([0, 1, 1, 0, 1]), X_test=X_test, y_test=np.array([[1, 0]]))
    ds = datasets.load_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.X_test, X_test)
    assert ds.y_train.tolist() == [0, 1, 1, 0, 1] and ds.y_test.tolist() == [1, 0]
    assert ds.class_names == ["0", "1"] and ds.name == "d"


def test_npz_string_labels_shared_between_splits(tmp_path):
    np.savez(tmp_path / "s.npz", X=np.eye(3), y=np.array(["b", "c", "b"]), X_test=np.eye(3)[:1], y_test=np.array(["a"]))
    ds = datasets.load_npz(tmp_path / "s.npz")
    assert ds.class_names == ["a", "b", "c"]
    assert ds.y_train.tolist() == [1, 2, 1] and ds.y_test.tolist() == [0]


def test_npz_images_and_class_names(tmp_path):
    images = np.random.default_rng(2).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "i.npz", X_train=images, y_train=np.array([0, 1, 2, 1]), class_names=np.array(["r", "g", "b"]))
    ds = datasets.load_npz(tmp_path / "i.npz")
    assert ds.image_shape == (8, 8, 3) and ds.X_train.shape == (4, 192) and ds.X_train.dtype == np.uint8
    np.testing.assert_array_equal(ds.X_train[2].reshape(8, 8, 3), images[2])
    assert ds.class_names == ["r", "g", "b"]


def test_npz_refuses_pickle_payloads(tmp_path):
    with open(tmp_path / "evil.npz", "wb") as fh:
        pickle.dump({"X": [[1.0]], "y": [0]}, fh)
    with pytest.raises(DataFileError, match="evil.npz.*pickle"):
        datasets.load_npz(tmp_path / "evil.npz")
    np.savez(tmp_path / "obj.npz", X=np.array([[{}]], dtype=object), y=np.array([0]))
    with pytest.raises(DataFileError, match="obj.npz.*pickle"):
        datasets.load_npz(tmp_path / "obj.npz")


@pytest.mark.parametrize("arrays, message", [
    ({"A": np.eye(2), "y": np.arange(2)}, "expected arrays named X and y"),
    ({"X": np.eye(3), "y": np.arange(2)}, "one label per row"),
    ({"X": np.ones((2, 5)), "y": np.arange(5)}, "course layout"),
    ({"X": np.array([[1.0, np.nan]]), "y": np.arange(1)}, "finite"),
    ({"X": np.array([["a"]]), "y": np.arange(1)}, "numeric dtype"),
    ({"X": np.eye(2), "y": np.arange(2), "X_test": np.eye(2)}, "together"),
    ({"X": np.eye(2), "y": np.arange(2), "X_test": np.ones((1, 3)), "y_test": np.arange(1)}, "X_test"),
    ({"X": np.eye(2), "y": np.array(["a", "b"]), "class_names": np.array(["x", "y"])}, "no class_names"),
])
def test_npz_bad_contents(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataFileError) as exc:
        datasets.load_npz(tmp_path / "bad.npz")
    assert message in one_line(exc) and "bad.npz" in str(exc.value)


def test_npz_not_an_archive(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataFileError, match="junk.npz"):
        datasets.load_npz(tmp_path / "junk.npz")
    np.save(tmp_path / "single.npy", np.eye(2))
    with pytest.raises(DataFileError, match="single .npy"):
        datasets.load_npz(tmp_path / "single.npy")


# ------------------------------------------------------------------------------------ image folders
COLOURS = {"cat": (250, 10, 10), "dog": (10, 250, 10), "0": (0, 0, 250), "2": (200, 200, 0)}


def save_png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (8, 8)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def test_image_folder_subfolders(tmp_path):
    for cls in ("dog", "cat"):
        for k in range(2):
            save_png(tmp_path / cls / f"img{k}.png", COLOURS[cls])
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = datasets.load_image_folder(tmp_path, size=(4, 4))
    assert ds.X_train.shape == (4, 48) and ds.X_train.dtype == np.uint8 and ds.image_shape == (4, 4, 3)
    assert ds.class_names == ["cat", "dog"] and ds.y_train.tolist() == [0, 0, 1, 1]
    assert tuple(ds.X_train[0].reshape(4, 4, 3)[0, 0]) == COLOURS["cat"]
    assert tuple(ds.X_train[3].reshape(4, 4, 3)[2, 1]) == COLOURS["dog"]


def test_image_folder_numeric_class_folders_are_the_classes_seen(tmp_path):
    save_png(tmp_path / "2" / "a.png", COLOURS["2"])
    save_png(tmp_path / "0" / "b.png", COLOURS["0"])
    save_png(tmp_path / "10" / "c.png", COLOURS["0"])
    ds = datasets.load_image_folder(tmp_path, size=(4, 4), layout="subfolders")
    assert ds.y_train.tolist() == [0, 1, 2] and ds.class_names == ["0", "2", "10"]   # numeric order


def test_image_folder_flat_labels_from_prefix(tmp_path):
    save_png(tmp_path / "2_b.png", COLOURS["2"], size=(12, 8))
    save_png(tmp_path / "0_IMG 1 (1).png", COLOURS["0"])
    save_png(tmp_path / "2_a.png", COLOURS["2"])
    (tmp_path / "README").write_text("ignored")
    ds = datasets.load_image_folder(tmp_path, size=(6, 6))
    assert ds.y_train.tolist() == [0, 1, 1] and ds.class_names == ["0", "2"]
    assert tuple(ds.X_train[0][:3]) == COLOURS["0"]


def test_image_folder_errors(tmp_path):
    with pytest.raises(DataFileError, match="received none"):
        datasets.load_image_folder(tmp_path)
    save_png(tmp_path / "noprefix.png", COLOURS["cat"])
    with pytest.raises(DataFileError, match="noprefix.png"):
        datasets.load_image_folder(tmp_path)
    save_png(tmp_path / "cat" / "a.png", COLOURS["cat"])
    with pytest.raises(DataFileError, match="both"):
        datasets.load_image_folder(tmp_path)
    (tmp_path / "cat" / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DataFileError, match="broken.jpg"):
        datasets.load_image_folder(tmp_path, layout="subfolders")
    with pytest.raises(InputError, match="layout"):
        datasets.load_image_folder(tmp_path, layout="nested")
    with pytest.raises(DataFileError, match="folder"):
        datasets.load_image_folder(tmp_path / "noprefix.png")


# ---------------------------------------------------------------------------------------- load(name)
def test_load_by_name_and_path(tmp_path):
    assert set(DATASETS) == {"circles", "moons", "football", "signs"}
    assert all(isinstance(v, str) and "\n" not in v for v in DATASETS.values())
    assert load("Circles").name == "circles" and load("football").X_test.shape == (200, 2)
    write(tmp_path / "t.csv", "a,y\n1,0\n2,1\n")
    assert load(tmp_path / "t.csv").y_train.tolist() == [0, 1]
    by_a = load(str(tmp_path / "t.csv"), target="a")
    assert by_a.y_train.tolist() == [0, 1] and by_a.class_names == ["1", "2"]
    np.savez(tmp_path / "t.npz", X=np.eye(2), y=np.arange(2))
    assert load(tmp_path / "t.npz").X_train.shape == (2, 2)
    save_png(tmp_path / "imgs" / "1_a.png", COLOURS["cat"])
    assert load(tmp_path / "imgs", size=(4, 4)).X_train.shape == (1, 48)


def test_load_unknown_name(tmp_path):
    with pytest.raises(DataFileError, match="no such data set.*'mnist'.*circles"):
        load("mnist")
    write(tmp_path / "t.txt", "1,2")
    with pytest.raises(DataFileError, match="another extension"):
        load(tmp_path / "t.txt")
    with pytest.raises(DataFileError):
        load(42)


# ------------------------------------------------------------------ issue 13: memory bounded by the input's real size
def test_a_huge_label_value_does_not_size_the_class_list(tmp_path):
    """Classes are the distinct labels seen (LabelEncoder), never 0..max(label)."""
    path = write(tmp_path / "big.csv", "a,y\n1,0\n2,3000000\n3,0\n")
    ds = datasets.load_csv(path)
    assert ds.class_names == ["0", "3000000"] and ds.y_train.tolist() == [0, 1, 0]


def test_a_huge_class_folder_name_does_not_size_the_class_list(tmp_path):
    save_png(tmp_path / "999999999" / "a.png", COLOURS["2"])
    save_png(tmp_path / "0" / "b.png", COLOURS["0"])
    ds = datasets.load_image_folder(tmp_path, size=(4, 4))
    assert ds.class_names == ["0", "999999999"] and ds.y_train.tolist() == [0, 1]


def test_too_many_classes_is_one_line(tmp_path, monkeypatch):
    from descentlab.datasets import _base
    rows = "".join(f"{i},{i}\n" for i in range(_base.MAX_CLASSES + 1))
    with pytest.raises(DataFileError, match=f"at most {_base.MAX_CLASSES} classes") as exc:
        datasets.load_csv(write(tmp_path / "many.csv", "a,y\n" + rows))
    assert "\n" not in str(exc.value)
    monkeypatch.setattr(_base, "MAX_CLASSES", 2)
    for k in range(3):
        save_png(tmp_path / "imgs" / f"c{k}" / "a.png", COLOURS["0"])
    with pytest.raises(DataFileError, match="at most 2 classes"):
        datasets.load_image_folder(tmp_path / "imgs", size=(4, 4))


def test_npz_class_names_name_the_class_numbers(tmp_path):
    np.savez(tmp_path / "c.npz", X=np.eye(3), y=np.array([0, 2, 2]), class_names=np.array(["r", "g", "b"]))
    ds = datasets.load_npz(tmp_path / "c.npz")
    assert ds.class_names == ["r", "g", "b"] and ds.y_train.tolist() == [0, 2, 2]
    np.savez(tmp_path / "c.npz", X=np.eye(3), y=np.array([0, 5, 2]), class_names=np.array(["r", "g", "b"]))
    with pytest.raises(DataFileError, match="class_names"):
        datasets.load_npz(tmp_path / "c.npz")


def _npz_with_member(path, name, header_shape, dtype, payload: bytes, compress=True):
    """An archive whose member ``name``.npy declares ``header_shape`` but holds ``payload`` (a lying header)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                                "fortran_order": False, "shape": header_shape})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{name}.npy", buf.getvalue() + payload)
        out = io.BytesIO()
        np.save(out, np.zeros(2))
        zf.writestr("y.npy", out.getvalue())
    return path


def test_npz_that_expands_beyond_the_limit_is_refused_before_loading(tmp_path):
    import tracemalloc
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=np.zeros((4000, 10000), np.uint8), y=np.zeros(4000))   # 40 MB in ~40 KB
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match="bomb.npz.*limit") as exc:
            datasets.load_npz(path, max_bytes=10_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000 and "\n" not in str(exc.value)


def test_npz_over_the_default_limit_is_refused(tmp_path):
    from descentlab.datasets import _base
    path = _npz_with_member(tmp_path / "huge.npz", "X", (_base.MAX_DATA_BYTES // 8 + 1, 1), np.float64, b"")
    with pytest.raises(DataFileError, match="huge.npz.*limit"):
        datasets.load_npz(path)


def test_npz_whose_header_lies_about_its_size_is_refused(tmp_path):
    path = _npz_with_member(tmp_path / "liar.npz", "X", (100_000, 1000), np.float64, bytes(80))
    with pytest.raises(DataFileError, match="liar.npz.*X"):
        datasets.load_npz(path)


@pytest.mark.parametrize("dtype", [object, "V8", "complex128", "M8[s]"])
def test_npz_dtypes_other_than_numbers_and_text_are_refused_from_the_header(tmp_path, dtype):
    path = _npz_with_member(tmp_path / "odd.npz", "X", (2, 2), dtype, bytes(64))
    with pytest.raises(DataFileError, match="odd.npz.*X.*dtype"):
        datasets.load_npz(path)


def test_npz_extra_arrays_are_never_loaded(tmp_path):
    import tracemalloc
    path = tmp_path / "extra.npz"
    np.savez_compressed(path, X=np.eye(2), y=np.arange(2), junk=np.zeros((3000, 3000)))   # 72 MB never needed
    tracemalloc.start()
    try:
        ds = datasets.load_npz(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ds.X_train.shape == (2, 2) and peak < 10_000_000


def test_npz_broken_archives_are_one_line(tmp_path):
    np.savez(tmp_path / "ok.npz", X=np.eye(2), y=np.arange(2))
    data = (tmp_path / "ok.npz").read_bytes()
    for name, content in (("cut.npz", data[: len(data) // 2]), ("flipped.npz", data[:40] + b"\xff" * 40 + data[80:])):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataFileError, match=name) as exc:
            datasets.load_npz(tmp_path / name)
        assert "\n" not in str(exc.value)


def test_signs_h5_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from descentlab.datasets import _base
    monkeypatch.setattr(_base, "MAX_DATA_BYTES", 100_000)
    path = tmp_path / "train.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", (20, 64, 64, 3), np.uint8, compression="gzip", fillvalue=0)
        f["train_set_y"] = np.zeros(20, np.int64)
    with pytest.raises(DataFileError, match="train.h5.*limit"):
        datasets.load_signs(train_path=path)


def test_a_csv_too_large_to_parse_in_memory_is_refused_before_reading(tmp_path, monkeypatch):
    from descentlab.core import memory
    from descentlab.errors import MemoryLimitError
    path = write(tmp_path / "t.csv", "a,y\n" + "1.5,0\n" * 50_000)
    monkeypatch.setenv(memory.ENV, str(5 * path.stat().st_size))
    with pytest.raises(MemoryLimitError, match="t.csv"):
        datasets.load_csv(path)


def test_the_csv_parse_estimate_covers_the_measured_peak(tmp_path):
    import tracemalloc
    from descentlab.datasets import tables
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "big.csv", np.column_stack([rng.standard_normal((30_000, 3)), rng.integers(0, 2, 30_000)]),
               delimiter=",", fmt="%.6f")
    tracemalloc.start()
    try:
        datasets.load_csv(tmp_path / "big.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= tables.CSV_BYTES_FACTOR * (tmp_path / "big.csv").stat().st_size
# ------------------------------------------------------- header, label column, feature names (issue 12)
@pytest.mark.parametrize("text, header", [
    ("x1,x2,label\n1,2,cat\n3,4,dog\n", True),          # text over numbers in the feature columns
    ("1,2,cat\n3,4,dog\n5,6,cat\n", False),              # text labels alone do not make a header
    ("cat,1,2\ndog,3,4\n", False),                       # ... wherever the label column is
    ("species,x\ncat,1\ndog,2\n", True),                 # one numeric column under a name is enough
    ("1,2,0\n3,4,1\n", False),                           # all numbers
    ("a,b,y\n", True),                                   # one row of names: a header without data
    ("1,2,cat\n", False),                                # one row with numbers: data
    ("x1,x2,y\n1,2,0\n3,?,1\n5,6,1\n", True),            # missing markers do not hide the numbers
])
def test_a_header_is_detected_from_the_data_not_guessed_from_one_row(tmp_path, text, header):
    from descentlab.datasets.tables import _read_rows, detect_header
    rows = _read_rows(write(tmp_path / "t.csv", text), "t", ",", min_cols=1)
    assert detect_header(rows) is header


def test_a_numeric_target_is_an_index_unless_the_header_has_that_name(tmp_path):
    plain = write(tmp_path / "plain.csv", "1,0.5,7\n0,1.5,8\n1,2.5,9\n")
    ds = datasets.load_csv(plain, target="0")  # the CLI passes text: "0" is column 0, the data has no header
    assert ds.y_train.tolist() == [1, 0, 1] and ds.X_train.shape == (3, 2) and "column 0, chosen by index" in ds.description
    assert datasets.load_csv(plain, target="-1").X_train.tolist() == [[1, 0.5], [0, 1.5], [1, 2.5]]
    named = write(tmp_path / "named.csv", "alpha,0,beta\n1.5,1,2\n2.5,0,3\n3.5,1,4\n")
    ds = datasets.load_csv(named, target="0")
    assert ds.y_train.tolist() == [1, 0, 1] and ds.feature_names == ("alpha", "beta")
    assert ds.target == {"name": "0", "index": 1} and "chosen by name (the header has a column of that name)" in ds.description
    with pytest.raises(DataFileError, match=r"did you mean 'beta'"):
        datasets.load_csv(named, target="betta")


def test_inputs_for_a_model_drop_the_label_and_match_features_by_name(tmp_path):
    from descentlab.datasets.tables import load_csv_inputs
    train = write(tmp_path / "train.csv", "x1,species,x2\n1,cat,2\n3,dog,4\n")
    ds = datasets.load_csv(train, target="species")
    recorded = dict(feature_names=list(ds.feature_names), recorded_target=ds.target)
    X, how = load_csv_inputs(train, 2, **recorded)
    assert X.tolist() == [[1, 2], [3, 4]] and "'species'" in how
    X, how = load_csv_inputs(write(tmp_path / "f.csv", "x2,x1\n20,10\n"), 2, **recorded)
    assert X.tolist() == [[10, 20]] and how == "no label column; features matched by name"
    with pytest.raises(DataFileError, match=r"missing \['x2'\]; unexpected \['x3'\]"):
        load_csv_inputs(write(tmp_path / "g.csv", "x1,x3\n1,2\n"), 2, **recorded)
    headerless = write(tmp_path / "h.csv", "1,9,2\n3,9,4\n")  # the training layout without a header
    X, how = load_csv_inputs(headerless, 2, recorded_target={"name": None, "index": 1})
    assert X.tolist() == [[1, 2], [3, 4]] and "index the model recorded" in how
    assert load_csv_inputs(write(tmp_path / "one.csv", "5\n6\n"), 1)[0].tolist() == [[5], [6]]
    with pytest.raises(DataFileError, match="expected 2 feature columns"):
        load_csv_inputs(write(tmp_path / "three.csv", "1,2,3\n"), 2)
