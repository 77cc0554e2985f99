// TensorFlow Playground's palette: orange for class 0 / negative, blue for class 1 / positive, white between.
export const NEG = [245, 147, 34];
export const POS = [8, 119, 189];
const WHITE = [255, 255, 255];
export const CLASSES = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [170, 60, 160], [214, 39, 40], [140, 86, 75], [127, 127, 127], [23, 190, 207]];

function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }

// byte 0..255 -> colour: 0 orange, 128 white, 255 blue; `light` fades it for a background.
export const DIVERGING = (() => {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i - 127.5) / 127.5;
    const c = t < 0 ? mix(WHITE, NEG, -t) : mix(WHITE, POS, t);
    table.set(c.map(Math.round), i * 3);
  }
  return table;
})();

export function rgb(c, alpha = 1) { return `rgba(${c[0]},${c[1]},${c[2]},${alpha})`; }
