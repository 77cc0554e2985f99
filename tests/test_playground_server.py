"""The playground server: access (token, cookie, Host, Origin), every control over the WebSocket, bad values,
uploads, exports, session limits, and the vendored chart library."""

from __future__ import annotations

import hashlib
import json
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import descentlab as dl
from descentlab.errors import InputError
from descentlab.playground.frames import unpack
from descentlab.playground.limits import Limits
from descentlab.playground.server import STATIC, ServerConfig, create_app

TOKEN = "test-token-1234"
HOST = {"host": "127.0.0.1:8765"}
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def client():
    config = ServerConfig(token=TOKEN, workers=1, limits=Limits(max_sessions=3, max_upload_bytes=20_000, max_points=500))
    with TestClient(create_app(config), base_url=BASE) as c:
        yield c


class Page:
    """A WebSocket session as the page drives it: JSON out, JSON or binary messages in, frames acknowledged."""

    def __init__(self, ws):
        self.ws = ws
        self.frames = []
        self.backlog = []
        first = {}
        while len(first) < 3:  # hello and state from the server, the data of the default session from its worker
            m = self.receive()
            if m["type"] in ("hello", "state", "data"):
                first[m["type"]] = m
        self.hello, self.state, self.data = first["hello"], first["state"], first["data"]

    def send(self, **doc):
        self.ws.send_text(json.dumps(doc))

    def receive(self):
        m = self.ws.receive()
        if m.get("type") == "websocket.close":
            raise WebSocketDisconnect(m.get("code", 1000))
        if m.get("text") is not None:
            return json.loads(m["text"])
        kind, meta, arrays = unpack(m["bytes"])
        if kind == "frame":
            self.send(type="ack", seq=meta["seq"])
            self.frames.append((meta, arrays))
        return {"type": kind, "meta": meta, "arrays": arrays}

    def next(self, kind, timeout=60.0, where=None):
        """The first message of ``kind`` (matching ``where``) not taken yet, acknowledging frames on the way.

        Messages of other kinds wait in a backlog (the server's own replies and the worker's may cross)."""
        for m in self.backlog:
            if m["type"] == kind and (where is None or where(m)):
                self.backlog.remove(m)
                return m
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self.receive()
            if m["type"] == kind and (where is None or where(m)):
                return m
            if m["type"] == "error" and kind != "error":
                raise AssertionError(f"unexpected error: {m['message']}")
            if m["type"] != "frame":
                self.backlog.append(m)
        raise AssertionError(f"no {kind} message within {timeout} s")

    def frame(self, where=None):
        """(meta, arrays) of the next frame (matching ``where(meta)``)."""
        m = self.next("frame", where=(lambda m: where(m["meta"])) if where else None)
        return m["meta"], m["arrays"]


def _page(client, headers=HOST, query=f"?token={TOKEN}"):
    return client.websocket_connect(f"/ws{query}", headers=headers)


# ------------------------------------------------------------------------------------ access
def test_pages_need_the_token_and_trade_it_for_a_cookie():
    config = ServerConfig(token=TOKEN, workers=1)
    with TestClient(create_app(config), base_url=BASE) as c:
        assert c.get("/").status_code == 403
        assert c.get("/?token=wrong-token").status_code == 403
        assert c.get("/static/js/main.js").status_code == 403
        r = c.get(f"/?token={TOKEN}&x=1", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/?x=1"
        assert f"{config.cookie}={TOKEN}" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        page = c.get("/")  # the cookie now
        assert page.status_code == 200 and '<link rel="icon" href="data:,">' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        js = c.get("/static/js/main.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]


def test_a_loopback_server_refuses_other_host_names():
    with TestClient(create_app(ServerConfig(token=TOKEN, workers=1)), base_url="http://evil.example:8765") as c:
        r = c.get(f"/?token={TOKEN}")
        assert r.status_code == 403 and "loopback" in r.text
    with TestClient(create_app(ServerConfig(host="0.0.0.0", token=TOKEN, workers=1)), base_url="http://10.1.2.3:8765") as c:
        assert c.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303


def test_no_token_only_on_loopback():
    with pytest.raises(InputError, match="token"):
        ServerConfig(host="0.0.0.0", token=None)
    with pytest.raises(InputError, match="8 characters"):
        ServerConfig(token="short")
    assert ServerConfig(token=None).url() == "http://127.0.0.1:8765/"
    assert ServerConfig(token="abcdefgh", host="0.0.0.0", port=9).url("preset=x") == "http://127.0.0.1:9/?token=abcdefgh#preset=x"


def test_websockets_need_the_token_and_their_own_origin(client):
    for headers, query in [(HOST, ""), (HOST, "?token=nope-nope-nope"),
                           ({**HOST, "origin": "http://evil.example"}, f"?token={TOKEN}"),
                           ({**HOST, "origin": "http://127.0.0.1:9999"}, f"?token={TOKEN}"),
                           ({"host": "evil.example:8765"}, f"?token={TOKEN}")]:
        with pytest.raises(WebSocketDisconnect) as info:
            with _page(client, headers, query) as ws:
                ws.receive_text()
        assert info.value.code == 1008, (headers, query)
    with _page(client, {**HOST, "origin": BASE}) as ws:
        assert Page(ws).hello["version"] == dl.__version__
    client.cookies.set("descentlab-playground-8765", TOKEN)
    try:
        with _page(client, {**HOST, "origin": BASE}, query="") as ws:  # the cookie, as a browser sends it
            assert Page(ws).state["settings"]["data"] == "circles"
    finally:
        client.cookies.clear()


# ------------------------------------------------------------------------------------ controls
def test_every_control(client):
    with _page(client) as ws:
        p = Page(ws)
        assert set(p.hello["choices"]["optimizer"]) == {"gd", "momentum", "rmsprop", "adam", "adamw"}
        assert "zeros" in p.hello["choices"]["init"] and p.hello["limits"]["max_sessions"] == 3
        p.send(type="hash", fragment="#data=moons&layers=2,5,2,1&optimizer=adam&lr=0.01&batch_size=64&seed=4")
        state = p.next("state")
        assert state["settings"]["data"] == "moons" and "data=moons" in state["fragment"]
        data = p.next("data")
        assert data["meta"]["runs"][0]["layers"] == [2, 5, 2, 1] and data["meta"]["n_train"] == 300
        first = p.frame()
        theta0 = first[1]["theta"].copy()
        p.send(type="control", op="step")
        assert p.frame(lambda m: m["runs"][0]["steps"] == 1)
        p.send(type="control", op="epoch")
        assert p.frame(lambda m: m["runs"][0]["epoch"] == 1 and m["runs"][0]["step"] == 0)
        p.send(type="control", op="play")
        playing = p.frame(lambda m: m["playing"] and m["runs"][0]["epoch"] > 20)
        cost0 = first[0]["runs"][0]["cost"]
        assert playing[0]["runs"][0]["cost"] < cost0
        p.send(type="update", changes={"lr": 0.05})  # live: no new data message, the run goes on
        p.next("state", where=lambda m: m["settings"]["lr"] == 0.05)
        changed = p.frame(lambda m: m["runs"][0]["lr"] == 0.05)
        assert changed[0]["runs"][0]["epoch"] > 20
        p.send(type="control", op="pause")
        p.frame(lambda m: not m["playing"])
        p.send(type="control", op="reset")
        back = p.frame(lambda m: m["runs"][0]["steps"] == 0)
        assert np.array_equal(back[1]["theta"], theta0)  # the same initial weights
        p.send(type="control", op="speed", value=10)
        p.send(type="control", op="play")
        t0 = time.monotonic()
        slow = p.frame(lambda m: m["runs"][0]["steps"] >= 10)
        assert time.monotonic() - t0 >= 0.5 and slow[0]["speed"] == 10  # 10 steps at 10 steps/s
        p.send(type="control", op="pause")
        p.send(type="control", op="speed", value=None)
        p.send(type="new_seed")
        st = p.next("state")
        assert st["settings"]["seed"] != 4
        p.next("data")
        fresh = p.frame()
        assert not np.array_equal(fresh[1]["theta"], theta0)


def test_comparisons_focus_and_presets(client):
    with _page(client) as ws:
        p = Page(ws)
        p.send(type="preset", name="initialization")
        st = p.next("state")
        assert st["fragment"] == "preset=initialization"
        assert [r["name"] for r in p.next("data")["meta"]["runs"]] == ["zeros", "random", "he"]
        p.send(type="control", op="epoch")
        f = p.frame(lambda m: m["runs"][0]["epoch"] == 1)
        assert {"b0", "b1", "b2"} <= set(f[1]) and f[0]["focus"] == 0
        assert f[0]["conclusions"]["preset"] == "initialization"
        p.send(type="control", op="focus", value=2)
        f = p.frame(lambda m: m["focus"] == 2)
        assert f[1]["theta"].size == 91
        p.send(type="update", changes={"arms": [{"name": "adam", "optimizer": "adam"}, {"name": "gd", "optimizer": "gd"}]})
        assert [a["name"] for a in p.next("state")["settings"]["arms"]] == ["adam", "gd"]
        p.send(type="control", op="focus", value=7)
        assert "focus" in p.next("error")["message"]


@pytest.mark.parametrize("doc,match", [
    ({"type": "update", "changes": {"lr": -1}}, "lr: expected"),
    ({"type": "update", "changes": {"hidden": "swish"}}, "hidden"),
    ({"type": "update", "changes": {"layers": [2, 40, 1]}}, "at most 32 units"),
    ({"type": "update", "changes": {"path": "/etc/passwd"}}, "playground setting"),
    ({"type": "update", "changes": {}}, "changes"),
    ({"type": "update", "changes": {"data": "upload"}}, "uploaded CSV first"),
    ({"type": "hash", "fragment": "lr=abc"}, "lr"),
    ({"type": "control", "op": "explode"}, "op: expected"),
    ({"type": "control", "op": "speed", "value": 7}, "speed"),
    ({"type": "control", "op": "focus", "value": True}, "focus"),
    ({"type": "request", "what": "secrets"}, "request"),
    ({"type": "preset", "name": "signs"}, "preset"),
    ({"type": "launch"}, "known type"),
    ({"kind": "x"}, "type"),
])
def test_bad_values_get_a_message_and_the_session_goes_on(client, doc, match):
    with _page(client) as ws:
        p = Page(ws)
        p.ws.send_text(json.dumps(doc))
        assert match in p.next("error")["message"]
        p.send(type="control", op="step")  # still alive
        assert p.frame(lambda m: m["runs"][0]["steps"] == 1)


def test_garbage_and_oversized_messages_are_refused(client):
    with _page(client) as ws:
        p = Page(ws)
        ws.send_text("{not json")
        assert "JSON" in p.next("error")["message"]
        ws.send_text(json.dumps({"type": "update", "changes": {"title": "x" * 70_000}}))
        assert "65536" in p.next("error")["message"]
        ws.send_bytes(b"\x01")
        assert "upload" in p.next("error")["message"]


def test_requests_gradcheck_code_and_files(client, tmp_path):
    with _page(client) as ws:
        p = Page(ws)
        p.send(type="hash", fragment="data=xor&layers=2,4,1&keep_prob=0.8&l2=0.1&seed=2")
        p.next("data")
        p.send(type="control", op="epoch")
        p.frame(lambda m: m["runs"][0]["epoch"] == 1)
        p.send(type="request", what="gradcheck")
        g = p.next("reply")["json"]
        assert g["report"]["passed"] and [q["name"] for q in g["report"]["params"]] == ["W1", "b1", "W2", "b2"]
        assert "dropout" in g["text"] and g["examples"] == g["of"]
        p.send(type="request", what="python")
        assert "dl.fit(" in p.next("reply")["text"]
        p.send(type="request", what="toml")
        assert "[[arms]]" in p.next("reply")["text"]
        p.send(type="request", what="model")
        m = p.next("file")
        path = tmp_path / m["meta"]["name"]
        path.write_bytes(m["arrays"]["bytes"].tobytes())
        net = dl.load(path)
        assert net.layer_dims == (2, 4, 1) and net.info["training"]["epochs"] == 1
        p.send(type="request", what="data")
        d = p.next("file")
        assert d["meta"]["name"] == "playground-data.npz"


# ------------------------------------------------------------------------------------ uploads
def _upload(p, name, data: bytes):
    header = json.dumps({"name": name}).encode()
    p.ws.send_bytes(struct.pack("<I", len(header)) + header + data)


def test_an_uploaded_csv_becomes_the_data(client):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 2))
    rows = "\n".join(f"{a:.4f},{b:.4f},{'yes' if a * b > 0 else 'no'}" for a, b in X)
    with _page(client) as ws:
        p = Page(ws)
        _upload(p, "../../etc/my points.csv", ("x1,x2,label\n" + rows).encode())
        st = p.next("state")
        assert st["settings"]["data"] == "upload"
        data = p.next("data")
        assert data["meta"]["n_train"] == 96 and data["meta"]["n_test"] == 24 and data["meta"]["class_names"] == ["no", "yes"]
        assert "my points.csv" in p.next("uploaded")["description"] and "etc" not in data["meta"]["description"]
        p.send(type="control", op="epoch")
        assert p.frame(lambda m: m["runs"][0]["epoch"] == 1)
        three = "\n".join(f"{a:.3f},{b:.3f},{k % 3}" for k, (a, b) in enumerate(X))
        _upload(p, "three.csv", ("a,b,c\n" + three).encode())
        p.next("state")
        d3 = p.next("data")
        assert d3["meta"]["kind"] == "multiclass" and d3["meta"]["runs"][0]["layers"][-1] == 3


@pytest.mark.parametrize("name,data,match", [
    ("big.csv", b"1,2,0\n" * 5000, "at most 20,000 bytes"),
    ("bin.csv", b"\xff\xfe\x00\x01", "UTF-8"),
    ("wide.csv", b"a,b,c,d\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n", "two feature columns"),
    ("long.csv", b"".join(f"{i},{i},{i % 2}\n".encode() for i in range(600)), "at most 500 rows"),
    ("one.csv", b"1,2,0\n3,4,0\n5,6,0\n7,8,0\n", "two classes"),
    ("bad.csv", b"a,b,c\n1,2,0\n3,,1\n", "line 3"),
    ("short.csv", b"1,2,0\n", "at least 4 rows"),
])
def test_bad_uploads_are_refused_with_one_line(client, name, data, match):
    with _page(client) as ws:
        p = Page(ws)
        _upload(p, name, data)
        msg = p.next("error")["message"]
        assert match in msg and "\n" not in msg
        p.send(type="control", op="step")
        assert p.frame(lambda m: m["runs"][0]["steps"] == 1)


# ------------------------------------------------------------------------------------ limits
def test_sessions_are_bounded():
    config = ServerConfig(token=TOKEN, workers=1, limits=Limits(max_sessions=2))
    with TestClient(create_app(config), base_url=BASE) as c:
        with _page(c) as a, _page(c) as b:
            Page(a), Page(b)
            with _page(c) as third:
                msg = json.loads(third.receive_text())
                assert msg["type"] == "error" and msg["fatal"] and "maximum of 2 sessions" in msg["message"]
                with pytest.raises(WebSocketDisconnect) as info:
                    third.receive_text()
                assert info.value.code == 1013
        with _page(c) as again:  # closed sessions free their places
            assert Page(again).hello["type"] == "hello"


# ------------------------------------------------------------------------------------ vendored files
def test_the_vendored_chart_library_is_the_recorded_one():
    vendor = STATIC / "vendor"
    notes = (vendor / "VENDORED.md").read_text()
    for name in ("uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE"):
        digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
        assert digest in notes, name
    assert (vendor / "uPlot.iife.min.js").read_text().startswith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */")
    assert "MIT License" in (vendor / "uPlot.LICENSE").read_text()


def test_the_page_loads_only_its_own_files():
    html = (STATIC / "index.html").read_text()
    assert "http://" not in html and "https://" not in html
    for js in Path(STATIC / "js").glob("*.js"):
        text = js.read_text()
        assert "fetch(" not in text and "eval(" not in text and "new Function" not in text, js
        for line in text.splitlines():  # markup is static; every value goes in through textContent
            assert "innerHTML" not in line or "${" not in line, line
