"""The safetensors layer: checksums, byte-identical saves, and refusal of lying tensor entries.

Guards: descentlab.io.tensorfile (write, read), through descentlab.save / descentlab.load.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from descentlab import ModelFileError, Network, load
from descentlab.errors import UnverifiedFileWarning
from descentlab.io import tensorfile


def _net(**kw):
    net = Network([4, 6, 3], output="softmax", seed=2, class_names=["a", "b", "c"], **kw)
    net.theta += np.random.default_rng(0).standard_normal(net.n_params)
    net.info.update({"zeta": 1, "alpha": {"b": 2, "a": [1, 2]}, "dataset": "x"})
    return net


def raw_safetensors(entries: dict, body: bytes, meta: dict) -> bytes:
    """A safetensors file written by hand: any dtype, shape and offsets, exactly as given."""
    head = json.dumps({"__metadata__": meta, **entries}).encode()
    return struct.pack("<Q", len(head)) + head + body


# ------------------------------------------------------------------------------------------ checksums
def test_checksums_are_stored_per_tensor_and_for_the_header(tmp_path):
    from safetensors import safe_open
    path = tmp_path / "m.safetensors"
    net = _net()
    net.save(path)
    with safe_open(str(path), "np") as f:
        meta = f.metadata()
        sums = json.loads(meta["checksums"])
        for name in f.keys():
            expected = hashlib.sha256(np.ascontiguousarray(f.get_tensor(name)).astype(f.get_tensor(name).dtype.newbyteorder("<")).tobytes()).hexdigest()
            assert sums["tensors"][name] == expected
    assert sums["header"] == hashlib.sha256(meta["descentlab"].encode()).hexdigest()


def _zero_tail(path, n):
    data = bytearray(path.read_bytes())
    data[-n:] = bytes(n)
    path.write_bytes(bytes(data))


def test_zeroed_tensor_bytes_are_refused_naming_the_file_and_tensor(tmp_path):
    path = tmp_path / "m.safetensors"
    Network([4, 300, 3], output="softmax", seed=2).save(path)
    _zero_tail(path, 4000)
    with pytest.raises(ModelFileError, match=r"m\.safetensors.*checksum") as info:
        load(path)
    assert "\n" not in str(info.value)


def test_one_flipped_bit_in_the_header_document_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    _net().save(path)
    data = path.read_bytes()
    i = data.index(b"zeta")   # in the JSON document, itself a string inside the safetensors header
    j = data.index(b"1", i)   # the value 1 becomes 7: same length, still valid JSON
    data = data[:j] + b"7" + data[j + 1:]
    path.write_bytes(data)
    with pytest.raises(ModelFileError, match="checksum"):
        load(path)


def test_a_file_without_checksums_loads_with_one_notice(tmp_path):
    from safetensors.numpy import save_file
    from descentlab.io.modelfile import header, tensors
    net = _net()
    path = tmp_path / "old.safetensors"   # as descentlab wrote files before checksums
    save_file(tensors(net), str(path), metadata={"format": "descentlab.model", "descentlab": json.dumps(header(net))})
    with pytest.warns(UnverifiedFileWarning, match="old.safetensors.*checksum") as record:
        back = load(path)
    assert len(record) == 1
    assert np.array_equal(back.theta, net.theta)


# --------------------------------------------------------------------------------- byte-identical saves
def test_two_saves_of_one_model_are_byte_identical(tmp_path):
    net = _net()
    for i in range(6):
        net.save(tmp_path / f"{i}.safetensors")
    digests = {hashlib.sha256((tmp_path / f"{i}.safetensors").read_bytes()).hexdigest() for i in range(6)}
    assert len(digests) == 1


SAVE_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    from descentlab import Network
    net = Network([4, 6, 3], output="softmax", seed=2, class_names=["a", "b", "c"])
    net.info.update({k: i for i, k in enumerate("zyxwvutsrqponmlkjihgfedcba")})
    net.info["nested"] = {str(k): k for k in range(30)}
    net.save(sys.argv[1])
""")


def test_saves_in_processes_with_different_hash_seeds_are_byte_identical(tmp_path):
    script = tmp_path / "save.py"
    script.write_text(SAVE_SCRIPT)
    digests = set()
    for seed in ("0", "1", "2", "12345", "random"):
        out = tmp_path / f"m-{seed}.safetensors"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, str(script), str(out)], check=True, env=env, timeout=120)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1, digests


def test_other_readers_still_read_the_files(tmp_path):
    from safetensors.numpy import load_file
    net = _net(dtype=np.float32, preprocessing=__import__("descentlab").Standardize.fit(np.arange(20.0).reshape(5, 4)))
    net.save(tmp_path / "m.safetensors")
    w = load_file(str(tmp_path / "m.safetensors"))
    assert np.array_equal(w["W1"], net.params["W1"]) and w["W1"].dtype == np.float32
    assert w["preprocessing.mean"].dtype == np.float64


# ------------------------------------------------------------------------------------------ lying entries
def _model_meta(net):
    from descentlab.io.modelfile import header
    return {"format": "descentlab.model", "descentlab": json.dumps(header(net))}


def _entries(net, dtype_of=lambda name: "F64", offsets=None):
    entries, pos = {}, 0
    for name, view in net.params.items():
        n = view.size * 8
        entries[name] = {"dtype": dtype_of(name), "shape": list(view.shape), "data_offsets": [pos, pos + n]}
        pos += n
    if offsets:
        for name, off in offsets.items():
            entries[name]["data_offsets"] = off
    return entries, pos


def test_tensors_declared_with_another_dtype_are_refused(tmp_path):
    net = Network([2, 3, 1], seed=0)
    entries, size = _entries(net, dtype_of=lambda name: "I64" if name == "W1" else "F64")
    body = b"".join(v.astype("<f8").tobytes() for v in net.params.values())
    path = tmp_path / "m.safetensors"
    path.write_bytes(raw_safetensors(entries, body, _model_meta(net)))
    with pytest.raises(ModelFileError, match="W1.*(dtype|F64|I64)"):
        load(path)


def test_float32_tensors_in_a_float64_model_are_refused(tmp_path):
    net = Network([2, 3, 1], seed=0)
    entries, pos = {}, 0
    body = b""
    for name, view in net.params.items():
        data = view.astype("<f4").tobytes()
        entries[name] = {"dtype": "F32", "shape": list(view.shape), "data_offsets": [pos, pos + len(data)]}
        body += data
        pos += len(data)
    path = tmp_path / "m.safetensors"
    path.write_bytes(raw_safetensors(entries, body, _model_meta(net)))
    with pytest.warns(UnverifiedFileWarning), pytest.raises(ModelFileError, match="float64"):
        load(path)


@pytest.mark.parametrize("case", ["overlap", "gap", "trailing"])
def test_overlapping_or_gapped_offsets_are_refused(tmp_path, case):
    net = Network([2, 3, 1], seed=0)
    entries, size = _entries(net)
    body = b"".join(v.astype("<f8").tobytes() for v in net.params.values())
    if case == "overlap":   # b1 reads the last 24 bytes of W1
        entries["b1"]["data_offsets"] = [48 - 24, 48]
    elif case == "gap":     # 8 unused bytes between W1 and b1
        for name in ("b1", "W2", "b2"):
            entries[name]["data_offsets"] = [o + 8 for o in entries[name]["data_offsets"]]
        body = body[:48] + bytes(8) + body[48:]
    else:
        body += bytes(16)
    path = tmp_path / "m.safetensors"
    path.write_bytes(raw_safetensors(entries, body, _model_meta(net)))
    with pytest.raises(ModelFileError, match="offsets|overlap|gap|bytes"):
        load(path)


def test_shape_whose_int64_product_overflows_is_refused(tmp_path):
    # 2**32 * 2**32 = 2**64: as int64 the product wraps to 0, which matched an empty data range
    entries = {"W1": {"dtype": "F64", "shape": [2**32, 2**32], "data_offsets": [0, 0]}}
    path = tmp_path / "m.safetensors"
    path.write_bytes(raw_safetensors(entries, b"", {"format": "descentlab.model", "descentlab": "{}"}))
    with pytest.raises(ModelFileError, match="W1"):
        load(path)


def test_reading_allocates_no_more_than_the_tensors(tmp_path):
    """A tensor is read straight into its array: no copy of the whole file next to the arrays."""
    import tracemalloc
    net = Network([400, 1000, 10], output="softmax", seed=0)
    path = tmp_path / "m.safetensors"
    net.save(path)
    tracemalloc.start()
    try:
        doc, arrays = tensorfile.read(path, "descentlab.model")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    tensors = sum(a.nbytes for a in arrays.values())
    assert peak < 1.2 * tensors + 2**20, (peak, tensors)


def test_the_cli_shows_the_notice_in_one_line(tmp_path, capsys):
    import warnings

    from safetensors.numpy import save_file

    from descentlab.cli.main import main
    from descentlab.io.modelfile import header, tensors
    net = Network([2, 3, 1], seed=0)
    path = tmp_path / "old.safetensors"
    save_file(tensors(net), str(path), metadata={"format": "descentlab.model", "descentlab": json.dumps(header(net))})
    with warnings.catch_warnings():
        warnings.simplefilter("always", UnverifiedFileWarning)   # as outside the test suite
        assert main(["info", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("descentlab: note: ") and "old.safetensors" in err, err


def test_a_damaged_checksums_key_is_damage_not_an_old_file(tmp_path):
    """Found by tests/test_fuzz_checkpoint.py: one flipped byte in the key "checksums" made a file pass for
    one written before checksums (a warning), and its contents went unverified."""
    import descentlab as dl
    path = tmp_path / "m.safetensors"
    dl.Network([3, 4, 1], seed=0).save(path)
    raw = path.read_bytes()
    assert raw.count(b'"checksums"') == 1
    path.write_bytes(raw.replace(b'"checksums"', b'"chdcksums"'))
    with pytest.raises(dl.ModelFileError, match="unknown key 'chdcksums'"):
        dl.load(path)
