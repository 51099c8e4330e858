/**
 * JSON with typed arrays kept binary: every ArrayBufferView in the value is replaced by a reference and its bytes are
 * appended after the JSON, 8-byte aligned. Used where a reply carries bulk data (retention maps) over a transport
 * that has no structured clone (HTTP). Works in Node and in the browser.
 *
 * Layout: u32 magic "LRBF" | u32 JSON byte length | JSON (utf-8) | padding to 8 | buffers, each padded to 8.
 */

const MAGIC = 0x4642524c; // "LRBF" little-endian

const TYPED = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

interface BinaryRef {
  $binary: number;
  type: TypedName;
  length: number;
}

function typedName(v: unknown): TypedName | null {
  for (const name of Object.keys(TYPED) as TypedName[]) if (v instanceof TYPED[name]) return name;
  return null;
}

const pad8 = (n: number) => (n + 7) & ~7;

export function encodeBinaryFrame(value: unknown): Uint8Array<ArrayBuffer> {
  const buffers: Typed[] = [];
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    // JSON.stringify has already applied toJSON (a Buffer becomes {type, data}): look at the value itself.
    const raw = this[key];
    if (typedName(raw)) v = raw;
    const name = typedName(v);
    if (!name) return v;
    buffers.push(v as Typed);
    return { $binary: buffers.length - 1, type: name, length: (v as Typed).length } satisfies BinaryRef;
  });
  const jsonBytes = new TextEncoder().encode(json);
  let size = pad8(8 + jsonBytes.length);
  for (const b of buffers) size += pad8(b.byteLength);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, jsonBytes.length, true);
  out.set(jsonBytes, 8);
  let at = pad8(8 + jsonBytes.length);
  for (const b of buffers) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += pad8(b.byteLength);
  }
  return out;
}

export function decodeBinaryFrame(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 8) throw new Error('binary frame too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a binary frame');
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.byteLength) throw new Error('binary frame truncated');
  const refs: BinaryRef[] = [];
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength)), (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$binary' in v) refs.push(v as BinaryRef);
    return v;
  });
  // Buffers follow in the order they were referenced, which is the order JSON.parse revives them.
  refs.sort((a, b) => a.$binary - b.$binary);
  const arrays: Typed[] = [];
  let at = pad8(8 + jsonLength);
  for (const ref of refs) {
    const Ctor = TYPED[ref.type];
    if (!Ctor) throw new Error(`unknown array type ${String(ref.type)}`);
    const byteLength = ref.length * Ctor.BYTES_PER_ELEMENT;
    if (at + byteLength > bytes.byteLength) throw new Error('binary frame truncated');
    // A copy: aligned, and independent of the frame's buffer.
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(at, at + byteLength));
    arrays[ref.$binary] = new Ctor(copy.buffer) as Typed;
    at += pad8(byteLength);
  }
  return revive(value, arrays);
}

function revive(v: unknown, arrays: Typed[]): unknown {
  if (Array.isArray(v)) return v.map((x) => revive(x, arrays));
  if (v && typeof v === 'object') {
    if ('$binary' in v) return arrays[(v as BinaryRef).$binary];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x, arrays)]));
  }
  return v;
}

/** Whether a value holds typed arrays anywhere (then it must travel as a binary frame over HTTP). */
export function hasTypedArrays(v: unknown): boolean {
  if (ArrayBuffer.isView(v)) return true;
  if (Array.isArray(v)) return v.some(hasTypedArrays);
  if (v && typeof v === 'object') return Object.values(v).some(hasTypedArrays);
  return false;
}
