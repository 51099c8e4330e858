import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../engine/generate/generate.js';
import { loadModel } from '../../engine/load-model.js';
import { TINY_LLAMA_CONFIG, writeModelFolder } from '../helpers/model-folder.js';
import { editJson, expectCodedError, expectCodedOutcome, POSIX, replaceWith, runIsolated, tempDir } from './helpers.js';

const root = tempDir('robust-model');
const cacheRoot = path.join(root, 'cache');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh copy of the tiny random-weight model folder, with `config` merged into its config.json. */
async function tinyFolder(config: Record<string, unknown> = {}, edit?: Parameters<typeof writeModelFolder>[2]): Promise<string> {
  return writeModelFolder(path.join(root, `m${folders++}`), { ...TINY_LLAMA_CONFIG, ...config }, edit);
}

async function loadAndGenerate(dir: string, options: { cacheRoot?: string } = {}): Promise<void> {
  const model = await loadModel(dir, { device: 'cpu', weights: 'fp32', cacheRoot: options.cacheRoot ?? cacheRoot });
  try {
    const stream = generate(model, model.newCache(), model.tokenizer.encode('hello', { addSpecialTokens: true }), { maxTokens: 2 });
    while (!(await stream.next()).done);
  } finally {
    await model.close();
  }
}

// These would block in open(), fill memory or exhaust the heap without their fix: each runs in a child process.
describe.skipIf(!POSIX)('model folders that used to hang or blow up memory', () => {
  it('model.safetensors as a FIFO', async () => {
    const dir = await tinyFolder();
    replaceWith(path.join(dir, 'model.safetensors'), 'fifo');
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'MISSING_FILE', /model\.safetensors is a named pipe \(FIFO\), not a regular file/);
  });

  it('config.json as a FIFO', async () => {
    const dir = await tinyFolder();
    replaceWith(path.join(dir, 'config.json'), 'fifo');
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'BAD_CONFIG', /config\.json is a named pipe/);
  });

  it('config.json linked to /dev/zero', async () => {
    const dir = await tinyFolder();
    replaceWith(path.join(dir, 'config.json'), 'dev-zero');
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'BAD_CONFIG', /config\.json is a device, not a regular file/);
  });

  it('tokenizer.json linked to /dev/zero', async () => {
    const dir = await tinyFolder();
    replaceWith(path.join(dir, 'tokenizer.json'), 'dev-zero');
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'TOKENIZER', /tokenizer\.json is a device/);
  });

  it('num_hidden_layers: 1e9', async () => {
    const dir = await tinyFolder();
    editJson(path.join(dir, 'config.json'), (c) => (c.num_hidden_layers = 1e9));
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'BAD_CONFIG', /"num_hidden_layers" must be an integer from 1 to 1024, got 1000000000/);
  });

  it('a chat template that loops 10^10 times', async () => {
    const dir = await tinyFolder();
    fs.writeFileSync(path.join(dir, 'chat_template.jinja'), '{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}');
    expectCodedOutcome(await runIsolated('model', dir, { CASE_CACHE: cacheRoot }), 'TOKENIZER', /chat template was stopped/);
  });
});

describe('model folders that used to give stack traces', () => {
  it('num_hidden_layers: 0', async () => {
    const dir = await tinyFolder();
    editJson(path.join(dir, 'config.json'), (c) => (c.num_hidden_layers = 0));
    await expectCodedError(() => loadAndGenerate(dir), 'BAD_CONFIG', /"num_hidden_layers" must be an integer from 1 to 1024, got 0/);
  });

  it('a tokenizer with more ids than vocab_size', async () => {
    const dir = await tinyFolder({ vocab_size: 256 });
    editJson(path.join(dir, 'tokenizer.json'), (t) => {
      t.added_tokens = [{ id: 400, content: '<extra>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }];
    });
    await expectCodedError(() => loadAndGenerate(dir), 'TOKENIZER', /token ids up to 400, but config\.json gives the model 256/);
  });

  it('model.safetensors that is a folder', async () => {
    const dir = await tinyFolder();
    replaceWith(path.join(dir, 'model.safetensors'), 'folder');
    await expectCodedError(() => loadAndGenerate(dir), 'MISSING_FILE', /model\.safetensors is a folder, not a regular file/);
  });

  it('a conversion cache under a regular file', async () => {
    const dir = await tinyFolder();
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    await expectCodedError(() => loadAndGenerate(dir, { cacheRoot: path.join(file, 'cache') }), 'CACHE_FILE', /cache folder .*a-file.* cannot be created/);
  });

  it('a config that needs far more tensors than the checkpoint holds names the first missing ones', async () => {
    const dir = await tinyFolder();
    editJson(path.join(dir, 'config.json'), (c) => (c.num_hidden_layers = 1000));
    await expectCodedError(() => loadAndGenerate(dir), 'MISSING_TENSOR', /lacks at least 8982 tensor\(s\).*model\.layers\.2\.input_layernorm\.weight/);
  });
});

describe('model folders that used to give silent garbage', () => {
  it('rms_norm_eps: -1', async () => {
    const dir = await tinyFolder();
    editJson(path.join(dir, 'config.json'), (c) => (c.rms_norm_eps = -1));
    await expectCodedError(() => loadAndGenerate(dir), 'BAD_CONFIG', /"rms_norm_eps" must be a number > 0 and < 1, got -1/);
  });

  it('rope_theta: 0', async () => {
    const dir = await tinyFolder();
    editJson(path.join(dir, 'config.json'), (c) => (c.rope_theta = 0));
    await expectCodedError(() => loadAndGenerate(dir), 'BAD_CONFIG', /"rope_theta" must be a number > 0, got 0/);
  });

  it('all-NaN weights', async () => {
    const dir = await tinyFolder({}, (ts) => ts.map((t) => ({ ...t, data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(NaN) })));
    await expectCodedError(() => loadAndGenerate(dir), 'NUMERICS', /non-finite logit \(NaN\)/);
  });

  it('a token id outside the vocabulary is refused before onnxruntime sees it', async () => {
    const dir = await tinyFolder();
    const model = await loadModel(dir, { device: 'cpu', weights: 'fp32', cacheRoot });
    try {
      await expectCodedError(() => model.decoder.step(model.newCache(), [5, 300]), 'TOKENIZER', /Token id 300 is outside the model's vocabulary of 300 tokens/);
    } finally {
      await model.close();
    }
  });
});

describe('a sound model folder still works', () => {
  it('loads and generates', async () => {
    await expect(loadAndGenerate(await tinyFolder())).resolves.toBeUndefined();
  });
});
