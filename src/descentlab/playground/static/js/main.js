// descentlab playground: the page. The server holds the truth (settings, runs, URL); the page sends what
// the user does, draws the frames it receives, and acknowledges each frame once drawn.
import { drawPoints, paintGrid, paintUnit } from "./boundary.js";
import { Curves, pushTo } from "./charts.js";
import { CLASSES, NEG, POS, rgb } from "./colors.js";
import { NetworkView } from "./network.js";
import { packUpload, unpack } from "./wire.js";

const $ = (id) => document.getElementById(id);
const LR_STEPS = Array.from({ length: 29 }, (_, k) => Number((1e-5 * 10 ** (k / 4)).toPrecision(2)));  // 1e-5 .. 10
const L2_STEPS = [0, 0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 200];
const FACTORS = { init: "initialization", l2: "L2 λ", keep_prob: "keep_prob", optimizer: "optimizer", lr: "learning rate",
  batch_size: "batch size", hidden: "activation", seed: "seed", layers: "layers (e.g. 2:10:5:1)" };
const RUN_COLORS = ["#0877bd", "#f59322", "#2ca02c", "#9467bd"];

const app = {
  ws: null, hello: null, settings: null, data: null, frame: null, pending: null, drawing: false,
  net: null, curves: null, acc: null, compare: null, lastProgress: -1, frameTimes: [], onFrame: [],
};
window.playground = app;  // for tests and benchmarks: read-only state (frames seen, settings)

// ------------------------------------------------------------------------------------- messages
function send(doc) { if (app.ws && app.ws.readyState === 1) app.ws.send(JSON.stringify(doc)); }
function update(changes) { send({ type: "update", changes }); }
function control(op, value) { send({ type: "control", op, value }); }

let messageTimer = null;
function say(text, info = false) {
  const el = $("message");
  el.textContent = text; el.hidden = false; el.classList.toggle("info", info);
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { el.hidden = true; }, info ? 4000 : 9000);
}

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/ws${location.search}`);
  ws.binaryType = "arraybuffer";
  app.ws = ws;
  ws.onmessage = (e) => (typeof e.data === "string" ? onText(JSON.parse(e.data)) : onBinary(e.data));
  ws.onclose = (e) => say(e.code === 1008 ? "The server refused this page (open the URL that descentlab playground printed)."
    : "The connection to the playground server closed; reload the page once it runs again.");
}

function onText(msg) {
  if (msg.type === "hello") { app.hello = msg; setupControls(msg); send({ type: "hash", fragment: location.hash }); }
  else if (msg.type === "state") onState(msg);
  else if (msg.type === "error") { say(msg.message); if (msg.fatal) app.ws.close(); }
  else if (msg.type === "uploaded") say(`Uploaded: ${msg.description}`, true);
  else if (msg.type === "reply") onReply(msg);
}

function onBinary(buffer) {
  const m = unpack(buffer);
  if (m.kind === "data") onData(m);
  else if (m.kind === "frame") { app.pending = m; if (!app.drawing) { app.drawing = true; requestAnimationFrame(drawFrame); } }
  else if (m.kind === "file") download(m.meta.name, m.arrays.bytes);
}

// ------------------------------------------------------------------------------------- settings
function onState(msg) {
  app.settings = msg.settings;
  const url = `${location.pathname}${location.search}#${msg.fragment}`;
  if (`#${msg.fragment}` !== location.hash) history.replaceState(null, "", url);
  showSettings(msg.settings);
}

function setValue(id, value) { const el = $(id); if (el && document.activeElement !== el) el.value = value; }
function nearest(steps, v) { let best = 0; steps.forEach((s, k) => { if (Math.abs(Math.log((s || 1e-9) / (v || 1e-9))) < Math.abs(Math.log((steps[best] || 1e-9) / (v || 1e-9)))) best = k; }); return best; }

function showSettings(s) {
  setValue("lr", s.lr ?? ""); setValue("lr-range", nearest(LR_STEPS, s.lr ?? 0.01));
  setValue("l2", s.l2); setValue("l2-range", nearest(L2_STEPS, s.l2));
  const kp = Array.isArray(s.keep_prob) ? s.keep_prob.join(",") : s.keep_prob;
  setValue("keep_prob", kp); setValue("keep_prob-range", Array.isArray(s.keep_prob) ? s.keep_prob[0] : s.keep_prob);
  for (const id of ["hidden", "init", "optimizer"]) setValue(id, Array.isArray(s[id]) ? s[id][0] : s[id]);
  setValue("schedule", s.schedule ? s.schedule.name : "constant");
  setValue("init_scale", s.init_scale ?? "");
  setValue("batch_size", s.batch_size ?? "full");
  setValue("seed", s.seed);
  setValue("epochs", s.epochs ?? "");
  setValue("noise", s.noise); $("noise-value").textContent = s.noise;
  const own = s.split === null;
  $("split-own").checked = own;
  setValue("split", own ? 0.5 : s.split); $("split-value").textContent = own ? "own" : s.split;
  setValue("n", s.n); $("n-value").textContent = s.n;
  $("n-label").hidden = ["circles", "moons", "football", "upload"].includes(s.data);
  document.querySelectorAll("#datasets button").forEach((b) => b.classList.toggle("on", b.dataset.name === s.data));
  document.querySelectorAll("#features button").forEach((b) => b.classList.toggle("on", s.features.includes(b.dataset.name)));
  $("title-bar").hidden = !s.arms.length;
  $("title").textContent = s.title || (s.arms.length ? `Comparing ${s.arms.map((a) => a.name).join(", ")}` : "");
  layerButtons(s.layers);
}

function layerButtons(layers) {
  const box = $("layer-units");
  box.replaceChildren();
  layers.slice(1, -1).forEach((n, k) => {
    const span = document.createElement("span");
    const minus = document.createElement("button"), plus = document.createElement("button");
    minus.textContent = "−"; plus.textContent = "+";
    minus.title = `one unit fewer in layer ${k + 1}`; plus.title = `one unit more in layer ${k + 1}`;
    const change = (d) => { const l = [...app.settings.layers]; l[k + 1] = Math.max(1, l[k + 1] + d); update({ layers: l }); };
    minus.onclick = () => change(-1); plus.onclick = () => change(+1);
    span.append(`layer ${k + 1}: `, minus, ` ${n} `, plus);
    box.append(span);
  });
}

function option(select, value, label = value) { const o = document.createElement("option"); o.value = value; o.textContent = label; select.append(o); }

function parseValue(text) {
  const t = String(text).trim();
  if (t === "") return null;
  if (t.includes(",")) return t.split(",").map(parseValue);
  const v = Number(t);
  return Number.isFinite(v) && t !== "" ? v : t;
}

function setupControls(hello) {
  const c = hello.choices;
  $("version").textContent = `v${hello.version}`;
  c.speeds.forEach((v) => option($("speed"), v === null ? "max" : v, v === null ? "max" : `${v}/s`));
  $("speed").value = "max";
  c.hidden.forEach((v) => option($("hidden"), v));
  c.init.forEach((v) => option($("init"), v, v === "glorot_normal" ? "xavier (glorot_normal)" : v === "random" ? "random (×10)" : v));
  c.optimizer.forEach((v) => option($("optimizer"), v));
  c.schedule.filter((v) => v !== "scheduled").forEach((v) => option($("schedule"), v));
  Object.entries(FACTORS).forEach(([k, v]) => option($("factor"), k, v));
  for (const name of c.data.filter((d) => d !== "upload")) {
    const b = document.createElement("button"); b.textContent = name; b.dataset.name = name;
    b.onclick = () => update({ data: name, split: null }); $("datasets").append(b);
  }
  for (const [key, label] of Object.entries(c.features)) {
    const b = document.createElement("button"); b.dataset.name = key;
    const cv = document.createElement("canvas"); b.append(cv, label);
    b.onclick = () => {
      const f = new Set(app.settings.features);
      f.has(key) ? f.delete(key) : f.add(key);
      update({ features: [...f] });
    };
    $("features").append(b);
  }
  for (const p of hello.presets) {
    const b = document.createElement("button"); b.textContent = p.title; b.title = p.description; b.dataset.preset = p.name;
    b.onclick = () => send({ type: "preset", name: p.name }); $("presets").append(b);
  }
  const lim = hello.limits;
  $("limits").textContent = `${lim.max_hidden_layers} hidden layers, ${lim.max_units} units a layer, ${lim.max_params} parameters, `
    + `${lim.max_points} points, uploads of ${lim.max_upload_bytes} bytes, ${lim.max_runs} runs side by side, ${lim.max_sessions} sessions`;
  $("limits").title = Object.entries(hello.reasons).map(([k, v]) => `${k}: ${v}`).join("\n");
  wire();
}

function wire() {
  $("play").onclick = () => control(app.frame && app.frame.meta.playing ? "pause" : "play");
  $("step").onclick = () => control("step");
  $("epoch").onclick = () => control("epoch");
  $("reset").onclick = () => control("reset");
  $("speed").onchange = (e) => control("speed", e.target.value === "max" ? null : Number(e.target.value));
  $("new-seed").onclick = () => send({ type: "new_seed" });
  $("lr-range").oninput = (e) => { const v = LR_STEPS[Number(e.target.value)]; $("lr").value = v; app.lrChangedAt = performance.now(); app.lrWanted = v; update({ lr: v }); };
  $("l2-range").oninput = (e) => { const v = L2_STEPS[Number(e.target.value)]; $("l2").value = v; update({ l2: v }); };
  $("keep_prob-range").oninput = (e) => { $("keep_prob").value = e.target.value; update({ keep_prob: Number(e.target.value) }); };
  for (const id of ["lr", "l2", "keep_prob", "init_scale", "batch_size", "seed", "epochs"]) {
    $(id).onchange = (e) => update({ [id]: parseValue(e.target.value) ?? (id === "batch_size" ? "full" : null) });
  }
  for (const id of ["hidden", "init", "optimizer"]) $(id).onchange = (e) => update({ [id]: e.target.value });
  $("schedule").onchange = (e) => update({ schedule: e.target.value === "constant" ? null : e.target.value });
  $("noise").oninput = (e) => { $("noise-value").textContent = e.target.value; };
  $("noise").onchange = (e) => update({ noise: Number(e.target.value) });
  $("split").onchange = (e) => update({ split: Number(e.target.value) });
  $("split-own").onchange = (e) => update({ split: e.target.checked ? null : Number($("split").value) });
  $("n").onchange = (e) => update({ n: Number(e.target.value) });
  $("regenerate").onclick = () => update({ dseed: (app.settings.dseed + 1) % 2 ** 32 });
  $("add-layer").onclick = () => { const l = [...app.settings.layers]; l.splice(l.length - 1, 0, 4); update({ layers: l }); };
  $("remove-layer").onclick = () => { const l = [...app.settings.layers]; if (l.length > 2) l.splice(l.length - 2, 1); update({ layers: l }); };
  $("upload").onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    if (file.size > app.hello.limits.max_upload_bytes) { say(`upload '${file.name}': expected at most ${app.hello.limits.max_upload_bytes} bytes, received ${file.size}`); return; }
    app.ws.send(packUpload(file.name, await file.arrayBuffer()));
    e.target.value = "";
  };
  $("show-test").onchange = () => redraw();
  $("discretize").onchange = () => redraw();
  $("clear-compare").onclick = () => update({ arms: [], preset: null, title: null, epochs: null });
  $("compare").onclick = compareByFactor;
  $("gradcheck").onclick = () => { $("gradcheck-report").textContent = "checking…"; send({ type: "request", what: "gradcheck" }); };
  $("python").onclick = () => send({ type: "request", what: "python" });
  $("toml").onclick = () => send({ type: "request", what: "toml" });
  $("download-model").onclick = () => send({ type: "request", what: "model" });
  $("download-data").onclick = () => send({ type: "request", what: "data" });
  $("share").onclick = async () => {
    const url = `${location.origin}${location.pathname}#${location.hash.slice(1)}`;
    try { await navigator.clipboard.writeText(url); say(`Copied: ${url}`, true); } catch { say(`The link: ${url}`, true); }
  };
  $("copy-export").onclick = async () => {
    try { await navigator.clipboard.writeText($("export-text").textContent); say("Copied.", true); } catch { say("Select the text and copy it.", true); }
  };
  document.addEventListener("keydown", (e) => { if (e.code === "Space" && e.target === document.body) { e.preventDefault(); $("play").click(); } });
  window.addEventListener("hashchange", () => send({ type: "hash", fragment: location.hash }));
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      if (!app.data) return;
      app.net.build(app.data, app.data.runs[app.frame ? app.frame.meta.focus : 0]);
      for (const c of [app.curves, app.acc, app.compare]) if (c) c.resize();
      redraw();
    }, 150);
  });
}

function compareByFactor() {
  const key = $("factor").value;
  const values = [...document.querySelectorAll(".factor-value")].map((i) => i.value.trim()).filter((v) => v !== "");
  if (values.length < 2) { say("compare: expected two to four values of the factor"); return; }
  const arms = values.map((v) => {
    let value = key === "layers" ? v.split(/[:,]/).map(Number) : parseValue(v);
    if (key === "batch_size" && v === "full") value = "full";
    return { name: `${key} ${v}`, [key]: value };
  });
  update({ arms, preset: null, title: `Compare ${FACTORS[key]}: ${values.join(" / ")}` });
}

// ------------------------------------------------------------------------------------- data and views
function onData(m) {
  const meta = m.meta;
  app.data = { ...meta, ...m.arrays, unitGrid: meta.unit_grid };
  app.frame = null;
  app.diagKey = null; app.conclusionsKey = null;
  document.querySelectorAll("#features button").forEach((b) => {
    const k = meta.all_features.indexOf(b.dataset.name);
    paintUnit(b.querySelector("canvas"), m.arrays.feat, k * meta.unit_grid ** 2, meta.unit_grid);
  });
  // the network's input nodes: the selected features' heatmaps, in order
  const g = meta.unit_grid ** 2;
  const inputs = new Uint8Array(meta.feature_keys.length * g);
  meta.feature_keys.forEach((key, i) => { const k = meta.all_features.indexOf(key); inputs.set(m.arrays.feat.subarray(k * g, (k + 1) * g), i * g); });
  app.data.feat = inputs;
  $("data-description").textContent = `${meta.description} · ${meta.n_train} train / ${meta.n_test} test points`;
  buildViews();
}

function buildViews() {
  const d = app.data;
  const focus = app.frame ? app.frame.meta.focus : 0;
  app.net = new NetworkView($("network"));
  app.net.build(d, d.runs[Math.min(focus, d.runs.length - 1)]);
  for (const id of ["cost-chart", "acc-chart", "compare-chart"]) $(id).replaceChildren();
  if (!app.hist || app.hist.gen !== d.gen) {  // every run's curves, kept while the focus moves
    app.hist = d.runs.map(() => ({ cost: [[], [], [], [], []], acc: [[], [], []] }));
    app.hist.gen = d.gen;
    app.compareData = [[], ...d.runs.map(() => [])];
  }
  app.curves = new Curves($("cost-chart"), [
    { label: "train cost", stroke: "#222" }, { label: "data term", stroke: "#888", dash: [4, 3] },
    { label: "L2 term", stroke: "#6a1b9a", dash: [2, 2] }, { label: "test cost", stroke: rgb(NEG) }], { log: true });
  app.acc = new Curves($("acc-chart"), [{ label: "train accuracy", stroke: "#222" }, { label: "test accuracy", stroke: rgb(NEG) }], { range: [0, 1] });
  const h = app.hist[Math.min(focus, d.runs.length - 1)];
  app.curves.show(h.cost); app.acc.show(h.acc);
  $("compare-chart").hidden = d.runs.length < 2;
  app.compare = d.runs.length > 1 ? new Curves($("compare-chart"),
    d.runs.map((r, k) => ({ label: `${r.name} (train cost)`, stroke: RUN_COLORS[k] })), { log: true }) : null;
  if (app.compare) app.compare.show(app.compareData);
  $("compare-chart").hidden = !app.compare;
  const runs = $("runs");
  runs.replaceChildren();
  d.runs.forEach((r, k) => {
    if (d.runs.length < 2) return;
    const card = document.createElement("div");
    card.className = "run"; card.dataset.run = k;
    card.innerHTML = '<b></b><canvas width="176" height="176"></canvas><div class="stats"><div>epoch <span class="epoch"></span></div>'
      + '<div>cost <span class="cost"></span></div><div>accuracy <b class="train-acc"></b> / <b class="test-acc"></b></div>'
      + '<div class="stopped"></div></div>';
    card.querySelector("b").textContent = r.name;
    card.querySelector("b").style.color = RUN_COLORS[k];
    card.onclick = () => control("focus", k);
    runs.append(card);
  });
  if (d.runs.length < 2) $("conclusions").replaceChildren();
}

// ------------------------------------------------------------------------------------- frames
function fmt(v, d = 4) { return v === null || v === undefined ? "–" : Number(v).toFixed(d); }

function drawFrame() {
  app.drawing = false;
  const m = app.pending;
  app.pending = null;
  if (!m || !app.data || m.meta.gen !== app.data.gen) { if (m) send({ type: "ack", seq: m.meta.seq }); return; }
  const prevFocus = app.frame ? app.frame.meta.focus : 0;
  app.frame = m;
  if (m.meta.focus !== prevFocus) { buildViews(); }
  const t0 = performance.now();
  render(m);
  app.renderMs = 0.9 * (app.renderMs || 0) + 0.1 * (performance.now() - t0);
  send({ type: "ack", seq: m.meta.seq });
  app.frameTimes.push(performance.now());
  if (app.frameTimes.length > 200) app.frameTimes.shift();
  app.onFrame.forEach((f) => f(m));
}

function redraw() { if (app.frame) render(app.frame, false); }

function render(m, push = true) {
  const meta = m.meta, d = app.data;
  const run = meta.runs[meta.focus];
  $("play").textContent = meta.playing ? "❚❚ pause" : "▶ play";
  $("play").setAttribute("aria-pressed", String(meta.playing));
  $("epoch-count").textContent = run.epoch;
  $("step-count").textContent = meta.runs.reduce((a, r) => Math.max(a, r.steps), 0);
  $("rate").textContent = Math.round(meta.rate);
  $("focus-name").textContent = meta.runs.length > 1 ? `(${run.name})` : "";
  $("cost").textContent = fmt(run.cost); $("cost-data").textContent = fmt(run.cost_data); $("cost-l2").textContent = fmt(run.cost_l2);
  $("test-cost").textContent = fmt(run.test_cost); $("accuracy").textContent = fmt(run.accuracy, 3); $("test-accuracy").textContent = fmt(run.test_accuracy, 3);
  if (run.stopped && push) say(`${run.name}: ${run.stopped}`);
  const ctx = $("boundary").getContext("2d");
  const opts = { kind: d.kind, discretize: $("discretize").checked };
  paintGrid(ctx, m.arrays[`b${meta.focus}`], d.grid, { ...opts, conf: m.arrays[`c${meta.focus}`] });
  drawPoints(ctx, d, { showTest: $("show-test").checked });
  const now = performance.now();
  const slow = !push || now - (app.slowAt || 0) >= 66;  // the diagram and the charts: at most 15 times a second
  if (slow) { app.slowAt = now; app.net.update(m); }
  const diagKey = JSON.stringify(meta.diag);
  if (diagKey !== app.diagKey) { app.diagKey = diagKey; norms(meta.diag); }
  if (push) {
    meta.runs.forEach((r, k) => {
      pushTo(app.hist[k].cost, r.progress, [r.cost, r.cost_data, r.cost_l2, r.test_cost], true);
      pushTo(app.hist[k].acc, r.progress, [r.accuracy, r.test_accuracy]);
    });
    pushTo(app.compareData, Math.min(...meta.runs.map((r) => r.progress)), meta.runs.map((r) => r.cost), true);
    for (const c of [app.curves, app.acc, app.compare]) if (c) c.dirty = true;
  }
  if (slow) { app.curves.draw(); app.acc.draw(); if (app.compare) app.compare.draw(); }
  cards(m);
  if (meta.conclusions) {
    const key = JSON.stringify(meta.conclusions);
    if (key !== app.conclusionsKey) { app.conclusionsKey = key; conclusions(meta.conclusions); }
  }
}

function norms(diag) {
  const body = $("norms").querySelector("tbody");
  body.replaceChildren(...diag.layers.map((s) => {
    const tr = document.createElement("tr");
    const ident = s.identical.map((g) => `{${g.join(",")}}`).join(" ");
    [s.layer, s.units, fmt(s.w_norm, 3), fmt(s.g_norm, 4), s.dead.length ? `${s.dead.length}: ${s.dead.join(",")}` : "0", ident || "–"]
      .forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.append(td); });
    return tr;
  }));
  $("warnings").replaceChildren(...diag.warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
}

function cards(m) {
  const d = app.data;
  document.querySelectorAll("#runs .run").forEach((card) => {
    const k = Number(card.dataset.run);
    const r = m.meta.runs[k];
    card.classList.toggle("focus", k === m.meta.focus);
    const ctx = card.querySelector("canvas").getContext("2d");
    paintGrid(ctx, m.arrays[`b${k}`], d.grid, { kind: d.kind, conf: m.arrays[`c${k}`], discretize: $("discretize").checked });
    drawPoints(ctx, d, { showTest: $("show-test").checked, radius: 1.8 });
    const set = (cls, text) => { const el = card.querySelector(cls); if (el.textContent !== text) el.textContent = text; };
    set(".epoch", String(r.epoch));
    set(".cost", fmt(r.cost));
    set(".train-acc", fmt(r.accuracy, 3));
    set(".test-acc", fmt(r.test_accuracy, 3));
    set(".stopped", r.stopped ? `stopped: ${r.stopped}` : "");
  });
}

function conclusions(c) {
  const box = $("conclusions");
  box.replaceChildren();
  if (!c) return;
  const head = document.createElement("h3");
  head.textContent = `What to remember (${c.title}), checked live at epoch ${c.epochs} of the course's ${c.course_epochs}`;
  box.append(head);
  if (c.differs && c.differs.length) {
    const p = document.createElement("p"); p.className = "muted small";
    p.textContent = `Settings changed from the course's: ${c.differs.join(", ")}; the lessons are the course's at its settings.`;
    box.append(p);
  }
  const ul = document.createElement("ul"); ul.className = "conclusions";
  for (const item of c.items) {
    const li = document.createElement("li");
    li.className = item.passed === null ? "info" : item.passed ? "pass" : "fail";
    const mark = document.createElement("span"); mark.className = "mark"; mark.textContent = item.symbol;
    const detail = document.createElement("div"); detail.className = "small muted";
    detail.textContent = `Measured: ${item.measured}${item.course ? ` · Course: ${item.course}` : ""}`;
    li.append(mark, item.text, detail);
    ul.append(li);
  }
  box.append(ul);
}

// ------------------------------------------------------------------------------------- replies
function onReply(msg) {
  if (msg.what === "gradcheck") return gradcheck(msg.json);
  $("export").hidden = false;
  $("export-title").textContent = msg.what === "python" ? "Python (dl.fit) that reproduces the run" : "TOML comparison for descentlab run";
  $("export-text").textContent = msg.text;
}

function gradcheck(g) {
  const r = g.report;
  const box = $("gradcheck-report");
  box.replaceChildren();
  const p = document.createElement("p");
  const verdict = document.createElement("b");
  verdict.className = r.passed ? "pass" : "fail";
  p.append(verdict);
  verdict.textContent = `${r.passed ? "PASS" : "FAIL"}: difference ${r.difference.toExponential(3)} (threshold ${r.threshold})`;
  p.append(` · run ${g.run}, ${g.examples} of ${g.of} training examples, epoch ${g.epoch}, ${r.n_params} parameters, ${r.mode}, float64`);
  const table = document.createElement("table");
  table.className = "small";
  table.innerHTML = "<thead><tr><th>parameter</th><th>shape</th><th>difference</th><th>verdict</th></tr></thead><tbody></tbody>";
  for (const q of r.params) {
    const tr = document.createElement("tr");
    [q.name, q.shape.join("×"), q.difference.toExponential(3), q.passed ? "ok" : "FAIL"].forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.append(td); });
    table.querySelector("tbody").append(tr);
  }
  const pre = document.createElement("pre"); pre.textContent = g.text;
  box.append(p, table, pre);
}

function download(name, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url; a.download = name;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

connect();
