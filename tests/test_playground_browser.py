"""The playground in a real browser: Debian's Chromium driven by Playwright (never skipped: make test installs it).

Screenshots go to $PLAYGROUND_SCREENSHOTS when it is set (else to pytest's tmp folder); look at them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from playwright.sync_api import sync_playwright

import descentlab as dl
from descentlab.playground.server import ServerConfig, create_app

CHROMIUM = "/usr/bin/chromium"
TOKEN = "browser-test-token"


@pytest.fixture(scope="module")
def server():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    config = ServerConfig(port=port, token=TOKEN, workers=2)
    srv = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < end and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield config
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: make test installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--disable-quic", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Tab:
    """One page of the playground, with its console errors collected."""

    def __init__(self, browser, config, fragment="", width=1400, height=1000):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(config.url(fragment))
        self.wait("window.playground && window.playground.frame && window.playground.data")

    def js(self, expression):
        return self.page.evaluate(f"() => ({expression})")

    def wait(self, expression, timeout=60.0):
        """Poll a JavaScript expression until it is true (the page's CSP forbids Playwright's eval-based waits)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.js(expression):
                return
            time.sleep(0.05)
        raise AssertionError(f"not true within {timeout} s: {expression}; console errors: {self.errors}")

    def run(self, key="steps"):
        return self.js(f"window.playground.frame.meta.runs[window.playground.frame.meta.focus].{key}")

    def theta(self):
        # a new data message (the fragment's settings arriving) clears the frame until the first one of its data
        self.wait("window.playground.frame && window.playground.frame.meta.gen === window.playground.data.gen")
        return np.array(self.js("Array.from(window.playground.frame.arrays.theta)"), dtype=np.float32)

    def boundary_pixels(self):
        data = self.js("Array.from(document.getElementById('boundary').getContext('2d').getImageData(0, 0, 300, 300).data)")
        return np.array(data, dtype=np.uint8).reshape(300, 300, 4)

    def close(self):
        self.context.close()
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def tab(browser, server):
    tabs = []

    def open_tab(fragment="", **kw):
        t = Tab(browser, server, fragment, **kw)
        tabs.append(t)
        return t
    yield open_tab
    for t in tabs:
        t.close()


def test_the_page_loads_and_play_trains(tab, shots):
    t = tab("data=circles&layers=2,6,3,1&seed=5&optimizer=adam&lr=0.02")
    assert t.page.title() == "descentlab playground"
    assert "token" not in t.page.url and "seed=5" in t.page.url  # the token became a cookie
    before = t.boundary_pixels()
    cost0 = float(t.page.text_content("#cost"))
    t.page.screenshot(path=str(shots / "01-loaded.png"), full_page=True)
    t.page.click("#play")
    t.wait("window.playground.frame.meta.playing && window.playground.frame.meta.runs[0].epoch >= 60")
    t.page.click("#play")
    t.wait("!window.playground.frame.meta.playing")
    cost1 = float(t.page.text_content("#cost"))
    after = t.boundary_pixels()
    changed = np.any(before != after, axis=2).mean()
    assert cost1 < 0.8 * cost0, (cost0, cost1)
    assert changed > 0.05, f"only {changed:.1%} of the boundary's pixels changed"
    assert int(t.page.text_content("#epoch-count")) >= 60
    assert t.js("document.querySelectorAll('#nodes .node').length") == 2 + 6 + 3 + 1
    t.page.screenshot(path=str(shots / "02-trained.png"), full_page=True)


def test_hovering_shows_live_values_and_bad_values_get_a_message(tab):
    t = tab("data=xor&layers=2,4,1&seed=1")
    t.page.hover("#nodes .node[data-layer='1'][data-unit='2']")
    t.wait("!document.getElementById('tooltip').hidden")
    assert "b1[2] =" in t.page.text_content("#tooltip")
    t.page.fill("#lr", "-3")
    t.page.press("#lr", "Enter")
    t.wait("!document.getElementById('message').hidden")
    assert "lr: expected a positive number" in t.page.text_content("#message")
    t.page.click("#step")  # the session goes on
    t.wait("window.playground.frame.meta.runs[0].steps === 1")


def test_reset_restores_the_same_initial_weights(tab):
    t = tab("data=moons&layers=2,5,2,1&seed=9&batch_size=64")
    start = t.theta()
    t.page.click("#play")
    t.wait("window.playground.frame.meta.runs[0].steps > 200")
    t.page.click("#play")
    assert not np.array_equal(t.theta(), start)
    t.page.click("#reset")
    t.wait("window.playground.frame.meta.runs[0].steps === 0")
    assert np.array_equal(t.theta(), start)
    t.page.click("#new-seed")
    t.wait("!window.location.hash.includes('seed=9')")
    t.wait("window.playground.frame && window.playground.frame.meta.gen === window.playground.data.gen")
    assert not np.array_equal(t.theta(), start)


def test_the_course_comparison_reproduces_he_over_random_over_zeros(tab, shots):
    t = tab("preset=initialization")
    assert [r.strip() for r in t.page.locator("#runs .run b").first.all_text_contents()] == ["zeros"]
    t.page.click("#play")
    t.wait("window.playground.frame.meta.done && !window.playground.frame.meta.playing", timeout=400)
    t.wait("window.playground.frame.meta.conclusions && window.playground.frame.meta.conclusions.epochs === 15000")
    accs = {}
    for card in t.page.locator("#runs .run").all():
        name = card.locator("b").first.text_content()
        accs[name] = (float(card.locator(".train-acc").text_content()), float(card.locator(".test-acc").text_content()))
    assert accs["he"][0] > accs["random"][0] > accs["zeros"][0], accs
    assert accs["he"][1] > accs["random"][1] > accs["zeros"][1], accs
    assert accs["zeros"] == (0.5, 0.5)
    marks = t.page.locator("#conclusions li .mark").all_text_contents()
    assert marks and all(m == "✓" for m in marks), t.page.text_content("#conclusions")
    t.page.screenshot(path=str(shots / "03-initialization-preset.png"), full_page=True)


def test_a_url_opens_the_same_state(tab, browser, server):
    fragment = ("data=spiral&n=300&noise=0.1&features=x1,x2,sinx1,sinx2&layers=4,8,6,1&hidden=tanh&init=lecun"
                "&optimizer=momentum&lr=0.03&batch_size=32&keep_prob=0.9&l2=0.001&seed=77")
    a = tab(fragment)
    url = a.page.url
    settings_a, theta_a = a.js("window.playground.settings"), a.theta()
    b = tab(url.split("#", 1)[1])
    assert b.js("window.playground.settings") == settings_a
    assert np.array_equal(b.theta(), theta_a)
    assert b.page.input_value("#lr") == "0.03" and b.page.input_value("#hidden") == "tanh"
    assert b.js("document.querySelectorAll('#nodes .node.input').length") == 4


def test_the_model_download_loads_with_descentlab_load(tab, tmp_path):
    t = tab("data=gaussian&layers=2,3,1&seed=3")
    t.page.click("#epoch")
    t.wait("window.playground.frame.meta.runs[0].epoch === 1")
    with t.page.expect_download() as info:
        t.page.click("#download-model")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    net = dl.load(path)
    assert net.layer_dims == (2, 3, 1)
    assert np.array_equal(net.theta.astype(np.float32), t.theta())


def test_the_page_works_at_800_pixels(tab, shots):
    t = tab("preset=regularization", width=800, height=900)
    assert t.js("document.documentElement.scrollWidth") <= 800
    t.page.click("#play")
    t.wait("window.playground.frame.meta.runs[0].epoch > 100")
    t.page.click("#play")
    for box in ("#boundary", "#network", "#runs .run"):
        b = t.page.locator(box).first.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 800, box
    t.page.screenshot(path=str(shots / "04-800px.png"), full_page=True)


def test_gradient_check_upload_and_exports(tab, tmp_path, shots):
    t = tab("data=circles&layers=2,5,1&keep_prob=0.8&seed=2")
    t.page.click("#gradcheck")
    t.wait("document.querySelector('#gradcheck-report table')")
    assert "PASS" in t.page.text_content("#gradcheck-report")
    t.page.click("#python")
    t.wait("!document.getElementById('export').hidden")
    assert "import descentlab as dl" in t.page.text_content("#export-text")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 2))
    csv = tmp_path / "mine.csv"
    csv.write_text("x1,x2,y\n" + "\n".join(f"{a},{b},{int(a > b)}" for a, b in X))
    t.page.set_input_files("#upload", str(csv))
    t.wait("window.playground.data && window.playground.data.data === 'upload'")
    assert "mine.csv" in t.page.text_content("#data-description")
    t.page.screenshot(path=str(shots / "05-upload-gradcheck.png"), full_page=True)
