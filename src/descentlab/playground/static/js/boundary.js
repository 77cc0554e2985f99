// The decision boundary (or regression surface) on a canvas: a grid x grid image from the frame's bytes,
// scaled to the canvas, and the training and test points over it.
import { CLASSES, DIVERGING, NEG, POS, rgb } from "./colors.js";

const scratch = new Map();

function gridCanvas(n) {
  if (!scratch.has(n)) { const c = document.createElement("canvas"); c.width = c.height = n; scratch.set(n, c); }
  return scratch.get(n);
}

// values: Uint8Array grid*grid (P(class 1) as bytes, or class indices for multiclass with `conf`).
export function paintGrid(ctx, values, n, { kind, conf = null, discretize = false, fade = 0.55 }) {
  const g = gridCanvas(n);
  const gctx = g.getContext("2d");
  const img = gctx.createImageData(n, n);
  const px = img.data;
  for (let i = 0; i < n * n; i++) {
    let r, gr, b;
    if (kind === "multiclass") {
      const c = CLASSES[values[i] % CLASSES.length];
      const t = discretize ? 1 : conf[i] / 255;
      r = 255 + (c[0] - 255) * t; gr = 255 + (c[1] - 255) * t; b = 255 + (c[2] - 255) * t;
    } else {
      let v = values[i];
      if (discretize && kind === "binary") v = v >= 128 ? 255 : 0;
      r = DIVERGING[v * 3]; gr = DIVERGING[v * 3 + 1]; b = DIVERGING[v * 3 + 2];
    }
    // fade toward white so the points stand out, as TensorFlow Playground does
    px[i * 4] = 255 + (r - 255) * fade; px[i * 4 + 1] = 255 + (gr - 255) * fade; px[i * 4 + 2] = 255 + (b - 255) * fade;
    px[i * 4 + 3] = 255;
  }
  gctx.putImageData(img, 0, 0);
  const { width, height } = ctx.canvas;
  ctx.imageSmoothingEnabled = !discretize;
  ctx.drawImage(g, 0, 0, width, height);
}

function pointColor(label, kind, target) {
  if (kind === "multiclass") return CLASSES[label % CLASSES.length];
  if (kind === "regression") {
    const t = (label - target[0]) / ((target[1] - target[0]) || 1);
    return t < 0.5 ? NEG : POS;
  }
  return label >= 0.5 ? POS : NEG;
}

export function drawPoints(ctx, data, { showTest = true, radius = 3 } = {}) {
  const [x0, x1, y0, y1] = data.extent;
  const { width, height } = ctx.canvas;
  const sx = width / (x1 - x0), sy = height / (y1 - y0);
  const draw = (X, y, test) => {
    if (!X) return;
    for (let i = 0; i < y.length; i++) {
      const px = (X[2 * i] - x0) * sx, py = (y1 - X[2 * i + 1]) * sy;
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      const c = pointColor(y[i], data.kind, data.target);
      if (test) { ctx.fillStyle = "#fff"; ctx.fill(); ctx.lineWidth = 1.6; ctx.strokeStyle = rgb(c); ctx.stroke(); }
      else { ctx.fillStyle = rgb(c); ctx.fill(); ctx.lineWidth = 0.8; ctx.strokeStyle = "#fff"; ctx.stroke(); }
    }
  };
  draw(data.xtr, data.ytr, false);
  if (showTest) draw(data.xte, data.yte, true);
}

// A unit's heatmap: bytes around 128 (its own symmetric scale) on a small canvas.
export function paintUnit(canvas, bytes, offset, n) {
  canvas.width = canvas.height = n;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = bytes[offset + i];
    img.data[i * 4] = DIVERGING[v * 3]; img.data[i * 4 + 1] = DIVERGING[v * 3 + 1]; img.data[i * 4 + 2] = DIVERGING[v * 3 + 2];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
