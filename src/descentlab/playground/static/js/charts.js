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

  clear() { this.data.forEach((a) => a.splice(0)); this.plot.setData(this.data); }

  // Show another set of columns ([x, ...series], kept up to date with pushTo): a run's own history.
  show(data) { this.data = data; this.dirty = true; }

  push(x, values) { pushTo(this.data, x, values, this.log); this.dirty = true; }

  draw() { if (this.dirty) { this.plot.setData(this.data); this.dirty = false; } }
  resize() { this.plot.setSize(size(this.el)); }
}

// Add one point (x, values) to columns [x, ...series]; a smaller x (a reset) starts over; in place.
export function pushTo(data, x, values, log = false) {
  values = values.map((v) => (v === null || v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v));
  const n = data[0].length;
  const last = n ? data[0][n - 1] : -Infinity;
  if (x < last) data.forEach((a) => a.splice(0));
  if (x === last) values.forEach((v, k) => { data[k + 1][n - 1] = v; });
  else { data[0].push(x); values.forEach((v, k) => data[k + 1].push(v)); }
  if (data[0].length > MAX_POINTS) {
    data.forEach((a) => { const kept = a.filter((_, i) => i % 2 === 0); a.splice(0, a.length, ...kept); });
  }
}
