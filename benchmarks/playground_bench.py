"""The playground's speed, measured in a real browser (Debian's Chromium through Playwright).

The workload is the course's moons run ([2, 5, 2, 1], He, Adam lr 0.0007, mini-batches of 64 in the course's
order, benchmarks/workloads.py) opened in the playground. Three measurements, interleaved as
single / four / single so that a change of the machine's load shows:

1. one session playing: training steps a second (from the frames' step counts and arrival times), frames
   drawn a second by the page (each one repaints the 100 x 100 boundary, the network and the charts) and
   requestAnimationFrame callbacks a second (counted in the page);
2. the learning-rate slider: milliseconds from the slider's input event to the first frame that holds
   steps trained at the new rate (the frame says how many steps since the change), N moves;
3. four sessions (four tabs) playing at once: each one's steps a second, against the single session's.

    python benchmarks/playground_bench.py                 # 8 s windows
    python benchmarks/playground_bench.py --seconds 4 --json benchmarks/results/playground.json

Goals (issue 14): >= 2,000 steps/s at >= 20 frames/s; < 100 ms slider to frame; each of 4 sessions >= 1/4 of
the single session's rate. The machine's load average is printed before and after: numbers taken on a busy
machine are lower bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

FRAGMENT = ("data=moons&layers=2,5,2,1&init=he&seed=3&optimizer=adam&lr=0.0007&batch_size=64&shuffle=course"
            "&hidden=relu")
CHROMIUM = "/usr/bin/chromium"

PROBE = """() => {
  const app = window.playground;
  if (!app.bench) {
    app.bench = { raf: 0, frames: [] };
    const tick = () => { app.bench.raf++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    app.onFrame.push((m) => app.bench.frames.push([performance.now(), m.meta.runs[0].steps]));
  }
  return true;
}"""

WINDOW = """() => { const b = window.playground.bench; return { raf: b.raf, frames: b.frames.slice(), now: performance.now() }; }"""

LR_MOVE = """(value) => new Promise((resolve) => {
  const app = window.playground;
  const range = document.getElementById("lr-range");
  const target = Number(value);
  const t0 = performance.now();
  const hook = (m) => {
    const r = m.meta.runs[0];
    if (Math.abs(r.lr - app.lrWanted) < 1e-12 && r.since_change !== null && r.since_change > 0) {
      app.onFrame.splice(app.onFrame.indexOf(hook), 1);
      resolve(performance.now() - t0);
    }
  };
  app.onFrame.push(hook);
  range.value = String(target);
  range.dispatchEvent(new Event("input"));
})"""


def _server(workers: int | None):
    import uvicorn

    from descentlab.playground.server import ServerConfig, create_app
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    config = ServerConfig(port=port, workers=workers)
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return config, server, thread


def _open(browser, config):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(config.url(FRAGMENT))
    while not page.evaluate("() => !!(window.playground && window.playground.frame)"):
        time.sleep(0.05)
    page.evaluate(PROBE)
    return context, page


def _rates(before: dict, after: dict) -> dict:
    seconds = (after["now"] - before["now"]) / 1000
    frames = [f for f in after["frames"] if f[0] > before["now"]]
    steps = (frames[-1][1] - frames[0][1]) / ((frames[-1][0] - frames[0][0]) / 1000) if len(frames) > 1 else 0.0
    return {"steps_per_s": steps, "frames_per_s": len(frames) / seconds, "raf_per_s": (after["raf"] - before["raf"]) / seconds}


def measure_playing(pages: list, seconds: float) -> list[dict]:
    for page in pages:
        page.click("#play")
    time.sleep(1.0)  # warm up
    before = [p.evaluate(WINDOW) for p in pages]
    time.sleep(seconds)
    after = [p.evaluate(WINDOW) for p in pages]
    for page in pages:
        page.click("#play")
        page.click("#reset")
    return [_rates(b, a) for b, a in zip(before, after)]


def measure_slider(page, moves: int) -> list[float]:
    page.click("#play")
    time.sleep(1.0)
    out = []
    for k in range(moves):
        value = 8 + (k % 2) * 4  # between 1e-3 and 1e-2 on the slider's quarter decades
        out.append(page.evaluate(LR_MOVE, value))
        time.sleep(0.3)
    page.click("#play")
    page.click("#reset")
    return out


def _ws_client(config, seconds: float, out: list, start: threading.Barrier) -> None:
    """A session driven without a browser: play, acknowledge every frame at once, record (time, steps)."""
    from websockets.sync.client import connect

    from descentlab.playground.frames import unpack
    url = f"ws://127.0.0.1:{config.port}/ws?token={config.token}"
    with connect(url, max_size=None) as ws:
        ws.send(json.dumps({"type": "hash", "fragment": FRAGMENT}))
        start.wait()
        ws.send(json.dumps({"type": "control", "op": "play"}))
        t0 = time.perf_counter()
        gen = None
        while time.perf_counter() - t0 < seconds + 1.0:
            msg = ws.recv()
            if isinstance(msg, str):
                continue
            kind, meta, _ = unpack(msg)
            if kind == "data":
                gen = meta["gen"]
            elif kind == "frame":
                ws.send(json.dumps({"type": "ack", "seq": meta["seq"]}))
                if meta["gen"] == gen and meta["playing"] and time.perf_counter() - t0 > 1.0:
                    out.append((time.perf_counter(), meta["runs"][0]["steps"]))


def measure_without_browser(config, n: int, seconds: float) -> list[float]:
    """Steps a second of each of ``n`` sessions played at once by WebSocket clients (no page to draw)."""
    records = [[] for _ in range(n)]
    start = threading.Barrier(n)
    threads = [threading.Thread(target=_ws_client, args=(config, seconds, records[k], start)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [(r[-1][1] - r[0][1]) / (r[-1][0] - r[0][0]) if len(r) > 1 else 0.0 for r in records]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--moves", type=int, default=15)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    load_before = os.getloadavg()
    config, server, thread = _server(args.workers)
    record = {"machine": {"platform": platform.platform(), "cores": os.cpu_count(), "python": sys.version.split()[0]},
              "load_before": load_before, "workload": FRAGMENT, "seconds": args.seconds}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
            ctx1, page1 = _open(browser, config)
            single_a = measure_playing([page1], args.seconds)[0]
            slider = measure_slider(page1, args.moves)
            others = [_open(browser, config) for _ in range(3)]
            four = measure_playing([page1] + [pg for _, pg in others], args.seconds)
            for ctx, _ in others:
                ctx.close()
            single_b = measure_playing([page1], args.seconds)[0]
            browser.close()
        bare_one = measure_without_browser(config, 1, args.seconds)
        bare_four = measure_without_browser(config, 4, args.seconds)
        bare_one_b = measure_without_browser(config, 1, args.seconds)
    finally:
        server.should_exit = True
        thread.join(10)
    record.update(single_before=single_a, single_after=single_b, four=four, slider_ms=slider,
                  no_browser={"one": bare_one + bare_one_b, "four": bare_four}, load_after=os.getloadavg())
    bare = (bare_one[0] + bare_one_b[0]) / 2
    single = (single_a["steps_per_s"] + single_b["steps_per_s"]) / 2
    rows = [
        ("one session: training steps/s", f"{single_a['steps_per_s']:,.0f} / {single_b['steps_per_s']:,.0f}", ">= 2,000"),
        ("one session: frames drawn/s (boundary 100x100)", f"{single_a['frames_per_s']:.1f} / {single_b['frames_per_s']:.1f}", ">= 20"),
        ("one session: requestAnimationFrame/s", f"{single_a['raf_per_s']:.1f} / {single_b['raf_per_s']:.1f}", ""),
        ("lr slider -> first frame trained at the new rate (ms)",
         f"median {statistics.median(slider):.0f}, max {max(slider):.0f} ({len(slider)} moves)", "< 100"),
        ("four sessions: steps/s each", ", ".join(f"{r['steps_per_s']:,.0f}" for r in four), ""),
        ("four sessions: each / single (mean of before and after)",
         ", ".join(f"{r['steps_per_s'] / single:.2f}" for r in four), ">= 0.25"),
        ("four sessions: frames drawn/s each", ", ".join(f"{r['frames_per_s']:.1f}" for r in four), ""),
        ("no browser, one session: steps/s", f"{bare_one[0]:,.0f} / {bare_one_b[0]:,.0f}", ""),
        ("no browser, four sessions: each / single", ", ".join(f"{r / bare:.2f}" for r in bare_four), ">= 0.25"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"descentlab playground benchmark: {FRAGMENT}")
    print(f"machine: {record['machine']['platform']}, {record['machine']['cores']} cores; load average before "
          f"{load_before[0]:.2f} {load_before[1]:.2f}, after {record['load_after'][0]:.2f} {record['load_after'][1]:.2f}")
    print(f"{'measure':<{width}}  {'measured (before / after the four)':<40}  goal")
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:<40}  {goal}")
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
