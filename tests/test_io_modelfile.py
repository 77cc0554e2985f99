"""Model files: exact round trips, readable by safetensors, and refusal of anything unsafe or broken."""

from __future__ import annotations

import pickle
import struct

import numpy as np
import pytest

from descentlab import ModelFileError, Network, Scale, Standardize, load


def _net(**kw):
    net = Network([4, 6, 3], output="softmax", seed=2, class_names=["a", "b", "c"], **kw)
    net.theta += np.random.default_rng(0).standard_normal(net.n_params)
    return net


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_exact(tmp_path, dtype):
    X = np.random.default_rng(1).standard_normal((40, 4))
    net = _net(dtype=dtype, preprocessing=Standardize.fit(X))
    net.info["image_shape"] = None
    path = tmp_path / "m.safetensors"
    net.save(path)
    back = load(path)
    assert back.theta.dtype == dtype and np.array_equal(back.theta, net.theta)
    assert back.config() == net.config() and back.class_names == ["a", "b", "c"]
    assert np.array_equal(back.preprocessing.mean, net.preprocessing.mean)
    assert np.array_equal(back.predict_proba(X), net.predict_proba(X))


def test_scale_preprocessing_survives(tmp_path):
    net = _net(preprocessing=Scale(1 / 255))
    net.save(tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert back.preprocessing == Scale(1 / 255)
    X = np.full((2, 4), 255.0)
    assert np.array_equal(back.forward(X), net.forward(X))


def test_other_safetensors_readers_see_named_weights(tmp_path):
    from safetensors.numpy import load_file
    net = _net()
    net.save(tmp_path / "m.safetensors")
    weights = load_file(str(tmp_path / "m.safetensors"))
    assert set(weights) == {"W1", "b1", "W2", "b2"}
    assert np.array_equal(weights["W1"], net.params["W1"]) and weights["b2"].shape == (3,)


def test_pickle_payload_is_refused_without_running_it(tmp_path):
    path = tmp_path / "evil.safetensors"

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle code ran')",))

    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelFileError, match="pickle"):
        load(path)


@pytest.mark.parametrize("mutate,words", [
    (lambda b: b[: len(b) // 2], "truncated|malformed|header"),
    (lambda b: b[:5], "truncated"),
    (lambda b: b"", "truncated"),
    (lambda b: struct.pack("<Q", 10 ** 12) + b[8:], "header"),
    (lambda b: b[:8] + b"{" * 20 + b[28:], "JSON|header"),
    (lambda b: b"PK\x03\x04" + b[4:], "zip"),
])
def test_broken_files_give_model_file_errors(tmp_path, mutate, words):
    path = tmp_path / "m.safetensors"
    _net().save(path)
    path.write_bytes(mutate(path.read_bytes()))
    with pytest.raises(ModelFileError, match=words):
        load(path)


def _rewrite_header(path, change):
    """Change the header document and write the file again, with valid checksums."""
    from descentlab.io import tensorfile
    doc, arrays = tensorfile.read(path, "descentlab.model")
    change(doc)
    tensorfile.write(path, "descentlab.model", doc, arrays)


def test_file_from_another_version_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    _net().save(path)
    _rewrite_header(path, lambda d: d.update(format_version=2, descentlab_version="9.0"))
    with pytest.raises(ModelFileError, match="version 1, received 2.*9.0"):
        load(path)


def test_inconsistent_header_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    _net().save(path)
    _rewrite_header(path, lambda d: d["network"].update(layer_dims=[4, 7, 3]))
    with pytest.raises(ModelFileError, match="W1"):
        load(path)


def test_missing_file_and_size_limit(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load(tmp_path / "nope.safetensors")
    path = tmp_path / "m.safetensors"
    _net().save(path)
    from descentlab import load as load_model
    with pytest.raises(ModelFileError, match="larger than the limit"):
        load_model(path, max_bytes=100)


def test_save_never_leaves_a_partial_file_or_overwrites_a_good_one(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    good = _net()
    good.save(path)
    before = path.read_bytes()
    from descentlab.io import atomic

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    other = _net()
    other.theta += 1
    with pytest.raises(OSError):
        other.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_refuses_to_save_non_finite_parameters(tmp_path):
    net = _net()
    net.theta[0] = np.nan
    with pytest.raises(ModelFileError, match="finite"):
        net.save(tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_a_header_length_whose_first_byte_is_0x80_is_not_mistaken_for_a_pickle(tmp_path):
    for pad in range(300):  # vary the header length until its low byte is 0x80
        path = tmp_path / "m.safetensors"
        net = _net()
        net.info["pad"] = "x" * pad
        net.save(path)
        if path.read_bytes()[0] == 0x80:
            break
    else:
        pytest.fail("no header length with low byte 0x80 in range")
    assert np.array_equal(load(path).theta, net.theta)


def test_descentlab_save_mirrors_load(tmp_path):
    import descentlab

    net = _net()
    descentlab.save(net, tmp_path / "a.safetensors")
    net.save(tmp_path / "b.safetensors")
    a, b = descentlab.load(tmp_path / "a.safetensors"), descentlab.load(tmp_path / "b.safetensors")
    assert np.array_equal(a.theta, net.theta) and np.array_equal(b.theta, net.theta) and a.config() == b.config()
    with pytest.raises(TypeError, match="net"):
        descentlab.save("not a network", tmp_path / "c.safetensors")


# ------------------------------------------------------------------ every header field, checked before allocating
def _hostile(tmp_path, change, tensors_change=None):
    """A model file with valid checksums whose header (or tensor set) was changed by ``change``."""
    from descentlab.io import tensorfile
    from descentlab.io.modelfile import header, tensors
    net = Network([2, 3, 1], seed=0, class_names=["no", "yes"])
    doc, arrays = header(net), tensors(net)
    change(doc)
    if tensors_change is not None:
        tensors_change(arrays)
    path = tmp_path / "hostile.safetensors"
    tensorfile.write(path, "descentlab.model", doc, arrays)
    return path


def test_a_huge_declared_architecture_is_refused_before_allocating(tmp_path):
    import tracemalloc
    path = _hostile(tmp_path, lambda d: d["network"].update(layer_dims=[2, 1_000_000_000, 1]))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="layer_dims|W1"):
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


@pytest.mark.parametrize("field,value,words", [
    ("init_scale", "abc", "init_scale"),
    ("init_scale", -1.0, "init_scale"),
    ("init", 5, "init"),
    ("seed", "abc", "seed"),
    ("seed", 2**40, "seed"),
    ("hidden", ["relu", "relu"], "hidden"),
    ("hidden", [5], "hidden"),
    ("output", "softplus", "output"),
    ("dtype", "float16", "dtype"),
    ("dtype", "float32", "dtype|float64"),
    ("layer_dims", "2,3,1", "layer_dims"),
    ("layer_dims", [2, 3, 1.5], "layer_dims"),
    ("layer_dims", [2, 4, 1], "layer_dims|W1"),
])
def test_every_network_field_is_validated(tmp_path, field, value, words):
    path = _hostile(tmp_path, lambda d: d["network"].update({field: value}))
    with pytest.raises(ModelFileError, match=words) as info:
        load(path)
    assert "\n" not in str(info.value) and "hostile.safetensors" in str(info.value)


@pytest.mark.parametrize("field,value,words", [
    ("class_names", [1, 2], "class_names"),
    ("class_names", "ab", "class_names"),
    ("class_names", ["a", "b", "c"], "class_names"),
    ("class_names", ["x" * 5000, "y"], "class_names"),
    ("info", "text", "info"),
    ("info", [1, 2], "info"),
    ("network", None, "network"),
    ("preprocessing", {"kind": "scale", "factor": "abc"}, "preprocessing"),
    ("preprocessing", {"kind": "scale", "factor": 0.0}, "preprocessing"),
    ("preprocessing", {"kind": "pca"}, "preprocessing"),
    ("descentlab_version", 3, "descentlab_version"),
])
def test_every_header_field_is_validated(tmp_path, field, value, words):
    path = _hostile(tmp_path, lambda d: d.update({field: value}))
    with pytest.raises(ModelFileError, match=words) as info:
        load(path)
    assert "\n" not in str(info.value)


def test_unexpected_or_missing_tensors_are_refused(tmp_path):
    extra = _hostile(tmp_path, lambda d: None, lambda a: a.update(evil=np.zeros(3)))
    with pytest.raises(ModelFileError, match="evil"):
        load(extra)
    missing = _hostile(tmp_path, lambda d: None, lambda a: a.pop("b2"))
    with pytest.raises(ModelFileError, match="b2"):
        load(missing)


def test_standardize_statistics_must_match_the_input_layer(tmp_path):
    def stats(a):
        a["preprocessing.mean"] = np.zeros(5)
        a["preprocessing.std"] = np.ones(5)
    path = _hostile(tmp_path, lambda d: d.update(preprocessing={"kind": "standardize", "n_features": 5}), stats)
    with pytest.raises(ModelFileError, match="preprocessing"):
        load(path)
