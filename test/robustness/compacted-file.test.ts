import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPACTED_FILE_VERSION, decodeCompactedDocument, loadCompactedDocument } from '../../engine/cache/compacted-file.js';
import { bytesPerSlot } from '../../engine/cache/compacted-header.js';
import { expectCodedError, expectCodedOutcome, POSIX, replaceWith, runIsolated, tempDir } from './helpers.js';
import { joinLrkv, LRKV_INFO, LRKV_SHAPE, sampleLrkv, splitLrkv } from './lrkv.js';

const root = tempDir('robust-lrkv');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const expected = { modelFingerprint: LRKV_INFO.modelFingerprint, shape: LRKV_SHAPE };

type Header = Record<string, unknown> & { shape: Record<string, unknown>; used: unknown[] };

/** The sample file with its header edited and its checksum recomputed. */
function withHeader(edit: (h: Header) => unknown): Buffer {
  const parts = splitLrkv(sampleLrkv());
  const header = structuredClone(parts.header) as Header;
  const replaced = edit(header);
  return joinLrkv({ ...parts, header: replaced === undefined ? header : replaced });
}

describe('LRKV headers whose checksum was recomputed after editing', () => {
  const cases: [string, (h: Header) => unknown, RegExp][] = [
    ['the header is null', () => null, /header field \(root\)/],
    ['the header is a list', () => [1, 2], /header field \(root\)/],
    ['modelFingerprint is a number', (h) => void (h.modelFingerprint = 7), /modelFingerprint/],
    ['prefixIds is a string', (h) => void (h.prefixIds = 'abc'), /prefixIds/],
    ['a suffix id is negative', (h) => void (h.suffixIds = [-1]), /suffixIds\.0/],
    ['compaction is a string', (h) => void (h.compaction = 'am'), /compaction/],
    ['shape is missing', (h) => void delete (h as Partial<Header>).shape, /shape/],
    ['shape.numLayers is a string', (h) => void (h.shape.numLayers = '2'), /shape\.numLayers/],
    ['headDim is 0', (h) => void (h.shape.headDim = 0), /shape\.headDim/],
    ['logicalLength is negative', (h) => void (h.logicalLength = -5), /logicalLength/],
    ['logicalLength is NaN (null in JSON)', (h) => void (h.logicalLength = NaN), /logicalLength/],
    ['used is missing', (h) => void delete (h as Partial<Header>).used, /used/],
    ['used has a layer too few', (h) => void h.used.pop(), /slot table does not have 2 layers of 2 heads/],
    ['used[0] is a number', (h) => void (h.used[0] = 3), /used\.0/],
    ['a head has a negative slot count', (h) => void ((h.used[0] as number[])[0] = -1), /used\.0\.0/],
    ['a head holds more slots than the document has tokens', (h) => void (h.logicalLength = 2), /holds 6 slots, more than the document's 2 tokens/],
    ['a slot count that does not match the payload', (h) => void ((h.used[1] as number[])[1] = 5), /implies a \d+-byte payload, the file holds \d+ bytes/],
    ['a head dimension that does not match the payload', (h) => void (h.shape.headDim = 8), /implies a \d+-byte payload/],
  ];
  for (const [name, edit, message] of cases) {
    it(name, async () => {
      await expectCodedError(() => decodeCompactedDocument(withHeader(edit), expected), 'CACHE_FILE', message);
    });
  }

  it('numLayers: 1e8 is refused before anything is allocated (in a child process: without the check it needs gigabytes)', async () => {
    const file = path.join(root, 'layers.lrkv');
    fs.writeFileSync(file, withHeader((h) => void (h.shape.numLayers = 1e8)));
    expectCodedOutcome(await runIsolated('lrkv', file), 'CACHE_FILE', /shape\.numLayers/);
  });

  it('a header length beyond the end of the file', async () => {
    const parts = splitLrkv(sampleLrkv());
    const file = joinLrkv(parts);
    file.writeUInt32LE(file.length, 8);
    const body = file.subarray(0, file.length - 32);
    const { createHash } = await import('node:crypto');
    createHash('sha256').update(body).digest().copy(file, file.length - 32);
    await expectCodedError(() => decodeCompactedDocument(file, expected), 'CACHE_FILE', /header longer than the file/);
  });

  it('a NaN in the payload', async () => {
    const parts = splitLrkv(sampleLrkv());
    const payload = Buffer.from(parts.payload);
    payload.writeFloatLE(NaN, 8);
    await expectCodedError(() => decodeCompactedDocument(joinLrkv({ ...parts, payload }), expected), 'CACHE_FILE', /non-finite key \(NaN\)/);
  });

  it("another model's shape (with this model's fingerprint) is refused", async () => {
    // a consistent file of 2 layers × 1 KV head × 4 dims, 6 tokens
    const file = withHeader((h) => {
      h.shape.numKvHeads = 1;
      h.used = [[6], [6]];
    });
    const parts = splitLrkv(file);
    const payload = Buffer.alloc(2 * 6 * bytesPerSlot(4, COMPACTED_FILE_VERSION));
    await expectCodedError(
      () => decodeCompactedDocument(joinLrkv({ ...parts, payload }), expected),
      'CACHE_FILE',
      /holds a cache of 2 layers × 1 KV heads × 4 dims, the loaded model has 2 layers × 2 KV heads × 4 dims/,
    );
  });

  it('a sound file still loads, with the slots it held', () => {
    const { cache, info } = decodeCompactedDocument(sampleLrkv(), expected);
    expect(info).toEqual(LRKV_INFO);
    expect(cache.logicalLength).toBe(6);
    expect(cache.layers.map((l) => Array.from(l.used))).toEqual([
      [6, 4],
      [6, 4],
    ]);
  });
});

describe('an LRKV path that is not a regular file', () => {
  it('a directory is CACHE_FILE', async () => {
    const dir = path.join(root, 'folder.lrkv');
    fs.mkdirSync(dir);
    await expectCodedError(() => loadCompactedDocument(dir, expected), 'CACHE_FILE', /folder\.lrkv is a folder, not a regular file/);
  });

  it.skipIf(!POSIX)('a FIFO is CACHE_FILE (it would block a plain read forever)', async () => {
    const fifo = path.join(root, 'fifo.lrkv');
    fs.writeFileSync(fifo, '');
    replaceWith(fifo, 'fifo');
    expectCodedOutcome(await runIsolated('lrkv', fifo), 'CACHE_FILE', /fifo\.lrkv is a named pipe/);
  });
});
