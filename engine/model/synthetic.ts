import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LongreadError } from '../errors.js';
import { foreignMessage } from './foreign-message.js';
import { MODEL_FILE_LIMITS, readRegularFile } from './regular-file.js';
import { specFromConfig } from './families/index.js';
import { writeSafetensors } from './safetensors.js';
import { expectedTensors } from './spec.js';

/**
 * Random-weight checkpoints with the exact config of a real model, for benchmarks and shape tests only
 * (speed does not depend on the values). Written once into the cache as a normal Hugging Face folder.
 */
export const SYNTHETIC_PREFIX = 'synthetic:';

export function defaultConfigsDir(): string {
  if (process.env.LONGREAD_CONFIGS_DIR) return process.env.LONGREAD_CONFIGS_DIR;
  // <repo>/engine/model (source) or <repo>/dist/engine/model (built): ../shared sits beside the repo.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.resolve(dir, '..', 'shared', 'models', 'configs');
}

function fastNormal(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  // sum of 4 uniforms: close enough to a normal for weights, and fast
  return () => (u() + u() + u() + u() - 2) * 1.7320508;
}

/** A byte-level BPE tokenizer with no merges: every UTF-8 byte is one token. Enough to drive a random model. */
export function byteTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  // GPT-2 style printable mapping of bytes, as the ByteLevel pre-tokenizer expects
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const ch = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
    vocab[ch] = b;
  }
  return {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

export async function syntheticCheckpoint(
  name: string,
  opts: { cacheRoot: string; configsDir?: string; seed?: number; onProgress?: (msg: string) => void },
): Promise<string> {
  const configsDir = opts.configsDir ?? defaultConfigsDir();
  const src = path.join(configsDir, name);
  if (!fs.existsSync(path.join(src, 'config.json'))) {
    const known = fs.existsSync(configsDir) ? fs.readdirSync(configsDir).filter((f) => !f.includes('.')) : [];
    throw new LongreadError(
      'NOT_A_MODEL_FOLDER',
      `No config for synthetic model "${name}" in ${configsDir}${known.length ? ` (available: ${known.join(', ')})` : ''}`,
    );
  }
  const dir = path.join(opts.cacheRoot, 'synthetic', name);
  if (fs.existsSync(path.join(dir, 'model.safetensors'))) return dir;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new LongreadError('CACHE_FILE', `Cannot create the synthetic model folder ${dir}: ${foreignMessage(e)}`, { cause: e });
  }
  const config = JSON.parse(readRegularFile(path.join(src, 'config.json'), 'BAD_CONFIG', MODEL_FILE_LIMITS.config).toString('utf8')) as Record<string, unknown>;
  const { family, spec } = specFromConfig(config);
  fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
  if (fs.existsSync(path.join(src, 'generation_config.json'))) fs.copyFileSync(path.join(src, 'generation_config.json'), path.join(dir, 'generation_config.json'));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(byteTokenizerJson()));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ add_bos_token: false, model_max_length: spec.maxPositions }));
  const normal = fastNormal(opts.seed ?? 1234);
  const tensors = expectedTensors(spec, family.naming).map((t) => ({
    name: t.name,
    dtype: 'BF16' as const,
    shape: t.shape,
    data: () => {
      opts.onProgress?.(`writing ${t.name}`);
      const n = t.shape.reduce((a, b) => a * b, 1);
      const isNorm = t.shape.length === 1 && !t.name.endsWith('.bias');
      const a = new Float32Array(n);
      if (isNorm) a.fill(1);
      else for (let i = 0; i < n; i++) a[i] = 0.02 * normal();
      return a;
    },
  }));
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt', synthetic: 'random weights' });
  return dir;
}
