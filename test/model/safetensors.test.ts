import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLongreadError, type ErrorCode } from '../../engine/errors.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../engine/model/dtype.js';
import { readSafetensorsHeader, readTensorF32, writeSafetensors } from '../../engine/model/safetensors.js';
import type { StorageDType } from '../../engine/model/tensor-types.js';
import { makeTempDir, randomValues, removeTempDirs, writeRawSafetensors } from './fixtures.js';

afterAll(removeTempDirs);

function expectError(fn: () => unknown, code: ErrorCode, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!isLongreadError(caught, code)) throw new Error(`expected LongreadError ${code}, got ${String(caught)}`);
  for (const f of fragments) expect(caught.message).toContain(f);
}

function readAll(file: string): Map<string, Float32Array> {
  const header = readSafetensorsHeader(file);
  const fd = fs.openSync(file, 'r');
  try {
    return new Map(header.tensors.map((t) => [t.name, readTensorF32(fd, t)]));
  } finally {
    fs.closeSync(fd);
  }
}

describe('writeSafetensors + readSafetensorsHeader round trip', () => {
  const stored: Record<StorageDType, (v: Float32Array) => Float32Array> = {
    F32: (v) => v,
    F16: (v) => f16ToF32(f32ToF16(v)),
    BF16: (v) => bf16ToF32(f32ToBf16(v)),
  };

  it.each(['F32', 'F16', 'BF16'] as const)('stores %s tensors and reads them back as float32', async (dtype) => {
    const file = path.join(makeTempDir(), 'w.safetensors');
    const b = randomValues(6, 2);
    let lazyCalls = 0;
    await writeSafetensors(
      file,
      [
        { name: 'b', dtype, shape: [2, 3], data: b },
        { name: 'a', dtype, shape: [5], data: () => (lazyCalls++, new Float32Array([1, -2, 0.1, 65504, 1e-6])) },
        { name: 'scalar', dtype, shape: [], data: new Float32Array([3.5]) },
        { name: 'empty', dtype, shape: [0, 4], data: new Float32Array(0) },
      ],
      { format: 'pt', note: 'test' },
    );
    expect(lazyCalls).toBe(1);
    const header = readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt', note: 'test' });
    expect(header.dataOffset % 8).toBe(0);
    const byName = new Map(header.tensors.map((t) => [t.name, t]));
    expect(byName.get('b')).toMatchObject({ dtype, shape: [2, 3], file, byteLength: 6 * (dtype === 'F32' ? 4 : 2) });
    expect(byName.get('scalar')?.shape).toEqual([]);
    // Data is laid out in name order: a, b, empty, scalar.
    const order = header.tensors.filter((t) => t.byteLength > 0).map((t) => t.name);
    expect(order).toEqual(['a', 'b', 'scalar']);
    expect(byName.get('a')?.byteOffset).toBe(header.dataOffset);
    expect(header.fileSize).toBe(fs.statSync(file).size);

    const values = readAll(file);
    expect(values.get('a')).toEqual(stored[dtype](new Float32Array([1, -2, 0.1, 65504, 1e-6])));
    expect(values.get('b')).toEqual(stored[dtype](b));
    expect(values.get('scalar')).toEqual(new Float32Array([3.5]));
    expect(values.get('empty')?.length).toBe(0);
    if (dtype !== 'F32') expect(values.get('b')).not.toEqual(b); // really stored at 16 bits
  });

  it('pads the header with spaces to an 8-byte boundary', async () => {
    const file = path.join(makeTempDir(), 'pad.safetensors');
    await writeSafetensors(file, [{ name: 'x', dtype: 'F32', shape: [1], data: new Float32Array([1]) }]);
    const bytes = fs.readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const json = bytes.toString('utf8', 8, 8 + n);
    expect(json.trimEnd()).toBe('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    expect(json.length - json.trimEnd().length).toBe((8 - ((8 + json.trimEnd().length) % 8)) % 8);
  });

  it('rejects data whose length does not match the shape and leaves no file behind', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'bad.safetensors');
    await expect(
      writeSafetensors(file, [{ name: 'x', dtype: 'F16', shape: [2, 2], data: new Float32Array(3) }]),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reads tensors at offsets beyond 4 GiB using only small reads (sparse file)', () => {
    const file = path.join(makeTempDir(), 'huge.safetensors');
    const big = 5 * 2 ** 30;
    const header = {
      filler: { dtype: 'F32', shape: [big / 4], data_offsets: [0, big] },
      tail: { dtype: 'BF16', shape: [3], data_offsets: [big, big + 6] },
    };
    writeRawSafetensors(file, header);
    const dataOffset = fs.statSync(file).size;
    const tail = f32ToBf16(new Float32Array([1.5, -2, 8]));
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, new Uint8Array(tail.buffer), 0, 6, dataOffset + big);
    fs.closeSync(fd);

    const parsed = readSafetensorsHeader(file);
    const info = parsed.tensors.find((t) => t.name === 'tail');
    expect(info?.byteOffset).toBe(dataOffset + big);
    const rfd = fs.openSync(file, 'r');
    expect(readTensorF32(rfd, info!)).toEqual(new Float32Array([1.5, -2, 8]));
    fs.closeSync(rfd);
  });
});

describe('readSafetensorsHeader rejects damaged files', () => {
  const dir = makeTempDir();
  const tensor = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

  it('a truncated file: TRUNCATED_SAFETENSORS with the missing byte count', async () => {
    const file = path.join(dir, 'truncated.safetensors');
    await writeSafetensors(file, [
      { name: 'a', dtype: 'F32', shape: [16], data: randomValues(16, 1) },
      { name: 'z', dtype: 'F32', shape: [16], data: randomValues(16, 2) },
    ]);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 10);
    expectError(() => readSafetensorsHeader(file), 'TRUNCATED_SAFETENSORS', file, '"z"', '10 bytes missing', `${size - 10} bytes`);
  });

  it('a file shorter than the length prefix', () => {
    const file = path.join(dir, 'tiny.safetensors');
    fs.writeFileSync(file, Buffer.from([1, 2, 3]));
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, '3 bytes');
  });

  it('a header length larger than the file', () => {
    const file = path.join(dir, 'long-header.safetensors');
    writeRawSafetensors(file, '{}', undefined, 5000n);
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, '5000 bytes', 'only 2 bytes');
  });

  it('an absurd header length', () => {
    const file = path.join(dir, 'absurd.safetensors');
    writeRawSafetensors(file, '{}', undefined, 2n ** 60n);
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, `${2n ** 60n}`, 'limit');
  });

  it('a header that is not JSON', () => {
    const file = path.join(dir, 'bad-json.safetensors');
    writeRawSafetensors(file, '{"a": {"dtype": "F32",');
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, 'not valid JSON');
  });

  it('a header that is JSON but not an object', () => {
    const file = path.join(dir, 'array.safetensors');
    writeRawSafetensors(file, '[1, 2]');
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, 'not a JSON object');
  });

  it.each([
    ['begin after end', [8, 4]],
    ['negative', [-4, 0]],
    ['fractional', [0, 3.5]],
    ['one number', [0]],
  ])('data_offsets %s', (_label, offsets) => {
    const file = path.join(dir, 'offsets.safetensors');
    writeRawSafetensors(file, { w: { dtype: 'F32', shape: [1], data_offsets: offsets } }, new Uint8Array(16));
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, '"w"', 'data_offsets');
  });

  it('a shape that is not a list of counts', () => {
    const file = path.join(dir, 'shape.safetensors');
    writeRawSafetensors(file, { w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', '"w"', 'shape');
  });

  it('overlapping tensors', () => {
    const file = path.join(dir, 'overlap.safetensors');
    writeRawSafetensors(file, { first: tensor('F32', [4], 0, 16), second: tensor('F32', [4], 8, 24) }, new Uint8Array(24));
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, '"first"', '"second"', 'overlap');
  });

  it('adjacent tensors do not count as overlapping', () => {
    const file = path.join(dir, 'adjacent.safetensors');
    writeRawSafetensors(file, { first: tensor('F32', [4], 0, 16), second: tensor('F16', [4], 16, 24) }, new Uint8Array(24));
    expect(readSafetensorsHeader(file).tensors.map((t) => t.name)).toEqual(['first', 'second']);
  });

  it('a byte length that does not match shape × element size', () => {
    const file = path.join(dir, 'length.safetensors');
    writeRawSafetensors(file, { w: tensor('F16', [3, 2], 0, 8) }, new Uint8Array(8));
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, '"w"', 'needs 12 bytes', 'span 8');
  });

  it.each(['I8', 'F64'])('an unsupported dtype %s', (dtype) => {
    const file = path.join(dir, `dtype-${dtype}.safetensors`);
    writeRawSafetensors(file, { 'model.layers.0.weight': tensor(dtype, [2], 0, dtype === 'I8' ? 2 : 16) }, new Uint8Array(16));
    expectError(() => readSafetensorsHeader(file), 'UNSUPPORTED_DTYPE', file, dtype, '"model.layers.0.weight"', 'F32, F16, BF16');
  });

  it('metadata values that are not strings', () => {
    const file = path.join(dir, 'metadata.safetensors');
    writeRawSafetensors(file, { __metadata__: { format: 1 } });
    expectError(() => readSafetensorsHeader(file), 'CORRUPT_SAFETENSORS', file, 'format');
  });

  it('a file that does not exist', () => {
    expectError(() => readSafetensorsHeader(path.join(dir, 'nope.safetensors')), 'MISSING_FILE', 'nope.safetensors');
  });
});
