import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCompactedDocument } from '../../engine/cache/compacted-file.js';
import { isLongreadError } from '../../engine/errors.js';
import { specFromConfig } from '../../engine/model/families/index.js';
import { readSafetensorsHeaderFd, readTensorF32, writeSafetensors } from '../../engine/model/safetensors.js';
import { expectedTensorCount } from '../../engine/model/spec.js';
import { TINY_LLAMA_CONFIG } from '../helpers/model-folder.js';
import { joinLrkv, LRKV_INFO, LRKV_SHAPE, sampleLrkv, splitLrkv } from './lrkv.js';
import { flipBytes, mutateJson, pick, random, type Random } from './mutate.js';
import { tempDir } from './helpers.js';

/*
 * Bounded fuzzing: a few thousand mutated inputs per reader, seeded so a failure can be replayed. Every input must give
 * a result or a LongreadError: never another exception, a crash or a hang.
 */
const CASES = 5000;
const root = tempDir('robust-fuzz');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Tally {
  results: number;
  errors: number;
  failures: string[];
}

function fuzz(name: string, seed: number, makeInput: (r: Random, i: number) => () => void): Tally {
  const tally: Tally = { results: 0, errors: 0, failures: [] };
  const t0 = performance.now();
  for (let i = 0; i < CASES; i++) {
    const r = random(seed + i);
    const run = makeInput(r, i);
    try {
      run();
      tally.results++;
    } catch (e) {
      if (isLongreadError(e) && !e.message.includes('\n')) tally.errors++;
      else tally.failures.push(`case ${i} (seed ${seed + i}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  console.log(`fuzz ${name}: ${CASES} cases, ${tally.results} results, ${tally.errors} coded errors, ${tally.failures.length} failures, ${(performance.now() - t0).toFixed(0)} ms`);
  return tally;
}

describe('fuzzing', () => {
  it('the safetensors reader', async () => {
    const valid = path.join(root, 'valid.safetensors');
    await writeSafetensors(
      valid,
      [
        { name: 'a', dtype: 'F32', shape: [4, 3], data: new Float32Array(12).fill(1) },
        { name: 'b', dtype: 'F16', shape: [5], data: new Float32Array(5).fill(2) },
        { name: 'c', dtype: 'BF16', shape: [2, 2, 2], data: new Float32Array(8).fill(3) },
        { name: 'empty', dtype: 'F32', shape: [0, 7], data: new Float32Array(0) },
      ],
      { format: 'pt' },
    );
    const bytes = fs.readFileSync(valid);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as unknown;
    // one file rewritten in place: creating or truncating a file thousands of times is slow on some disks
    const file = path.join(root, 'fuzzed.safetensors');
    const fd = fs.openSync(file, 'w+');
    const tally = fuzz('safetensors', 1000, (r) => {
      const kind = pick(r, ['json', 'json', 'bytes', 'prefix', 'truncate', 'extend']);
      let input: Buffer;
      if (kind === 'json') {
        const json = Buffer.from(JSON.stringify(mutateJson(header, r)));
        const prefix = Buffer.alloc(8);
        prefix.writeBigUInt64LE(BigInt(json.length));
        input = Buffer.concat([prefix, json, bytes.subarray(8 + headerLength)]);
      } else if (kind === 'bytes') input = flipBytes(bytes, r, 0, 8 + headerLength);
      else if (kind === 'prefix') {
        input = Buffer.from(bytes);
        input.writeBigUInt64LE(pick(r, [0n, 1n, BigInt(headerLength - 1), BigInt(headerLength + 1), 2n ** 63n, 2n ** 64n - 1n, BigInt(Math.floor(r() * 1e9))]), 0);
      } else if (kind === 'truncate') input = bytes.subarray(0, Math.floor(r() * bytes.length));
      else input = Buffer.concat([bytes, Buffer.alloc(Math.floor(r() * 64))]);
      return () => {
        fs.writeSync(fd, input, 0, input.length, 0);
        fs.ftruncateSync(fd, input.length);
        for (const t of readSafetensorsHeaderFd(fd, file).tensors) readTensorF32(fd, t);
      };
    });
    fs.closeSync(fd);
    expect(tally.failures).toEqual([]);
    expect(tally.results).toBeGreaterThan(0);
    expect(tally.errors).toBeGreaterThan(0);
  });

  it('the LRKV loader (checksums recomputed, so the header checks are reached)', () => {
    const valid = sampleLrkv();
    const parts = splitLrkv(valid);
    const expected = { modelFingerprint: LRKV_INFO.modelFingerprint, shape: LRKV_SHAPE };
    const tally = fuzz('lrkv', 2000, (r) => {
      const kind = pick(r, ['header', 'header', 'header', 'payload', 'raw', 'truncate', 'version']);
      let input: Buffer;
      if (kind === 'header') input = joinLrkv({ ...parts, header: mutateJson(parts.header, r) });
      else if (kind === 'payload') input = joinLrkv({ ...parts, payload: flipBytes(parts.payload, r) });
      else if (kind === 'raw') input = flipBytes(valid, r);
      else if (kind === 'truncate') input = joinLrkv({ ...parts, payload: parts.payload.subarray(0, Math.floor(r() * parts.payload.length)) });
      else input = joinLrkv({ ...parts, version: pick(r, [0, 2, 2 ** 32 - 1]) });
      return () => {
        const { cache } = decodeCompactedDocument(input, r() < 0.5 ? expected : { modelFingerprint: LRKV_INFO.modelFingerprint });
        for (const layer of cache.layers) expect(layer.keys.every(Number.isFinite)).toBe(true);
      };
    });
    expect(tally.failures).toEqual([]);
    expect(tally.results).toBeGreaterThan(0);
    expect(tally.errors).toBeGreaterThan(0);
  });

  it('the config validator, whose accepted specs must be sane', () => {
    const llama3 = {
      ...TINY_LLAMA_CONFIG,
      head_dim: 8,
      sliding_window: 32,
      attention_bias: false,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    };
    const tally = fuzz('config', 3000, (r) => {
      let config: unknown = llama3;
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) config = mutateJson(config, r);
      return () => {
        const { spec } = specFromConfig(config as Record<string, unknown>);
        for (const v of [spec.hiddenSize, spec.intermediateSize, spec.numLayers, spec.numHeads, spec.numKvHeads, spec.headDim, spec.vocabSize, spec.maxPositions]) {
          expect(Number.isSafeInteger(v) && v >= 1).toBe(true);
        }
        expect(spec.numLayers).toBeLessThanOrEqual(1024);
        expect(spec.headDim % 2).toBe(0);
        expect(spec.numHeads % spec.numKvHeads).toBe(0);
        expect(spec.rmsNormEps > 0 && spec.rmsNormEps < 1).toBe(true);
        expect(spec.ropeTheta > 0 && Number.isFinite(spec.ropeTheta)).toBe(true);
        if (spec.ropeScaling) expect(spec.ropeScaling.highFreqFactor > spec.ropeScaling.lowFreqFactor && spec.ropeScaling.lowFreqFactor > 0).toBe(true);
        expect(expectedTensorCount(spec)).toBeLessThan(20_000);
      };
    });
    expect(tally.failures).toEqual([]);
    expect(tally.results).toBeGreaterThan(0);
    expect(tally.errors).toBeGreaterThan(0);
  });
});
