import { describe, expect, it } from 'vitest';
import { decodeBinaryFrame, encodeBinaryFrame, hasTypedArrays } from '../../common/binary-frame.js';
import { retentionSchema } from '../../common/contract.js';

/** One array of every kind the frame carries, with odd lengths so that every buffer after the first needs padding. */
function everyKind() {
  return {
    u8: Uint8Array.from([0, 1, 255]),
    i8: Int8Array.from([-128, 0, 127]),
    u16: Uint16Array.from([0, 65535, 7]),
    i16: Int16Array.from([-32768, 32767, -1, 5, 9]),
    u32: Uint32Array.from([0, 2 ** 32 - 1, 123456789]),
    i32: Int32Array.from([-(2 ** 31), 2 ** 31 - 1, -7]),
    f32: Float32Array.from([0, -0, 1.5, NaN, Infinity, -Infinity, 3.4e38, 1e-45, Math.fround(0.1)]),
    f64: Float64Array.from([Math.PI, -0, NaN, Number.MAX_VALUE, Number.MIN_VALUE]),
  };
}

function expectSameArray(actual: unknown, expected: ArrayBufferView & ArrayLike<number>) {
  expect(actual).toBeInstanceOf(expected.constructor);
  const a = actual as ArrayLike<number>;
  expect(a.length).toBe(expected.length);
  // Object.is keeps -0 and NaN apart from 0 and each other, which toEqual on numbers would blur.
  for (let i = 0; i < expected.length; i++) expect(Object.is(a[i], expected[i]), `index ${i}: ${a[i]} vs ${expected[i]}`).toBe(true);
}

describe('binary frame', () => {
  it('round-trips nested values holding every typed array kind, at odd lengths, bit for bit', () => {
    const arrays = everyKind();
    const value = {
      name: 'héllo 日本 🦜',
      n: 42,
      flag: true,
      nothing: null,
      list: [1, 'two', { deep: arrays.f64 }, [arrays.u8, arrays.i8]],
      nested: { a: { b: { c: arrays.u16, d: [arrays.i16, { e: arrays.u32 }] } } },
      i32: arrays.i32,
      f32: arrays.f32,
    };
    const frame = encodeBinaryFrame(value);
    expect(frame.byteLength % 8).toBe(0);
    const back = decodeBinaryFrame(frame) as typeof value;
    expect(back.name).toBe(value.name);
    expect(back.n).toBe(42);
    expect(back.flag).toBe(true);
    expect(back.nothing).toBeNull();
    expect(back.list[0]).toBe(1);
    expect(back.list[1]).toBe('two');
    expectSameArray((back.list[2] as { deep: unknown }).deep, arrays.f64);
    expectSameArray((back.list[3] as unknown[])[0], arrays.u8);
    expectSameArray((back.list[3] as unknown[])[1], arrays.i8);
    expectSameArray(back.nested.a.b.c, arrays.u16);
    expectSameArray(back.nested.a.b.d[0], arrays.i16);
    expectSameArray((back.nested.a.b.d[1] as { e: unknown }).e, arrays.u32);
    expectSameArray(back.i32, arrays.i32);
    expectSameArray(back.f32, arrays.f32);
  });

  it('decodes arrays that are aligned for their element size, whatever the JSON length before them', () => {
    // JSON lengths 1..16 bytes past a multiple of 8: each must still give an aligned, readable Float64Array.
    for (let pad = 0; pad < 16; pad++) {
      const value = { s: 'x'.repeat(pad), a: Uint8Array.from([1, 2, 3]), b: Float64Array.from([pad, -pad]) };
      const back = decodeBinaryFrame(encodeBinaryFrame(value)) as typeof value;
      expect(back.s).toBe(value.s);
      expectSameArray(back.a, value.a);
      expect(back.b.byteOffset % 8).toBe(0);
      expectSameArray(back.b, value.b);
    }
  });

  it('round-trips empty arrays of every kind, and arrays at the top level', () => {
    const empties = Object.fromEntries(Object.entries(everyKind()).map(([k, a]) => [k, new (a.constructor as new (n: number) => typeof a)(0)]));
    const back = decodeBinaryFrame(encodeBinaryFrame(empties)) as Record<string, ArrayLike<number>>;
    for (const [k, a] of Object.entries(empties)) expectSameArray(back[k], a);
    expectSameArray(decodeBinaryFrame(encodeBinaryFrame(Int16Array.from([3, -4, 5]))), Int16Array.from([3, -4, 5]));
    expect(decodeBinaryFrame(encodeBinaryFrame({ plain: [1, 2], s: '' }))).toEqual({ plain: [1, 2], s: '' });
  });

  it('encodes only the bytes of a view (subarray at an offset), and the same array referenced twice', () => {
    const backing = Float32Array.from([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    const bytes = new Uint8Array(new ArrayBuffer(11), 3, 5);
    bytes.set([5, 4, 3, 2, 1]);
    const back = decodeBinaryFrame(encodeBinaryFrame({ view, bytes, again: view })) as { view: Float32Array; bytes: Uint8Array; again: Float32Array };
    expectSameArray(back.view, Float32Array.from([1, 2, 3]));
    expectSameArray(back.bytes, Uint8Array.from([5, 4, 3, 2, 1]));
    expectSameArray(back.again, Float32Array.from([1, 2, 3]));
  });

  it('keeps a Node Buffer binary: it is a Uint8Array, though it has its own toJSON', () => {
    const back = decodeBinaryFrame(encodeBinaryFrame({ bytes: Buffer.from([1, 2, 250]) })) as { bytes: unknown };
    expectSameArray(back.bytes, Uint8Array.from([1, 2, 250]));
  });

  it('decodes a frame that sits at an unaligned offset of a larger buffer (an HTTP body slice)', () => {
    const frame = encodeBinaryFrame({ f: Float64Array.from([1.25, -2.5]), i: Int32Array.from([7]) });
    const big = new Uint8Array(frame.byteLength + 5);
    big.set(frame, 3);
    const back = decodeBinaryFrame(big.subarray(3, 3 + frame.byteLength)) as { f: Float64Array; i: Int32Array };
    expectSameArray(back.f, Float64Array.from([1.25, -2.5]));
    expectSameArray(back.i, Int32Array.from([7]));
  });

  it('gives arrays that do not share the frame buffer', () => {
    const frame = encodeBinaryFrame({ a: Uint8Array.from([1, 2, 3]) });
    const back = decodeBinaryFrame(frame) as { a: Uint8Array };
    frame.fill(0);
    expectSameArray(back.a, Uint8Array.from([1, 2, 3]));
  });

  it('keeps a retention reply valid for the contract after the trip', () => {
    const retention = {
      documentId: 'doc-1',
      numLayers: 2,
      numKvHeads: 1,
      documentTokens: 3,
      counts: Uint16Array.from([2, 0, 1]),
      charOffsets: Int32Array.from([0, 1, 1, 4, 4, 5]),
      headSlots: Int32Array.from([2, 1]),
      headMeanBeta: Float32Array.from([0.5, -1]),
      head: { layer: 1, head: 0, tokens: Int32Array.from([0]), beta: Float32Array.from([-1]) },
      allHeads: { offsets: Int32Array.from([0, 2, 3]), tokens: Int32Array.from([0, 2, 0]), beta: Float32Array.from([0.5, 0.5, -1]) },
    };
    const back = retentionSchema.parse(decodeBinaryFrame(encodeBinaryFrame(retentionSchema.parse(retention))));
    expectSameArray(back.counts, retention.counts);
    expectSameArray(back.head!.beta, retention.head.beta);
  });

  it('refuses a frame with a bad magic, too short, or truncated in the JSON or in a buffer', () => {
    const frame = encodeBinaryFrame({ a: Float32Array.from([1, 2, 3]), b: 'text' });
    const badMagic = frame.slice();
    badMagic[0] ^= 0xff;
    expect(() => decodeBinaryFrame(badMagic)).toThrow(/not a binary frame/);
    expect(() => decodeBinaryFrame(frame.subarray(0, 7))).toThrow(/too short/);
    expect(() => decodeBinaryFrame(new Uint8Array(0))).toThrow(/too short/);
    const jsonLength = new DataView(frame.buffer).getUint32(4, true);
    expect(() => decodeBinaryFrame(frame.subarray(0, 8 + jsonLength - 1))).toThrow(/truncated/);
    // The 12 bytes of the Float32Array end at frame.byteLength - 4 (4 bytes of padding): cut into them.
    expect(() => decodeBinaryFrame(frame.subarray(0, frame.byteLength - 5))).toThrow(/truncated/);
    expect(() => decodeBinaryFrame(new TextEncoder().encode('{"a":1}'))).toThrow(/not a binary frame|too short/);
  });

  it('refuses a reference to an array type it does not know', () => {
    for (const type of ['BigInt64Array', 'toString', '__proto__']) {
      const json = new TextEncoder().encode(JSON.stringify({ a: { $binary: 0, type, length: 1 } }));
      const frame = new Uint8Array(8 + ((json.length + 7) & ~7) + 8);
      new DataView(frame.buffer).setUint32(0, 0x4642524c, true);
      new DataView(frame.buffer).setUint32(4, json.length, true);
      frame.set(json, 8);
      expect(() => decodeBinaryFrame(frame), type).toThrow();
    }
  });

  it('hasTypedArrays finds a typed array anywhere and nothing in plain JSON', () => {
    expect(hasTypedArrays(new Float32Array(0))).toBe(true);
    expect(hasTypedArrays({ a: [{ b: { c: [1, Int8Array.from([1])] } }] })).toBe(true);
    expect(hasTypedArrays([null, { x: new Uint16Array(2) }])).toBe(true);
    expect(hasTypedArrays({ a: [1, 'x', { b: null }], c: true })).toBe(false);
    expect(hasTypedArrays(null)).toBe(false);
    expect(hasTypedArrays(undefined)).toBe(false);
    expect(hasTypedArrays('Float32Array')).toBe(false);
    expect(hasTypedArrays(42)).toBe(false);
    expect(hasTypedArrays([])).toBe(false);
  });
});
