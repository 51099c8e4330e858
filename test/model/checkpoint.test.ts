import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLongreadError, type ErrorCode } from '../../engine/errors.js';
import { openCheckpoint, type Checkpoint } from '../../engine/model/checkpoint.js';
import { f16ToF32, f32ToF16 } from '../../engine/model/dtype.js';
import { makeTempDir, removeTempDirs, writeModelFolder } from './fixtures.js';

afterAll(removeTempDirs);

function openError(dir: string, code: ErrorCode, ...fragments: string[]): void {
  let caught: unknown;
  try {
    openCheckpoint(dir).close();
  } catch (e) {
    caught = e;
  }
  if (!isLongreadError(caught, code)) throw new Error(`expected LongreadError ${code}, got ${String(caught)}`);
  for (const f of fragments) expect(caught.message).toContain(f);
}

function withCheckpoint<T>(dir: string, use: (c: Checkpoint) => T): T {
  const checkpoint = openCheckpoint(dir);
  try {
    return use(checkpoint);
  } finally {
    checkpoint.close();
  }
}

describe('openCheckpoint', () => {
  it('opens a single-file model folder', async () => {
    const dir = makeTempDir();
    const tensors = await writeModelFolder(dir, { omit: ['tokenizer_config.json'] });
    withCheckpoint(dir, (c) => {
      expect(c.dir).toBe(path.resolve(dir));
      expect(c.config.hidden_size).toBe(8);
      expect(c.generationConfig).toEqual({ eos_token_id: 2, temperature: 0.7 });
      expect(c.files).toEqual({
        config: path.join(dir, 'config.json'),
        generationConfig: path.join(dir, 'generation_config.json'),
        tokenizer: path.join(dir, 'tokenizer.json'),
        tokenizerConfig: null,
        index: null,
        weights: [path.join(dir, 'model.safetensors')],
      });
      expect(c.names()).toEqual(tensors.map((t) => t.name).sort());
      for (const t of tensors) {
        expect(c.has(t.name)).toBe(true);
        expect(c.info(t.name)).toMatchObject({ dtype: 'F32', shape: t.shape, file: path.join(dir, 'model.safetensors') });
        expect(c.readF32(t.name)).toEqual(t.values);
      }
      expect(c.has('nope')).toBe(false);
      expect(() => c.readF32('nope')).toThrow(expect.objectContaining({ code: 'MISSING_TENSOR' }));
    });
  });

  it('returns a fresh array on every read', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    withCheckpoint(dir, (c) => {
      const first = c.readF32('model.norm.weight');
      first.fill(0);
      expect(c.readF32('model.norm.weight')).not.toEqual(first);
    });
  });

  it('opens a sharded folder through model.safetensors.index.json', async () => {
    const dir = makeTempDir();
    const tensors = await writeModelFolder(dir, { sharded: true, dtype: 'F16' });
    withCheckpoint(dir, (c) => {
      expect(c.files.index).toBe(path.join(dir, 'model.safetensors.index.json'));
      expect(c.files.weights.map((f) => path.basename(f))).toEqual([
        'model-00001-of-00002.safetensors',
        'model-00002-of-00002.safetensors',
      ]);
      expect(new Set(c.names().map((n) => path.basename(c.info(n).file))).size).toBe(2);
      for (const t of tensors) expect(c.readF32(t.name)).toEqual(f16ToF32(f32ToF16(t.values)));
    });
  });

  it('names a shard listed in the index but missing', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { sharded: true, omit: ['model-00002-of-00002.safetensors'] });
    openError(dir, 'MISSING_FILE', 'model-00002-of-00002.safetensors');
  });

  it('reports a tensor that the index places in a shard that lacks it', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { sharded: true });
    const indexFile = path.join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
    index.weight_map['model.ghost.weight'] = 'model-00001-of-00002.safetensors';
    fs.writeFileSync(indexFile, JSON.stringify(index));
    openError(dir, 'CORRUPT_SAFETENSORS', '"model.ghost.weight"', 'model-00001-of-00002.safetensors');
  });

  it('refuses an index that points outside the folder', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { sharded: true });
    const indexFile = path.join(dir, 'model.safetensors.index.json');
    fs.writeFileSync(indexFile, JSON.stringify({ weight_map: { w: '../elsewhere.safetensors' } }));
    openError(dir, 'CORRUPT_SAFETENSORS', '../elsewhere.safetensors');
  });

  it('says what a folder without config.json contains and what it needs', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { omit: ['config.json'] });
    openError(dir, 'NOT_A_MODEL_FOLDER', 'no config.json', 'tokenizer.json', 'model.safetensors', 'A model folder needs');
  });

  it('rejects a folder that does not exist, and a file', () => {
    const dir = makeTempDir();
    openError(path.join(dir, 'missing'), 'NOT_A_MODEL_FOLDER', 'does not exist');
    const file = path.join(dir, 'file.txt');
    fs.writeFileSync(file, 'hello');
    openError(file, 'NOT_A_MODEL_FOLDER', 'not a folder');
  });

  it('requires tokenizer.json', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { omit: ['tokenizer.json'] });
    openError(dir, 'MISSING_FILE', 'tokenizer.json');
  });

  it('reports invalid config.json as BAD_CONFIG', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"hidden_size": 8,');
    openError(dir, 'BAD_CONFIG', 'config.json');
  });

  it('reports a folder with no weights', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    fs.renameSync(path.join(dir, 'model.safetensors'), path.join(dir, 'model-00001-of-00001.safetensors'));
    openError(dir, 'MISSING_FILE', 'model.safetensors.index.json', 'model-00001-of-00001.safetensors');
  });

  it('stops reading after close', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    const c = openCheckpoint(dir);
    c.close();
    expect(() => c.readF32('model.norm.weight')).toThrow(/closed/);
    c.close(); // closing twice is harmless
  });
});

describe('Checkpoint.fingerprint', () => {
  /** Overwrites one float32 weight in place. */
  function poke(dir: string, tensor: string, index: number, value: number): void {
    const info = withCheckpoint(dir, (c) => c.info(tensor));
    const fd = fs.openSync(info.file, 'r+');
    fs.writeSync(fd, new Uint8Array(new Float32Array([value]).buffer), 0, 4, info.byteOffset + 4 * index);
    fs.closeSync(fd);
  }
  const fingerprint = (dir: string) => withCheckpoint(dir, (c) => c.fingerprint());
  const big = 'model.layers.0.mlp.up_proj.weight';

  it('is stable across reopening and differs between models', async () => {
    const a = makeTempDir();
    const b = makeTempDir();
    await writeModelFolder(a, { extraElements: 600_000 });
    await writeModelFolder(b, { extraElements: 600_000, dtype: 'BF16' });
    const fa = fingerprint(a);
    expect(fa).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint(a)).toBe(fa);
    expect(fingerprint(b)).not.toBe(fa);
  });

  it('changes when a weight in a sampled block changes (large weights file)', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir, { extraElements: 600_000 }); // 2.4 MB of data: sampled, not hashed whole
    const before = fingerprint(dir);
    poke(dir, 'lm_head.weight', 0, 42); // lm_head is first in name order: the first sampled block
    const afterFirst = fingerprint(dir);
    expect(afterFirst).not.toBe(before);
    poke(dir, big, 599_999, 42); // the very last weight: the last sampled block
    expect(fingerprint(dir)).not.toBe(afterFirst);
  });

  it('changes when any weight of a small file changes', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    const before = fingerprint(dir);
    poke(dir, 'model.layers.0.self_attn.q_proj.weight', 17, 0.25);
    expect(fingerprint(dir)).not.toBe(before);
  });

  it('changes with config.json', async () => {
    const dir = makeTempDir();
    await writeModelFolder(dir);
    const before = fingerprint(dir);
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('"hidden_size": 8', '"hidden_size": 9'));
    expect(fingerprint(dir)).not.toBe(before);
  });
});
