"""The catalogue of bad inputs: every public entry point, one clear error each.

API errors are ValueError/TypeError subclasses of DescentlabError whose one-line
message names the argument (or file), the value received and what was expected.
CLI errors are one line on stderr, exit status 2, no traceback. No error leaves a
file behind or changes one.

Guards: descentlab._checks and every public entry point that uses it: descentlab.core.network,
descentlab.training (fit, fit_many, optimizers, schedules), descentlab.io (model files, images),
descentlab.datasets (CSV, NPZ, image folders), descentlab.experiments (TOML comparisons) and
descentlab.cli (one line, exit 2).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli.main import main
from descentlab.datasets import load_csv, load_image_folder, load_npz, load_signs
from descentlab.io.images import load_image

X = np.random.default_rng(0).standard_normal((20, 2))
Y = (X[:, 0] > 0).astype(int)


def net(**kw):
    return dl.Network([2, 3, 1], seed=0, **kw)


def _write(tmp, name, data: bytes | str):
    p = tmp / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


def _png(tmp, name, mode, size, **save):
    from PIL import Image
    p = tmp / name
    Image.new(mode, size).save(p, **save)
    return p


def _h5(tmp, name, **arrays):
    import h5py
    p = tmp / name
    with h5py.File(p, "w") as f:
        for k, v in arrays.items():
            f[k] = v
    return p


# (id, call(tmp) -> None, words the message must contain)
API = [
    # arrays
    ("X wrong shape", lambda t: dl.fit(net(), X[:, :1], Y, epochs=1, verbose=0), "X: expected"),
    ("X 1-D", lambda t: net().predict(X[0]), "X: expected"),
    ("X strings", lambda t: net().predict(np.array([["a", "b"]])), "X: expected"),
    ("X NaN", lambda t: dl.fit(net(), np.where(X > 1, np.nan, X), Y, epochs=1, verbose=0), "finite"),
    ("X inf", lambda t: net().predict(np.array([[np.inf, 0.0]])), "finite"),
    ("X empty", lambda t: dl.fit(net(), np.zeros((0, 2)), [], epochs=1, verbose=0), "at least one"),
    ("X and y lengths", lambda t: dl.fit(net(), X, Y[:5], epochs=1, verbose=0), "y: expected 20 targets"),
    ("y one class (sklearn)", lambda t: __import__("descentlab.sklearn", fromlist=["x"]).DescentClassifier().fit(X, np.zeros(20)), "class"),
    ("y out of range", lambda t: dl.fit(net(), X, Y + 1, epochs=1, verbose=0), "y: expected"),
    ("y softmax out of range", lambda t: dl.Network([2, 3], output="softmax", seed=0).cost(X, np.full(20, 3)), "0..2"),
    ("string labels, binary output", lambda t: net().cost(X, np.where(Y, "yes", "no")), "strings"),
    ("y NaN regression", lambda t: dl.Network([2, 1], output="linear", seed=0).cost(X, np.full(20, np.nan)), "finite"),
    # layers and hyperparameters
    ("layer_dims one entry", lambda t: dl.Network([2]), "layer_dims"),
    ("layer_dims zero", lambda t: dl.Network([2, 0, 1]), "layer_dims"),
    ("layer_dims float", lambda t: dl.Network([2, 2.5, 1]), "layer_dims"),
    ("keep_prob 0", lambda t: dl.fit(net(), X, Y, keep_prob=0.0, epochs=1, verbose=0), "keep_prob"),
    ("keep_prob above 1", lambda t: dl.fit(net(), X, Y, keep_prob=1.2, epochs=1, verbose=0), "keep_prob"),
    ("lr zero", lambda t: dl.fit(net(), X, Y, lr=0.0, epochs=1, verbose=0), "lr"),
    ("lr negative", lambda t: dl.fit(net(), X, Y, lr=-0.1, epochs=1, verbose=0), "lr"),
    ("lr NaN", lambda t: dl.fit(net(), X, Y, lr=float("nan"), epochs=1, verbose=0), "lr"),
    ("batch size 0", lambda t: dl.fit(net(), X, Y, batch_size=0, epochs=1, verbose=0), "batch_size"),
    ("epochs 0", lambda t: dl.fit(net(), X, Y, epochs=0, verbose=0), "epochs"),
    ("negative lambda", lambda t: dl.fit(net(), X, Y, l2=-1.0, epochs=1, verbose=0), "l2"),
    ("unknown optimizer", lambda t: dl.fit(net(), X, Y, optimizer="adagrad", epochs=1, verbose=0), "optimizer"),
    ("unknown activation", lambda t: dl.Network([2, 3, 1], hidden="swish"), "hidden"),
    ("unknown initializer", lambda t: dl.Network([2, 3, 1], init="orthogonal"), "init"),
    ("unknown schedule", lambda t: dl.fit(net(), X, Y, schedule="cosine", epochs=1, verbose=0), "schedule"),
    ("unknown engine", lambda t: dl.fit(net(), X, Y, engine="jax", epochs=1, verbose=0), "engine"),
    ("unknown shuffle", lambda t: dl.fit(net(), X, Y, shuffle="sorted", epochs=1, verbose=0), "shuffle"),
    ("beta 1", lambda t: dl.Momentum(beta=1.0), "beta"),
    ("sklearn bad lr", lambda t: __import__("descentlab.sklearn", fromlist=["x"]).DescentClassifier(learning_rate=-1).fit(X, Y), "learning_rate"),
    # files: models
    ("model missing", lambda t: dl.load(t / "none.safetensors"), "no such file"),
    ("model is a folder", lambda t: dl.load(t), "not a regular file"),
    ("model truncated", lambda t: dl.load(_write(t, "m.safetensors", _valid_model(t)[:100])), "m.safetensors"),
    ("model corrupted", lambda t: dl.load(_write(t, "m.safetensors", b"\x10" + _valid_model(t)[1:])), "m.safetensors"),
    ("model pickle", lambda t: dl.load(_write(t, "m.safetensors", pickle.dumps({"W1": 1}))), "pickle"),
    ("model of another version", lambda t: dl.load(_other_version(t)), "version"),
    ("model npz", lambda t: dl.load(_write(t, "m.safetensors", _npz_bytes())), "zip"),
    # files: data
    ("csv missing", lambda t: load_csv(t / "none.csv"), "none.csv"),
    ("csv missing values", lambda t: load_csv(_write(t, "d.csv", "a,b,y\n1,2,0\n3,,1\n")), "line 3"),
    ("csv ragged", lambda t: load_csv(_write(t, "d.csv", "1,2,0\n3,1\n")), "cells"),
    ("csv text cell", lambda t: load_csv(_write(t, "d.csv", "a,b,y\n1,2,0\n3,x,1\n")), "line 3"),
    ("csv empty", lambda t: load_csv(_write(t, "d.csv", "")), "empty"),
    ("npz pickle payload", lambda t: load_npz(_npz_object(t)), "d.npz"),
    ("npz missing keys", lambda t: load_npz(_npz_keys(t)), "d.npz"),
    ("h5 wrong keys", lambda t: load_signs(train_path=_h5(t, "train.h5", images=np.zeros((2, 64, 64, 3), np.uint8))), "train_set_x"),
    ("h5 wrong shape", lambda t: load_signs(train_path=_h5(t, "train.h5", train_set_x=np.zeros((2, 32, 32, 3), np.uint8),
                                                           train_set_y=np.zeros(2, np.int64))), "64"),
    ("image folder missing", lambda t: load_image_folder(t / "nope"), "nope"),
    # images
    ("image not an image", lambda t: load_image(_write(t, "x.jpg", b"not an image at all")), "x.jpg"),
    ("image truncated", lambda t: load_image(_write(t, "x.png", _png(t, "y.png", "RGB", (40, 40)).read_bytes()[:60])), "x.png"),
    ("image 1x1", lambda t: load_image(_png(t, "tiny.png", "RGB", (1, 1))), "4"),
    ("image bomb", lambda t: load_image(_png(t, "big.png", "L", (3000, 3000)), max_pixels=1_000_000), "pixels"),
    ("image missing", lambda t: load_image(t / "none.jpg"), "none.jpg"),
    # issue 13: memory bounded by the input's real size, files checked, sets whole
    ("network that does not fit", lambda t: dl.Network([2, 100_000, 100_000, 1]), "layer_dims: expected a network"),
    ("fit_many one net twice", lambda t: (lambda n: dl.fit_many([n, n], X, Y, epochs=1))(net()), "nets[1]"),
    ("Scale 0", lambda t: dl.Scale(0.0), "scale"),
    ("Scale NaN", lambda t: dl.Scale(float("nan")), "scale"),
    ("memory limit text", lambda t: __import__("descentlab.core.memory", fromlist=["x"]).parse_size("lots"),
     "DESCENTLAB_MEMORY_LIMIT"),
    ("model header huge layer_dims", lambda t: dl.load(_model_with(t, layer_dims=[2, 10**9, 1])), "layer_dims"),
    ("model header init_scale text", lambda t: dl.load(_model_with(t, init_scale="abc")), "init_scale"),
    ("model header class_names numbers", lambda t: dl.load(_model_with(t, class_names=[1, 2])), "class_names"),
    ("model tensor declared I64", lambda t: dl.load(_model_i64(t)), "I64"),
    ("model bit rot", lambda t: dl.load(_write(t, "m.safetensors", _valid_model(t)[:-40] + bytes(40))), "checksum"),
    ("checkpoint bit rot", lambda t: dl.fit(net(), X, Y, epochs=4, verbose=0, resume=_checkpoint(t, rot=True)), "checksum"),
    ("checkpoint epoch -50", lambda t: dl.fit(net(), X, Y, epochs=4, verbose=0, resume=_checkpoint(t, epoch=-50)), "epoch"),
    ("checkpoint no optimizer", lambda t: dl.fit(net(), X, Y, epochs=4, verbose=0, resume=_checkpoint(t, drop="optimizer")),
     "optimizer"),
    ("checkpoint garbage history", lambda t: dl.fit(net(), X, Y, epochs=4, verbose=0, resume=_checkpoint(t, history=[1])),
     "history"),
    ("csv too many classes", lambda t: load_csv(_write(t, "d.csv", "a,y\n" + "".join(f"1,{i}\n" for i in range(10_001)))),
     "classes"),
    ("npz over the size limit", lambda t: load_npz(_npz_zeros(t), max_bytes=1000), "limit"),
    ("npz a renamed .npy", lambda t: load_npz(_write(t, "d.npz", _npy())), "single .npy"),
    ("npz truncated", lambda t: load_npz(_write(t, "d.npz", _npz_bytes()[:50])), "d.npz"),
    ("target on a built-in data set", lambda t: dl.datasets.load("moons", target="y"), "built-in"),
    ("toml nested 3000 deep", lambda t: _toml(t, "x = " + "[" * 3000 + "]" * 3000), "nests deeper"),
    ("toml duplicate arm names", lambda t: _toml(t, '[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "A"\n[[arms]]\nname = "a"'),
     "arms[1].name"),
    ("output folder is a file", lambda t: _out_check(_write(t, "out", "x")), "--out"),
    ("image resized to a huge size", lambda t: load_image(_png(t, "s.png", "RGB", (8, 8)), size=(100_000, 100_000)), "size"),
    ("image folder resized to a huge size", lambda t: load_image_folder(_png(t, "1_a.png", "RGB", (8, 8)).parent,
                                                                        size=(100_000, 100_000)), "size"),
    ("a billion seeds", lambda t: __import__("descentlab.experiments", fromlist=["x"]).run_experiment(
        _toml(t, '[base]\nlayers = [2, 3, 1]\n[[arms]]\nname = "a"'), seeds=10**9), "1000000000 runs at once"),
    ("output folder holds other files", lambda t: _out_check(_write(t, "notes.txt", "mine").parent), "notes.txt"),
]


def _model_with(tmp, **network):
    """A model file with valid checksums whose header says ``network``/``class_names`` fields other than its tensors."""
    from descentlab.io import tensorfile
    from descentlab.io.modelfile import header, tensors
    n = net()
    doc = header(n)
    if "class_names" in network:
        doc["class_names"] = network.pop("class_names")
    doc["network"].update(network)
    p = tmp / "m.safetensors"
    tensorfile.write(p, "descentlab.model", doc, tensors(n))
    return p


def _model_i64(tmp):
    import json
    import struct
    n = net()
    entries, pos = {}, 0
    for name, view in n.params.items():
        entries[name] = {"dtype": "I64" if name == "W1" else "F64", "shape": list(view.shape),
                         "data_offsets": [pos, pos + 8 * view.size]}
        pos += 8 * view.size
    from descentlab.io.modelfile import header
    head = json.dumps({"__metadata__": {"format": "descentlab.model", "descentlab": json.dumps(header(n))}, **entries})
    body = b"".join(v.astype("<f8").tobytes() for v in n.params.values())
    return _write(tmp, "m.safetensors", struct.pack("<Q", len(head)) + head.encode() + body)


def _checkpoint(tmp, rot=False, drop=None, **fields):
    from descentlab.io import tensorfile
    p = tmp / "run.ckpt"
    dl.fit(net(), X, Y, epochs=2, verbose=0, checkpoint=p, checkpoint_every=2)
    if rot:
        p.write_bytes(p.read_bytes()[:-16] + bytes(16))
        return p
    doc, arrays = tensorfile.read(p, "descentlab.checkpoint")
    doc.update(fields)
    doc.pop(drop, None)
    tensorfile.write(p, "descentlab.checkpoint", doc, arrays)
    return p


def _npz_zeros(tmp):
    p = tmp / "d.npz"
    np.savez_compressed(p, X=np.zeros((100, 100)), y=np.zeros(100))
    return p


def _npy() -> bytes:
    import io
    buf = io.BytesIO()
    np.save(buf, np.zeros((2, 2)))
    return buf.getvalue()


def _toml(tmp, body):
    from descentlab.experiments import load_comparison
    return load_comparison(_write(tmp, "c.toml", 'dataset = "moons"\n' + body + "\n"))


def _out_check(path):
    from descentlab.experiments.outputs import check_out
    return check_out(path)


def _valid_model(tmp) -> bytes:
    p = tmp / "valid.safetensors"
    net().save(p)
    return p.read_bytes()


def _other_version(tmp):
    from descentlab.io import tensorfile
    p = tmp / "v.safetensors"
    net().save(p)
    doc, arrays = tensorfile.read(p, "descentlab.model")
    doc["format_version"] = 7
    tensorfile.write(p, "descentlab.model", doc, arrays)
    return p


def _npz_bytes() -> bytes:
    import io
    buf = io.BytesIO()
    np.savez(buf, W1=np.zeros(3))
    return buf.getvalue()


def _npz_object(tmp):
    p = tmp / "d.npz"
    np.savez(p, X=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    return p


def _npz_keys(tmp):
    p = tmp / "d.npz"
    np.savez(p, features=np.zeros((2, 2)))
    return p


@pytest.mark.parametrize("name,call,words", API, ids=[a[0] for a in API])
def test_api_bad_input(name, call, words, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises((ValueError, TypeError)) as info:
        call(tmp_path)
    err = info.value
    assert isinstance(err, dl.DescentlabError), f"{type(err).__name__}: {err}"
    message = str(err)
    assert "\n" not in message and words in message, message
    created = sorted(p.name for p in tmp_path.iterdir())
    assert not any(n.endswith(".tmp") for n in created)
    assert len(created) >= len(before)


CLI = [
    (["train", "moons", "--lr", "0"], "lr"),
    (["train", "moons", "--lr", "nan"], "lr"),
    (["train", "moons", "--batch-size", "0"], "positive"),
    (["train", "moons", "--epochs", "0"], "positive"),
    (["train", "moons", "--keep-prob", "1.5"], "keep_prob"),
    (["train", "moons", "--l2", "-1"], "l2"),
    (["train", "moons", "--hidden", "swish"], "hidden"),
    (["train", "moons", "--init", "orthogonal"], "init"),
    (["train", "moons", "--layers", "2"], "--layers"),
    (["train", "moons", "--layers", "2,0,1"], "--layers"),
    (["train", "missing.csv"], "missing.csv"),
    (["train", "moons", "--resume", "missing.ckpt"], "missing.ckpt"),
    (["evaluate", "missing.safetensors", "moons"], "missing.safetensors"),
    (["predict", "missing.safetensors", "a.jpg"], "missing.safetensors"),
    (["gradcheck", "--layers", "4,-5,1"], "--layers"),
    (["nosuchcommand"], "invalid choice"),
    # issue 13: memory bounded before allocating, every number validated, errors in the user's terms
    (["train", "moons", "--layers", "2,100000,100000,1"], "--layers: expected a network"),
    (["gradcheck", "--layers", "4,100000,100000,1"], "--layers: expected a network"),
    (["train", "moons", "--scale", "0"], "scale"),
    (["train", "moons", "--scale", "nan"], "scale"),
    (["train", "moons", "--scale", "-2"], "scale"),
    (["train", "moons", "--target", "y"], "built-in"),
    (["train", "moons", "--out", "."], "--out"),
    (["train", "moons", "--out", "no/such/folder/m.safetensors"], "--out"),
    (["train", "moons", "--checkpoint", "/sys/descentlab-test.ckpt"], "--checkpoint"),
    (["run", "initialization", "--quick", "--out", "/sys/descentlab-test"], "--out"),
    (["demo", "--quick", "--out", "/sys/descentlab-test"], "--out"),
]


def _predict_with(tmp, name, data: bytes):
    """predict with a valid model on an input file holding ``data``: the CLI's exit status and stderr."""
    dl.Network([2, 3, 1], seed=0).save(tmp / "m.safetensors")
    (tmp / name).write_bytes(data)
    return ["predict", str(tmp / "m.safetensors"), str(tmp / name)]


def _npy_bytes() -> bytes:
    import io
    buf = io.BytesIO()
    np.save(buf, np.zeros((2, 2)))
    return buf.getvalue()


PREDICT = [
    ("a .npy renamed .npz", "x.npz", _npy_bytes(), "single .npy"),
    ("a truncated .npz", "x.npz", _npz_bytes()[:60], "x.npz"),
    ("a .npz of pickles", "x.npz", pickle.dumps({"X": 1}), "pickle"),
]


@pytest.mark.parametrize("name,file,data,words", PREDICT, ids=[p[0] for p in PREDICT])
def test_cli_predict_bad_table(name, file, data, words, capsys, tmp_path):
    code = main(_predict_with(tmp_path, file, data))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and words in err and "Traceback" not in err, err


@pytest.mark.parametrize("args,words", CLI, ids=[" ".join(a[0]) for a in CLI])
def test_cli_bad_input(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESCENTLAB_MEMORY_LIMIT", "16G")  # the same answer on any machine
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("descentlab: error:") and words in err, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_cli_does_not_overwrite_a_good_model_on_failure(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert main(["train", "moons", "--layers", "2,3,1", "--epochs", "2", "--out", str(model), "--quiet"]) == 0
    good = model.read_bytes()
    assert main(["train", "moons", "--layers", "2,3,1", "--epochs", "2", "--lr", "-1", "--out", str(model)]) == 2
    assert model.read_bytes() == good


def test_cli_refuses_a_training_that_does_not_fit_though_its_network_does(capsys, tmp_path, monkeypatch):
    from descentlab.core import memory
    layers = [2, 2000, 2000, 1]
    monkeypatch.setenv(memory.ENV, str(int(1.2 * memory.network_bytes(layers))))
    assert main(["train", "moons", "--layers", ",".join(map(str, layers)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--layers" in err and "training on 300 examples" in err, err


def test_cli_refuses_toml_layers_that_do_not_fit_in_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DESCENTLAB_MEMORY_LIMIT", "16G")
    toml = tmp_path / "huge.toml"
    toml.write_text('dataset = "moons"\n[base]\nlayers = [2, 30000, 30000, 1]\n[[arms]]\nname = "a"\n')
    assert main(["run", str(toml), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "huge.toml" in err and "layers" in err and "fits in memory" in err, err
    assert not (tmp_path / "out").exists()


def test_cli_turns_any_memory_error_into_one_line(capsys, monkeypatch):
    import descentlab.core.gradcheck as gc

    def exhausted(*args, **kwargs):
        raise MemoryError("Unable to allocate 74.5 GiB for an array with shape (100000, 100000)")

    monkeypatch.setattr(gc, "check_gradients", exhausted)
    assert main(["gradcheck"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("descentlab: error: out of memory") and "Traceback" not in err


def test_catalogue_size():
    assert len(API) + len(CLI) + len(PREDICT) >= 105
