"""Generated 2-D data (spiral, xor, gaussian) and CSV text (uploads) through the project's CSV loader."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.datasets import load_csv, load_csv_text
from descentlab.datasets.synthetic import GENERATORS, make_gaussian, make_spiral, make_xor
from descentlab.errors import DataFileError


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_are_seeded_binary_and_shaped(name):
    make = GENERATORS[name]
    X, y = make(n=201, noise=0.2, seed=4)
    assert X.shape == (201, 2) and X.dtype == np.float64 and y.shape == (201,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    X2, y2 = make(n=201, noise=0.2, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = make(n=201, noise=0.2, seed=5)
    assert not np.array_equal(X, X3)
    assert np.abs(X).max() < 8


def test_noise_spreads_the_points():
    clean, yc = make_gaussian(400, 0.0, 0)
    noisy, yn = make_gaussian(400, 0.5, 0)
    spread = lambda X, y: X[y == 1].std(axis=0).mean()  # noqa: E731 - within one cluster
    assert spread(clean, yc) == pytest.approx(0.5, rel=0.15) and spread(noisy, yn) == pytest.approx(2.25, rel=0.15)
    X, y = make_xor(400, 0.0, 0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))  # no noise: the labels are the quadrants
    X, y = make_spiral(400, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 5 and (y == 1).sum() == 200


@pytest.mark.parametrize("bad", [{"n": 1}, {"noise": 1.5}, {"noise": -0.1}, {"seed": -1}, {"n": 2.5}])
def test_generator_arguments_are_checked(bad):
    with pytest.raises((ValueError, TypeError), match=next(iter(bad))):
        make_spiral(**{"n": 100, "noise": 0.1, "seed": 0, **bad})


def test_csv_text_is_the_csv_loader_in_memory(tmp_path):
    text = "x1,x2,label\n0.5,1.5,cat\n-1,2,dog\n3,4,cat\n"
    path = tmp_path / "pets.csv"
    path.write_text(text)
    a, b = load_csv(path), load_csv_text(text, "pets.csv")
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_train, b.y_train)
    assert a.class_names == b.class_names == ["cat", "dog"] and b.name == "pets"
    assert "uploaded CSV pets.csv" in b.source


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("a,b,c\n1,2\n", "3 cells"),
    ("a,b,c\n1,x,0\n", "line 2, column 1"),
    ("a,b,c\n1,2,\n", "missing value"),
    ("a,b,c\n1,nan,0\n", "missing value"),
])
def test_bad_csv_text_names_the_file_line_and_column(text, match):
    with pytest.raises(DataFileError, match=match) as info:
        load_csv_text(text, "up.csv")
    assert "file 'up.csv'" in str(info.value)
