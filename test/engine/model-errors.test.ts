import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LongreadError } from '../../engine/errors.js';
import { generate, prefill } from '../../engine/generate/generate.js';
import { loadModel } from '../../engine/load-model.js';
import { TINY_LLAMA_CONFIG, writeModelFolder } from '../helpers/model-folder.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-errors-'));
const cacheRoot = path.join(root, 'cache');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function loadError(dir: string): Promise<LongreadError> {
  const e = await loadModel(dir, { device: 'cpu', cacheRoot }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LongreadError);
  return e as LongreadError;
}

describe('loading a model folder: clear, specific errors', () => {
  it('an unsupported architecture is named, with the supported ones listed', async () => {
    const d = await writeModelFolder(path.join(root, 'gpt2'));
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...TINY_LLAMA_CONFIG, architectures: ['GPT2LMHeadModel'] }));
    const e = await loadError(d);
    expect(e.code).toBe('UNSUPPORTED_ARCHITECTURE');
    expect(e.message).toContain('GPT2LMHeadModel');
    for (const a of ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM', 'MistralForCausalLM']) expect(e.message).toContain(a);
  });

  it('a tensor with the wrong shape is named with both shapes', async () => {
    const dir = await writeModelFolder(path.join(root, 'shape'), TINY_LLAMA_CONFIG, (ts) =>
      ts.map((t) => (t.name === 'model.layers.1.mlp.up_proj.weight' ? { ...t, shape: [47, 32], data: new Float32Array(47 * 32) } : t)),
    );
    const e = await loadError(dir);
    expect(e.code).toBe('TENSOR_SHAPE');
    expect(e.message).toContain('model.layers.1.mlp.up_proj.weight');
    expect(e.message).toContain('[47, 32]');
    expect(e.message).toContain('[48, 32]');
  });

  it('a missing tensor is named', async () => {
    const dir = await writeModelFolder(path.join(root, 'missing'), TINY_LLAMA_CONFIG, (ts) => ts.filter((t) => t.name !== 'model.norm.weight'));
    const e = await loadError(dir);
    expect(e.code).toBe('MISSING_TENSOR');
    expect(e.message).toContain('model.norm.weight');
  });

  it('an untied model without lm_head.weight is refused', async () => {
    const dir = await writeModelFolder(path.join(root, 'untied'), { ...TINY_LLAMA_CONFIG, tie_word_embeddings: false }, (ts) => ts.filter((t) => t.name !== 'lm_head.weight'));
    expect((await loadError(dir)).message).toContain('lm_head.weight');
  });

  it('a truncated weights file is refused before any conversion', async () => {
    const dir = await writeModelFolder(path.join(root, 'truncated'));
    const file = path.join(dir, 'model.safetensors');
    fs.truncateSync(file, fs.statSync(file).size - 100);
    const e = await loadError(dir);
    expect(e.code).toBe('TRUNCATED_SAFETENSORS');
    expect(fs.existsSync(path.join(cacheRoot, 'onnx')) ? fs.readdirSync(path.join(cacheRoot, 'onnx')).filter((f) => !f.startsWith('.')) : []).toEqual([]);
  });

  it('an unsupported dtype is named', async () => {
    const dir = await writeModelFolder(path.join(root, 'dtype'));
    // I32 has the same element size as F32, so only the dtype is wrong
    const file = path.join(dir, 'model.safetensors');
    const buf = fs.readFileSync(file);
    const n = Number(buf.readBigUInt64LE(0));
    const header = buf.subarray(8, 8 + n).toString().replace('"dtype":"F32","shape":[32]', '"dtype":"I32","shape":[32]');
    expect(header).toContain('I32');
    fs.writeFileSync(file, Buffer.concat([buf.subarray(0, 8), Buffer.from(header), buf.subarray(8 + n)]));
    const e = await loadError(dir);
    expect(e.code).toBe('UNSUPPORTED_DTYPE');
    expect(e.message).toContain('I32');
  });

  it('a config that is not a decoder config says which field is wrong', async () => {
    const dir = await writeModelFolder(path.join(root, 'badcfg'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...TINY_LLAMA_CONFIG, num_attention_heads: 3 }));
    const e = await loadError(dir);
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.message).toMatch(/num_attention_heads|head_dim/);
  });

  it('a prompt longer than the model allows is refused with CONTEXT_TOO_LONG, and the model keeps working', async () => {
    const dir = await writeModelFolder(path.join(root, 'ctx'));
    const model = await loadModel(dir, { device: 'cpu', cacheRoot });
    try {
      const tooLong = Array.from({ length: 80 }, (_, i) => i % 250);
      const it = generate(model, model.newCache(), tooLong, { maxTokens: 4 });
      const e = await it.next().then(
        () => null,
        (err: unknown) => err as LongreadError,
      );
      expect(e?.code).toBe('CONTEXT_TOO_LONG');
      expect(e?.message).toContain('64');
      const ok = generate(model, model.newCache(), [1, 2, 3], { maxTokens: 3, stopTokenIds: [] });
      let r = await ok.next();
      while (!r.done) r = await ok.next();
      expect(r.value.tokens.length).toBe(3);
    } finally {
      await model.close();
    }
  });

  it('generation that reaches the context limit stops with "context-full" instead of failing', async () => {
    const dir = await writeModelFolder(path.join(root, 'full'));
    const model = await loadModel(dir, { device: 'cpu', cacheRoot });
    try {
      const it = generate(model, model.newCache(), Array.from({ length: 60 }, (_, i) => i), { maxTokens: 50, stopTokenIds: [] });
      let r = await it.next();
      while (!r.done) r = await it.next();
      expect(r.value.stopReason).toBe('context-full');
      expect(r.value.tokens.length).toBeLessThan(5);
    } finally {
      await model.close();
    }
  });

  it('prefill refuses an empty prompt, stops when cancelled, and hands each chunk\'s queries over with its position', async () => {
    const dir = await writeModelFolder(path.join(root, 'prefill'));
    const model = await loadModel(dir, { device: 'cpu', cacheRoot });
    try {
      const empty = (await prefill(model.decoder, model.newCache(), []).catch((e: unknown) => e)) as LongreadError;
      expect(empty.code).toBe('BAD_ARGUMENT');
      let calls = 0;
      const cancelled = (await prefill(model.decoder, model.newCache(), [1, 2, 3, 4, 5, 6], { chunk: 2, isCancelled: () => ++calls > 2 }).catch(
        (e: unknown) => e,
      )) as LongreadError;
      expect(cancelled.code).toBe('CANCELLED');
      const seen: [number, number, number][] = [];
      const cache = model.newCache();
      await prefill(model.decoder, cache, [1, 2, 3, 4, 5], { chunk: 2, onQueries: (q, S, first) => seen.push([q.length, S, first]) });
      expect(seen).toEqual([[2, 2, 0], [2, 2, 2], [2, 1, 4]]);
      expect(cache.logicalLength).toBe(5);
    } finally {
      await model.close();
    }
  });
});
