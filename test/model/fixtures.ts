import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../../engine/model/safetensors.js';
import type { StorageDType } from '../../engine/model/tensor-types.js';

/** A fresh folder under the OS temp dir; `removeTempDirs` deletes all of them. */
const tempDirs: string[] = [];
export function makeTempDir(prefix = 'longread-model-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Deterministic pseudo-random values in [-1, 1) (mulberry32), so fixtures are reproducible. */
export function randomValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Writes a safetensors file byte by byte: `header` (object or literal JSON text), then `data`. */
export function writeRawSafetensors(
  file: string,
  header: object | string,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: bigint,
): void {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([prefix, json, data]));
}

export interface FixtureTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A tiny Llama-shaped set of tensors. */
export function tinyModelTensors(seed = 1, extraElements = 0): FixtureTensor[] {
  const tensors: FixtureTensor[] = [
    { name: 'model.embed_tokens.weight', shape: [32, 8], values: randomValues(256, seed) },
    { name: 'model.layers.0.self_attn.q_proj.weight', shape: [8, 8], values: randomValues(64, seed + 1) },
    { name: 'model.norm.weight', shape: [8], values: randomValues(8, seed + 2) },
    { name: 'lm_head.weight', shape: [32, 8], values: randomValues(256, seed + 3) },
  ];
  if (extraElements > 0) {
    tensors.push({ name: 'model.layers.0.mlp.up_proj.weight', shape: [extraElements], values: randomValues(extraElements, seed + 4) });
  }
  return tensors;
}

export interface ModelFolderOptions {
  dtype?: StorageDType;
  /** Split the tensors over two shards with model.safetensors.index.json. */
  sharded?: boolean;
  /** Files not to write, e.g. "tokenizer.json". */
  omit?: string[];
  /** Adds a tensor with this many elements, to make the weights big enough for sampled fingerprints. */
  extraElements?: number;
}

/** Writes a Hugging Face-style model folder and returns the tensors it holds. */
export async function writeModelFolder(dir: string, options: ModelFolderOptions = {}): Promise<FixtureTensor[]> {
  const dtype = options.dtype ?? 'F32';
  const omit = new Set(options.omit ?? []);
  const tensors = tinyModelTensors(1, options.extraElements ?? 0);
  const jsonFiles: Record<string, unknown> = {
    'config.json': { architectures: ['LlamaForCausalLM'], hidden_size: 8, vocab_size: 32, num_hidden_layers: 1 },
    'generation_config.json': { eos_token_id: 2, temperature: 0.7 },
    'tokenizer.json': { version: '1.0', model: { type: 'BPE', vocab: {}, merges: [] } },
    'tokenizer_config.json': { eos_token: '</s>' },
  };
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(jsonFiles)) {
    if (!omit.has(name)) fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
  }
  const toWrite = (list: FixtureTensor[]): TensorToWrite[] => list.map((t) => ({ name: t.name, dtype, shape: t.shape, data: t.values }));
  if (!options.sharded) {
    await writeSafetensors(path.join(dir, 'model.safetensors'), toWrite(tensors), { format: 'pt' });
    return tensors;
  }
  const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const half = Math.ceil(tensors.length / 2);
  const parts = [tensors.slice(0, half), tensors.slice(half)];
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < 2; i++) {
    for (const t of parts[i]) weightMap[t.name] = shards[i];
    if (!omit.has(shards[i])) await writeSafetensors(path.join(dir, shards[i]), toWrite(parts[i]), { format: 'pt' });
  }
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return tensors;
}
