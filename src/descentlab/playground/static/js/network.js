// The network as TensorFlow Playground draws it: one column per layer, each unit a small heatmap of its
// own output over the input plane, edges coloured by the sign of their weight and as wide as it is large.
// Hovering a unit or an edge shows its current values, updated with every frame.
import { paintUnit } from "./boundary.js";
import { NEG, POS, rgb } from "./colors.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 34, ROW = 44, TOP = 22;

export class NetworkView {
  constructor(root) {
    this.root = root;
    this.svg = root.querySelector("svg");
    this.nodes = root.querySelector("#nodes");
    this.tip = root.querySelector("#tooltip");
    this.hover = null;
    this.frame = null;
  }

  build(data, run) {
    this.data = data;
    this.dims = run.layers;
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
    const width = Math.max(this.root.clientWidth, 320);
    const cols = this.dims.length;
    const height = TOP + Math.max(...this.dims) * ROW + 10;
    this.root.style.height = `${height}px`;
    const xs = this.dims.map((_, l) => 12 + (l * (width - NODE - 40)) / Math.max(cols - 1, 1));
    this.pos = this.dims.map((n, l) => Array.from({ length: n }, (_, i) => [xs[l], TOP + i * ROW + ((Math.max(...this.dims) - n) * ROW) / 2]));
    this.offsets = [];
    let off = 0;
    for (let l = 1; l < cols; l++) { this.offsets.push(off); off += this.dims[l] * (this.dims[l - 1] + 1); }
    this.edges = [];
    for (let l = 1; l < cols; l++) {
      for (let i = 0; i < this.dims[l]; i++) {
        for (let j = 0; j < this.dims[l - 1]; j++) this.edges.push(this._edge(l, i, j));
      }
    }
    this.units = [];
    this.pos.forEach((column, l) => column.forEach(([x, y], i) => this._node(l, i, x, y)));
    this._labels(xs);
  }

  _edge(l, i, j) {
    const [x0, y0] = this.pos[l - 1][j], [x1, y1] = this.pos[l][i];
    const line = document.createElementNS(SVG, "path");
    const d = `M${x0 + NODE},${y0 + NODE / 2} C${(x0 + NODE + x1) / 2},${y0 + NODE / 2} ${(x0 + NODE + x1) / 2},${y1 + NODE / 2} ${x1},${y1 + NODE / 2}`;
    line.setAttribute("d", d);
    line.setAttribute("fill", "none");
    const hit = line.cloneNode();
    hit.setAttribute("stroke", "transparent");
    hit.setAttribute("stroke-width", "7");
    hit.addEventListener("mouseenter", (e) => { this.hover = { edge: [l, i, j], x: e.offsetX, y: e.offsetY }; this._tip(); });
    hit.addEventListener("mouseleave", () => { this.hover = null; this.tip.hidden = true; });
    this.svg.append(line, hit);
    return { line, l, i, j };
  }

  _node(l, i, x, y) {
    const div = document.createElement("div");
    div.className = "node" + (l === 0 ? " input" : "");
    div.style.left = `${x}px`; div.style.top = `${y}px`;
    const canvas = document.createElement("canvas");
    div.append(canvas);
    div.dataset.layer = l; div.dataset.unit = i;
    div.addEventListener("mouseenter", () => { this.hover = { node: [l, i], x: x + NODE + 6, y }; this._tip(); });
    div.addEventListener("mouseleave", () => { this.hover = null; this.tip.hidden = true; });
    this.nodes.append(div);
    if (l === 0) paintUnit(canvas, this.data.feat, i * this.data.unitGrid ** 2, this.data.unitGrid);
    else this.units.push({ div, canvas, l, i });
  }

  _labels(xs) {
    const names = ["input", ...this.dims.slice(1, -1).map((n, k) => `layer ${k + 1}`), "output"];
    xs.forEach((x, l) => {
      const s = document.createElement("div");
      s.className = "label"; s.style.left = `${x}px`; s.style.top = "2px";
      s.textContent = names[l];
      this.nodes.append(s);
    });
    this.pos[0].forEach(([x, y], i) => {
      const s = document.createElement("div");
      s.className = "label"; s.style.left = `${x + NODE + 3}px`; s.style.top = `${y - 12}px`;
      s.textContent = this.data.features[i];
      this.nodes.append(s);
    });
  }

  weight(l, i, j) { const t = this.frame.arrays.theta; return t[this.offsets[l - 1] + i * (this.dims[l - 1] + 1) + j]; }
  bias(l, i) { return this.weight(l, i, this.dims[l - 1]); }

  update(frame) {
    this.frame = frame;
    for (const e of this.edges) {
      const w = this.weight(e.l, e.i, e.j);
      e.line.setAttribute("stroke", rgb(w >= 0 ? POS : NEG, 0.75));
      e.line.setAttribute("stroke-width", (0.4 + Math.min(6, 2.5 * Math.abs(w))).toFixed(2));
    }
    const { units, uscale } = frame.arrays;
    const g = this.data.unitGrid ** 2;
    const layers = frame.meta.diag.layers;
    const groupOf = new Map();
    layers.forEach((s) => s.identical.forEach((group, k) => group.forEach((u) => groupOf.set(`${s.layer}:${u}`, String.fromCharCode(65 + k)))));
    this.units.forEach((u, k) => {
      paintUnit(u.canvas, units, k * g, this.data.unitGrid);
      const stats = layers[u.l - 1];
      const dead = stats && stats.dead.includes(u.i);
      u.div.classList.toggle("dead", !!dead);
      u.div.title = "";
      let badge = u.div.querySelector(".badge");
      const group = groupOf.get(`${u.l}:${u.i}`);
      if (group && !badge) { badge = document.createElement("span"); badge.className = "badge"; u.div.append(badge); }
      if (badge) { if (group) badge.textContent = `≡${group}`; else badge.remove(); }
      u.scale = uscale[k];
      u.dead = dead;
    });
    if (this.hover) this._tip();
  }

  _tip() {
    if (!this.frame || !this.hover) return;
    const h = this.hover;
    let text;
    if (h.edge) {
      const [l, i, j] = h.edge;
      text = `W${l}[${i}, ${j}] = ${this.weight(l, i, j).toPrecision(5)}`;
    } else {
      const [l, i] = h.node;
      if (l === 0) text = `input ${this.data.features[i]}`;
      else {
        const u = this.units.find((v) => v.l === l && v.i === i);
        const kind = l === this.dims.length - 1 ? "output" : `layer ${l}`;
        text = `${kind}, unit ${i}\nb${l}[${i}] = ${this.bias(l, i).toPrecision(5)}\noutput within ±${(u.scale ?? 0).toPrecision(4)}`;
        if (u.dead) text += "\ndead: 0 for every training example";
        const group = u.div.querySelector(".badge");
        if (group) text += `\nidentical to the other ${group.textContent} units`;
      }
    }
    this.tip.textContent = text;
    this.tip.style.left = `${h.x + 8}px`; this.tip.style.top = `${h.y + 8}px`;
    this.tip.hidden = false;
  }
}
