"""Fuzzing the model-file loader: random and mutated bytes never raise anything but ModelFileError.

Guards: descentlab.io.tensorfile (read), descentlab.io.modelfile, descentlab.core.modeldoc, descentlab.load.
"""

from __future__ import annotations

import json
import struct
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab import ModelFileError, Network
from descentlab import load
from descentlab.errors import UnverifiedFileWarning
from descentlab.io import tensorfile

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])


def _valid_bytes(tmp_path) -> bytes:
    path = tmp_path / "valid.safetensors"
    net = Network([3, 4, 2], output="softmax", seed=1, class_names=["x", "y"])
    net.save(path)
    return path.read_bytes()


def _load_bytes(tmp_path, data: bytes) -> None:
    path = tmp_path / "fuzz.safetensors"
    path.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnverifiedFileWarning)  # a checksum-less file may load, with a notice
            load(path)
    except ModelFileError:
        pass  # the only acceptable failure


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path, data):
    _load_bytes(tmp_path, data)


@FUZZ
@given(data=st.data())
def test_mutated_valid_files(tmp_path, data):
    valid = bytearray(_valid_bytes(tmp_path))
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "splice_len"]))
        pos = data.draw(st.integers(0, len(valid) - 1))
        if kind == "flip":
            valid[pos] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del valid[pos:pos + data.draw(st.integers(1, 64))]
        elif kind == "insert":
            valid[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
        else:
            valid[:8] = struct.pack("<Q", data.draw(st.integers(0, 2**64 - 1)))
        if not valid:
            break
    _load_bytes(tmp_path, bytes(valid))


json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) |
                           st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["network", "preprocessing", "class_names", "info", "format_version"]),
                               json_values, min_size=1, max_size=3),
       net_changes=st.dictionaries(st.sampled_from(["layer_dims", "hidden", "output", "dtype", "init", "seed"]),
                                   json_values, max_size=3))
def test_well_formed_files_with_hostile_headers(tmp_path, changes, net_changes):
    """Files with valid checksums (so they pass the integrity check) whose header fields are hostile."""
    net = Network([3, 4, 2], output="softmax", seed=1)
    from descentlab.io.modelfile import header, tensors
    doc = header(net)
    doc["network"].update(net_changes)
    doc.update(changes)
    path = tmp_path / "hostile.safetensors"
    tensorfile.write(path, "descentlab.model", doc, tensors(net))
    _load_bytes(tmp_path, path.read_bytes())


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["network", "preprocessing", "class_names", "info"]),
                               json_values, min_size=1, max_size=2))
def test_hostile_headers_without_checksums(tmp_path, changes):
    """The same as old files (no checksums), written by the safetensors library itself."""
    from safetensors.numpy import save
    net = Network([3, 4, 2], output="softmax", seed=1)
    from descentlab.io.modelfile import header, tensors
    doc = header(net)
    doc.update(changes)
    _load_bytes(tmp_path, save(tensors(net), metadata={"format": "descentlab.model", "descentlab": json.dumps(doc)}))


def test_hostile_tensor_entries(tmp_path):
    """Offsets outside the file, shapes that overflow, unknown dtypes: refused before any array is built."""
    meta = {"format": "descentlab.model", "descentlab": "{}"}
    for entry in ({"dtype": "F64", "shape": [2**40, 2**40], "data_offsets": [0, 8]},
                  {"dtype": "F64", "shape": [1], "data_offsets": [0, 2**60]},
                  {"dtype": "F64", "shape": [-1], "data_offsets": [0, 8]},
                  {"dtype": "O", "shape": [1], "data_offsets": [0, 8]},
                  {"dtype": "F64", "shape": [1], "data_offsets": [8, 0]}):
        head = json.dumps({"W1": entry, "__metadata__": meta}).encode()
        _load_bytes(tmp_path, struct.pack("<Q", len(head)) + head + bytes(8))
    deep = b"[" * 100_000 + b"]" * 100_000
    _load_bytes(tmp_path, struct.pack("<Q", len(deep)) + deep)
