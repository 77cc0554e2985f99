"""`descentlab playground`: its options, its refusals (one line, exit status 2), and a real start and stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from descentlab.cli.main import main


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["playground", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--no-browser", "--token", "--no-token", "--open", "--max-sessions"):
        assert option in text


@pytest.mark.parametrize("argv,match", [
    (["--host", "0.0.0.0", "--no-token"], "token"),
    (["--open", "signs"], "--open"),
    (["--token", "abc", "--no-token"], "--no-token"),
    (["--token", "short"], "8 characters"),
])
def test_bad_options_are_one_line_and_status_2(argv, match, capsys):
    assert main(["playground", "--no-browser", "--port", str(_free_port()), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and "\n" not in err and err.startswith("descentlab: error:")


def test_a_port_in_use_is_refused(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["playground", "--no-browser", "--port", str(port)]) == 2
    assert "in use" in capsys.readouterr().err


def test_it_starts_prints_its_url_serves_and_stops_on_ctrl_c():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "descentlab.cli.main", "playground", "--no-browser", "--port",
                             str(port), "--open", "initialization"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=os.environ.copy())
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        assert url.startswith(f"http://127.0.0.1:{port}/?token=") and url.endswith("#preset=initialization")
        with httpx.Client() as c:
            assert c.get(f"http://127.0.0.1:{port}/").status_code == 403
            page = c.get(url.split("#")[0], follow_redirects=True)
            assert page.status_code == 200 and "descentlab playground" in page.text
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) >= 1
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "stopped" in err, err
    time.sleep(0.5)
    for pid in workers:  # the workers ended with the server
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
