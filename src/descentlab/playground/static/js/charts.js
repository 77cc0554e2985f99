// The cost and accuracy curves (uPlot, vendored): one point per frame, against the epochs trained.
const MAX_POINTS = 3000;

function size(el) { return { width: Math.max(el.clientWidth, 260), height: 150 }; }

export class Curves {
  constructor(el, series, { log = false, range = null } = {}) {
    this.el = el;
    this.names = series.map((s) => s.label);
    this.data = [[], ...series.map(() => [])];
    const opts = {
      ...size(el), legend: { live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: log ? { distr: 3 } : range ? { range } : {} },
      axes: [{ label: "epoch", size: 30 }, { size: 48 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, dash: s.dash, width: 1.6, points: { show: false } }))],
    };
    this.plot = new uPlot(opts, this.data, el);
    this.log = log;
    this.dirty = false;
  }

  clear() { this.data = this.data.map(() => []); this.plot.setData(this.data); }

  push(x, values) {
    values = values.map((v) => (v === null || v === undefined || !Number.isFinite(v) || (this.log && v <= 0) ? null : v));
    const last = this.data[0].length ? this.data[0][this.data[0].length - 1] : -Infinity;
    if (x < last) this.clear();
    if (x === last) values.forEach((v, k) => { this.data[k + 1][this.data[0].length - 1] = v; });
    else { this.data[0].push(x); values.forEach((v, k) => this.data[k + 1].push(v)); }
    if (this.data[0].length > MAX_POINTS) this.data = this.data.map((a) => a.filter((_, i) => i % 2 === 0));
    this.dirty = true;
  }

  draw() { if (this.dirty) { this.plot.setData(this.data); this.dirty = false; } }
  resize() { this.plot.setSize(size(this.el)); }
}
