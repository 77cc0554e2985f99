"""Output sets: checked before training, published whole, never two runs mixed, a failure leaves the old set.

Guards: descentlab.experiments.outputs (check_out, publish, write_outputs), .demo (write_demo, check_demo_out),
descentlab.cli run/demo (the check before training).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading

import pytest

from descentlab.cli.main import main
from descentlab.errors import InputError
from descentlab.experiments import comparison_from_dict, run_experiment, write_outputs
from descentlab.experiments import outputs


def _result(*arms, epochs=2):
    exp = comparison_from_dict({"dataset": "moons", "base": {"layers": [2, 3, 1], "epochs": epochs},
                                "arms": [{"name": a} for a in arms]}, "t.toml")
    return run_experiment(exp, figures=False)


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _no_leftovers(parent):
    return [p.name for p in parent.iterdir() if "staging" in p.name or "previous" in p.name]


def test_publish_replaces_the_whole_set(tmp_path):
    out = tmp_path / "out"
    write_outputs(_result("a", "b"), out)
    write_outputs(_result("c"), out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([".descentlab-output.json", "model-c.safetensors", "report.html", "results.json"])
    assert not _no_leftovers(tmp_path)


def test_the_manifest_lists_every_file_with_its_sha256(tmp_path):
    out = tmp_path / "out"
    write_outputs(_result("a", "b"), out)
    manifest = json.loads((out / outputs.MANIFEST).read_text())
    assert set(manifest["files"]) == {p.name for p in out.iterdir()} - {outputs.MANIFEST}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_a_full_disk_mid_publish_leaves_the_previous_set_whole(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(_result("a", "b"), out)
    before = _snapshot(out)
    new = _result("c", "d")
    import descentlab.io.atomic as atomic
    real, calls = atomic.os.replace, []

    def disk_full_on_the_third_file(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", disk_full_on_the_third_file)
    with pytest.raises(OSError, match="No space"):
        write_outputs(new, out)
    monkeypatch.undo()
    assert _snapshot(out) == before                 # the previous run's set, byte for byte: nothing of the new run
    assert not _no_leftovers(tmp_path)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_reader_never_sees_two_runs_mixed(tmp_path):
    """One thread publishes two different runs alternately; another reads the folder through one handle.

    Every file it finds belongs to the run of the manifest it read (never another run's), the folder is
    never absent, and every file is listed in that manifest. (A reader still holding the previous set's
    folder may see that set's files go as it is removed: removed, never replaced by another run's.)
    """
    out = tmp_path / "out"
    runs = [_result("a", "b"), _result("c", epochs=3)]
    write_outputs(runs[0], out)
    stop, whole, mixed, removed = threading.Event(), [0], [], [0]

    def opener(fd):
        return lambda p, f: os.open(p, f, dir_fd=fd)

    def read_once():
        fd = os.open(out, os.O_RDONLY)
        try:
            with open(outputs.MANIFEST, "rb", opener=opener(fd)) as fh:
                manifest = json.loads(fh.read())["files"]
            names = set(os.listdir(fd)) - {outputs.MANIFEST}
            if not names <= set(manifest):
                mixed.append(f"files {sorted(names - set(manifest))} not in the manifest")
            for name in names:
                with open(name, "rb", opener=opener(fd)) as fh:
                    if hashlib.sha256(fh.read()).hexdigest() != manifest[name]:
                        mixed.append(f"{name} of another run")
            whole[0] += names == set(manifest)
        finally:
            os.close(fd)

    def reader():
        while not stop.is_set():
            try:
                read_once()
            except FileNotFoundError as exc:
                if exc.filename in (out, str(out)):
                    mixed.append("the folder was absent")
                removed[0] += 1       # the previous set, removed under a reader that still held it

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(30):
            write_outputs(runs[i % 2], out)
    finally:
        stop.set()
        thread.join()
    print(f"during 30 publishes: {whole[0]} whole sets read, {removed[0]} reads of a set being removed, "
          f"{len(mixed)} mixed")
    assert whole[0] > 0 and not mixed, mixed[:3]


# ----------------------------------------------------------------------------------- before training
def _no_training(monkeypatch):
    import descentlab.experiments as experiments
    import descentlab.experiments.demo as demo

    def trained(*args, **kwargs):
        raise AssertionError("training started before the output folder was checked")

    monkeypatch.setattr(experiments, "run_experiment", trained)
    monkeypatch.setattr(demo, "run_experiment", trained)


@pytest.mark.parametrize("command", [["run", "initialization", "--quick"], ["demo", "--quick"]])
@pytest.mark.parametrize("case", ["existing file", "read-only", "foreign files", "no room"])
def test_a_bad_output_folder_fails_before_training(tmp_path, monkeypatch, capsys, command, case):
    _no_training(monkeypatch)
    out = tmp_path / "out"
    if case == "existing file":
        out.write_text("a file where the folder should be")
    elif case == "read-only":
        out = "/sys/descentlab-out" if os.geteuid() == 0 else out   # root writes anywhere but in sysfs
        if os.geteuid() != 0:
            tmp_path.chmod(0o555)
    elif case == "foreign files":
        out.mkdir()
        (out / "my-notes.txt").write_text("mine")
    else:
        import shutil
        real = shutil.disk_usage
        monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=1000))
    try:
        assert main(command + ["--out", str(out)]) == 2
    finally:
        tmp_path.chmod(0o755)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err, err
    if case == "foreign files":
        assert (out / "my-notes.txt").read_text() == "mine" and "my-notes.txt" in err


def test_check_out_accepts_new_empty_and_own_folders(tmp_path):
    outputs.check_out(tmp_path / "new" / "deeper")
    (tmp_path / "empty").mkdir()
    outputs.check_out(tmp_path / "empty")
    write_outputs(_result("a"), tmp_path / "ours")
    outputs.check_out(tmp_path / "ours")
    with pytest.raises(InputError, match="--out"):
        outputs.check_out(tmp_path / "ours" / "model-a.safetensors")


def test_the_demo_publishes_its_set_whole(tmp_path):
    from descentlab.experiments.demo import DemoResult, write_demo
    first = DemoResult([_result("a")], 1.0, True)
    write_demo(first, tmp_path / "demo")
    (tmp_path / "demo" / "figures").mkdir(exist_ok=True)
    write_demo(DemoResult([_result("b")], 1.0, True), tmp_path / "demo")
    assert json.loads((tmp_path / "demo" / "results.json").read_text())["experiments"][0]["arms"][0]["name"] == "b"
    assert not _no_leftovers(tmp_path)


def test_the_working_directory_is_never_the_output_folder(tmp_path, monkeypatch):
    """Publishing swaps the folder: the shell's current directory would vanish under it."""
    here = tmp_path / "results"
    here.mkdir()
    monkeypatch.chdir(here)
    for out in (".", str(here), str(tmp_path)):
        with pytest.raises(InputError, match="current directory"):
            outputs.check_out(out)
    outputs.check_out("sub")


@pytest.mark.parametrize("case", ["photos", "notes beside a run", "notes in figures"])
def test_files_publishing_would_remove_are_never_removed(tmp_path, case):
    """A folder of someone's PNGs, or a run folder where a user added a file, is refused, never swapped away."""
    out = tmp_path / "out"
    if case == "photos":
        out.mkdir()
        (out / "holiday.png").write_bytes(b"mine")
    else:
        write_outputs(_result("a"), out)
        extra = out / ("notes.txt" if case == "notes beside a run" else "figures/mine.png")
        extra.parent.mkdir(exist_ok=True)
        extra.write_bytes(b"mine")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(InputError, match="other files"):
        outputs.check_out(out)
    with pytest.raises(InputError, match="other files"):
        write_outputs(_result("b"), out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
