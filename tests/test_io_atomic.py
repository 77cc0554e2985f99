"""Atomic writes: concurrent writers of one path, abandoned temporary files, long names.

Guards: descentlab.io.atomic (atomic_write, its temporary-file names and the removal of abandoned ones).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

from descentlab.io import atomic

WRITER = textwrap.dedent("""
    import json, sys, time
    from descentlab import Network
    path, me, saves, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    net = Network([8, 32, 16, 3], output="softmax", seed=me)
    net.save(path + f".own{me}")            # this writer's bytes, for the final check
    while time.time() < start:               # every writer starts together
        time.sleep(0.001)
    failures = []
    for _ in range(saves):
        try:
            net.save(path)
        except Exception as exc:             # noqa: BLE001 - counted and reported
            failures.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"failures": len(failures), "first": failures[:1]}))
""")


def run_writers(tmp_path, writers: int, saves: int) -> tuple[int, list[str]]:
    """``writers`` processes each save one path ``saves`` times; returns (failed saves, first errors)."""
    import time
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    target = tmp_path / "shared.safetensors"
    start = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, str(script), str(target), str(i), str(saves), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(writers)]
    failed, first = 0, []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        failed += report["failures"]
        first += report["first"]
    return failed, first


def test_concurrent_writers_of_one_path_all_succeed_and_leave_one_complete_file(tmp_path):
    writers, saves = 4, 100
    failed, first = run_writers(tmp_path, writers, saves)
    print(f"{writers} writers x {saves} saves: {failed} failed {first}")
    assert failed == 0, first
    final = hashlib.sha256((tmp_path / "shared.safetensors").read_bytes()).hexdigest()
    own = {hashlib.sha256((tmp_path / f"shared.safetensors.own{i}").read_bytes()).hexdigest() for i in range(writers)}
    assert final in own                      # one writer's complete file, byte for byte
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_temporary_file_of_a_dead_writer_is_removed_and_a_live_ones_kept(tmp_path):
    target = tmp_path / "m.bin"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = tmp_path / atomic.temp_name(target.name, pid=dead.pid, start=atomic.process_start(os.getpid()))
    abandoned.write_bytes(b"half")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        in_progress = tmp_path / atomic.temp_name(target.name, pid=alive.pid, start=atomic.process_start(alive.pid))
        in_progress.write_bytes(b"writing")
        reused = tmp_path / atomic.temp_name(target.name, pid=alive.pid, start=atomic.process_start(alive.pid) + 1)
        reused.write_bytes(b"a dead writer whose pid was reused")
        atomic.atomic_write_bytes(target, b"new")
        assert target.read_bytes() == b"new"
        assert in_progress.exists()                                # a live writer's file is never touched
        assert not abandoned.exists() and not reused.exists()      # provably abandoned: removed
    finally:
        alive.kill()
        alive.wait()


def test_temporary_files_of_other_names_or_unknown_owners_are_left_alone(tmp_path):
    target = tmp_path / "m.bin"
    other = tmp_path / ".m.bin.something-else.tmp"        # not our naming scheme: not provably ours
    other.write_bytes(b"x")
    sibling = tmp_path / atomic.temp_name("n.bin", pid=1, start=1)
    sibling.write_bytes(b"y")
    atomic.atomic_write_bytes(target, b"new")
    assert other.exists() and sibling.exists()


def test_a_long_file_name_still_gets_a_temporary_file(tmp_path):
    target = tmp_path / ("m" * 250 + ".bin")
    atomic.atomic_write_bytes(target, b"data")
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_the_written_file_has_the_usual_permissions(tmp_path):
    target = tmp_path / "m.bin"
    atomic.atomic_write_bytes(target, b"data")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("bad", ["folder", "file-as-folder"])
def test_check_writable_fails_before_any_work(tmp_path, bad):
    from descentlab.errors import InputError
    if bad == "folder":
        target = tmp_path / "nope" / "m.bin"
    else:
        (tmp_path / "f").write_text("x")
        target = tmp_path / "f" / "m.bin"
    with pytest.raises((InputError, OSError)):
        atomic.check_writable(target, "out")


def test_threads_writing_one_path_all_succeed(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    target = tmp_path / "m.bin"

    def writer(i):
        for _ in range(50):
            atomic.atomic_write_bytes(target, bytes([i]) * 1000)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(writer, range(4)))           # any failed write raises here
    assert target.read_bytes() in {bytes([i]) * 1000 for i in range(4)}
    assert [p.name for p in tmp_path.iterdir()] == ["m.bin"]
