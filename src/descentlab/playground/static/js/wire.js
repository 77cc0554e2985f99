// The server's binary messages (descentlab/playground/frames.py): "DLPG", uint32 header length,
// JSON header {kind, meta, arrays: [[name, "u8"|"f32", length], ...]}, then the arrays, 4-byte aligned.
const TYPES = { u8: Uint8Array, f32: Float32Array };

export function unpack(buffer) {
  const bytes = new Uint8Array(buffer);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== "DLPG") throw new Error("not a playground message");
  const n = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  let offset = 8 + n;
  offset += (4 - (offset % 4)) % 4;
  const arrays = {};
  for (const [name, code, length] of header.arrays) {
    const T = TYPES[code];
    arrays[name] = new T(buffer, offset, length);
    const size = length * T.BYTES_PER_ELEMENT;
    offset += size + ((4 - (size % 4)) % 4);
  }
  return { kind: header.kind, meta: header.meta, arrays };
}

// An upload: uint32 header length, a JSON header {name}, then the file's bytes.
export function packUpload(name, fileBytes) {
  const header = new TextEncoder().encode(JSON.stringify({ name }));
  const out = new Uint8Array(4 + header.length + fileBytes.byteLength);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(new Uint8Array(fileBytes), 4 + header.length);
  return out;
}
